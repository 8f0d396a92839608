import Dispatch
import Foundation
import ServiceLifecycle
import Synchronization

/// Why the executor refused a job; the edge answers 503 with `Retry-After`.
public enum InferenceExecutorError: Error, Equatable, Sendable {
    /// `queueLimit` jobs are already waiting.
    case queueFull(retryAfterSeconds: Int)
    /// The executor is draining for shutdown and takes no new work.
    case shuttingDown

    public var serviceError: ServiceError {
        switch self {
        case .queueFull(let seconds): return .overloaded(retryAfterSeconds: seconds)
        case .shuttingDown: return .shuttingDown
        }
    }
}

/// A bounded pool of dedicated threads for blocking work: BERT forward passes, SQLite writes,
/// audit appends. Handlers `await perform { … }`, so the event loops and Swift's cooperative
/// threads never block on a matrix multiply or a write lock.
///
/// ```
///  handlers ──perform──▶ [ FIFO queue ≤ queueLimit ] ──▶ worker 1 … worker N (Threads)
///        ◀──resume────────────────────────────────────────┘
///  queue full ──▶ InferenceExecutorError.queueFull ──▶ 503 overloaded + Retry-After
/// ```
///
/// N workers × BLAS threads must not exceed the cores (the command sets both). As a
/// swift-service-lifecycle `Service` it runs until graceful shutdown, then refuses new jobs,
/// finishes every queued one and stops its threads; added after the HTTP server in a service
/// group, it shuts down only once the server has drained its in-flight requests.
public final class InferenceExecutor: Service, Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Worker threads (each runs one job at a time).
        public var workers: Int
        /// Jobs that may wait while all workers are busy; one more is refused with `queueFull`.
        public var queueLimit: Int
        /// `Retry-After` sent with a refusal, in seconds.
        public var retryAfterSeconds: Int

        public init(workers: Int = 1, queueLimit: Int = 32, retryAfterSeconds: Int = 1) {
            self.workers = workers
            self.queueLimit = queueLimit
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    private struct State {
        var queue: [(@Sendable () -> Void)?] = []
        var head = 0
        var running = 0
        var closed = false
        var liveWorkers: Int
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var waiting: Int { queue.count - head }

        mutating func pop() -> (@Sendable () -> Void)? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            queue[head] = nil
            head += 1
            if head > 64 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            return job
        }
    }

    public let configuration: Configuration
    private let state: Mutex<State>
    /// One signal per queued job, plus one per worker at shutdown.
    private let wakeups = DispatchSemaphore(value: 0)
    private let onQueueDepthChange: (@Sendable (Int) -> Void)?

    /// - Parameter onQueueDepthChange: called with the number of waiting jobs after each change
    ///   (the metrics gauge; tests use it to know a request's job is queued).
    public init(_ configuration: Configuration = .init(), onQueueDepthChange: (@Sendable (Int) -> Void)? = nil) {
        precondition(configuration.workers >= 1 && configuration.queueLimit >= 0 && configuration.retryAfterSeconds >= 1)
        self.configuration = configuration
        self.onQueueDepthChange = onQueueDepthChange
        state = Mutex(State(liveWorkers: configuration.workers))
        for index in 0..<configuration.workers {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "inference-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `job` on a worker and returns its result (or rethrows its error). Throws
    /// `InferenceExecutorError` at once when the queue is full or the executor is shutting down.
    public func perform<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            do {
                try enqueue { continuation.resume(with: Result { try job() }) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Queues `job` without waiting for it: it is in the queue when this returns.
    public func enqueue(_ job: @escaping @Sendable () -> Void) throws(InferenceExecutorError) {
        let depth = try state.withLock { s throws(InferenceExecutorError) -> Int in
            if s.closed { throw .shuttingDown }
            // At most `workers` jobs run and `queueLimit` wait, whether or not a worker has
            // woken up to take the newest ones yet.
            if s.waiting + s.running >= configuration.workers + configuration.queueLimit {
                throw .queueFull(retryAfterSeconds: configuration.retryAfterSeconds)
            }
            s.queue.append(job)
            return s.waiting
        }
        onQueueDepthChange?(depth)
        wakeups.signal()
    }

    /// Jobs waiting for a worker, and jobs running.
    public var load: (waiting: Int, running: Int) { state.withLock { ($0.waiting, $0.running) } }

    /// Runs until graceful shutdown (or cancellation), then drains (`shutdown()`).
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Refuses new jobs from now on; the workers finish every queued one, then exit.
    public func close() {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        if first { for _ in 0..<configuration.workers { wakeups.signal() } }
    }

    /// `close()`, then returns when every queued job has run and the workers have exited.
    public func shutdown() async {
        close()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.liveWorkers == 0 { return true }
                s.drainWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func workerLoop() {
        while true {
            wakeups.wait()
            let next = state.withLock { s -> (job: @Sendable () -> Void, depth: Int)? in
                guard let job = s.pop() else { return nil }  // only once closed and empty
                s.running += 1
                return (job, s.waiting)
            }
            guard let next else { break }
            onQueueDepthChange?(next.depth)
            next.job()
            state.withLock { $0.running -= 1 }
        }
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.liveWorkers -= 1
            guard s.liveWorkers == 0 else { return [] }
            defer { s.drainWaiters = [] }
            return s.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

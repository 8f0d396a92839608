import Dispatch
import Foundation
public import ServiceLifecycle
import Synchronization

/// Why the executor refused a job; the edge answers 503 with `Retry-After`.
package enum InferenceExecutorError: Error, Equatable, Sendable {
    /// `queueLimit` jobs are already waiting.
    case queueFull(retryAfterSeconds: Int)
    /// The executor is draining for shutdown and takes no new work.
    case shuttingDown

    package var serviceError: ServiceError {
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
        var queueLimit: Int
        /// `Retry-After` sent with a refusal, in seconds.
        public var retryAfterSeconds: Int

        public init(workers: Int = 1, queueLimit: Int = 32, retryAfterSeconds: Int = 1) {
            self.workers = workers
            self.queueLimit = queueLimit
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// A job's work; what it returns runs once the job's slot is free (a caller resumed from
    /// there may submit again at once without meeting its own finished job in the count).
    private typealias Job = @Sendable () -> (@Sendable () -> Void)?

    private struct State {
        var queue: [Job?] = []
        var head = 0
        var running = 0
        var closed = false
        var liveWorkers: Int
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var waiting: Int { queue.count - head }

        mutating func pop() -> Job? {
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
    private let onLoadChange: (@Sendable (Load) -> Void)?

    /// Jobs waiting for a worker, and jobs running.
    public struct Load: Sendable, Equatable {
        public var waiting: Int
        public var running: Int
        public init(waiting: Int, running: Int) { self.waiting = waiting; self.running = running }
    }

    /// - Parameter onLoadChange: called with the load after every change — a job queued, taken
    ///   by a worker, finished — in order, under the executor's lock: keep it short and never
    ///   call back into the executor. The queue-depth gauge uses it; tests use it to know when
    ///   a request's job is queued or every job has finished.
    public init(_ configuration: Configuration = .init(), onLoadChange: (@Sendable (Load) -> Void)? = nil) {
        precondition(configuration.workers >= 1 && configuration.queueLimit >= 0 && configuration.retryAfterSeconds >= 1)
        self.configuration = configuration
        self.onLoadChange = onLoadChange
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
                try submit {
                    let result = Result { try job() }
                    return { continuation.resume(with: result) }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Queues `job` without waiting for it: it is in the queue when this returns.
    package func enqueue(_ job: @escaping @Sendable () -> Void) throws(InferenceExecutorError) {
        try submit {
            job()
            return nil
        }
    }

    private func submit(_ job: @escaping Job) throws(InferenceExecutorError) {
        try state.withLock { s throws(InferenceExecutorError) in
            if s.closed { throw .shuttingDown }
            // At most `workers` jobs run and `queueLimit` wait, whether or not a worker has
            // woken up to take the newest ones yet.
            if s.waiting + s.running >= configuration.workers + configuration.queueLimit {
                throw .queueFull(retryAfterSeconds: configuration.retryAfterSeconds)
            }
            s.queue.append(job)
            onLoadChange?(Load(waiting: s.waiting, running: s.running))
        }
        wakeups.signal()
    }

    /// The load now.
    public var load: Load { state.withLock { Load(waiting: $0.waiting, running: $0.running) } }

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
    package func shutdown() async {
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
            let next = state.withLock { s -> Job? in
                guard let job = s.pop() else { return nil }  // only once closed and empty
                s.running += 1
                onLoadChange?(Load(waiting: s.waiting, running: s.running))
                return job
            }
            guard let next else { break }
            let completion = next()
            state.withLock { s in
                s.running -= 1
                onLoadChange?(Load(waiting: s.waiting, running: s.running))
            }
            completion?()
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

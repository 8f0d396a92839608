import Dispatch
import Foundation
import ServiceSupport
import Testing

/// The bounded executor: results and errors come back, the queue limit is exact, shutdown
/// finishes queued work and refuses new work. Jobs block on semaphores (on the executor's own
/// threads, never on a test's task); the tests wait on signals, never on time.
@Suite(.timeLimit(.minutes(1)))
struct InferenceExecutorTests {
    struct Failure: Error, Equatable {}

    @Test func returnsResultsAndRethrowsErrors() async throws {
        let executor = InferenceExecutor(.init(workers: 2, queueLimit: 32))
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 1...20 { group.addTask { try await executor.perform { (1...n).reduce(0, +) } } }
            return try await group.reduce(0, +)
        }
        #expect(sums == (1...20).map { $0 * ($0 + 1) / 2 }.reduce(0, +))
        await #expect(throws: Failure.self) { try await executor.perform { () throws -> Int in throw Failure() } }
        // A result arrives once its job's slot is free: the caller may submit again at once.
        #expect(try await executor.perform { 7 } == 7)
        #expect(executor.load == .init(waiting: 0, running: 0))
        await executor.shutdown()
    }

    @Test func queueLimitIsExact() async throws {
        let gate = DispatchSemaphore(value: 0)
        let executor = InferenceExecutor(.init(workers: 2, queueLimit: 3, retryAfterSeconds: 7))
        // 2 running + 3 waiting are admitted, whether or not the workers have woken up yet.
        for _ in 0..<5 { try executor.enqueue { gate.wait() } }
        #expect(throws: InferenceExecutorError.queueFull(retryAfterSeconds: 7)) { try executor.enqueue {} }
        await #expect(throws: InferenceExecutorError.queueFull(retryAfterSeconds: 7)) { try await executor.perform { 1 } }
        #expect(InferenceExecutorError.queueFull(retryAfterSeconds: 7).serviceError.retryAfterSeconds == 7)
        for _ in 0..<5 { gate.signal() }
        await executor.shutdown()
        #expect(executor.load == .init(waiting: 0, running: 0))
    }

    @Test func shutdownFinishesQueuedJobsAndRefusesNewOnes() async throws {
        let gate = DispatchSemaphore(value: 0)
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (loads, loadSignal) = AsyncStream.makeStream(of: InferenceExecutor.Load.self)
        let executor = InferenceExecutor(.init(workers: 1, queueLimit: 8)) { loadSignal.yield($0) }
        try executor.enqueue { startedSignal.yield(); gate.wait() }
        await started.first { _ in true }
        let results = (0..<4).map { n in Task { try await executor.perform { n * 10 } } }
        _ = await loads.first { $0.waiting == 4 }  // all four wait behind the blocked worker
        executor.close()
        #expect(throws: InferenceExecutorError.shuttingDown) { try executor.enqueue {} }
        await #expect(throws: InferenceExecutorError.shuttingDown) { try await executor.perform { 1 } }
        gate.signal()
        await executor.shutdown()
        var values: [Int] = []
        for result in results { values.append(try await result.value) }
        #expect(values == [0, 10, 20, 30])
        #expect(executor.load == .init(waiting: 0, running: 0))
    }
}

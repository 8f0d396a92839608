import Foundation
import Synchronization
import Testing
@testable import ModelRuntime

/// `ComputeThreads.withThreads` decides the worker count of the loops started inside it, and
/// only there: scopes nest, and another thread's scope does not reach in.
struct ComputeThreadsTests {
    @Test(arguments: [1, 2])
    func parallelLoopsUseTheScopedCount(threads: Int) {
        let ranges = Mutex(0)
        ComputeThreads.withThreads(threads) {
            Parallel.forEachRange(1 << 20) { _ in ranges.withLock { $0 += 1 } }
        }
        #expect(ranges.withLock { $0 } == min(threads, ComputeThreads.available))
    }

    @Test func scopesNestAndStayOnTheirThread() {
        let two = min(2, ComputeThreads.available)
        ComputeThreads.withThreads(1) {
            #expect(ComputeThreads.current == 1)
            ComputeThreads.withThreads(two) { #expect(ComputeThreads.current == two) }
            #expect(ComputeThreads.current == 1)

            let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            let seen = Mutex(0)
            Thread {
                ComputeThreads.withThreads(two) {
                    entered.signal()
                    release.wait()
                    seen.withLock { $0 = ComputeThreads.current }
                }
                finished.signal()
            }.start()
            entered.wait()
            #expect(ComputeThreads.current == 1, "another thread's scope changed this one")
            release.signal()
            finished.wait()
            #expect(seen.withLock { $0 } == two, "this scope changed another thread's")
        }
    }
}

import Foundation

/// Splits element-wise work over `ComputeThreads.current` workers.
enum Parallel {
    /// Calls `body` with disjoint ranges covering `0..<count`, concurrently when there are
    /// several threads and at least `minimumPerWorker` items for each; otherwise inline.
    static func forEachRange(_ count: Int, minimumPerWorker: Int = 4096,
                             _ body: @Sendable (Range<Int>) -> Void) {
        let workers = min(ComputeThreads.current, count / max(minimumPerWorker, 1))
        guard workers > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            body((w * count / workers)..<((w + 1) * count / workers))
        }
    }
}

extension Parallel {
    /// Runs `worker` on up to `ComputeThreads.current` threads (inline when that is one or
    /// `count` is below two); each worker calls `next()` for the next index of `0..<count` until
    /// it returns nil, so uneven items balance themselves. A worker sets up its own scratch once.
    static func forEachDynamic(_ count: Int, _ worker: @Sendable (_ next: () -> Int?) -> Void) {
        let workers = min(ComputeThreads.current, count)
        guard workers > 1 else {
            var i = 0
            worker {
                defer { i += 1 }
                return i < count ? i : nil
            }
            return
        }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in worker { counter.next(below: count) } }
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func next(below limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

/// A pointer that may cross into the concurrent workers of `Parallel`; each worker touches a
/// disjoint range, which is what makes sharing it safe.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

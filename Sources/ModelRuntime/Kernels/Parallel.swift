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

/// A pointer that may cross into the concurrent workers of `Parallel`; each worker touches a
/// disjoint range, which is what makes sharing it safe.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

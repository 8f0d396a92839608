/// The residual connection of a ResNet block, `y = x + shortcut` (optionally followed by ReLU).
///
/// Its backward pass is the identity on both branches: the block's output gradient is the
/// gradient of each summand, so a training loop adds the branch's input gradient to the
/// shortcut's with `accumulate`.
package enum Residual {
    /// `x += shortcut`, in place, over `count` elements.
    package static func add(_ x: UnsafeMutablePointer<Float>, _ shortcut: UnsafePointer<Float>, count: Int) {
        let xs = SendablePointer(x), ss = SendablePointer(UnsafeMutablePointer(mutating: shortcut))
        Parallel.forEachRange(count, minimumPerWorker: 1 << 16) { range in
            for i in range { xs.pointer[i] += ss.pointer[i] }
        }
    }

    /// `x = max(x + shortcut, 0)`, in place: the end of a basic or bottleneck block.
    package static func addReLU(_ x: UnsafeMutablePointer<Float>, _ shortcut: UnsafePointer<Float>, count: Int) {
        let xs = SendablePointer(x), ss = SendablePointer(UnsafeMutablePointer(mutating: shortcut))
        Parallel.forEachRange(count, minimumPerWorker: 1 << 16) { range in
            for i in range { xs.pointer[i] = max(xs.pointer[i] + ss.pointer[i], 0) }
        }
    }

    /// The backward pass of `add` where two paths meet: `gradient += other` (e.g. the shortcut's
    /// gradient plus the gradient that came back through the residual branch).
    package static func accumulate(_ gradient: UnsafeMutablePointer<Float>, _ other: UnsafePointer<Float>, count: Int) {
        add(gradient, other, count: count)
    }
}

/// Contiguous Float32 memory behind a `Tensor`: either owned (allocated here) or borrowed
/// from a read-only memory mapping that `owner` keeps alive.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int
    /// Keeps a borrowed region (e.g. a mapped safetensors file) alive; nil when owned.
    let owner: AnyObject?

    var isBorrowed: Bool { owner != nil }

    /// Allocates `count` uninitialised floats.
    init(uninitializedCount count: Int) {
        self.base = .allocate(capacity: max(count, 1))
        self.count = count
        self.owner = nil
    }

    /// Wraps memory that `owner` keeps alive and that must never be written.
    init(borrowing base: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.base = UnsafeMutablePointer(mutating: base)
        self.count = count
        self.owner = owner
    }

    deinit {
        if owner == nil { base.deallocate() }
    }
}

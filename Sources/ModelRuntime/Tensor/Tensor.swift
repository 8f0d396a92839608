/// A dense, row-major Float32 tensor with value semantics (copy on write).
///
/// The shape is fixed at creation; kernels read through `withUnsafeBufferPointer` and write
/// through `withUnsafeMutableBufferPointer`, which copies first when the storage is shared or
/// borrowed from a read-only mapping.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    var storage: TensorStorage

    /// Number of elements (product of the shape).
    public var count: Int { storage.count }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let n = shape.reduce(1, *)
        storage = TensorStorage(uninitializedCount: n)
        storage.base.initialize(repeating: 0, count: n)
        self.shape = shape
    }

    /// A tensor holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values for shape \(shape)")
        let storage = TensorStorage(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { src in
            if let p = src.baseAddress { storage.base.initialize(from: p, count: values.count) }
        }
        self.storage = storage
        self.shape = shape
    }

    /// A tensor whose elements `fill` writes; `fill` must initialise every element.
    public init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let n = shape.reduce(1, *)
        storage = TensorStorage(uninitializedCount: n)
        try fill(UnsafeMutableBufferPointer(start: storage.base, count: n))
        self.shape = shape
    }

    init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count, "storage of \(storage.count) for shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// The elements in row-major order.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) || storage.isBorrowed {
            let copy = TensorStorage(uninitializedCount: storage.count)
            copy.base.initialize(from: storage.base, count: storage.count)
            storage = copy
        }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The same elements under another shape with the same element count.
    func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }
}

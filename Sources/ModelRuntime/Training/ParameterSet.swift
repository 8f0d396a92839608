/// A model's trainable parameters, their gradients and its non-trained buffers (batch-norm
/// running statistics), each named as in the checkpoint, stored in two flat Float32 buffers
/// (values and gradients) so that optimisers and gradient clipping run as single loops.
///
/// Register everything first (`add`), then train: the pointers that `value`/`gradient` return
/// stay valid until the next `add`. Reference semantics: a model and its optimiser share one set.
public final class ParameterSet: @unchecked Sendable {
    /// How an optimiser treats a tensor.
    public enum Kind: Sendable, Hashable {
        /// Trained, with weight decay (convolution and linear weights).
        case decayed
        /// Trained, without weight decay (biases, batch-norm γ and β).
        case undecayed
        /// Not trained, but part of the model state (batch-norm running mean and variance).
        case buffer
    }

    public struct Entry: Sendable, Hashable {
        public let name: String
        public let shape: [Int]
        public let kind: Kind
        /// Offset in the flat buffers.
        package let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// The position of an entry, for fast access in training loops.
    public struct Handle: Sendable, Hashable {
        public let index: Int
    }

    public private(set) var entries: [Entry] = []
    private var indexByName: [String: Int] = [:]
    private var values: UnsafeMutablePointer<Float>
    private var gradients: UnsafeMutablePointer<Float>
    private var capacity: Int
    /// Scalars in use in the flat buffers (entries start on 16-float boundaries).
    private(set) var scalarCount: Int = 0

    public init() {
        capacity = 1024
        values = .allocate(capacity: capacity)
        gradients = .allocate(capacity: capacity)
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// Registers `tensor` under `name` (which must be new); its gradient starts at zero.
    @discardableResult
    public func add(_ name: String, _ tensor: Tensor, kind: Kind) -> Handle {
        precondition(indexByName[name] == nil, "parameter '\(name)' registered twice")
        let offset = (scalarCount + 15) / 16 * 16
        let end = offset + tensor.count
        if end > capacity { grow(to: end) }
        // Padding between entries is zero so that whole-buffer loops see no garbage.
        (values + scalarCount).initialize(repeating: 0, count: end - scalarCount)
        (gradients + scalarCount).initialize(repeating: 0, count: end - scalarCount)
        tensor.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { (values + offset).update(from: base, count: src.count) }
        }
        scalarCount = end
        entries.append(Entry(name: name, shape: tensor.shape, kind: kind, offset: offset))
        indexByName[name] = entries.count - 1
        return Handle(index: entries.count - 1)
    }

    /// Reads `name` with `shape` from `source` (a checkpoint or `FreshWeights`) and registers it.
    @discardableResult
    public func add(_ name: String, shape: [Int], from source: some WeightSource, kind: Kind) throws -> Handle {
        add(name, try source.tensor(name, shape: shape), kind: kind)
    }

    private func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newValues = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        let newGradients = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
        newValues.initialize(from: values, count: scalarCount)
        newGradients.initialize(from: gradients, count: scalarCount)
        values.deallocate()
        gradients.deallocate()
        values = newValues
        gradients = newGradients
        capacity = newCapacity
    }

    public func handle(_ name: String) -> Handle? { indexByName[name].map(Handle.init) }

    public subscript(_ handle: Handle) -> Entry { entries[handle.index] }

    /// The values of one entry, `[count]` in row-major order of its shape.
    public func value(_ handle: Handle) -> UnsafeMutableBufferPointer<Float> {
        let e = entries[handle.index]
        return UnsafeMutableBufferPointer(start: values + e.offset, count: e.count)
    }

    /// The gradient of one entry (accumulated by backward passes, cleared by `zeroGradients`).
    package func gradient(_ handle: Handle) -> UnsafeMutableBufferPointer<Float> {
        let e = entries[handle.index]
        return UnsafeMutableBufferPointer(start: gradients + e.offset, count: e.count)
    }

    /// All values and all gradients, entries at their `offset`s (padding between them is zero).
    package var allValues: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: values, count: scalarCount) }
    package var allGradients: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: gradients, count: scalarCount)
    }

    /// Number of trained scalars (buffers excluded), for model cards.
    public var trainableCount: Int { entries.filter { $0.kind != .buffer }.reduce(0) { $0 + $1.count } }

    public func zeroGradients() { gradients.update(repeating: 0, count: scalarCount) }

    /// A copy of one entry as a tensor (for checkpoints and for building an inference model).
    public func tensor(_ handle: Handle) -> Tensor {
        let e = entries[handle.index]
        return Tensor(shape: e.shape) { out in
            if e.count > 0 { out.baseAddress!.update(from: values + e.offset, count: e.count) }
        }
    }

    /// A copy of every entry by name (trained parameters and buffers), e.g. to write a checkpoint.
    public func namedTensors() -> [(name: String, tensor: Tensor)] {
        entries.indices.map { (entries[$0].name, tensor(Handle(index: $0))) }
    }

    /// Overwrites the values of every entry that `source` has (e.g. resuming from a checkpoint);
    /// shapes must match. Returns the names `source` did not have.
    @discardableResult
    public func load(from source: some WeightSource) throws -> [String] {
        var missing: [String] = []
        for (i, e) in entries.enumerated() {
            guard source.contains(e.name) else {
                missing.append(e.name)
                continue
            }
            let t = try source.tensor(e.name, shape: e.shape)
            t.withUnsafeBufferPointer { src in _ = value(Handle(index: i)).update(from: src) }
        }
        return missing
    }

    /// The Euclidean norm of all trained gradients (Double accumulation).
    package func gradientNorm() -> Double {
        var sum = 0.0
        for e in entries where e.kind != .buffer {
            let g = gradients + e.offset
            for i in 0..<e.count { sum += Double(g[i]) * Double(g[i]) }
        }
        return sum.squareRoot()
    }

    /// Scales all gradients so that their norm is at most `maxNorm` (PyTorch's
    /// `clip_grad_norm_`, with its `1e-6` guard). Returns the norm before clipping.
    @discardableResult
    public func clipGradientNorm(_ maxNorm: Double) -> Double {
        let norm = gradientNorm()
        let scale = maxNorm / (norm + 1e-6)
        if scale < 1 {
            let s = Float(scale)
            for i in 0..<scalarCount { gradients[i] *= s }
        }
        return norm
    }
}

extension ParameterSet: WeightSource {
    /// A copy of the entry `name`, which must have `shape`: a model can be rebuilt from its
    /// training parameters (e.g. folded for inference) with the same code that loads a checkpoint.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let handle = handle(name) else { throw WeightSourceError.missing(name: name) }
        guard entries[handle.index].shape == shape else {
            throw WeightSourceError.shapeMismatch(name: name, expected: shape, found: entries[handle.index].shape)
        }
        return tensor(handle)
    }

    public func contains(_ name: String) -> Bool { indexByName[name] != nil }
}

/// Errors of the in-memory weight sources (`ParameterSet`).
package enum WeightSourceError: Error, Equatable, CustomStringConvertible {
    case missing(name: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    package var description: String {
        switch self {
        case .missing(let name): return "parameter '\(name)' is missing"
        case .shapeMismatch(let name, let expected, let found):
            return "parameter '\(name)' has shape \(found), expected \(expected)"
        }
    }
}

/// Where a model definition gets its parameters from, by checkpoint name.
///
/// One model definition is built from any source: a checkpoint on disk (`SafeTensorsFile`)
/// or, for training from scratch, an initialiser that makes fresh tensors.
public protocol WeightSource {
    /// The parameter called `name`, which must have exactly `shape`.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor
    /// Whether a parameter of that name exists.
    func contains(_ name: String) -> Bool
}

extension SafeTensorsFile: WeightSource {
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        try tensor(name, shape: Optional(shape))
    }

    public func contains(_ name: String) -> Bool { entries[name] != nil }
}

/// Parameters trained together by one optimiser, e.g. an encoder's top layers or a head.
/// A `TrainingRun` checkpoints the values and the optimiser state of each group under its name.
public final class OptimizedParameters {
    /// Names the group's optimiser state in checkpoints (`optimizer.<name>.first`).
    public let name: String
    public let parameters: ParameterSet
    package var optimizer: AdamW

    public init(name: String, parameters: ParameterSet, optimizer: AdamW) {
        self.name = name
        self.parameters = parameters
        self.optimizer = optimizer
    }

    /// One optimiser step with the accumulated gradients.
    public func step(learningRate: Float) { optimizer.step(parameters, learningRate: learningRate) }
}

/// Updates a `ParameterSet` from its accumulated gradients. Entries of kind `.buffer` are never
/// touched; `.undecayed` entries get no weight decay. The learning rate is passed per step
/// (from a `LearningRateSchedule`). State (momenta) is sized on the first step, so register
/// every parameter before stepping.
package protocol Optimizer {
    mutating func step(_ parameters: ParameterSet, learningRate: Float)
    /// Steps taken so far.
    var steps: Int { get }
}

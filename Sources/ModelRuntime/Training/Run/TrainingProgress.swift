/// How far a run has come: what a checkpoint stores besides parameters and optimiser state,
/// and what a finished run reports.
public struct TrainingProgress: Codable, Sendable, Equatable {
    /// One validation: after which epoch (1-based) and the metric (higher is better).
    package struct Validation: Codable, Sendable, Equatable {
        package var epoch: Int
        var metric: Double
    }

    /// Whole epochs completed.
    package var epochsDone = 0
    /// Optimiser steps taken (the step count of learning-rate schedules).
    var optimizerSteps = 0
    var validations: [Validation] = []
    /// The epoch (1-based) whose parameters are kept; 0 before the first validation.
    package var bestEpoch = 0
    /// Training time, in seconds, summed over resumed sessions.
    package var seconds = 0.0
    /// Whether the run stopped before its last epoch because the metric stopped improving.
    package var stoppedEarly = false

    public init() {}

    /// The metric of every validation, in order.
    public var metrics: [Double] { validations.map(\.metric) }

    /// The best metric so far.
    package var bestMetric: Double? { validations.first { $0.epoch == bestEpoch }?.metric }

    /// Validations since the best one.
    var validationsSinceBest: Int {
        validations.count - 1 - (validations.lastIndex { $0.epoch == bestEpoch } ?? -1)
    }
}

/// What a `TrainingRun` reports as it goes (the products wrap it in their own events).
public enum TrainingEvent: Sendable, Equatable {
    /// Resumed from the checkpoint after this many epochs.
    case resumed(epochsDone: Int)
    /// A step within an epoch (for a progress bar); epochs and steps are 1-based.
    case step(epoch: Int, step: Int, of: Int, loss: Float)
    /// An epoch ended: its mean loss, its validation metric when it was validated, whether that
    /// is the best so far, and its duration in seconds.
    case epoch(epoch: Int, of: Int, loss: Double, metric: Double?, best: Bool, seconds: Double)
    /// No improvement for `patience` validations: training stops after this epoch.
    case stoppedEarly(epoch: Int)
}

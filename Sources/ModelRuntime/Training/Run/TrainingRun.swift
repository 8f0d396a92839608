public import Foundation

/// The one training loop of the suite. It owns the epochs, the seeded per-epoch random
/// streams, validation and keep-best, the resumable checkpoint and early stopping; a product
/// supplies only its parameter groups, its batches, one optimisation step (model, loss,
/// learning rates) and its validation metric.
///
/// Reproducible by construction: epoch `e` draws its batch order from the stream
/// `shuffle/<e>` of the seed and whatever its steps draw (augmentation, dropout) from
/// `<stepStream>/<e>`, so a run resumed from its checkpoint after epoch `e` continues exactly
/// as an uninterrupted run.
///
/// Files in `folder` (when given): `checkpoint.safetensors` after every epoch, removed when
/// the run completes; `best.safetensors`, the parameters of the best validation so far. Without
/// a folder nothing is written and the best parameters are kept in memory.
public struct TrainingRun<Identity: RunIdentity> {
    public struct Configuration: Sendable {
        public var epochs: Int
        public var seed: UInt64
        /// Names the per-epoch stream handed to `step` (`augment`, `dropout`).
        var stepStream: String
        public var folder: URL?
        /// Epochs between validations; the last epoch is always validated.
        public var validationInterval = 1
        /// Validations without improvement after which training stops (nil: never).
        public var patience: Int?
        /// How much a metric must exceed the best one to count as better.
        public var minimumImprovement = 0.0

        public init(epochs: Int, seed: UInt64, stepStream: String, folder: URL?) {
            self.epochs = epochs
            self.seed = seed
            self.stepStream = stepStream
            self.folder = folder
        }
    }

    public static var bestFileName: String { "best.safetensors" }

    public let identity: Identity
    public let configuration: Configuration
    package let groups: [OptimizedParameters]

    public init(identity: Identity, configuration: Configuration, groups: [OptimizedParameters]) {
        precondition(configuration.epochs > 0 && configuration.validationInterval > 0, "TrainingRun: empty schedule")
        self.identity = identity
        self.configuration = configuration
        self.groups = groups
    }

    /// Trains to the last epoch (or an early stop) and leaves the parameters of the best
    /// validation in `groups`.
    ///
    /// - Parameters:
    ///   - batches: epoch `epoch`'s batches, as indices into the product's training data, drawn
    ///     with the epoch's `shuffle` stream.
    ///   - step: one optimisation step on a batch (zero the gradients, forward, loss, backward,
    ///     step the groups with the product's learning rates); returns the batch's loss.
    ///     `globalStep` counts the steps before this one since the run began (for schedules);
    ///     `random` is the epoch's step stream.
    ///   - validate: the validation metric of the current parameters; higher is better.
    /// - Returns: the run's progress (validations, best epoch, time).
    /// - Throws: `TrainingError.checkpointMismatch` for a checkpoint of another run, file
    ///   errors naming the file, and whatever the closures throw.
    @discardableResult
    public func run(batches: (_ epoch: Int, _ shuffle: inout SeededGenerator) throws -> [[Int]],
                    step: (_ batch: [Int], _ globalStep: Int, _ random: inout SeededGenerator) throws -> Float,
                    validate: () throws -> Double,
                    progress report: (TrainingEvent) throws -> Void = { _ in }) throws -> TrainingProgress {
        let c = configuration
        let checkpoint = c.folder.map {
            TrainingCheckpoint(url: $0.appendingPathComponent(TrainingCheckpoint<Identity>.fileName), identity: identity)
        }
        let bestURL = c.folder?.appendingPathComponent(Self.bestFileName)
        var state = try checkpoint?.resume(into: groups) ?? TrainingProgress()
        if state.epochsDone > 0 { try report(.resumed(epochsDone: state.epochsDone)) }
        var bestInMemory: [[Float]]?

        while state.epochsDone < c.epochs && !state.stoppedEarly {
            let epoch = state.epochsDone  // 0-based
            let started = Date()
            var shuffle = SeededGenerator(seed: c.seed, stream: "shuffle/\(epoch)")
            var random = SeededGenerator(seed: c.seed, stream: "\(c.stepStream)/\(epoch)")
            let epochBatches = try batches(epoch, &shuffle)
            var lossSum = 0.0
            for (b, batch) in epochBatches.enumerated() {
                let loss = try step(batch, state.optimizerSteps, &random)
                state.optimizerSteps += 1
                lossSum += Double(loss)
                try report(.step(epoch: epoch + 1, step: b + 1, of: epochBatches.count, loss: loss))
            }
            state.epochsDone += 1
            var metric: Double?, best = false
            if state.epochsDone % c.validationInterval == 0 || state.epochsDone == c.epochs {
                let value = try validate()
                metric = value
                best = state.bestMetric.map { value > $0 + c.minimumImprovement } ?? true
                state.validations.append(.init(epoch: state.epochsDone, metric: value))
                if best {
                    state.bestEpoch = state.epochsDone
                    if let bestURL {
                        try SafeTensorsWriter.write(groups.flatMap { $0.parameters.namedTensors() }, to: bestURL)
                    } else {
                        bestInMemory = groups.map { Array($0.parameters.allValues) }
                    }
                }
                if let patience = c.patience, state.validationsSinceBest >= patience, state.epochsDone < c.epochs {
                    state.stoppedEarly = true
                }
            }
            let seconds = Date().timeIntervalSince(started)
            state.seconds += seconds
            try checkpoint?.save(groups, progress: state)
            try report(.epoch(epoch: epoch + 1, of: c.epochs, loss: lossSum / Double(max(epochBatches.count, 1)),
                              metric: metric, best: best, seconds: seconds))
            if state.stoppedEarly { try report(.stoppedEarly(epoch: epoch + 1)) }
        }

        // Keep the best validation's parameters.
        if let bestURL, FileManager.default.fileExists(atPath: bestURL.path) {
            let file = try SafeTensorsFile(url: bestURL)
            for group in groups { _ = try group.parameters.load(from: file) }
        } else if let bestInMemory {
            for (group, values) in zip(groups, bestInMemory) { _ = group.parameters.allValues.update(from: values) }
        }
        return state
    }

    /// Whether `folder` holds a checkpoint that `run` will resume from (or refuse).
    public var hasCheckpoint: Bool {
        configuration.folder.map {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(TrainingCheckpoint<Identity>.fileName).path)
        } ?? false
    }

    /// Removes the run's files from `folder` (after the product has written its result).
    public func removeFiles() {
        guard let folder = configuration.folder else { return }
        for name in [TrainingCheckpoint<Identity>.fileName, Self.bestFileName] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

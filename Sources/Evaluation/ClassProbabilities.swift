import Foundation

/// Labelled class-probability rows of a multiclass classifier, e.g. softmax outputs.
///
/// `probabilities` is row-major `[count, classes.count]`. Rows are not required to sum to 1
/// (scikit-learn only warns); each value must be a finite probability in [0, 1].
public struct ClassProbabilities: Sendable {
    public let classes: [String]
    /// Index into `classes` of each example's true label.
    package let truthIndices: [Int]
    /// - Returns: [count, classes.count], row-major.
    public let probabilities: [Double]
    let lookup: [String: Int]

    public var count: Int { truthIndices.count }

    /// - Throws: `.empty`, `.lengthMismatch` (probabilities ≠ truth.count × classes.count),
    ///   `.unknownLabel`, `.nonFinite`, `.probabilityOutOfRange`, `.invalidArgument` (duplicate class).
    public init(classes: [String], truth: [String], probabilities: [Double]) throws {
        let lookup = try Validate.classLookup(classes)
        let indices = try Validate.indices(of: truth, in: lookup, "true labels")
        try self.init(classes: classes, lookup: lookup, truthIndices: indices, probabilities: probabilities)
    }

    /// The same with true labels as indices into `classes`.
    public init(classes: [String], truthIndices: [Int], probabilities: [Double]) throws {
        let lookup = try Validate.classLookup(classes)
        try self.init(classes: classes, lookup: lookup, truthIndices: truthIndices, probabilities: probabilities)
    }

    init(classes: [String], lookup: [String: Int], truthIndices: [Int], probabilities: [Double]) throws {
        try Validate.nonEmpty(truthIndices.count, "true labels")
        try Validate.sameLength(probabilities.count, truthIndices.count * classes.count, "probabilities")
        for (i, t) in truthIndices.enumerated() where t < 0 || t >= classes.count {
            throw EvaluationError.classIndexOutOfRange(index: i, value: t, classCount: classes.count)
        }
        try Validate.probabilities(probabilities, "probabilities")
        self.classes = classes
        self.lookup = lookup
        self.truthIndices = truthIndices
        self.probabilities = probabilities
    }

    /// The argmax class of each row; the first of equal maxima wins (as `numpy.argmax`).
    package var predictedIndices: [Int] { topLabel().predicted }

    /// Hard-label metrics of the argmax predictions.
    package var argmaxMetrics: MulticlassMetrics {
        // Indices are in range by construction.
        try! MulticlassMetrics(classes: classes, lookup: lookup, truthIndices: truthIndices, predictedIndices: predictedIndices)
    }

    /// Top-label (max-probability) reliability diagram: confidence = the row's largest
    /// probability, outcome = its argmax is the true class (Guo et al. 2017). See
    /// `ReliabilityDiagram` for the bins and the ECE definition.
    package func reliability(binCount: Int = ReliabilityDiagram.defaultBinCount) throws -> ReliabilityDiagram {
        try Validate.binCount(binCount)
        let top = topLabel()
        var correct = [Bool](repeating: false, count: count)
        for i in 0..<count { correct[i] = top.predicted[i] == truthIndices[i] }
        return ReliabilityDiagram(validConfidences: top.confidence, outcomes: correct, binCount: binCount)
    }

    /// Top-label expected calibration error (15 equal-width bins of max probability by default).
    public func expectedCalibrationError(binCount: Int = ReliabilityDiagram.defaultBinCount) throws -> Double {
        try reliability(binCount: binCount).expectedCalibrationError
    }

    /// Mean −log p(true class), each probability clipped to [ε, 1 − ε] with ε = `Double.ulpOfOne`
    /// first (scikit-learn's `log_loss(y, P, labels=range(k))`; rows are not renormalised).
    package var logLoss: Double {
        let k = classes.count, eps = Double.ulpOfOne
        var sum = 0.0
        probabilities.withUnsafeBufferPointer { p in
            for i in 0..<count {
                sum -= Foundation.log(Swift.min(Swift.max(p[i * k + truthIndices[i]], eps), 1 - eps))
            }
        }
        return sum / Double(count)
    }

    func topLabel() -> (predicted: [Int], confidence: [Double]) {
        let k = classes.count
        var predicted = [Int](repeating: 0, count: count)
        var confidence = [Double](repeating: 0, count: count)
        probabilities.withUnsafeBufferPointer { p in
            for i in 0..<count {
                var best = 0
                for c in 1..<Swift.max(1, k) where p[i * k + c] > p[i * k + best] { best = c }
                predicted[i] = best
                confidence[i] = p[i * k + best]
            }
        }
        return (predicted, confidence)
    }
}

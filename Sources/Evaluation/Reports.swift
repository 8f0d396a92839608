/// Everything `triage eval` reports for a binary classifier at one operating threshold.
/// Codable for `--json`; `renderTable()` for people.
package struct BinaryReport: Codable, Sendable, Equatable {
    package let count: Int
    package let positives: Int
    let negatives: Int
    /// ROC AUC with its DeLong 95 % interval; `nil` when either class has fewer than two
    /// examples (see `aucUnavailableReason`).
    package let auc: AUCEstimate?
    package let aucUnavailableReason: String?
    /// Threshold metrics with 95 % Wilson intervals.
    package let operatingPoint: OperatingPoint
    package let brierScore: Double
    package let logLoss: Double
    /// Positive-class reliability diagram and ECE (15 equal-width bins by default).
    package let calibration: ReliabilityDiagram

    package init(
        _ predictions: BinaryPredictions, threshold: Double, binCount: Int = ReliabilityDiagram.defaultBinCount
    ) throws {
        count = predictions.count
        positives = predictions.positives
        negatives = predictions.negatives
        do {
            auc = try predictions.rocAUCWithDeLongInterval()
            aucUnavailableReason = nil
        } catch let error as EvaluationError {
            auc = nil
            aucUnavailableReason = error.description
        }
        operatingPoint = predictions.operatingPoint(threshold: threshold)
        brierScore = predictions.brierScore
        logLoss = predictions.logLoss
        calibration = try predictions.reliability(binCount: binCount)
    }

    /// A plain-text summary: one metric per line with value, 95 % interval and counts.
    package func renderTable() -> String {
        var table = TextTable("metric", "value", "95% CI", "n")
        if let auc {
            table.add("ROC AUC", Format.number(auc.auc), Format.interval(auc.interval), "\(positives)+/\(negatives)-")
        } else {
            table.add("ROC AUC", "n/a", "", "\(positives)+/\(negatives)-")
        }
        let point = operatingPoint
        for (name, p) in [("accuracy", point.accuracy), ("sensitivity", point.sensitivity), ("specificity", point.specificity),
                          ("precision (PPV)", point.precision), ("NPV", point.negativePredictiveValue)] {
            let (value, ci, n) = Format.proportion(p)
            table.add(name, value, ci, n)
        }
        table.add("F1", Format.number(point.f1), "", "")
        table.add("Brier score", Format.number(brierScore), "", "\(count)")
        table.add("log loss", Format.number(logLoss), "", "\(count)")
        table.add("ECE (\(calibration.bins.count) bins, P(positive))", Format.number(calibration.expectedCalibrationError), "", "\(count)")
        let c = point.confusion
        var confusion = TextTable("truth \\ predicted", "positive", "negative")
        confusion.add("positive", "\(c.truePositives)", "\(c.falseNegatives)")
        confusion.add("negative", "\(c.falsePositives)", "\(c.trueNegatives)")
        var text = "threshold: positive when probability >= \(point.threshold)\n\n" + table.render() + "\n" + confusion.render()
        if let aucUnavailableReason { text += "\nROC AUC unavailable: \(aucUnavailableReason)\n" }
        return text
    }
}

/// Everything `assistant eval` reports for an intent classifier. Codable for `--json`;
/// `renderTable()` for people (the full confusion matrix is only in the JSON).
public struct MulticlassReport: Codable, Sendable, Equatable {
    public let count: Int
    public let accuracy: Proportion
    public let macroF1: Double
    package let weightedF1: Double
    public let perClass: [ClassMetrics]
    package let confusionMatrix: ConfusionMatrix
    package let mostConfused: [ConfusedPair]
    /// Present when an out-of-scope label was given.
    public let outOfScope: OutOfScopeMetrics?
    /// Top-label (max-probability) reliability diagram and ECE, when probabilities were given.
    public let calibration: ReliabilityDiagram?
    package let logLoss: Double?

    /// - Parameters:
    ///   - metrics: hard predictions (e.g. after the out-of-scope threshold was applied).
    ///   - probabilities: optional class probabilities over the same classes and examples.
    ///   - outOfScopeLabel: the out-of-scope class, e.g. `"oos"`, or `nil` for none.
    /// - Throws: `.invalidArgument` for an unknown out-of-scope label or probabilities over other
    ///   classes; `.lengthMismatch` when the probabilities cover another number of examples.
    public init(
        _ metrics: MulticlassMetrics, probabilities: ClassProbabilities? = nil, outOfScopeLabel: String? = nil,
        confusedPairLimit: Int = 10, binCount: Int = ReliabilityDiagram.defaultBinCount
    ) throws {
        count = metrics.count
        accuracy = metrics.accuracy
        macroF1 = metrics.macroF1
        weightedF1 = metrics.weightedF1
        perClass = metrics.perClass
        confusionMatrix = metrics.confusionMatrix
        mostConfused = metrics.mostConfusedPairs(limit: confusedPairLimit)
        outOfScope = try outOfScopeLabel.map { try metrics.outOfScope(label: $0) }
        if let probabilities {
            guard probabilities.classes == metrics.classes else {
                throw EvaluationError.invalidArgument(name: "probabilities", reason: "their classes differ from the metrics' classes")
            }
            try Validate.sameLength(probabilities.count, metrics.count, "probability rows")
            calibration = try probabilities.reliability(binCount: binCount)
            logLoss = probabilities.logLoss
        } else {
            calibration = nil
            logLoss = nil
        }
    }

    /// A plain-text summary, the per-class table and the most confused pairs.
    public func renderTable() -> String {
        var summary = TextTable("metric", "value", "95% CI", "n")
        let (value, ci, n) = Format.proportion(accuracy)
        summary.add("accuracy", value, ci, n)
        summary.add("macro F1", Format.number(macroF1), "", "\(count)")
        summary.add("weighted F1", Format.number(weightedF1), "", "\(count)")
        if let outOfScope {
            for (name, p) in [("in-scope accuracy", outOfScope.inScopeAccuracy),
                              ("out-of-scope recall", outOfScope.outOfScopeRecall),
                              ("out-of-scope precision", outOfScope.outOfScopePrecision)] {
                let (value, ci, n) = Format.proportion(p)
                summary.add(name, value, ci, n)
            }
        }
        if let calibration {
            summary.add("ECE (\(calibration.bins.count) bins, max prob.)", Format.number(calibration.expectedCalibrationError), "", "\(count)")
        }
        if let logLoss { summary.add("log loss", Format.number(logLoss), "", "\(count)") }
        var classes = TextTable("class", "precision", "recall", "f1", "support")
        for m in perClass {
            classes.add(m.label, Format.number(m.precision), Format.number(m.recall), Format.number(m.f1), "\(m.support)")
        }
        var text = summary.render() + "\n" + classes.render()
        if !mostConfused.isEmpty {
            var pairs = TextTable("truth", "predicted as", "count")
            for pair in mostConfused { pairs.add(pair.truth, pair.predicted, "\(pair.count)") }
            text += "\nmost confused\n" + pairs.render()
        }
        return text
    }
}

public import Foundation

/// Writes the classifier's MODEL_CARD.md from the training report (never by hand).
enum IntentModelCard {
    /// - Parameter fineTuning: the encoder fine-tuning run, when the encoder was fine-tuned.
    static func write(_ classifier: IntentClassifier, report: IntentTrainer.Report,
                             fineTuning: EncoderFineTuner.Report? = nil, trainingSource: String,
                             validationSource: String, command: String, to folder: URL) throws {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
        let encoder: String
        if let f = fineTuning {
            let s = f.settings
            encoder = """
                \(classifier.embeddingModel) in `\(classifier.encoder ?? "")/`, fine-tuned from \(f.baseEncoder): \
                top \(s.trainableLayers) layers (\(f.trainableParameters) parameters) and a linear head on unit embeddings \
                (\(s.linearProbe ? "started from a logistic regression on the base embeddings" : "started at zero")), \
                cross-entropy over the training intents, AdamW (encoder lr \(s.encoderLearningRate), head lr \(s.headLearningRate), \
                weight decay \(s.weightDecay), \(Int(s.warmupFraction * 100))% warm-up then cosine decay, gradient norm ≤ \(s.maxGradientNorm)), \
                hidden dropout \(s.dropout), batches of \(s.batchSize) similar-length sentences, \(s.epochs) epochs, seed \(s.seed); \
                validation accuracy of the fine-tuning head by epoch \(f.validationAccuracyByEpoch.map { pct($0) }.joined(separator: ", ")), \
                epoch \(f.selectedEpoch) kept; \(String(format: "%.0f", f.trainingSeconds)) s of training
                """
        } else {
            encoder = "\(classifier.embeddingModel) (frozen)"
        }
        let loss = String(format: "%.4f", report.validationLoss)
        let head = fineTuning == nil
            ? "multinomial logistic regression on unit sentence embeddings, L2 \(String(format: "%.0e", report.l2)) (the candidate with the lowest "
                + "validation loss), full-batch Adam, early stopping on validation loss (\(report.iterations) iterations, "
                + "best validation loss \(loss))"
            : "the fine-tuning head of the kept epoch (softmax of W·x + b on unit embeddings), validation loss \(loss)"
        var text = """
            # Intent classifier

            Written by `assistant train`; do not edit by hand.

            - Reproduce: `\(command)`
            - Encoder: \(encoder)
            - Head: \(head)
            - Intents: \(classifier.labels.count)\(classifier.outOfScopeLabel.map { " (out-of-scope label `\($0)` included)" } ?? "")
            - Training data: \(trainingSource) (\(report.trainExamples) examples); validation: \(validationSource) (\(report.validationExamples) examples)
            - Calibration: temperature \(String(format: "%.3f", report.temperature)) fitted on validation logits

            ## Validation

            | metric | value |
            | --- | --- |
            | accuracy (argmax, no escalation) | \(pct(report.validationAccuracy)) |
            | in-scope accuracy (escalations count as wrong) | \(pct(report.validationInScopeAccuracy)) |
            | out-of-scope recall | \(pct(report.validationOutOfScopeRecall)) |

            ## Out-of-scope thresholds

            Chosen on validation: a ticket is out of scope when the calibrated top probability is below
            \(String(format: "%.2f", classifier.thresholds.minimumProbability)) or its cosine to the predicted intent's centroid is below
            \(String(format: "%.3f", classifier.thresholds.minimumSimilarity)) (the 1st percentile of in-scope validation examples);
            ambiguous when the top-1/top-2 probability margin is below \(String(format: "%.2f", classifier.thresholds.minimumMargin)).
            Rule: with out-of-scope validation examples, the best in-scope accuracy among the thresholds that catch at least
            \(pct(report.requiredOutOfScopeRecall)) of them (if none does, the best sum of in-scope accuracy and out-of-scope
            recall); without, the strictest thresholds keeping in-scope accuracy within 1 point of the best.

            | min probability | min margin | in-scope accuracy | OOS recall |
            | --- | --- | --- | --- |

            """
        for row in report.sweep {
            text += "| \(String(format: "%.2f", row.minimumProbability)) | \(String(format: "%.2f", row.minimumMargin)) | \(pct(row.inScopeAccuracy)) | \(pct(row.outOfScopeRecall)) |\n"
        }
        try text.write(to: folder.appendingPathComponent("MODEL_CARD.md"), atomically: true, encoding: .utf8)
    }
}

public import Foundation
import SuiteFoundation

/// A calibrated intent classifier on frozen sentence embeddings: multinomial logistic
/// regression (`softmax((W·x + b) / T)`), with out-of-scope thresholds on the top probability,
/// the top-1/top-2 margin and the cosine to the predicted intent's centroid.
///
/// Stored as `classifier.json` (docs/INTENTS.md); written by `assistant train`.
public struct IntentClassifier: Codable, Sendable, Equatable {
    package static let fileName = "classifier.json"
    public static let format = "suite-intent-classifier/1"

    struct Thresholds: Codable, Sendable, Equatable {
        /// Below this calibrated top probability: out of scope.
        package var minimumProbability: Double
        /// Below this cosine between the ticket and the predicted intent's centroid: out of scope.
        var minimumSimilarity: Double
        /// Below this top-1 minus top-2 probability: ambiguous.
        package var minimumMargin: Double
    }

    public var format: String
    /// The sentence encoder the classifier was trained on (`ModelLocator.version`).
    package var embeddingModel: String
    public var labels: [String]
    package var dimension: Int
    /// `[labels.count × dimension]`, row-major.
    public var weights: [Float]
    package var bias: [Float]
    /// Unit-length mean embedding of each label's training examples, `[labels.count × dimension]`.
    var centroids: [Float]
    public var temperature: Double
    var thresholds: Thresholds
    /// The label meaning "out of scope" in training data, if any.
    public var outOfScopeLabel: String?
    /// The classifier's own sentence encoder (fine-tuned by `assistant train --fine-tune-layers`),
    /// a folder relative to the classifier folder; nil when it uses the shared encoder (`--model`).
    public var encoder: String?

    public enum Verdict: Equatable, Sendable {
        case inScope
        case outOfScope
        case ambiguous
    }

    public struct Prediction: Sendable, Equatable {
        /// Labels and calibrated probabilities, best first.
        package var ranking: [(label: String, probability: Double)]
        var similarity: Double
        public var verdict: Verdict

        public static func == (a: Prediction, b: Prediction) -> Bool {
            a.similarity == b.similarity && a.verdict == b.verdict
                && a.ranking.map(\.label) == b.ranking.map(\.label) && a.ranking.map(\.probability) == b.ranking.map(\.probability)
        }
    }

    /// Raw logits `W·x + b` of a unit embedding.
    func logits(_ x: [Float]) -> [Double] {
        (0..<labels.count).map { k in
            var sum = Double(bias[k])
            let row = k * dimension
            for i in 0..<dimension { sum += Double(weights[row + i]) * Double(x[i]) }
            return sum
        }
    }

    /// Calibrated probabilities of a unit embedding.
    public func probabilities(_ x: [Float]) -> [Double] {
        Self.softmax(logits(x).map { $0 / temperature })
    }

    public func predict(_ x: [Float]) -> Prediction {
        let p = probabilities(x)
        let order = p.indices.sorted { p[$0] > p[$1] }
        let best = order[0]
        var similarity = 0.0
        for i in 0..<dimension { similarity += Double(centroids[best * dimension + i]) * Double(x[i]) }
        let margin = p[best] - (order.count > 1 ? p[order[1]] : 0)
        let verdict: Verdict
        if labels[best] == outOfScopeLabel || p[best] < thresholds.minimumProbability || similarity < thresholds.minimumSimilarity {
            verdict = .outOfScope
        } else if margin < thresholds.minimumMargin {
            verdict = .ambiguous
        } else {
            verdict = .inScope
        }
        return Prediction(ranking: order.map { (labels[$0], p[$0]) }, similarity: similarity, verdict: verdict)
    }

    static func softmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0
        let e = z.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    // MARK: Files

    public static func load(folder: URL) throws -> IntentClassifier {
        let url = folder.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ClassifierError.invalidFile(path: url.path, detail: "cannot read (train one with `assistant train`)")
        }
        let classifier: IntentClassifier
        do { classifier = try JSONDecoder().decode(IntentClassifier.self, from: data) } catch let error as DecodingError {
            throw ClassifierError.invalidFile(path: url.path, detail: error.summary)
        }
        let k = classifier.labels.count, d = classifier.dimension
        guard classifier.format == format else {
            throw ClassifierError.invalidFile(path: url.path, detail: "unknown format '\(classifier.format)'")
        }
        guard k >= 2, d > 0, classifier.weights.count == k * d, classifier.bias.count == k, classifier.centroids.count == k * d,
              classifier.temperature > 0, Set(classifier.labels).count == k
        else {
            throw ClassifierError.invalidFile(path: url.path, detail: "inconsistent shapes: \(k) labels, dimension \(d)")
        }
        return classifier
    }

    public func write(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONOutput.data(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }
}

public enum ClassifierError: Error, Equatable, CustomStringConvertible {
    case invalidFile(path: String, detail: String)
    case invalidExamples(String)
    case modelMismatch(classifier: String, encoder: String)

    public var description: String {
        switch self {
        case .invalidFile(let path, let detail): return "\(path): \(detail)"
        case .invalidExamples(let detail): return detail
        case .modelMismatch(let c, let e):
            return "the classifier was trained on embeddings of \(c), but the encoder is \(e): retrain it"
        }
    }
}

import Foundation

/// The figures of one fold of a K-fold cross-validation (`eval --folds K` of either product),
/// written as `fold-I-of-K.json`.
public struct CrossValidationFold: Codable, Sendable, Equatable {
    public let k: Int
    public let index: Int
    /// Identifies the data and the recipe: folds with different fingerprints never merge.
    public let fingerprint: String
    public let trainCount: Int
    public let testCount: Int
    /// Named metrics, each a proportion in 0…1 (e.g. `accuracy`, `auc`).
    public let metrics: [String: Double]
    /// One figure per class present in the fold's test examples (the product says which: an
    /// intent's F1, a class's recall).
    public let perClass: [String: Double]

    public init(k: Int, index: Int, fingerprint: String, trainCount: Int, testCount: Int,
                metrics: [String: Double], perClass: [String: Double]) {
        self.k = k
        self.index = index
        self.fingerprint = fingerprint
        self.trainCount = trainCount
        self.testCount = testCount
        self.metrics = metrics
        self.perClass = perClass
    }

    enum CodingKeys: String, CodingKey {
        case k, index, fingerprint, metrics
        case trainCount = "train_count", testCount = "test_count", perClass = "per_class"
    }
}

/// The mean and 95% confidence interval (clipped to 0…1) of every metric over all K folds.
public struct CrossValidationSummary: Codable, Sendable, Equatable {
    public let k: Int
    public let fingerprint: String
    /// Test examples over all folds: every example once.
    public let examples: Int
    public let metrics: [String: FoldSpread]
    /// Per class, over the folds that tested it (every fold when it has K examples or more).
    public let perClass: [String: FoldSpread]

    enum CodingKeys: String, CodingKey {
        case k, fingerprint, examples, metrics
        case perClass = "per_class"
    }

    /// - Throws: `.invalidArgument` unless `folds` are exactly folds 0..<K of one fingerprint.
    public init(_ folds: [CrossValidationFold]) throws {
        guard let first = folds.first else { throw EvaluationError.empty(what: "folds") }
        let sorted = folds.sorted { $0.index < $1.index }
        guard sorted.map(\.index) == Array(0..<first.k), sorted.allSatisfy({ $0.k == first.k }) else {
            throw EvaluationError.invalidArgument(name: "folds", reason: "need folds 0..<\(first.k) once each, got \(sorted.map(\.index))")
        }
        guard sorted.allSatisfy({ $0.fingerprint == first.fingerprint }) else {
            throw EvaluationError.invalidArgument(name: "folds", reason: "the folds come from different data or recipes")
        }
        k = first.k
        fingerprint = first.fingerprint
        examples = sorted.reduce(0) { $0 + $1.testCount }
        func spread(_ values: (CrossValidationFold) -> [String: Double]) throws -> [String: FoldSpread] {
            let names = Set(sorted.flatMap { values($0).keys })
            return try Dictionary(uniqueKeysWithValues: names.map { name in
                (name, try FoldSpread(sorted.compactMap { values($0)[name] }, within: 0...1))
            })
        }
        metrics = try spread(\.metrics)
        perClass = try spread(\.perClass)
    }

    /// The metrics, then the `worst` classes by mean, as text tables in percent.
    package func text(classFigure: String, worst: Int = 10) -> String {
        let classes = perClass.sorted { ($0.value.mean, $0.key) < ($1.value.mean, $1.key) }.prefix(worst)
        let metricTable = FoldSpread.table(metrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, scale: 100, digits: 2)
        let classTable = FoldSpread.table(classes.map { ($0.key, $0.value) }, scale: 100, digits: 1)
        return [metricTable, "the \(classes.count) classes with the lowest mean \(classFigure), percent:\n" + classTable]
            .map { $0.trimmingCharacters(in: .newlines) }.joined(separator: "\n\n")
    }
}

/// Why an evaluation input was rejected.
///
/// Every public entry point validates its arrays once, up front, and throws one of these;
/// nothing deeper in the module traps on user data. `description` is a complete sentence a
/// CLI can print after `error:`.
package enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input array (named by `what`) has no elements.
    case empty(what: String)
    /// Two arrays that must be parallel differ in length.
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// A label is not in the known class set (`index` is its position in the input).
    case unknownLabel(label: String, index: Int)
    /// A class index is outside `0..<classCount`.
    case classIndexOutOfRange(index: Int, value: Int, classCount: Int)
    /// A score, probability or logit is NaN or infinite.
    case nonFinite(what: String, index: Int)
    /// A probability is outside [0, 1].
    case probabilityOutOfRange(what: String, index: Int, value: Double)
    /// A metric needs both classes (or another class) but the data holds only one.
    case singleClass(metric: String, present: String)
    /// A parameter (bin count, target, class list...) is unusable.
    case invalidArgument(name: String, reason: String)

    package var description: String {
        switch self {
        case .empty(let what):
            return "\(what) is empty"
        case .lengthMismatch(let what, let expected, let actual):
            return "\(what) has \(actual) elements, expected \(expected)"
        case .unknownLabel(let label, let index):
            return "label \"\(label)\" at index \(index) is not one of the known classes"
        case .classIndexOutOfRange(let index, let value, let classCount):
            return "class index \(value) at index \(index) is outside 0..<\(classCount)"
        case .nonFinite(let what, let index):
            return "\(what) at index \(index) is not a finite number"
        case .probabilityOutOfRange(let what, let index, let value):
            return "\(what) at index \(index) is \(value), outside [0, 1]"
        case .singleClass(let metric, let present):
            return "\(metric) needs both classes, but only \(present) examples are present"
        case .invalidArgument(let name, let reason):
            return "invalid \(name): \(reason)"
        }
    }
}

/// Shared input checks; each throws the first problem found, naming the array and index.
enum Validate {
    static func nonEmpty(_ count: Int, _ what: String) throws {
        if count == 0 { throw EvaluationError.empty(what: what) }
    }

    static func sameLength(_ actual: Int, _ expected: Int, _ what: String) throws {
        if actual != expected { throw EvaluationError.lengthMismatch(what: what, expected: expected, actual: actual) }
    }

    static func finite(_ values: [Double], _ what: String) throws {
        try values.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where !buffer[i].isFinite {
                throw EvaluationError.nonFinite(what: what, index: i)
            }
        }
    }

    static func probabilities(_ values: [Double], _ what: String) throws {
        try values.withUnsafeBufferPointer { buffer in
            for i in buffer.indices {
                let p = buffer[i]
                if !p.isFinite { throw EvaluationError.nonFinite(what: what, index: i) }
                if p < 0 || p > 1 { throw EvaluationError.probabilityOutOfRange(what: what, index: i, value: p) }
            }
        }
    }

    static func binCount(_ bins: Int) throws {
        if bins < 1 { throw EvaluationError.invalidArgument(name: "bin count", reason: "\(bins) is not ≥ 1") }
    }

    /// Two histograms over the same bins: non-empty, equal lengths, counts ≥ 0, each with a
    /// positive total.
    static func histograms(reference: [Int], production: [Int]) throws {
        try nonEmpty(reference.count, "reference counts")
        try sameLength(production.count, reference.count, "production counts")
        for (what, counts) in [("reference counts", reference), ("production counts", production)] {
            if let i = counts.firstIndex(where: { $0 < 0 }) {
                throw EvaluationError.invalidArgument(name: what, reason: "count \(counts[i]) at index \(i) is negative")
            }
            if counts.allSatisfy({ $0 == 0 }) {
                throw EvaluationError.invalidArgument(name: what, reason: "every count is 0")
            }
        }
    }

    /// Maps each label to its index in `classes`.
    static func indices(of labels: [String], in lookup: [String: Int], _ what: String) throws -> [Int] {
        var result = [Int]()
        result.reserveCapacity(labels.count)
        for (i, label) in labels.enumerated() {
            guard let index = lookup[label] else { throw EvaluationError.unknownLabel(label: label, index: i) }
            result.append(index)
        }
        return result
    }

    /// A label → index table; the class list must be non-empty and free of duplicates.
    static func classLookup(_ classes: [String]) throws -> [String: Int] {
        try nonEmpty(classes.count, "classes")
        var lookup = [String: Int](minimumCapacity: classes.count)
        for (i, label) in classes.enumerated() {
            if lookup.updateValue(i, forKey: label) != nil {
                throw EvaluationError.invalidArgument(name: "classes", reason: "\"\(label)\" appears twice")
            }
        }
        return lookup
    }
}

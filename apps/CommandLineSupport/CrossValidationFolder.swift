import ArgumentParser
public import Evaluation
public import Foundation
import SuiteFoundation

/// The folder of `eval --folds K` (both products): one `fold-I-of-K.json` per fold, written
/// atomically as each fold ends, and `summary.json` once all K are there. Folds of another
/// fingerprint (other data or recipe) are refused, never mixed in; folds already written are
/// not run again, so a killed run resumes and shards on several machines can share the folder.
public struct CrossValidationFolder {
    public let url: URL
    public let k: Int
    public let fingerprint: String

    public init(path: String, k: Int, fingerprint: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        self.k = k
        self.fingerprint = fingerprint
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func foldFile(_ index: Int) -> URL { url.appendingPathComponent("fold-\(index)-of-\(k).json") }
    public var summaryFile: URL { url.appendingPathComponent("summary.json") }

    /// A scratch folder for fold `index`'s model, inside the folder.
    public func scratch(_ index: Int) -> URL { url.appendingPathComponent("fold-\(index)-of-\(k).model", isDirectory: true) }

    /// Runs each fold of `indices` not yet written, with progress on standard error.
    /// - Parameters:
    ///   - folds: the split (its K is the folder's), for the progress line's example counts.
    ///   - run: trains and evaluates one fold.
    public func run(_ indices: [Int], of folds: StratifiedFolds, _ run: (Int) throws -> CrossValidationFold) throws {
        precondition(folds.k == k, "the folds must be the folder's \(k)")
        for index in indices {
            let file = foldFile(index)
            if try written(file) != nil {
                printError("fold \(index + 1)/\(k): written earlier (\(file.path))")
                continue
            }
            let (train, test) = folds.split(index)
            printError("fold \(index + 1)/\(k): training on \(train.count) examples, testing on \(test.count)")
            let result = try run(index)
            try Data(JSONOutput.string(result, pretty: true).utf8).write(to: file, options: .atomic)
            let figures = result.metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f%%", $0.key, 100 * $0.value) }
            printError("fold \(index + 1)/\(k): " + figures.joined(separator: ", ") + " → \(file.path)")
        }
    }

    /// The summary when all K folds are written (also written to `summary.json`), else nil.
    public func summary() throws -> CrossValidationSummary? {
        let done = try (0..<k).compactMap { try written(foldFile($0)) }
        guard done.count == k else { return nil }
        let summary = try CrossValidationSummary(done)
        try Data(JSONOutput.string(summary, pretty: true).utf8).write(to: summaryFile, options: .atomic)
        return summary
    }

    /// How many of the K folds are written.
    public func writtenCount() throws -> Int { try (0..<k).filter { try written(foldFile($0)) != nil }.count }

    /// The fold result in `file`, nil when it is not there.
    /// - Throws: `ValidationError` for a file that is not a fold result or is of another fingerprint.
    func written(_ file: URL) throws -> CrossValidationFold? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let fold: CrossValidationFold
        do {
            fold = try JSONDecoder().decode(CrossValidationFold.self, from: Data(contentsOf: file))
        } catch {
            throw ValidationError("\(file.path): not a fold result (\(error)); remove it or use another --out")
        }
        guard fold.fingerprint == fingerprint else {
            throw ValidationError("\(file.path) holds a fold of other data or another recipe: use another --out")
        }
        return fold
    }
}

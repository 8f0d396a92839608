import CSV
import Crypto
public import Foundation

/// A labels CSV `file,label` (header row required, paths relative to the CSV's folder), read
/// and checked completely before any training starts: every problem names the file and line.
public struct LabelledImages: Sendable {
    public struct Row: Sendable, Equatable {
        /// Absolute path of the image.
        public let url: URL
        /// As written in the CSV.
        public let file: String
        /// Index into `labels`.
        public let label: Int
        /// 1-based line of the CSV.
        let line: Int
    }

    /// The CSV as given.
    public let path: String
    public let labels: [String]
    public let rows: [Row]
    /// SHA-256 of the CSV's bytes (for provenance).
    public let sha256: String

    private init(path: String, labels: [String], rows: [Row], sha256: String) {
        (self.path, self.labels, self.rows, self.sha256) = (path, labels, rows, sha256)
    }

    /// The rows at `indices` (in that order), named `path` (e.g. "train.csv, fold 2 of 5");
    /// its `sha256` hashes this file's with the chosen rows' CSV lines.
    public func subset(_ indices: [Int], path: String) -> LabelledImages {
        var hash = SHA256()
        hash.update(data: Data(sha256.utf8))
        for i in indices { hash.update(data: Data(",\(rows[i].line)".utf8)) }
        return LabelledImages(path: path, labels: labels, rows: indices.map { rows[$0] },
                              sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// - Parameter labels: the allowed label values, in class-index order.
    /// - Throws: `LabelsError` naming the file and line: unreadable file, missing header
    ///   columns, wrong field count, empty or unknown label, missing image file, duplicate file.
    public init(csv path: String, labels: [String]) throws {
        self.path = path
        self.labels = labels
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw LabelsError.unreadable(path: path) }
        sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard let text = String(data: data, encoding: .utf8) else {
            throw LabelsError.invalid(path: path, line: 1, detail: "not valid UTF-8")
        }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw LabelsError.invalid(path: path, line: 1, detail: "not CSV: \(error)")
        }
        guard let header = reader.headerRow, let fileColumn = header.firstIndex(of: "file"),
              let labelColumn = header.firstIndex(of: "label") else {
            throw LabelsError.invalid(path: path, line: 1, detail: "the header must name the columns 'file' and 'label'")
        }
        let folder = url.deletingLastPathComponent()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var rows: [Row] = []
        var firstLine: [String: Int] = [:]
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
            guard fields.count == header.count else {
                throw LabelsError.invalid(path: path, line: line, detail: "\(fields.count) fields, the header has \(header.count)")
            }
            let file = fields[fileColumn], label = fields[labelColumn]
            guard !file.isEmpty else { throw LabelsError.invalid(path: path, line: line, detail: "empty file name") }
            guard let classIndex = index[label] else {
                throw LabelsError.invalid(path: path, line: line,
                                          detail: "unknown label '\(label)' (expected \(labels.joined(separator: " or ")))")
            }
            let imageURL = file.hasPrefix("/") ? URL(fileURLWithPath: file) : folder.appendingPathComponent(file)
            let key = imageURL.standardizedFileURL.path
            if let earlier = firstLine[key] {
                throw LabelsError.invalid(path: path, line: line, detail: "'\(file)' is listed twice (first on line \(earlier))")
            }
            firstLine[key] = line
            guard FileManager.default.isReadableFile(atPath: key) else {
                throw LabelsError.invalid(path: path, line: line, detail: "image '\(file)' not found (looked for \(key))")
            }
            rows.append(Row(url: imageURL, file: file, label: classIndex, line: line))
        }
        if let error = reader.error, !(error is CSVError && "\(error)" == "cannotReadFile") {
            throw LabelsError.invalid(path: path, line: line + 1, detail: "CSV: \(error)")
        }
        guard !rows.isEmpty else { throw LabelsError.invalid(path: path, line: line, detail: "no images listed") }
        self.rows = rows
    }

    /// Images per label.
    package var counts: [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: labels.map { ($0, 0) })
        for row in rows { counts[labels[row.label], default: 0] += 1 }
        return counts
    }

    public var summary: Provenance.DataSummary {
        Provenance.DataSummary(path: path, sha256: sha256, images: rows.count, counts: counts)
    }
}

/// Problems with a labels CSV, naming the file and the line.
package enum LabelsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case invalid(path: String, line: Int, detail: String)
    /// An image listed in the CSV could not be used.
    case image(path: String, line: Int, detail: String)

    package var description: String {
        switch self {
        case .unreadable(let path): return "\(path): no such file or not readable"
        case .invalid(let path, let line, let detail): return "\(path):\(line): \(detail)"
        case .image(let path, let line, let detail): return "\(path):\(line): \(detail)"
        }
    }
}

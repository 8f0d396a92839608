import Foundation

/// Texts from a line reader: each line as is, or the string field of each JSONL object.
public struct TextSource {
    package let reader: LineReader
    /// The field to read from JSON objects; nil for plain text lines.
    let jsonField: String?

    public init(reader: LineReader, jsonField: String?) {
        self.reader = reader
        self.jsonField = jsonField
    }

    /// Up to `count` texts; fewer only at the end of input.
    public func next(_ count: Int) throws -> [String] {
        var texts: [String] = []
        while texts.count < count, let line = try reader.next() {
            guard let field = jsonField else {
                texts.append(line)
                continue
            }
            if line.allSatisfy(\.isWhitespace) { continue }  // blank JSONL lines carry no record
            texts.append(try text(in: line, field: field))
        }
        return texts
    }

    private func text(in line: String, field: String) throws -> String {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw InputError.invalidJSON(source: reader.source, line: reader.lineNumber,
                                         detail: (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "unparsable")
        }
        guard let record = object as? [String: Any] else {
            throw InputError.invalidJSON(source: reader.source, line: reader.lineNumber, detail: "not an object")
        }
        guard let text = record[field] as? String else {
            throw InputError.missingField(source: reader.source, line: reader.lineNumber, field: field)
        }
        return text
    }
}

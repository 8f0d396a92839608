import Foundation
import TestSupport
import Testing
@testable import Tokenization

/// Bad tokenizer files give typed errors naming the file and the field.
struct ConfigErrorTests {
    nonisolated(unsafe) static let minimal: [String: Any] = [
        "normalizer": ["type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": NSNull(), "lowercase": true],
        "pre_tokenizer": ["type": "BertPreTokenizer"],
        "model": ["type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ["[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3]],
        "post_processor": ["type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]],
    ]

    static func load(_ json: Any) throws -> Tokenizer {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tokenizer.json")
        if let text = json as? String {
            try text.write(to: url, atomically: true, encoding: .utf8)
        } else {
            try JSONSerialization.data(withJSONObject: json).write(to: url)
        }
        return try Tokenizer(tokenizerJSON: url)
    }

    static func modified(_ path: [String], _ value: Any) -> [String: Any] {
        var copy = minimal
        if path.count == 1 {
            copy[path[0]] = value
        } else {
            var inner = copy[path[0]] as! [String: Any]
            inner[path[1]] = value
            copy[path[0]] = inner
        }
        return copy
    }

    @Test func minimalFileLoadsAndWorks() throws {
        #expect(try Self.load(Self.minimal).encode("A a").ids == [1, 3, 3, 2])
    }

    @Test func unknownComponentTypesAreRejected() {
        for (path, field) in [(["normalizer", "type"], "normalizer.type"), (["pre_tokenizer", "type"], "pre_tokenizer.type"),
                              (["model", "type"], "model.type"), (["post_processor", "type"], "post_processor.type")] {
            #expect {
                try Self.load(Self.modified(path, "Metaspace"))
            } throws: { error in
                guard case .unsupported(let file, let f, let value)? = error as? TokenizationError else { return false }
                return file.hasSuffix("tokenizer.json") && f == field && value == "Metaspace"
            }
        }
    }

    @Test func missingFieldsAndWrongTypesNameTheField() {
        var noModel = Self.minimal
        noModel["model"] = nil
        #expect { try Self.load(noModel) } throws: { error in
            "\(error)".contains("missing field 'model'")
        }
        #expect { try Self.load(Self.modified(["model", "vocab"], "not a map")) } throws: { error in
            "\(error)".contains("model.vocab")
        }
    }

    @Test func notJSONIsAnInvalidJSONError() {
        #expect { try Self.load("{ \"model\": ") } throws: { error in
            if case .invalidJSON(let path, _)? = error as? TokenizationError { return path.hasSuffix("tokenizer.json") }
            return false
        }
    }

    @Test func unknownTokensAndBadVocabulariesAreRejected() {
        #expect { try Self.load(Self.modified(["model", "unk_token"], "[NOPE]")) } throws: { error in
            (error as? TokenizationError) == .unknownToken(path: (error as! TokenizationError).path, field: "model.unk_token", token: "[NOPE]")
        }
        #expect(throws: TokenizationError.self) {
            try Self.load(Self.modified(["model", "vocab"], ["[UNK]": 0, "a": 0]))
        }
        #expect(throws: TokenizationError.self) {
            try Self.load(Self.modified(["model", "vocab"], ["[UNK]": 0, "a": 5]))
        }
    }

    @Test func unknownTruncationAndPaddingValuesAreRejected() {
        #expect(throws: TokenizationError.self) {
            try Self.load(Self.modified(["truncation"], ["max_length": 8, "strategy": "Sideways", "stride": 0]))
        }
        #expect(throws: TokenizationError.self) {
            try Self.load(Self.modified(["padding"], ["strategy": "Widest", "direction": "Right"]))
        }
    }

    @Test func folderWithoutTokenizerFiles() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: TokenizationError.noTokenizerFiles(folder: dir.path)) { try Tokenizer.load(folder: dir) }
    }
}

extension TokenizationError {
    /// The file an error names, for assertions.
    var path: String {
        switch self {
        case .unreadable(let p, _), .invalidJSON(let p, _), .unsupported(let p, _, _),
             .invalidVocabulary(let p, _), .unknownToken(let p, _, _): return p
        case .noTokenizerFiles(let folder): return folder
        case .invalidArgument: return ""
        }
    }
}

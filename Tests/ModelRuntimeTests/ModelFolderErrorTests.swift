import Foundation
import TestSupport
import Testing
@testable import ModelRuntime

/// Broken model folders give errors that name the file and the problem, at load time.
struct ModelFolderErrorTests {
    /// A copy of the tiny model folder to damage.
    static func copyOfTinyModel() throws -> URL {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("model")
        try FileManager.default.copyItem(at: Fixtures.url("bert/tiny"), to: dir)
        return dir
    }

    static func editConfig(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: url)
    }

    @Test func tinyModelLoads() throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        #expect(try SentenceEncoder(folder: folder).dimension == 32)
    }

    @Test(arguments: [
        ("hidden_size", "missing field 'hidden_size'"),
        ("num_attention_heads", "missing field 'num_attention_heads'"),
    ])
    func missingConfigFieldIsNamed(field: String, message: String) throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try Self.editConfig(folder) { $0[field] = nil }
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            let text = "\(error)"
            return text.contains("config.json") && text.contains(message)
        }
    }

    @Test(arguments: [
        ("hidden_act", #""relu""#, "hidden_act"),
        ("position_embedding_type", #""relative_key""#, "position_embedding_type"),
        ("num_attention_heads", "5", "not a multiple"),
        ("hidden_size", #""wide""#, "hidden_size"),
    ])
    func unsupportedOrInconsistentValuesAreNamed(field: String, json: String, message: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try Self.editConfig(folder) { $0[field] = value }
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            "\(error)".contains("config.json") && "\(error)".contains(message)
        }
    }

    @Test func weightsOfTheWrongShapeNameTheTensor() throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try Self.editConfig(folder) { $0["intermediate_size"] = 48 }
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            guard case .shapeMismatch(_, let tensor, let expected, _)? = error as? SafeTensorsError else { return false }
            return tensor == "encoder.layer.0.intermediate.dense.weight" && expected == [48, 32]
        }
    }

    @Test func missingWeightsFileAndCorruptWeights() throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let weights = folder.appendingPathComponent("model.safetensors")
        let original = try Data(contentsOf: weights)
        try Data(original.prefix(original.count / 2)).write(to: weights)
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            if case .truncated? = error as? SafeTensorsError { return true }
            return false
        }
        try FileManager.default.removeItem(at: weights)
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            "\(error)".contains("model.safetensors") && "\(error)".contains("no such file")
        }
    }

    @Test func unknownModulesAndPoolingModesAreRejected() throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let pooling = folder.appendingPathComponent("1_Pooling/config.json")
        try #"{"word_embedding_dimension": 32, "pooling_mode_lasttoken": true}"#.write(to: pooling, atomically: true, encoding: .utf8)
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            "\(error)".contains("pooling_mode_lasttoken")
        }
        let modules = folder.appendingPathComponent("modules.json")
        try #"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"2_Dense","type":"sentence_transformers.models.Dense"}]"#
            .write(to: modules, atomically: true, encoding: .utf8)
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            "\(error)".contains("modules.json") && "\(error)".contains("sentence_transformers.models.Dense")
        }
    }
}

extension ModelFolderErrorTests {
    @Test func tokenizerLargerThanTheEmbeddingTableIsRejected() throws {
        let folder = try Self.copyOfTinyModel()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let vocab = folder.appendingPathComponent("vocab.txt")
        let extra = (0..<10).map { "extra\($0)" }.joined(separator: "\n") + "\n"
        try (String(contentsOf: vocab, encoding: .utf8) + extra).write(to: vocab, atomically: true, encoding: .utf8)
        #expect { try SentenceEncoder(folder: folder) } throws: { error in
            "\(error)".contains("vocab_size 1000 is smaller than the tokenizer's 1010 tokens")
        }
    }
}

public import Foundation
import SuiteFoundation

extension Tokenizer {
    /// Loads the tokenizer of a model folder: `tokenizer.json` when present, otherwise
    /// `vocab.txt` with the options of `tokenizer_config.json` (BERT defaults when absent).
    public static func load(folder: URL) throws -> Tokenizer {
        let json = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            return try Tokenizer(tokenizerJSON: json)
        }
        let vocab = folder.appendingPathComponent("vocab.txt")
        if FileManager.default.fileExists(atPath: vocab.path) {
            return try Tokenizer(vocabFile: vocab, configFile: folder.appendingPathComponent("tokenizer_config.json"))
        }
        throw TokenizationError.noTokenizerFiles(folder: folder.path)
    }

    /// Loads an HF `tokenizer.json` describing a BERT WordPiece tokenizer.
    public init(tokenizerJSON url: URL) throws {
        let path = url.path
        let file: TokenizerFile = try decodeJSON(TokenizerFile.self, at: url)
        do {
            try self.init(file: file, path: path)
        } catch let error as TokenizerFile.UnsupportedValue {
            throw TokenizationError.unsupported(path: path, field: error.field, value: error.value)
        }
    }

    private init(file: TokenizerFile, path: String) throws {
        let normalizer: BertNormalizer?
        switch file.normalizer?.type {
        case nil: normalizer = nil
        case "BertNormalizer":
            let n = file.normalizer!
            normalizer = BertNormalizer(cleanText: n.cleanText ?? true, handleChineseChars: n.handleChineseChars ?? true,
                                        stripAccents: n.stripAccents, lowercase: n.lowercase ?? true)
        case let other?:
            throw TokenizationError.unsupported(path: path, field: "normalizer.type", value: other)
        }

        let preTokenizer: BertPreTokenizer?
        switch file.preTokenizer?.type {
        case nil: preTokenizer = nil
        case "BertPreTokenizer": preTokenizer = BertPreTokenizer()
        case let other?:
            throw TokenizationError.unsupported(path: path, field: "pre_tokenizer.type", value: other)
        }

        guard file.model.type == "WordPiece" else {
            throw TokenizationError.unsupported(path: path, field: "model.type", value: file.model.type)
        }
        let vocabulary = try Vocabulary(idsByToken: file.model.vocab, path: path)
        let model = try WordPiece(
            vocabulary: vocabulary, unknownToken: file.model.unkToken,
            continuingSubwordPrefix: file.model.continuingSubwordPrefix ?? "##",
            maxInputCharsPerWord: file.model.maxInputCharsPerWord ?? 100, path: path)

        var added: [AddedTokens.Token] = []
        for (index, token) in (file.addedTokens ?? []).enumerated() {
            let field = "added_tokens[\(index)]"
            guard token.id >= 0 && token.id < vocabulary.count, vocabulary.tokens[token.id] == token.content else {
                throw TokenizationError.unknownToken(path: path, field: field, token: token.content)
            }
            for (name, flag) in [("lstrip", token.lstrip), ("rstrip", token.rstrip),
                                 ("single_word", token.singleWord), ("normalized", token.normalized)] where flag {
                throw TokenizationError.unsupported(path: path, field: "\(field).\(name)", value: "true")
            }
            added.append(.init(id: Int32(token.id), content: token.content,
                               scalars: token.content.unicodeScalars.map(\.value)))
        }

        let postProcessor = try file.postProcessor.map { try Self.postProcessor($0, vocabulary: vocabulary, path: path) }
        let truncation = try file.truncation.map { t -> Truncation in
            guard let strategy = Truncation.Strategy(rawValue: t.strategy) else {
                throw TokenizationError.unsupported(path: path, field: "truncation.strategy", value: t.strategy)
            }
            guard let direction = Truncation.Direction(rawValue: t.direction ?? "Right") else {
                throw TokenizationError.unsupported(path: path, field: "truncation.direction", value: t.direction ?? "")
            }
            return Truncation(maxLength: t.maxLength, strategy: strategy, direction: direction)
        }
        let padding = try file.padding.map { p -> Padding in
            guard let direction = Padding.Direction(rawValue: p.direction ?? "Right") else {
                throw TokenizationError.unsupported(path: path, field: "padding.direction", value: p.direction ?? "")
            }
            let strategy: Padding.Strategy
            switch p.strategy {
            case .batchLongest: strategy = .longest
            case .fixed(let n): strategy = .fixed(n)
            }
            return Padding(strategy: strategy, direction: direction, padToMultipleOf: p.padToMultipleOf,
                           padID: p.padID ?? 0, padTypeID: p.padTypeID ?? 0, padToken: p.padToken ?? "[PAD]")
        }
        self.init(normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                  postProcessor: postProcessor, addedTokens: AddedTokens(added),
                  configuredTruncation: truncation, configuredPadding: padding)
    }

    private static func postProcessor(_ config: TokenizerFile.PostProcessorConfig, vocabulary: Vocabulary,
                                      path: String) throws -> PostProcessor {
        switch config.type {
        case "BertProcessing":
            guard let cls = config.cls, let sep = config.sep else {
                throw TokenizationError.invalidJSON(path: path, detail: "post_processor: BertProcessing needs cls and sep")
            }
            return .bert(cls: (cls.id, cls.token), sep: (sep.id, sep.token))
        case "TemplateProcessing":
            let specials = config.specialTokens ?? [:]
            func pieces(_ template: [TokenizerFile.PostProcessorConfig.TemplatePiece]?,
                        _ field: String) throws -> [PostProcessor.Piece] {
                try (template ?? []).map { piece in
                    switch piece {
                    case .sequence(let id, let typeID):
                        return .sequence(isFirst: id == "A", typeID: typeID)
                    case .special(let id, let typeID):
                        guard let entry = specials[id], entry.ids.count == entry.tokens.count else {
                            throw TokenizationError.unknownToken(
                                path: path, field: "post_processor.\(field) (special_tokens)", token: id)
                        }
                        return .special(ids: entry.ids, tokens: entry.tokens, typeID: typeID)
                    }
                }
            }
            return PostProcessor(single: try pieces(config.single, "single"), pair: try pieces(config.pair, "pair"))
        default:
            throw TokenizationError.unsupported(path: path, field: "post_processor.type", value: config.type)
        }
    }

    /// Builds a BERT tokenizer from `vocab.txt` and, when it exists, `tokenizer_config.json`.
    public init(vocabFile: URL, configFile: URL) throws {
        var config: TokenizerConfigFile?
        if FileManager.default.fileExists(atPath: configFile.path) {
            config = try decodeJSON(TokenizerConfigFile.self, at: configFile)
            if let cls = config?.tokenizerClass, !["BertTokenizer", "BertTokenizerFast"].contains(cls) {
                throw TokenizationError.unsupported(path: configFile.path, field: "tokenizer_class", value: cls)
            }
        }
        let path = vocabFile.path
        let vocabulary = try Vocabulary(vocabTextFile: vocabFile)
        let lowercase = config?.doLowerCase ?? true
        let normalizer = BertNormalizer(cleanText: true, handleChineseChars: config?.tokenizeChineseChars ?? true,
                                        stripAccents: config?.stripAccents, lowercase: lowercase)
        let unk = config?.unkToken ?? "[UNK]"
        let model = try WordPiece(vocabulary: vocabulary, unknownToken: unk, continuingSubwordPrefix: "##",
                                  maxInputCharsPerWord: 100, path: path)
        let cls = config?.clsToken ?? "[CLS]", sep = config?.sepToken ?? "[SEP]"
        let clsID = try vocabulary.requireID(of: cls, field: "cls_token", path: path)
        let sepID = try vocabulary.requireID(of: sep, field: "sep_token", path: path)
        var added: [AddedTokens.Token] = []
        for token in [config?.padToken ?? "[PAD]", unk, cls, sep, config?.maskToken ?? "[MASK]"] {
            if let id = vocabulary.id(of: token), !added.contains(where: { $0.id == id }) {
                added.append(.init(id: id, content: token, scalars: token.unicodeScalars.map(\.value)))
            }
        }
        self.init(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
                  postProcessor: .bert(cls: (clsID, cls), sep: (sepID, sep)), addedTokens: AddedTokens(added),
                  configuredTruncation: nil, configuredPadding: nil)
    }
}

/// Decodes a JSON file, turning I/O and decoding failures into errors that name the file and field.
func decodeJSON<T: Decodable>(_ type: T.Type, at url: URL) throws -> T {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw TokenizationError.unreadable(path: url.path, reason: error.localizedDescription)
    }
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as TokenizerFile.UnsupportedValue {
        throw TokenizationError.unsupported(path: url.path, field: error.field, value: error.value)
    } catch let error as DecodingError {
        throw TokenizationError.invalidJSON(path: url.path, detail: error.summary)
    }
}

import Foundation

/// The parts of an HF `tokenizer.json` that a BERT WordPiece tokenizer uses, decoded with
/// the file's own key names. Unknown component types or values throw `UnsupportedValue`,
/// which `Tokenizer` turns into `TokenizationError.unsupported` with the file path.
struct TokenizerFile: Decodable {
    struct UnsupportedValue: Error {
        let field: String
        let value: String
    }

    struct NormalizerConfig: Decodable {
        let type: String
        let cleanText: Bool?
        let handleChineseChars: Bool?
        let stripAccents: Bool?
        let lowercase: Bool?

        enum CodingKeys: String, CodingKey {
            case type, lowercase
            case cleanText = "clean_text"
            case handleChineseChars = "handle_chinese_chars"
            case stripAccents = "strip_accents"
        }
    }

    struct PreTokenizerConfig: Decodable {
        let type: String
    }

    struct ModelConfig: Decodable {
        let type: String
        let unkToken: String
        let continuingSubwordPrefix: String?
        let maxInputCharsPerWord: Int?
        let vocab: [String: Int]

        enum CodingKeys: String, CodingKey {
            case type, vocab
            case unkToken = "unk_token"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case maxInputCharsPerWord = "max_input_chars_per_word"
        }
    }

    struct AddedToken: Decodable {
        let id: Int
        let content: String
        let singleWord: Bool
        let lstrip: Bool
        let rstrip: Bool
        let normalized: Bool
        let special: Bool

        enum CodingKeys: String, CodingKey {
            case id, content, lstrip, rstrip, normalized, special
            case singleWord = "single_word"
        }
    }

    /// `TemplateProcessing` or `BertProcessing`.
    struct PostProcessorConfig: Decodable {
        enum TemplatePiece: Decodable {
            case special(id: String, typeID: Int32)
            case sequence(id: String, typeID: Int32)

            private struct Body: Decodable {
                let id: String
                let typeID: Int32
                enum CodingKeys: String, CodingKey { case id; case typeID = "type_id" }
            }
            private enum Keys: String, CodingKey { case SpecialToken, Sequence }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: Keys.self)
                if let body = try c.decodeIfPresent(Body.self, forKey: .SpecialToken) {
                    self = .special(id: body.id, typeID: body.typeID)
                } else if let body = try c.decodeIfPresent(Body.self, forKey: .Sequence) {
                    guard body.id == "A" || body.id == "B" else {
                        throw UnsupportedValue(field: "post_processor sequence id", value: body.id)
                    }
                    self = .sequence(id: body.id, typeID: body.typeID)
                } else {
                    throw UnsupportedValue(field: "post_processor template piece",
                                           value: c.allKeys.map(\.stringValue).joined(separator: ","))
                }
            }
        }

        struct SpecialTokenEntry: Decodable {
            let id: String
            let ids: [Int32]
            let tokens: [String]
        }

        let type: String
        let single: [TemplatePiece]?
        let pair: [TemplatePiece]?
        let specialTokens: [String: SpecialTokenEntry]?
        /// BertProcessing: `[token, id]` pairs.
        let sep: TokenAndID?
        let cls: TokenAndID?

        enum CodingKeys: String, CodingKey {
            case type, single, pair, sep, cls
            case specialTokens = "special_tokens"
        }
    }

    struct TokenAndID: Decodable {
        let token: String
        let id: Int32
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            token = try c.decode(String.self)
            id = try c.decode(Int32.self)
        }
    }

    struct TruncationConfig: Decodable {
        let maxLength: Int
        let strategy: String
        let stride: Int?
        let direction: String?
        enum CodingKeys: String, CodingKey {
            case strategy, stride, direction
            case maxLength = "max_length"
        }
    }

    struct PaddingConfig: Decodable {
        enum StrategyConfig: Decodable {
            case batchLongest
            case fixed(Int)
            private enum Keys: String, CodingKey { case Fixed }
            init(from decoder: any Decoder) throws {
                if let name = try? decoder.singleValueContainer().decode(String.self) {
                    guard name == "BatchLongest" else {
                        throw UnsupportedValue(field: "padding.strategy", value: name)
                    }
                    self = .batchLongest
                } else {
                    self = .fixed(try decoder.container(keyedBy: Keys.self).decode(Int.self, forKey: .Fixed))
                }
            }
        }
        let strategy: StrategyConfig
        let direction: String?
        let padToMultipleOf: Int?
        let padID: Int32?
        let padTypeID: Int32?
        let padToken: String?
        enum CodingKeys: String, CodingKey {
            case strategy, direction
            case padToMultipleOf = "pad_to_multiple_of"
            case padID = "pad_id"
            case padTypeID = "pad_type_id"
            case padToken = "pad_token"
        }
    }

    let addedTokens: [AddedToken]?
    let normalizer: NormalizerConfig?
    let preTokenizer: PreTokenizerConfig?
    let model: ModelConfig
    let postProcessor: PostProcessorConfig?
    let truncation: TruncationConfig?
    let padding: PaddingConfig?

    enum CodingKeys: String, CodingKey {
        case normalizer, model, truncation, padding
        case addedTokens = "added_tokens"
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
    }
}

/// The subset of a Transformers `tokenizer_config.json` used when only vocab.txt is present.
struct TokenizerConfigFile: Decodable {
    let doLowerCase: Bool?
    let tokenizeChineseChars: Bool?
    let stripAccents: Bool?
    let unkToken: String?
    let sepToken: String?
    let padToken: String?
    let clsToken: String?
    let maskToken: String?
    let tokenizerClass: String?

    enum CodingKeys: String, CodingKey {
        case doLowerCase = "do_lower_case"
        case tokenizeChineseChars = "tokenize_chinese_chars"
        case stripAccents = "strip_accents"
        case unkToken = "unk_token"
        case sepToken = "sep_token"
        case padToken = "pad_token"
        case clsToken = "cls_token"
        case maskToken = "mask_token"
        case tokenizerClass = "tokenizer_class"
    }
}

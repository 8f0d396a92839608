public import Foundation

extension BERT {
    /// `config.json` of a Hugging Face BERT checkpoint.
    public struct Config: Decodable, Sendable, Equatable {
        var vocabSize: Int
        public var hiddenSize: Int
        public var numHiddenLayers: Int
        var numAttentionHeads: Int
        public var intermediateSize: Int
        var hiddenAct: String
        var maxPositionEmbeddings: Int
        var typeVocabSize: Int
        var layerNormEps: Float
        var positionEmbeddingType: String?
        var modelType: String?

        enum CodingKeys: String, CodingKey {
            case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
            case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
            case hiddenAct = "hidden_act", maxPositionEmbeddings = "max_position_embeddings"
            case typeVocabSize = "type_vocab_size", layerNormEps = "layer_norm_eps"
            case positionEmbeddingType = "position_embedding_type", modelType = "model_type"
        }

        /// Reads and validates `config.json`.
        public static func load(_ url: URL) throws -> Config {
            let config = try decodeConfig(Config.self, at: url)
            try config.validate(path: url.path)
            return config
        }

        /// Checks values the architecture depends on; called at load time, never in `forward`.
        public func validate(path: String) throws {
            func positive(_ value: Int, _ field: String) throws {
                guard value > 0 else { throw ModelError.unsupported(path: path, field: field, value: String(value)) }
            }
            try positive(vocabSize, "vocab_size")
            try positive(hiddenSize, "hidden_size")
            try positive(numHiddenLayers, "num_hidden_layers")
            try positive(numAttentionHeads, "num_attention_heads")
            try positive(intermediateSize, "intermediate_size")
            try positive(maxPositionEmbeddings, "max_position_embeddings")
            try positive(typeVocabSize, "type_vocab_size")
            guard hiddenSize % numAttentionHeads == 0 else {
                throw ModelError.invalidConfig(
                    path: path, detail: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
            }
            guard hiddenAct == "gelu" else {
                throw ModelError.unsupported(path: path, field: "hidden_act", value: hiddenAct)
            }
            if let kind = positionEmbeddingType, kind != "absolute" {
                throw ModelError.unsupported(path: path, field: "position_embedding_type", value: kind)
            }
            if let kind = modelType, kind != "bert" {
                throw ModelError.unsupported(path: path, field: "model_type", value: kind)
            }
            guard layerNormEps > 0 && layerNormEps.isFinite else {
                throw ModelError.unsupported(path: path, field: "layer_norm_eps", value: String(layerNormEps))
            }
        }

        package var headSize: Int { hiddenSize / numAttentionHeads }
    }

    /// Token ids of several sequences laid end to end.
    public struct PackedBatch: Sendable {
        /// `[totalTokens]`
        public var ids: [Int32]
        /// `[totalTokens]`
        public var typeIDs: [Int32]
        /// Token count of each sequence; they sum to `ids.count`.
        public var lengths: [Int]

        public init(ids: [Int32], typeIDs: [Int32], lengths: [Int]) {
            precondition(ids.count == typeIDs.count && lengths.reduce(0, +) == ids.count, "inconsistent packed batch")
            self.ids = ids
            self.typeIDs = typeIDs
            self.lengths = lengths
        }

        package var totalTokens: Int { ids.count }
    }
}

/// Sentence-transformers pooling of token states into one vector per sequence.
public struct Pooling: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// Mean over the sequence's tokens (special tokens included, padding excluded).
        case mean
        /// Mean divided by √length instead of length.
        case meanSqrtLength
        /// The first token ([CLS]).
        case cls
        /// Element-wise maximum over the tokens.
        case max
    }

    /// `1_Pooling/config.json`.
    struct Config: Decodable {
        let wordEmbeddingDimension: Int
        let poolingModeClsToken: Bool?
        let poolingModeMeanTokens: Bool?
        let poolingModeMaxTokens: Bool?
        let poolingModeMeanSqrtLenTokens: Bool?
        let poolingModeWeightedmeanTokens: Bool?
        let poolingModeLasttoken: Bool?
        let includePrompt: Bool?

        enum CodingKeys: String, CodingKey {
            case wordEmbeddingDimension = "word_embedding_dimension"
            case poolingModeClsToken = "pooling_mode_cls_token"
            case poolingModeMeanTokens = "pooling_mode_mean_tokens"
            case poolingModeMaxTokens = "pooling_mode_max_tokens"
            case poolingModeMeanSqrtLenTokens = "pooling_mode_mean_sqrt_len_tokens"
            case poolingModeWeightedmeanTokens = "pooling_mode_weightedmean_tokens"
            case poolingModeLasttoken = "pooling_mode_lasttoken"
            case includePrompt = "include_prompt"
        }
    }

    package let mode: Mode
    package let dimension: Int

    public init(mode: Mode, dimension: Int) {
        self.mode = mode
        self.dimension = dimension
    }

    /// Reads a pooling config; exactly one supported mode must be on.
    init(config: Config, path: String) throws {
        for (field, on) in [("pooling_mode_weightedmean_tokens", config.poolingModeWeightedmeanTokens),
                            ("pooling_mode_lasttoken", config.poolingModeLasttoken)] where on == true {
            throw ModelError.unsupported(path: path, field: field, value: "true")
        }
        let modes: [(Bool?, Mode)] = [(config.poolingModeMeanTokens, .mean), (config.poolingModeClsToken, .cls),
                                      (config.poolingModeMaxTokens, .max), (config.poolingModeMeanSqrtLenTokens, .meanSqrtLength)]
        let chosen = modes.filter { $0.0 == true }.map(\.1)
        guard chosen.count == 1 else {
            throw ModelError.invalidConfig(
                path: path, detail: "exactly one pooling mode must be true, found \(chosen.map(\.rawValue))")
        }
        self.init(mode: chosen[0], dimension: config.wordEmbeddingDimension)
    }

    /// Pools `length` rows of `width` starting at `states` into `out[width]`.
    func pool(_ states: UnsafePointer<Float>, length: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        switch mode {
        case .cls:
            out.update(from: states, count: width)
        case .max:
            out.update(from: states, count: width)
            for r in 1..<max(length, 1) {
                for i in 0..<width { out[i] = Swift.max(out[i], states[r * width + i]) }
            }
        case .mean, .meanSqrtLength:
            out.update(repeating: 0, count: width)
            for r in 0..<length {
                for i in 0..<width { out[i] += states[r * width + i] }
            }
            let divisor = mode == .mean ? Float(length) : Float(length).squareRoot()
            let inverse = 1 / Swift.max(divisor, 1e-9)
            for i in 0..<width { out[i] *= inverse }
        }
    }

    /// Scales `vector` to unit L2 norm (norm clamped below at 1e-12, as PyTorch's `normalize`).
    static func l2Normalize(_ vector: UnsafeMutablePointer<Float>, count: Int) {
        var squares = 0.0
        for i in 0..<count { squares += Double(vector[i]) * Double(vector[i]) }
        let inverse = Float(1 / Swift.max(squares.squareRoot(), 1e-12))
        for i in 0..<count { vector[i] *= inverse }
    }
}

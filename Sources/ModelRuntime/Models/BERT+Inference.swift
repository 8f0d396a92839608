extension BERT {
    /// Reads the inference parts from a checkpoint, with or without its `bert.` prefix: Q, K and
    /// V concatenated into one `[3 · hidden, hidden]` layer, the other weights used as they are
    /// (borrowed from a mapped F32 checkpoint).
    struct InferenceParts<Source: WeightSource>: EncoderParts {
        typealias Pass = InferencePass
        let weights: Source
        let config: Config
        let prefix: String

        init(weights: Source, config: Config) {
            self.weights = weights
            self.config = config
            prefix = weights.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        }

        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor { try weights.tensor(prefix + name, shape: shape) }

        func projection(query: String, key: String, value: String) throws -> Linear {
            let parts = try [query, key, value].map { try dense($0, out: config.hiddenSize, in: config.hiddenSize) }
            return Linear(weight: concatenateRows(parts.map(\.weight)), bias: concatenateRows(parts.map { $0.bias! }))
        }

        func dense(_ name: String, out: Int, in: Int) throws -> Linear {
            Linear(weight: try tensor("\(name).weight", [out, `in`]), bias: try tensor("\(name).bias", [out]))
        }

        func norm(_ name: String) throws -> LayerNorm {
            let h = config.hiddenSize
            return LayerNorm(weight: try tensor("\(name).weight", [h]), bias: try tensor("\(name).bias", [h]),
                             epsilon: config.layerNormEps)
        }
    }

    /// The inference `EncoderPass` over `rows` packed tokens: one set of buffers serves every
    /// layer, residual adds are fused into the LayerNorms, LayerNorm and GELU work in place, and
    /// nothing is kept. The hidden states alternate between the caller's buffer and a spare one:
    /// a layer reads one and writes its output into the other.
    struct InferencePass: EncoderPass {
        let rows: Int
        private let scratch: Scratch
        /// The current layer's input and the buffer its output goes to.
        private var input, spare: UnsafeMutablePointer<Float>

        /// - Parameter states: `[rows, hidden]`, the first layer's input.
        init(rows: Int, config: Config, states: UnsafeMutablePointer<Float>) {
            self.rows = rows
            scratch = Scratch(rows: rows, hidden: config.hiddenSize, intermediate: config.intermediateSize)
            input = states
            spare = scratch.spare
        }

        mutating func buffer(_ role: EncoderIntermediate, width: Int) -> UnsafeMutablePointer<Float> {
            switch role {
            case .qkv: return scratch.qkv
            case .context: return scratch.context
            case .attentionSum: return scratch.attentionSum
            case .preActivation: return scratch.inner
            case .outputSum:
                defer { swap(&input, &spare) }
                return spare
            case .attended, .activation, .output: preconditionFailure("\(role) is computed in place at inference")
            }
        }

        func project(_ projection: Linear, _ x: UnsafePointer<Float>, into qkv: UnsafeMutablePointer<Float>) {
            projection.apply(x, rows: rows, into: qkv)
        }

        func dense(_ dense: Linear, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
            dense.apply(x, rows: rows, into: y)
        }

        mutating func dropout(_ site: EncoderDropoutSite, _ x: UnsafeMutablePointer<Float>) {}

        mutating func addNorm(_ norm: LayerNorm, sum: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>,
                              result: EncoderIntermediate) -> UnsafeMutablePointer<Float> {
            norm.apply(sum, rows: rows, adding: residual)
            return sum
        }

        mutating func gelu(_ x: UnsafeMutablePointer<Float>, result: EncoderIntermediate) -> UnsafeMutablePointer<Float> {
            Activation.geluErfParallel(x, count: rows * scratch.intermediate)
            return x
        }

        /// The buffers of one forward pass.
        private final class Scratch {
            let qkv, context, attentionSum, inner, spare: UnsafeMutablePointer<Float>
            let intermediate: Int

            init(rows: Int, hidden: Int, intermediate: Int) {
                self.intermediate = intermediate
                let n = max(rows, 1)
                qkv = .allocate(capacity: n * 3 * hidden)
                context = .allocate(capacity: n * hidden)
                attentionSum = .allocate(capacity: n * hidden)
                inner = .allocate(capacity: n * intermediate)
                spare = .allocate(capacity: n * hidden)
            }

            deinit {
                for buffer in [qkv, context, attentionSum, inner, spare] { buffer.deallocate() }
            }
        }
    }
}

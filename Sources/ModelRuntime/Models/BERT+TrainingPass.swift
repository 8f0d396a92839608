extension BERT {
    /// Registers the training parts in a `ParameterSet`, read from a checkpoint (with or without
    /// its `bert.` prefix): dense weights `.decayed`, biases and LayerNorm γ/β `.undecayed`.
    struct TrainingParts<Source: WeightSource>: EncoderParts {
        typealias Pass = TrainingPass
        let parameters: ParameterSet
        let weights: Source
        let config: Config
        let prefix: String

        init(parameters: ParameterSet, weights: Source, config: Config) {
            self.parameters = parameters
            self.weights = weights
            self.config = config
            prefix = weights.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        }

        func projection(query: String, key: String, value: String) throws -> [TrainingPass.Dense] {
            try [query, key, value].map { try dense($0, out: config.hiddenSize, in: config.hiddenSize) }
        }

        func dense(_ name: String, out: Int, in: Int) throws -> TrainingPass.Dense {
            TrainingPass.Dense(
                weight: try parameters.add(prefix + name + ".weight", shape: [out, `in`], from: weights, kind: .decayed),
                bias: try parameters.add(prefix + name + ".bias", shape: [out], from: weights, kind: .undecayed),
                inFeatures: `in`, outFeatures: out)
        }

        func norm(_ name: String) throws -> TrainingPass.Norm {
            let h = config.hiddenSize
            return TrainingPass.Norm(
                weight: try parameters.add(prefix + name + ".weight", shape: [h], from: weights, kind: .undecayed),
                bias: try parameters.add(prefix + name + ".bias", shape: [h], from: weights, kind: .undecayed))
        }
    }

    /// The training `EncoderPass` over `rows` packed tokens of one layer: every intermediate is
    /// written to a tensor of its own and kept (`kept`) for backward, dropout applies with the
    /// layer's masks, and LayerNorm and GELU keep their inputs.
    struct TrainingPass: EncoderPass {
        /// A dense layer's parameters.
        struct Dense {
            let weight, bias: ParameterSet.Handle
            let inFeatures, outFeatures: Int
        }

        /// A LayerNorm's γ and β.
        struct Norm {
            let weight, bias: ParameterSet.Handle
        }

        let parameters: ParameterSet
        let rows: Int
        let config: Config
        /// `[rows · hidden]` each (empty: no dropout).
        let dropout: (attention: [Float], output: [Float])
        /// Every intermediate of the layer, `[rows, width]`.
        private(set) var kept: [EncoderIntermediate: Tensor] = [:]

        init(parameters: ParameterSet, rows: Int, config: Config, dropout: (attention: [Float], output: [Float])) {
            self.parameters = parameters
            self.rows = rows
            self.config = config
            self.dropout = dropout
        }

        /// A new tensor kept as `role`. It is never changed through `Tensor`'s API afterwards, so
        /// its storage stays where the returned pointer points.
        mutating func buffer(_ role: EncoderIntermediate, width: Int) -> UnsafeMutablePointer<Float> {
            let tensor = Tensor(zeros: [rows, width])
            kept[role] = tensor
            return tensor.storage.base
        }

        /// Q, K and V, each written to its column block of the fused buffer.
        func project(_ projection: [Dense], _ x: UnsafePointer<Float>, into qkv: UnsafeMutablePointer<Float>) {
            let h = config.hiddenSize
            for (j, part) in projection.enumerated() { apply(part, x, into: qkv + j * h, stride: 3 * h) }
        }

        func dense(_ dense: Dense, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
            apply(dense, x, into: y, stride: nil)
        }

        private func apply(_ dense: Dense, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, stride: Int?) {
            LinearKernel.forward(x, rows: rows, inFeatures: dense.inFeatures, outFeatures: dense.outFeatures,
                                 weight: parameters.value(dense.weight).baseAddress!,
                                 bias: parameters.value(dense.bias).baseAddress!, output: y, outputStride: stride)
        }

        mutating func dropout(_ site: EncoderDropoutSite, _ x: UnsafeMutablePointer<Float>) {
            Dropout.apply(site == .attention ? dropout.attention : dropout.output, to: x)
        }

        /// Adds in place (`sum` stays kept as the LayerNorm's input) and normalises a copy.
        mutating func addNorm(_ norm: Norm, sum: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>,
                              result: EncoderIntermediate) -> UnsafeMutablePointer<Float> {
            let h = config.hiddenSize
            Residual.add(sum, residual, count: rows * h)
            let out = buffer(result, width: h)
            out.update(from: sum, count: rows * h)
            LayerNormKernel.apply(out, rows: rows, width: h, gamma: parameters.value(norm.weight).baseAddress!,
                                  beta: parameters.value(norm.bias).baseAddress!, epsilon: config.layerNormEps)
            return out
        }

        /// GELU of a copy (`x` stays kept as the pre-activation).
        mutating func gelu(_ x: UnsafeMutablePointer<Float>, result: EncoderIntermediate) -> UnsafeMutablePointer<Float> {
            let count = rows * config.intermediateSize
            let out = buffer(result, width: config.intermediateSize)
            out.update(from: x, count: count)
            Activation.geluErfParallel(out, count: count)
            return out
        }
    }

    /// What one layer's forward pass keeps: its input, every intermediate, the dropout masks.
    struct LayerTape {
        let lengths: [Int]
        /// `[n, hidden]`
        let input: Tensor
        let kept: [EncoderIntermediate: Tensor]
        /// The dropout masks after the two dense layers (empty: none).
        let dropout: (attention: [Float], output: [Float])

        subscript(_ role: EncoderIntermediate) -> Tensor { kept[role]! }
    }
}

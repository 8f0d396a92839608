import Foundation

/// The intermediates of one encoder layer's forward pass, each `[n, width]` for the `n` packed
/// tokens of a batch.
enum EncoderIntermediate: Hashable, Sendable {
    /// `[n, 3 · hidden]`: queries, keys, values per row.
    case qkv
    /// `[n, hidden]`: attention output before its dense layer.
    case context
    /// `[n, hidden]`: dense(context), then + the layer input (the attention LayerNorm's input).
    case attentionSum
    /// `[n, hidden]`: after the attention LayerNorm.
    case attended
    /// `[n, intermediate]`: before GELU.
    case preActivation
    /// `[n, intermediate]`: after GELU.
    case activation
    /// `[n, hidden]`: dense(activation), then + attended (the output LayerNorm's input).
    case outputSum
    /// `[n, hidden]`: the layer's output.
    case output
}

/// The two places BERT's hidden dropout applies: after a dense layer, before its residual add.
enum EncoderDropoutSite: Sendable {
    case attention, output
}

/// How one mode holds an encoder layer's parts and runs them: the inference pass reuses a few
/// buffers across layers, fuses each residual add into its LayerNorm and changes values in
/// place; the training pass writes every intermediate to memory of its own, keeps it for
/// backward, and applies dropout. `BERT.Layer` is written once against it.
protocol EncoderPass {
    /// Q, K and V projections (`[3 · hidden, hidden]` in all).
    associatedtype Projection
    /// A dense layer `y = x · Wᵀ + b`.
    associatedtype Dense
    /// A LayerNorm over `hidden`.
    associatedtype Norm

    /// Memory for `role`, `[n, width]`, contents undefined.
    mutating func buffer(_ role: EncoderIntermediate, width: Int) -> UnsafeMutablePointer<Float>
    /// `[n, hidden]` → `[n, 3 · hidden]`.
    func project(_ projection: Projection, _ x: UnsafePointer<Float>, into qkv: UnsafeMutablePointer<Float>)
    /// `[n, in]` → `[n, out]`.
    func dense(_ dense: Dense, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>)
    /// Hidden dropout on `x` `[n, hidden]` (nothing at inference).
    mutating func dropout(_ site: EncoderDropoutSite, _ x: UnsafeMutablePointer<Float>)
    /// `norm(sum + residual)` (`[n, hidden]` each): returns where the result is, `result`'s
    /// memory or `sum` itself.
    mutating func addNorm(_ norm: Norm, sum: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>,
                          result: EncoderIntermediate) -> UnsafeMutablePointer<Float>
    /// `gelu(x)` (`[n, intermediate]`): returns where the result is, `result`'s memory or `x` itself.
    mutating func gelu(_ x: UnsafeMutablePointer<Float>, result: EncoderIntermediate) -> UnsafeMutablePointer<Float>
}

/// Reads an encoder layer's parts for one mode from checkpoint names.
protocol EncoderParts {
    associatedtype Pass: EncoderPass
    func projection(query: String, key: String, value: String) throws -> Pass.Projection
    func dense(_ name: String, out: Int, in: Int) throws -> Pass.Dense
    func norm(_ name: String) throws -> Pass.Norm
}

extension BERT {
    /// One encoder layer (`encoder.layer.<i>`), post-LayerNorm as Hugging Face `BertLayer`:
    /// `x → LN(x + drop(Wo · attention(QKV · x))) = a → LN(a + drop(W2 · gelu(W1 · a)))`.
    /// Attention probabilities are not dropped.
    struct Layer<Pass: EncoderPass> {
        let qkv: Pass.Projection
        let attentionOutput: Pass.Dense
        let attentionNorm: Pass.Norm
        let intermediate: Pass.Dense
        let output: Pass.Dense
        let outputNorm: Pass.Norm

        /// Reads the parts named `<name>.attention.self.query`, ..., `<name>.output.LayerNorm`.
        init<Parts: EncoderParts>(_ parts: Parts, name: String, config: Config) throws where Parts.Pass == Pass {
            let h = config.hiddenSize, inner = config.intermediateSize
            qkv = try parts.projection(query: "\(name).attention.self.query", key: "\(name).attention.self.key",
                                       value: "\(name).attention.self.value")
            attentionOutput = try parts.dense("\(name).attention.output.dense", out: h, in: h)
            attentionNorm = try parts.norm("\(name).attention.output.LayerNorm")
            intermediate = try parts.dense("\(name).intermediate.dense", out: inner, in: h)
            output = try parts.dense("\(name).output.dense", out: h, in: inner)
            outputNorm = try parts.norm("\(name).output.LayerNorm")
        }

        /// - Parameters:
        ///   - x: `[n, hidden]`, the packed sequences of `lengths`
        /// - Returns: where the layer's output `[n, hidden]` is (memory of `pass`).
        func forward(_ x: UnsafePointer<Float>, lengths: [Int], config: Config,
                     _ pass: inout Pass) -> UnsafeMutablePointer<Float> {
            let h = config.hiddenSize
            let qkv = pass.buffer(.qkv, width: 3 * h)
            pass.project(self.qkv, x, into: qkv)
            let context = pass.buffer(.context, width: h)
            Attention.forward(qkv: qkv, lengths: lengths, heads: config.numAttentionHeads, headSize: config.headSize,
                              output: context)
            let attentionSum = pass.buffer(.attentionSum, width: h)
            pass.dense(attentionOutput, context, into: attentionSum)
            pass.dropout(.attention, attentionSum)
            let attended = pass.addNorm(attentionNorm, sum: attentionSum, residual: x, result: .attended)
            let preActivation = pass.buffer(.preActivation, width: config.intermediateSize)
            pass.dense(intermediate, attended, into: preActivation)
            let activation = pass.gelu(preActivation, result: .activation)
            let outputSum = pass.buffer(.outputSum, width: h)
            pass.dense(output, activation, into: outputSum)
            pass.dropout(.output, outputSum)
            return pass.addNorm(outputNorm, sum: outputSum, residual: attended, result: .output)
        }
    }
}

extension BERT.Layer: Sendable where Pass.Projection: Sendable, Pass.Dense: Sendable, Pass.Norm: Sendable {}

import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// `TrainableBERT` against PyTorch 2.13.0 / transformers 5.24.0
/// (`tools/fixtures/bert_train_golden.py`): one step of a 3-layer tiny BERT sentence classifier
/// (mean pooling, L2 normalisation, linear head, cross-entropy). Embeddings, logits and loss
/// must match within 1e-5, every gradient within 1e-4 relative to the largest gradient of its
/// tensor (plus 1e-6 absolute).
struct BERTTrainingTests {
    struct Golden: Decodable {
        let lengths: [Int]
        let inputIDs: [[Int32]]
        let tokenTypeIDs: [[Int32]]
        let labels: [Int]
        let classes: Int
        let headWeight, headBias, pooled, embeddings, logits: [Float]
        let loss: Float
        let embeddingsGradient, headWeightGradient, headBiasGradient: [Float]
        let gradients: [String: [Float]]
        enum CodingKeys: String, CodingKey {
            case lengths, labels, classes, pooled, embeddings, logits, loss, gradients
            case inputIDs = "input_ids", tokenTypeIDs = "token_type_ids", headWeight = "head_weight"
            case headBias = "head_bias", embeddingsGradient = "embeddings_gradient"
            case headWeightGradient = "head_weight_gradient", headBiasGradient = "head_bias_gradient"
        }

        var batch: BERT.PackedBatch {
            BERT.PackedBatch(ids: inputIDs.flatMap { $0 }, typeIDs: tokenTypeIDs.flatMap { $0 }, lengths: lengths)
        }
    }

    static let folder = Fixtures.url("bert/train_step")
    static let golden = try! Fixtures.json(Golden.self, "bert/train_step_golden.json")

    static func model(trainable: Int, normalizes: Bool = true, pooling: Pooling.Mode = .mean) throws -> TrainableBERT {
        let config = try BERT.Config.load(folder.appendingPathComponent("config.json"))
        return try TrainableBERT(config: config, weights: SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors")),
                                 trainableLayers: trainable, pooling: pooling, normalizes: normalizes)
    }

    @Test(arguments: [1, 2, 3])
    func trainingStepMatchesPyTorch(trainable: Int) throws {
        let g = Self.golden
        let model = try Self.model(trainable: trainable)
        let h = model.config.hiddenSize
        let (embeddings, tape) = model.forward(states: model.frozenStates(g.batch), lengths: g.lengths)
        ResNetTests.expectClose(embeddings.scalars, g.embeddings, "embeddings", tolerance: 1e-5)
        var logits = [Float](repeating: 0, count: g.lengths.count * g.classes)
        embeddings.withUnsafeBufferPointer {
            LinearKernel.forward($0.baseAddress!, rows: g.lengths.count, inFeatures: h, outFeatures: g.classes,
                                 weight: g.headWeight, bias: g.headBias, output: &logits)
        }
        ResNetTests.expectClose(logits, g.logits, "logits", tolerance: 1e-5)
        let (loss, logitsGradient) = CrossEntropyLoss.softmax(logits: Tensor(shape: [g.lengths.count, g.classes], values: logits),
                                                              labels: g.labels)
        #expect(abs(loss - g.loss) <= 1e-5, "loss \(loss) vs \(g.loss)")
        var dEmbeddings = [Float](repeating: 0, count: g.lengths.count * h)
        var dW = [Float](repeating: 0, count: g.headWeight.count), db = [Float](repeating: 0, count: g.classes)
        embeddings.withUnsafeBufferPointer { e in
            logitsGradient.withUnsafeBufferPointer { dy in
                LinearKernel.backward(e.baseAddress!, rows: g.lengths.count, inFeatures: h, outFeatures: g.classes,
                                      weight: g.headWeight, outputGradient: dy.baseAddress!, inputGradient: &dEmbeddings,
                                      weightGradient: &dW, biasGradient: &db)
            }
        }
        ResNetTests.expectClose(dEmbeddings, g.embeddingsGradient, "∂L/∂embeddings", tolerance: 1e-6)
        ResNetTests.expectClose(dW, g.headWeightGradient, "∂L/∂head.weight", tolerance: 1e-6)
        ResNetTests.expectClose(db, g.headBiasGradient, "∂L/∂head.bias", tolerance: 1e-6)

        model.parameters.zeroGradients()
        model.backward(tape, embeddingsGradient: Tensor(shape: [g.lengths.count, h], values: dEmbeddings))
        let p = model.parameters
        for (i, entry) in p.entries.enumerated() {
            let expected = try #require(g.gradients[entry.name], "\(entry.name) has no PyTorch gradient")
            let scale = expected.map(abs).max() ?? 0
            ResNetTests.expectClose(Array(p.gradient(ParameterSet.Handle(index: i))), expected, "∂L/∂\(entry.name)",
                                    tolerance: 1e-4 * scale + 1e-6)
        }
        // The top `trainable` layers, 16 tensors each, and nothing else.
        let trained = Set(p.entries.map { Int($0.name.split(separator: ".")[2])! })
        #expect(trained == Set((3 - trainable)..<3))
        #expect(p.entries.count == 16 * trainable)
    }

    /// The frozen states and the trained layers together are the inference encoder: the
    /// embedding equals `BERT.forward` + mean pooling + normalisation.
    @Test func forwardEqualsTheInferenceEncoder() throws {
        let g = Self.golden
        let model = try Self.model(trainable: 2)
        let config = model.config
        let bert = try BERT(config: config, weights: SafeTensorsFile(url: Self.folder.appendingPathComponent("model.safetensors")))
        let states = bert.forward(g.batch).scalars
        let embeddings = model.forward(states: model.frozenStates(g.batch), lengths: g.lengths).embeddings.scalars
        let h = config.hiddenSize
        var offset = 0
        for (b, length) in g.lengths.enumerated() {
            var v = [Float](repeating: 0, count: h)
            states.withUnsafeBufferPointer { s in
                v.withUnsafeMutableBufferPointer {
                    Pooling(mode: .mean, dimension: h).pool(s.baseAddress! + offset * h, length: length, width: h,
                                                             into: $0.baseAddress!)
                    Pooling.l2Normalize($0.baseAddress!, count: h)
                }
            }
            ResNetTests.expectClose(Array(embeddings[(b * h)..<((b + 1) * h)]), v, "sequence \(b)", tolerance: 1e-6)
            offset += length
        }
    }

    /// Whole-model central differences for every pooling mode, with and without normalisation and
    /// dropout (the same masks in every pass): the loss change along sampled parameters matches
    /// the analytic gradient.
    @Test(arguments: [(Pooling.Mode.mean, false, Float(0)), (.meanSqrtLength, true, 0), (.cls, false, 0), (.max, true, 0),
                      (.mean, true, 0.3)])
    func gradientsMatchFiniteDifferences(pooling: Pooling.Mode, normalizes: Bool, dropout: Float) throws {
        let g = Self.golden
        let model = try Self.model(trainable: 2, normalizes: normalizes, pooling: pooling)
        let h = model.config.hiddenSize
        let states = model.frozenStates(g.batch)
        let r = KernelReferenceTests.random(g.lengths.count * h, seed: 41)
        func forward() -> (embeddings: Tensor, tape: TrainableBERT.Tape) {
            var generator = SeededGenerator(seed: 5)
            return model.forward(states: states, lengths: g.lengths, dropout: dropout, using: &generator)
        }
        func loss() -> Double { GradientCheck.projection(forward().embeddings.scalars, r) }
        if dropout > 0 {
            let plain = model.forward(states: states, lengths: g.lengths).embeddings.scalars
            #expect(zip(plain, forward().embeddings.scalars).map { abs($0 - $1) }.max()! > 1e-3, "dropout changes nothing")
        }
        let (_, tape) = forward()
        model.parameters.zeroGradients()
        model.backward(tape, embeddingsGradient: Tensor(shape: [g.lengths.count, h], values: r))
        let compared = GradientCheck.expectParameterGradients(model.parameters, step: 1e-3,
                                                              positions: { Set([0, $0 / 3, $0 - 1]) }, "\(pooling)",
                                                              loss: loss)
        #expect(compared > 60)
    }

    @Test func dropoutMasksDropTheirShareAndKeepTheExpectation() {
        var generator = SeededGenerator(seed: 9)
        let mask = Dropout.mask(count: 20_000, probability: 0.1, using: &generator)
        let dropped = Double(mask.filter { $0 == 0 }.count) / Double(mask.count)
        #expect(abs(dropped - 0.1) < 0.01)
        #expect(Set(mask) == [0, 1 / Float(0.9)])
        #expect(Dropout.mask(count: 5, probability: 0, using: &generator).isEmpty)
    }

    /// A fine-tuned encoder written over the base folder loads with `SentenceEncoder` and embeds
    /// as the trained model does; untouched tensors and the side files are the base's.
    @Test func writtenFolderLoadsAsASentenceEncoder() throws {
        let base = Fixtures.url("bert/tiny")
        let config = try BERT.Config.load(base.appendingPathComponent("config.json"))
        let weights = try SafeTensorsFile(url: base.appendingPathComponent("model.safetensors"))
        let model = try TrainableBERT(config: config, weights: weights, trainableLayers: 1, normalizes: true)
        // Change the trained layer so that a folder that ignored it would embed differently.
        for value in model.parameters.allValues.indices { model.parameters.allValues[value] *= 1.25 }
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let folder = out.appendingPathComponent("encoder")
        try SentenceEncoder.writeFolder(base: base, replacements: model.parameters, metadata: ["trained_on": "test"], to: folder)

        let written = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        #expect(written.metadata == ["format": "pt", "trained_on": "test"])
        #expect(Set(written.entries.keys) == Set(weights.entries.filter { $0.value.dtype == .f32 }.keys))
        #expect(try written.tensor("encoder.layer.0.output.dense.weight").scalars
                == weights.tensor("encoder.layer.0.output.dense.weight").scalars)
        for name in ["vocab.txt", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json"] {
            #expect(FileManager.default.contentsEqual(atPath: base.appendingPathComponent(name).path,
                                                      andPath: folder.appendingPathComponent(name).path), "\(name)")
        }

        let encoder = try SentenceEncoder(folder: folder)
        let texts = ["How do I reset my password?", "hello world"]
        let encodings = try texts.map(encoder.encodeTokens)
        let batch = BERT.PackedBatch(ids: encodings.flatMap(\.ids), typeIDs: encodings.flatMap(\.typeIDs),
                                     lengths: encodings.map(\.count))
        let trained = model.forward(states: model.frozenStates(batch), lengths: batch.lengths).embeddings.scalars
        let loaded = encoder.embed(encodings: encodings).flatMap { $0 }
        ResNetTests.expectClose(loaded, trained, "embeddings of the written folder", tolerance: 1e-5)
        let original = try SentenceEncoder(folder: base).embed(encodings: encodings).flatMap { $0 }
        #expect(zip(original, loaded).map { abs($0 - $1) }.max()! > 1e-3)
    }
}

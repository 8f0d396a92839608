import ArgumentParser
import Foundation
import ModelRuntime

/// `suite-bench cnn`: images/s of the suite's ResNet on one thread count — eval-mode inference
/// (`ResNet.forward`, batch norms folded) and training steps (`TrainableResNet` forward,
/// `CrossEntropyLoss`, backward, `AdamW`) — with the GFLOP/s they reach and the machine's
/// measured sgemm peak (`MatMul.gemm`, square matrices) on the same threads.
///
/// With `--export DIR` it first writes what tools/bench/peers/peer_cnn.py needs to measure the same
/// models on the same weights: `cnn-cases.json` (the cases below), `<model>.safetensors`
/// (torchvision names) and `<model>-check.safetensors` (a reference input and this suite's
/// eval-mode logits for it).
struct CNNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn", abstract: "CNN inference and training images/s, GFLOP/s and the sgemm peak.")
    @Option var runs = 5
    @Option var threads = 1
    @Option(help: "Minimum seconds per timed run (a batch is repeated to fill it).")
    var minSeconds = 1.0
    @Option(help: "Folder for the peers' cases, weights and reference logits.")
    var export: String?
    @Option(help: "Side of the square matrices of the sgemm peak.")
    var sgemm = 2048
    @Option(help: "Models to measure, comma-separated (default: all of \(CNNCase.all.map(\.name))).")
    var models: String?

    func run() throws {
        ComputeThreads.set(threads)
        let cases = try selectedCases()
        if let export { try CNNCase.export(cases, to: URL(fileURLWithPath: export)) }

        var modelInfo: [String: Any] = [:], inference: [[String: Any]] = [], training: [[String: Any]] = []
        for c in cases {
            let macs = c.config.multiplyAdds(height: c.side, width: c.side)
            let trainable = try c.trainable()
            modelInfo[c.name] = ["input": c.input, "forward_multiply_adds_per_image": macs,
                                 "parameters": trainable.parameters.trainableCount]
            let model = try trainable.inferenceModel()
            for batch in c.inferenceBatches {
                let images = c.images(batch: batch, stream: "bench/\(batch)")
                let rates = throughput(images: batch) { _ = model.forward(images) }
                inference.append(row(c.name, batch, rates, flopsPerImage: 2 * Double(macs)))
                log("\(c.name) inference batch \(batch), \(threads) thread(s): \(String(format: "%.1f", median(rates))) images/s")
            }
            if let batch = c.trainingBatch {
                let images = c.images(batch: batch, stream: "train")
                let labels = (0..<batch).map { $0 % c.config.classes }
                var optimizer = AdamW(weightDecay: CNNCase.weightDecay)
                let rates = throughput(images: batch) {
                    let (logits, tape) = trainable.forward(images)
                    let (_, gradient) = CrossEntropyLoss.softmax(logits: logits, labels: labels)
                    trainable.parameters.zeroGradients()
                    trainable.backward(tape, logitsGradient: gradient)
                    optimizer.step(trainable.parameters, learningRate: CNNCase.learningRate)
                }
                // A training step ≈ forward + two backward products of the same size: 3 × forward.
                training.append(row(c.name, batch, rates, flopsPerImage: 3 * 2 * Double(macs)))
                log("\(c.name) training batch \(batch), \(threads) thread(s): \(String(format: "%.1f", median(rates))) images/s")
            }
        }
        let peak = sgemmPeak()
        log("sgemm \(sgemm)³, \(threads) thread(s): \(String(format: "%.1f", median(peak))) GFLOP/s")
        try printJSON(["threads": threads, "runs": runs, "min_seconds": minSeconds, "blas_core": ComputeThreads.blasCore,
                       "models": modelInfo, "inference": inference, "training": training,
                       "sgemm": ["n": sgemm, "runs_gflops": peak, "median_gflops": median(peak)]])
    }

    func selectedCases() throws -> [CNNCase] {
        guard let models else { return CNNCase.all }
        return try models.split(separator: ",").map { name in
            guard let c = CNNCase.all.first(where: { $0.name == name }) else {
                throw ValidationError("unknown model '\(name)' (expected one of \(CNNCase.all.map(\.name)))")
            }
            return c
        }
    }

    /// Images/s of `runs` timed runs of `body` (one batch of `images`), after a warm-up call and
    /// a sizing call; each run repeats `body` until it lasts at least `minSeconds`.
    func throughput(images: Int, _ body: () -> Void) -> [Double] {
        body()
        let once = seconds(body)
        let iterations = max(1, Int((minSeconds / max(once, 1e-6)).rounded(.up)))
        return (0..<runs).map { _ in
            Double(images * iterations) / seconds { for _ in 0..<iterations { body() } }
        }
    }

    func row(_ model: String, _ batch: Int, _ rates: [Double], flopsPerImage: Double) -> [String: Any] {
        ["model": model, "batch": batch, "runs_images_per_s": rates, "median_images_per_s": median(rates),
         "median_gflops": median(rates) * flopsPerImage / 1e9]
    }

    /// GFLOP/s of `C = A · B` on `sgemm × sgemm` matrices, one value per run.
    func sgemmPeak() -> [Double] {
        let n = sgemm
        var generator = SeededGenerator(seed: 1, stream: "sgemm")
        let a = WeightInit.uniform(lower: -1, upper: 1).tensor([n, n], using: &generator)
        let b = WeightInit.uniform(lower: -1, upper: 1).tensor([n, n], using: &generator)
        var c = Tensor(zeros: [n, n])
        let flops = 2 * Double(n) * Double(n) * Double(n)
        return throughput(images: 1) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer {
                        MatMul.gemm(m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n,
                                    c: $0.baseAddress!, ldc: n)
                    }
                }
            }
        }.map { $0 * flops / 1e9 }
    }

    func log(_ message: String) { FileHandle.standardError.write(Data("[suite-bench cnn] \(message)\n".utf8)) }
}

/// One benchmarked model: its architecture, input and batch sizes. Both sides measure this
/// list (`cnn-cases.json`).
struct CNNCase {
    let name: String
    let config: ResNet.Config
    /// Square input side.
    let side: Int
    let inferenceBatches: [Int]
    let trainingBatch: Int?

    static let all = [
        // The shipped triage architecture (TrainingSettings.standard) on PneumoniaMNIST's 28×28.
        CNNCase(name: "triage", config: ResNet.Config(block: .basic, stem: .small, widths: [32, 64, 128],
                                                      depths: [2, 2, 2], inputChannels: 1, classes: 2),
                side: 28, inferenceBatches: [1, 64], trainingBatch: 64),
        // torchvision's resnet18.
        CNNCase(name: "resnet18", config: ResNet.Config(block: .basic, stem: .imagenet, widths: [64, 128, 256, 512],
                                                        depths: [2, 2, 2, 2], inputChannels: 3, classes: 1000),
                side: 224, inferenceBatches: [1, 16], trainingBatch: nil),
    ]
    static let seed: UInt64 = 2024
    static let learningRate: Float = 1e-3
    static let weightDecay: Float = 1e-4

    /// `[channels, side, side]`
    var input: [Int] { [config.inputChannels, side, side] }

    /// The network with fresh torchvision-initialised weights (the same for every run).
    func trainable() throws -> TrainableResNet {
        try TrainableResNet(config: config, weights: FreshWeights(
            seed: Self.seed, rule: FreshWeights.torchvisionResNet(classifierInFeatures: config.features)))
    }

    /// `[batch, channels, side, side]` standard-normal pixels.
    func images(batch: Int, stream: String) -> Tensor {
        var generator = SeededGenerator(seed: Self.seed, stream: "\(name)/\(stream)")
        return WeightInit.normal(mean: 0, std: 1).tensor([batch] + input, using: &generator)
    }

    /// Writes the cases, each model's weights and its reference logits into `folder`. Fresh
    /// running statistics (mean 0, variance 1) would make every eval-mode batch norm the identity,
    /// so they are first set from one train-mode pass over a random batch (momentum 1).
    static func export(_ cases: [CNNCase], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var entries: [[String: Any]] = []
        for c in cases {
            let network = try c.trainable()
            network.batchNormMomentum = 1
            _ = network.forward(c.images(batch: 4, stream: "statistics"))
            try SafeTensorsWriter.write(network.parameters.namedTensors(),
                                        to: folder.appendingPathComponent("\(c.name).safetensors"))
            let input = c.images(batch: 2, stream: "check")
            let logits = try network.inferenceModel().forward(input).logits
            try SafeTensorsWriter.write([("input", input), ("logits", logits)],
                                        to: folder.appendingPathComponent("\(c.name)-check.safetensors"))
            let architecture = try JSONSerialization.jsonObject(with: JSONEncoder().encode(c.config))
            entries.append(["name": c.name, "architecture": architecture, "input": c.input,
                            "inference_batches": c.inferenceBatches, "training_batch": c.trainingBatch ?? NSNull(),
                            "weights": "\(c.name).safetensors", "check": "\(c.name)-check.safetensors"])
        }
        let json = try JSONSerialization.data(withJSONObject: [
            "models": entries, "learning_rate": Double(learningRate), "weight_decay": Double(weightDecay),
        ], options: [.sortedKeys, .prettyPrinted])
        try json.write(to: folder.appendingPathComponent("cnn-cases.json"))
    }
}


import ArgumentParser
import Foundation
import ModelRuntime
import Tokenization

/// In-process measurements for `make bench` (release build). Each subcommand prints one JSON
/// object on stdout; tools/bench/run.sh puts them beside the Python peers' figures.
@main
struct SuiteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite-bench",
        abstract: "Benchmarks of the suite's shared modules (JSON on stdout).",
        subcommands: [EmbedBench.self, TokenizeBench.self, MemoryBench.self, VaultBench.self, AuditAppend.self, Reencrypt.self,
                      ImagingBench.self, CNNBench.self, AssistantServeBench.self, AssistantBatchBench.self, AssistantIndexBench.self,
                      AssistantRetrievalBench.self, AssistantRetrievalTuneBench.self, AssistantKBEvalBench.self])
}

struct DataOptions: ParsableArguments {
    @Option(help: "Sentence-transformers model folder.")
    var model: String = "models/all-MiniLM-L6-v2"

    @Option(help: "JSONL file with a \"text\" field per line.")
    var data: String = "../shared/data/banking77/train.jsonl"

    func texts() throws -> [String] {
        let content = try String(contentsOfFile: data, encoding: .utf8)
        return try content.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let text = object?["text"] as? String else { throw ValidationError("\(data): line without a text field") }
            return text
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

struct EmbedBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Sentences/s embedding the data set.")
    @OptionGroup var options: DataOptions
    @Option var runs = 5
    @Option var batch = 32
    @Option var threads = 1

    func run() throws {
        ComputeThreads.set(threads)
        let encoder = try SentenceEncoder(folder: URL(fileURLWithPath: options.model))
        let texts = try options.texts()
        _ = try encoder.embed(Array(texts.prefix(256)), batchSize: batch)  // warm-up
        var rates: [Double] = []
        for _ in 0..<runs {
            let t = try seconds { _ = try encoder.embed(texts, batchSize: batch) }
            rates.append(Double(texts.count) / t)
        }
        try printJSON(["threads": threads, "batch": batch, "sentences": texts.count,
                       "runs_sentences_per_s": rates, "median_sentences_per_s": median(rates)])
    }
}

struct TokenizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Tokens/s on one thread.")
    @OptionGroup var options: DataOptions
    @Option var runs = 5

    func run() throws {
        let tokenizer = try Tokenizer.load(folder: URL(fileURLWithPath: options.model))
        let texts = try options.texts()
        var tokens = 0
        for text in texts { tokens += try tokenizer.encode(text).count }  // warm-up and count
        var rates: [Double] = []
        for _ in 0..<runs {
            let t = try seconds { for text in texts { _ = try tokenizer.encode(text) } }
            rates.append(Double(tokens) / t)
        }
        try printJSON(["texts": texts.count, "tokens": tokens, "runs_tokens_per_s": rates,
                       "median_tokens_per_s": median(rates)])
    }
}

struct MemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Peak resident memory while embedding the data set once.")
    @OptionGroup var options: DataOptions
    @Option var batch = 32

    func run() throws {
        let texts = try options.texts()
        let baseline = peakResidentBytes()
        let encoder = try SentenceEncoder(folder: URL(fileURLWithPath: options.model))
        let encodings = try texts.map(encoder.encodeTokens)
        _ = encoder.embed(encodings: encodings, batchSize: batch)
        // Activations of the largest batch: the longest `batch` sequences, packed.
        let longest = encodings.map(\.count).sorted(by: >).prefix(batch)
        let tokens = longest.reduce(0, +), c = encoder.model.config
        let floats = tokens * (c.hiddenSize * 5 + c.intermediateSize) + (longest.first ?? 0) * (longest.first ?? 0) * 2
        let modelBytes = (try FileManager.default.attributesOfItem(
            atPath: URL(fileURLWithPath: options.model).appendingPathComponent("model.safetensors").path)[.size] as? Int) ?? 0
        try printJSON(["baseline_peak_rss_bytes": baseline, "peak_rss_bytes": peakResidentBytes(),
                       "model_file_bytes": modelBytes, "activation_bytes_one_batch": floats * 4,
                       "sentences": texts.count, "batch": batch])
    }

    func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}

import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with the sentence encoder; writes JSONL {\"text\", \"embedding\"} in input order.",
        discussion: """
            Reads one text per line from standard input, or the string field --field of each line of a \
            JSONL file given with --jsonl. Inputs longer than the model's max_seq_length (256 tokens for \
            all-MiniLM-L6-v2) are truncated, as sentence-transformers does. An invalid line stops the run \
            with its line number; every line before it has been written whole.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "Sentences per forward pass.")
    var batch: Int = 32

    @Option(help: ArgumentHelp("Read texts from this JSONL file instead of standard input.", valueName: "file"))
    var jsonl: String?

    @Option(help: "The JSONL field holding the text.")
    var field: String = "text"

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        threadOptions.apply()
        let encoder = try SentenceEncoder(folder: modelOptions.modelFolder())
        let reader = try jsonl.map { try LineReader(path: $0) } ?? LineReader(handle: .standardInput, source: "<stdin>")
        let source = TextSource(reader: reader, jsonField: jsonl == nil ? nil : field)
        let output = FileHandle.standardOutput
        let progress = standardErrorIsTerminal
        var done = 0
        // Chunks of several batches: sorting by length inside a chunk keeps padding-free
        // batches of similar lengths while memory stays bounded for any input size.
        while case let texts = try source.next(batch * 8), !texts.isEmpty {
            let vectors = try encoder.embed(texts, batchSize: batch)
            var chunk = ""
            for (text, vector) in zip(texts, vectors) {
                var line = JSONLine()
                line.string("text", text)
                line.floats("embedding", vector)
                chunk += line.finished() + "\n"
            }
            output.write(Data(chunk.utf8))
            done += texts.count
            if progress { FileHandle.standardError.write(Data("\rembedded \(done)".utf8)) }
        }
        if progress { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

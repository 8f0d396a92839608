import ArgumentParser
import AssistantCore
import Foundation
import Tokenization

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the WordPiece tokens of each text as one JSON object per line.",
        discussion: """
            Texts come from the arguments or, when there are none, one per line from standard input. \
            Offsets are [start, end) in Unicode code points of the input; special tokens have [0, 0]. \
            Neither the tokenizer file's truncation nor its padding is applied unless --max-length is given. \
            Use -- to end the options when a text starts with a dash.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("max-length"), help: "Truncate to this many tokens, special tokens included.")
    var maxLength: Int?

    @Argument(help: "Texts to tokenize (default: lines of standard input).")
    var texts: [String] = []

    func validate() throws {
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2 (room for [CLS] and [SEP])") }
    }

    func run() throws {
        let tokenizer = try Tokenizer.load(folder: modelOptions.modelFolder())
        let truncation = maxLength.map { Truncation(maxLength: $0) }
        let output = FileHandle.standardOutput
        func emit(_ text: String) throws {
            let encoding = try tokenizer.encode(text, truncation: truncation)
            var line = JSONLine()
            line.integers("ids", encoding.ids)
            line.strings("tokens", encoding.tokens)
            line.pairs("offsets", encoding.offsets.map { ($0.start, $0.end) })
            output.write(Data((line.finished() + "\n").utf8))
        }
        if texts.isEmpty {
            let reader = LineReader(handle: .standardInput, source: "<stdin>")
            while let text = try reader.next() { try emit(text) }
        } else {
            for text in texts { try emit(text) }
        }
    }
}

import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import SuiteFoundation

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Answer a ticket archive (JSONL or CSV with a text column) into JSONL, one line per row, in order.",
        discussion: """
            Each output line carries the row's file line ("row"), its own id (--id-field), the decision, the answer \
            text, the article and the sources. A row that cannot be used (invalid JSON, not UTF-8, a malformed CSV \
            record such as an unterminated quote) becomes an error line of its own; it never hides the rows after it. \
            Failed rows become error lines (and are named on stderr); the exit status is 3 when the output holds \
            error lines. After an interruption (even kill -9), --resume continues after the last complete output line, \
            without duplicates or gaps. Rows that failed for a transient reason (disk full, I/O error, store busy, \
            locked or read-only) carry "retry": true, and --resume runs them again, rewriting the output through a \
            temporary file that replaces it whole; rows that failed for their own sake (no usable text) stay error lines.
            """)

    @Option(help: ArgumentHelp("Ticket archive: .jsonl or .csv.", valueName: "file")) var input: String
    @Option(help: ArgumentHelp("Output JSONL.", valueName: "file")) var output: String
    @Option(help: "The text field (JSONL) or column (CSV).") var field = "text"
    @Option(name: .customLong("id-field"), help: "The field (JSONL) or column (CSV) holding each row's own id, copied to its output line.")
    var idField: String?
    @Option(help: ArgumentHelp("CSV field separator: one character, or 'tab'.", valueName: "char")) var delimiter = ","
    @Option(help: ArgumentHelp("Answer only shard I of N (0 ≤ I < N) of the rows, by position: row k belongs to shard (k − 1) mod N. "
                               + "Join the shards with `assistant merge`.", valueName: "I/N"))
    var shard: String?
    @Flag(help: "Continue an interrupted run into the same output.") var resume = false
    @Flag(name: .customLong("progress-lines"),
          help: "Print a progress line on stderr after every row, also when stderr is not a terminal (logs, supervisors).")
    var progressLines = false
    @OptionGroup var options: AnswererOptions

    /// `--delimiter` as a character.
    var separator: Character { delimiter == "tab" || delimiter == "\\t" ? "\t" : Character(delimiter) }

    func validate() throws {
        if let shard {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError("\(error)") }
        }
        guard delimiter == "tab" || delimiter == "\\t" || (delimiter.count == 1 && delimiter != "\"" && delimiter != "\n") else {
            throw ValidationError("--delimiter: one character other than a quote or a line break, or 'tab'; got '\(delimiter)'")
        }
        if !resume && FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output) exists: pass --resume to continue it, or choose another output")
        }
        if resume && !FileManager.default.fileExists(atPath: output) {
            throw ValidationError("--resume: \(output) does not exist, so there is nothing to continue: run without --resume to start it")
        }
    }

    func run() throws {
        let answerer = try options.makeAnswerer().answerer
        let source = try TicketSource(path: input, field: field, idField: idField, delimiter: separator)
        let terminal = standardErrorIsTerminal
        let started = Date()
        let interrupted = InterruptHint(
            "assistant: interrupted; \(output) keeps every complete line. Run the same command with --resume to continue it.")
        let summary = try withExtendedLifetime(interrupted) { try BatchRunner(answerer: answerer, actor: commandActor)
            .run(source: source, output: URL(fileURLWithPath: output), resume: resume, shard: try shard.map(Shard.init(parsing:)),
                 progress: { s in
                guard terminal || progressLines else { return }
                let rate = Double(s.rows - s.skipped) / max(Date().timeIntervalSince(started), 1e-3)
                let text = String(format: "rows %d: answered %d, escalated %d, failed %d (%.1f rows/s)",
                                  s.rows, s.answered, s.escalated, s.failed, rate)
                if terminal { FileHandle.standardError.write(Data(("\r" + text).utf8)) } else { printError("assistant: progress: " + text) }
            }, failure: { failure in
                let retry = failure.retryable ? " (transient: --resume runs it again)" : ""
                printError("\(terminal ? "\n" : "")assistant: \(input):\(failure.row): \(failure.reason)\(retry)")
            }) }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print(Self.report(summary, output: output))
        if summary.failed + summary.failedEarlier > 0 { throw ExitStatus.partial }
    }

    /// The summary line: `N rows (K already done, R retried): A answered, E escalated, F failed[, of
    /// which T can be retried with --resume][; P failed in an earlier run] → output`.
    static func report(_ s: BatchRunner.Summary, output: String) -> String {
        var text = "\(s.rows) rows (\(s.skipped) already done, \(s.retried) retried): \(s.answered) answered, "
            + "\(s.escalated) escalated, \(s.failed) failed"
        if s.retryable > 0 { text += ", of which \(s.retryable) can be retried with --resume" }
        if s.failedEarlier > 0 { text += "; \(s.failedEarlier) failed in an earlier run" }
        if s.otherShard > 0 { text += "; \(s.otherShard) rows left to other shards" }
        return text + " → \(output)"
    }
}

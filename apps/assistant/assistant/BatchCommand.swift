import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Answer a ticket archive (JSONL or CSV with a text column) into JSONL, one line per row, in order.",
        discussion: """
            Failed rows become error lines; the exit status is 3 when some rows failed. After an interruption \
            (even kill -9), --resume continues after the last complete output line, without duplicates or gaps.
            """)

    @Option(help: ArgumentHelp("Ticket archive: .jsonl or .csv.", valueName: "file")) var input: String
    @Option(help: ArgumentHelp("Output JSONL.", valueName: "file")) var output: String
    @Option(help: "The text field (JSONL) or column (CSV).") var field = "text"
    @Flag(help: "Continue an interrupted run into the same output.") var resume = false
    @Flag(name: .customLong("progress-lines"),
          help: "Print a progress line on stderr after every row, also when stderr is not a terminal (logs, supervisors).")
    var progressLines = false
    @OptionGroup var options: AnswererOptions

    func validate() throws {
        if !resume && FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output) exists: pass --resume to continue it, or choose another output")
        }
        if resume && !FileManager.default.fileExists(atPath: output) {
            throw ValidationError("--resume: \(output) does not exist, so there is nothing to continue: run without --resume to start it")
        }
    }

    func run() throws {
        let answerer = try options.makeAnswerer().answerer
        let source = try TicketSource(path: input, field: field)
        let terminal = standardErrorIsTerminal
        let started = Date()
        let interrupted = InterruptHint(
            "assistant: interrupted; \(output) keeps every complete line. Run the same command with --resume to continue it.")
        let summary = try withExtendedLifetime(interrupted) { try BatchRunner(answerer: answerer, actor: commandActor)
            .run(source: source, output: URL(fileURLWithPath: output), resume: resume) { s in
                guard terminal || progressLines else { return }
                let rate = Double(s.rows - s.skipped) / max(Date().timeIntervalSince(started), 1e-3)
                let text = String(format: "rows %d: answered %d, escalated %d, failed %d (%.1f rows/s)",
                                  s.rows, s.answered, s.escalated, s.failed, rate)
                if terminal { FileHandle.standardError.write(Data(("\r" + text).utf8)) } else { printError("assistant: progress: " + text) }
            } }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print("\(summary.rows) rows (\(summary.skipped) already done): \(summary.answered) answered, \(summary.escalated) escalated, \(summary.failed) failed → \(output)")
        if summary.failed > 0 { throw ExitStatus.partial }
    }
}

import ArgumentParser
import CommandLineSupport
import Foundation

@main
struct Assistant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant",
        abstract: "Answer support tickets from a knowledge base with a BERT sentence encoder.",
        version: "0.1.0",
        subcommands: [
            TokenizeCommand.self, EmbedCommand.self, IndexCommand.self, AskCommand.self, BatchCommand.self, TrainCommand.self, EvalCommand.self,
            FitPolicyCommand.self, MergeCommand.self,
            ServeCommand.self, TokensCommand.self,
            KeysCommand<AssistantProduct>.self, AuditCommand<AssistantProduct>.self, RecordsCommand<AssistantProduct>.self,
        ])

    /// `serve` is asynchronous; every other subcommand (and every parse error, --help,
    /// --version) takes the synchronous path with the suite's exit codes, unchanged.
    static func main() async {
        guard let command = try? parseAsRoot(), let serve = command as? ServeCommand else { mainWithSuiteExitCodes() }
        do {
            try await serve.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            printError("assistant: error: \(error)")
            Foundation.exit(ExitStatus.failure.rawValue)
        }
    }
}

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
            ServeCommand.self, TokensCommand<AssistantProduct>.self, ModelsCommand<AssistantProduct>.self,
            KeysCommand<AssistantProduct>.self, AuditCommand<AssistantProduct>.self, RecordsCommand<AssistantProduct>.self,
        ])

    static func main() async { await mainWithSuiteExitCodes(serving: ServeCommand.self) }
}

import ArgumentParser
import CommandLineSupport
import Imaging

@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Score chest radiographs for pneumonia and sort a worklist by urgency.",
        discussion: "Scores are decision support for a reader, not a diagnosis (docs/TRIAGE.md).",
        version: "0.1.0",
        subcommands: [
            ScanCommand.self, ExplainCommand.self, BatchCommand.self, WorklistCommand.self, ShowCommand.self, ReadCommand.self, MergeCommand.self,
            InspectCommand.self, ConvertCommand.self, TrainCommand.self, EvalCommand.self, CalibrateCommand.self,
            KeysCommand<TriageProduct>.self, AuditCommand<TriageProduct>.self, RecordsCommand<TriageProduct>.self, TokensCommand<TriageProduct>.self,
            ModelsCommand<TriageProduct>.self,
            ServeCommand.self, DemoInputsCommand.self,
        ])

    static func main() async {
        AllocatorTuning.keepLargeBuffersMapped()  // every command may decode large images
        await mainWithSuiteExitCodes(serving: ServeCommand.self)
    }
}

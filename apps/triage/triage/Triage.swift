import ArgumentParser
import CommandLineSupport

@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Score chest radiographs for pneumonia and sort a worklist by urgency.",
        discussion: "The worklist commands (scan, explain, batch, worklist) are not built yet.",
        version: "0.1.0",
        subcommands: [InspectCommand.self, ConvertCommand.self, TrainCommand.self, EvalCommand.self, CalibrateCommand.self, KeysCommand<TriageProduct>.self, AuditCommand<TriageProduct>.self, RecordsCommand<TriageProduct>.self])

    static func main() { mainWithSuiteExitCodes() }
}

import ArgumentParser
import CommandLineSupport

@main
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Score chest radiographs for pneumonia and sort a worklist by urgency.",
        discussion: "The scoring commands (scan, explain, batch, worklist, train, eval) are not built yet.",
        version: "0.1.0",
        subcommands: [InspectCommand.self, ConvertCommand.self, KeysCommand<TriageProduct>.self, AuditCommand<TriageProduct>.self, RecordsCommand<TriageProduct>.self])

    static func main() { mainWithSuiteExitCodes() }
}

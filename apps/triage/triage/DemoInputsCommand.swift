import ArgumentParser
import Foundation
import TriageCore

/// Hidden: writes the synthetic inputs `make demo` runs on.
struct DemoInputsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-inputs",
        abstract: "Write synthetic chest phantoms and edge-case files for the demo (not clinical images).",
        shouldDisplay: false)

    @Argument(help: "Folder to write into.") var directory: String
    @Option(help: "Width and height of each phantom.") var size = 256
    @Option(help: "Seed: the same seed writes the same files.") var seed: UInt64 = 2026
    @Option(help: ArgumentHelp("Also wrap each 8-bit gray PNG of this folder as a DX DICOM file (radiograph-NAME.dcm).",
                               valueName: "dir"))
    var radiographs: String?

    func validate() throws {
        if size < 16 || size > 4096 { throw ValidationError("--size must be in 16...4096") }
    }

    func run() throws {
        var written = try DemoInputs.write(to: URL(fileURLWithPath: directory), size: size, seed: seed)
        if let radiographs {
            written += try DemoInputs.wrapRadiographs(URL(fileURLWithPath: radiographs), into: URL(fileURLWithPath: directory), seed: seed)
        }
        let width = written.map(\.file.count).max() ?? 0
        for w in written {
            print("\(directory)/\(w.file.padding(toLength: width, withPad: " ", startingAt: 0))  \(w.purpose)")
        }
    }
}

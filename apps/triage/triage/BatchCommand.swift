import ArgumentParser
import CommandLineSupport
import Foundation
import ModelRuntime
import TriageCore
import RecordStore
import SuiteFoundation

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Score every image of a folder, .zip or .tar(.gz) into the store, with an optional report.",
        discussion: """
            Files are recognised by content; non-images are skipped and logged with the reason on standard \
            error. Each image is keyed by the SHA-256 of its bytes: an image this model already scored is not \
            scored again, so re-running the same command, or --resume after a kill, repeats and loses nothing. \
            --shard I/N scores only the images whose hash falls in part I of N (docs/TRIAGE.md); join the \
            stores of the shards with `triage merge`. Decoding runs on --workers threads while one inference \
            loop uses --threads BLAS threads (workers × threads ≤ cores). Identifying DICOM fields are sealed; \
            every score is audited. Exit status: 0 ok, 1 the input cannot be read, 3 some files failed.
            """)

    @Argument(help: "A folder (read recursively), a .zip, or a .tar / .tar.gz archive.") var input: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var model: TriageModelOptions
    @Option(help: ArgumentHelp("Write a report: .csv, .json (de-identified) or .html (worklist with thumbnails and heatmaps).",
                               valueName: "file"))
    var report: String?
    @Option(help: "Decoding threads (default: half the cores).") var workers: Int?
    @Option(help: "BLAS threads of the inference loop (default: cores / workers).") var threads: Int?
    @Flag(help: "Continue an interrupted run: the store in --home must exist already.") var resume = false
    @Flag(name: .customLong("progress-lines"),
          help: "Print the progress line on stderr each time more results are stored, also when stderr is not a terminal (logs, supervisors).")
    var progressLines = false
    @Option(help: ArgumentHelp("Score only part I (0-based) of N of the images, by content hash.", valueName: "I/N"))
    var shard: String?
    @Option(name: .customLong("ageing-hours"), help: "Hours of waiting that raise a study's urgency one level (report order).")
    var ageingHours: Double = WorklistPolicy.default.hoursPerLevel

    func validate() throws {
        _ = try plan()
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("\(error)") } }
        if let report { do { _ = try ReportWriter.Format(path: report) } catch { throw ValidationError("\(error)") } }
        if !(ageingHours > 0) { throw ValidationError("--ageing-hours must be positive") }
        if resume && !FileManager.default.fileExists(atPath: store.location(product: StudyStore.product).database.path) {
            throw ValidationError("--resume: there is no store to resume in \(store.location(product: StudyStore.product).home.path)")
        }
    }

    func plan() throws -> ComputePlan {
        do { return try ComputePlan(workers: workers, threads: threads, cores: ComputeThreads.available) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let studies = try StudyStore(location: store.location(product: StudyStore.product))
        let model = try model.load(registry: studies)
        let source = try InputSources.open(input)
        let options = BatchRunner.Options(plan: try plan(), shard: try shard.map { try Shard(parsing: $0) }, actor: commandActor)
        if resume {
            let done = try studies.completedHashes(modelID: model.id).count
            printError("triage: resuming: \(done) studies in the store already have a verdict from \(model.id)")
        }
        let terminal = standardErrorIsTerminal, line = BatchProgressLine()
        var lastReported = -1
        let interrupted = InterruptHint(
            "triage: interrupted; the verdicts stored so far are kept. Run the same command with --resume to continue.")
        let outcome = try withExtendedLifetime(interrupted) { try BatchRunner(model: model, store: studies, options: options).run(source, log: { event in
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            switch event {
            case .skipped(let name, let reason): printError("triage: skipped \(name): \(reason)")
            case .failed(let name, let reason):
                // Decoder errors already start with the file's name.
                printError("triage: failed \(name): \(reason.hasPrefix(name + ": ") ? String(reason.dropFirst(name.count + 2)) : reason)")
            case .warning(let message): printError("triage: warning: \(message)")
            }
        }, progress: { summary, fraction in
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line.render(summary, fraction: fraction)).utf8))
            } else if progressLines && summary.done != lastReported {
                lastReported = summary.done
                printError("triage: progress: " + line.render(summary, fraction: fraction))
            }
        }) }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        if let error = outcome.inputError { printError("triage: error: \(error)") }
        let s = outcome.summary
        var text = "\(input): \(s.seen) files: \(s.scored) scored, \(s.notAssessable) not assessable, \(s.alreadyDone) already done, "
            + "\(s.skipped) skipped, \(s.failed) failed"
        if let shard = options.shard { text += " (shard \(shard): \(s.otherShard) files belong to other shards)" }
        print(text + " → \(studies.secure.location.database.path)")
        if let report {
            let contents = try BatchReport(store: studies, hashes: outcome.hashes, model: model.id, summary: s,
                                           inputError: outcome.inputError, policy: WorklistPolicy(hoursPerLevel: ageingHours))
            try ReportWriter.write(contents, to: URL(fileURLWithPath: report), store: studies, view: model.spec.input,
                                   actor: commandActor)
            print("report: \(contents.studies.count) studies → \(report)")
        }
        if s.failed > 0 || outcome.inputError != nil { throw ExitStatus.partial }
    }
}

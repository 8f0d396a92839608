import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore
import Evaluation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a triage model on a labels CSV: AUC, accuracy, sensitivity/specificity at its threshold, F1, ECE, Brier.",
        discussion: """
            --labels is a CSV `file,label` (header row; paths relative to the CSV). --json prints one object with \
            the keys auc, accuracy, sensitivity, specificity, ece, n (and intervals, F1, Brier, confusion). \
            --write-card stores the figures as the model's validation figures and regenerates MODEL_CARD.md. \
            With --folds K instead of a model, cross-validates the training recipe (the flags of `triage train`) on \
            --labels: stratified folds, each tested on a model trained on K − 2 others and validated on the next one, \
            each fold written to --out as fold-I-of-K.json; once all K are there, the mean and 95% CI of every metric \
            and of each class's recall (summary.json). --fold I runs one fold only, so folds can run on separate \
            machines (a Kubernetes Indexed Job or a Slurm array) that share --out; folds already written are not run \
            again. docs/TRIAGE-MODEL.md.
            """)

    @OptionGroup var modelOptions: TriageModelOptions
    @Option(help: ArgumentHelp("Labels CSV.", valueName: "file")) var labels: String
    @Flag(help: "One JSON object.") var json = false
    @Flag(name: .customLong("write-card"), help: "Store these figures in model.json and rewrite MODEL_CARD.md.")
    var writeCard = false
    @Flag(name: .customLong("pointing-game"),
          help: "Also plant a synthetic opacity in each image labelled with the first (negative) label and report how often the heatmap's peak finds it (docs/TRIAGE.md).")
    var pointingGame = false
    @Option(name: .customLong("heatmap"),
            help: ArgumentHelp("With --pointing-game, the map method to measure: cam, grad-cam:<stage>, occlusion:<cell> (default: the shipped one).",
                               valueName: "method"))
    var heatmap: String?
    @Option(name: .customLong("pointing-target"),
            help: ArgumentHelp("With --pointing-game, whose map must point at the opacity: decision (what explain shows) or finding (the positive class's margin).",
                               valueName: "target"))
    var pointingTarget: String = HeatmapTarget.decision.rawValue
    @Option(help: "Cross-validate the training recipe with this many stratified folds (3 or more).") var folds: Int?
    @Option(help: "With --folds: run only this fold (0 ..< K).") var fold: Int?
    @Option(help: ArgumentHelp("With --folds: the folder of the fold results and the summary.", valueName: "dir")) var out: String?
    @OptionGroup var recipe: TriageTrainingOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        guard let folds else {
            if fold != nil || out != nil { throw ValidationError("--fold and --out go with --folds") }
            return
        }
        if folds < TriageCrossValidation.minimumFolds { throw ValidationError("--folds must be at least \(TriageCrossValidation.minimumFolds)") }
        if let fold, !(0..<folds).contains(fold) { throw ValidationError("--fold must be in 0..<\(folds)") }
        if out == nil { throw ValidationError("--folds needs --out DIR for the fold results") }
        if modelOptions.model != nil || writeCard || pointingGame {
            throw ValidationError("--folds trains its own models: --model, --write-card and --pointing-game do not apply")
        }
    }

    func run() throws {
        threadOptions.apply()
        if let folds, let out {
            try crossValidate(k: folds, out: out)
            return
        }
        let folder = try modelOptions.folder()
        let triageModel = try TriageModel.load(directory: folder)
        let (method, target) = try pointingOptions(triageModel.spec)
        let data = try LabelledImages(csv: labels, labels: triageModel.spec.labels)
        let report = try TriageEvaluator(model: triageModel).evaluate(data)
        let game = try pointingGame ? playPointingGame(triageModel, data, heatmap: method, target: target) : nil
        if json {
            print(try JSONOutput.string(EvalOutput(report: report, pointingGame: game)))
        } else {
            print("model \(triageModel.id)")
            print(report.text)
            if let g = game {
                print("heatmap: \(g.heatmap), the \(g.target)'s map")
                print(String(format: "pointing game: %d/%d hits (%.1f%%; a random peak: %.1f%%), opacity radius %.0f px, amplitude %.2f; score +%.3f on average",
                             g.hits, g.images, 100 * g.hitRate, 100 * g.chance, g.radius, g.amplitude, g.meanScoreChange))
                print(String(format: "deletion faithfulness on the same maps: top 10%% masked drops the confidence by %.3f (random pixels: %.3f)",
                             g.meanDeletionDrop, g.meanRandomDrop))
            }
        }
        if writeCard {
            var spec = triageModel.spec
            spec.validation = report
            try ModelFolderWriter.rewriteCard(spec: spec, in: folder)
            printError("wrote \(folder.appendingPathComponent(TriageModel.cardFile).path)")
        }
    }
}

extension EvalCommand {
    /// `--heatmap` and `--pointing-target`, checked before anything runs.
    func pointingOptions(_ spec: TriageModelSpec) throws -> (HeatmapMethod, HeatmapTarget) {
        var method = HeatmapMethod.shipped
        if let heatmap {
            guard let parsed = HeatmapMethod(heatmap) else {
                throw ValidationError("--heatmap \(heatmap): expected cam, grad-cam:<stage> or occlusion:<cell>")
            }
            guard parsed.fits(spec) else {
                throw ValidationError("--heatmap \(heatmap): no such stage, or a cell that does not divide the \(spec.input.width)×\(spec.input.height) input")
            }
            method = parsed
        }
        guard let target = HeatmapTarget(rawValue: pointingTarget) else {
            throw ValidationError("--pointing-target \(pointingTarget): expected decision or finding")
        }
        return (method, target)
    }

    /// The pointing game on the rows labelled with the model's first (negative) label.
    func playPointingGame(_ model: TriageModel, _ data: LabelledImages, heatmap: HeatmapMethod,
                          target: HeatmapTarget) throws -> PointingGame {
        let negatives = data.rows.filter { $0.label == 0 }
        guard !negatives.isEmpty else { throw ValidationError("--pointing-game needs images labelled '\(model.spec.labels[0])' in \(labels)") }
        let inputs = try negatives.map { try model.prepare(try Data(contentsOf: $0.url), file: $0.url.path) }
        return PointingGame.play(model: model, inputs: inputs, heatmap: heatmap, target: target)
    }
}

/// `eval --json`: the report's keys, plus `pointing_game` when asked for.
private struct EvalOutput: Encodable {
    let report: EvaluationReport
    let pointingGame: PointingGame?

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(pointingGame, forKey: .pointingGame)
    }

    enum Key: String, CodingKey { case pointingGame = "pointing_game" }
}

extension EvalCommand {
    /// `--folds K`: runs the folds not yet written to `out` (or only `--fold I`), then, once all
    /// K are there, writes and prints the summary.
    func crossValidate(k: Int, out: String) throws {
        let command = (["triage"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let options = TriageTrainer.Options(settings: try recipe.settings(), command: command)
        let data = try LabelledImages(csv: labels, labels: options.labels)
        let folds: StratifiedFolds
        do {
            folds = try StratifiedFolds(labels: data.rows.map { options.labels[$0.label] }, k: k)
        } catch let error as EvaluationError {
            throw ValidationError("\(labels): \(error)")
        }
        let settings = try JSONOutput.string(options.settings)
        let folder = try CrossValidationFolder(path: out, k: k, fingerprint: TriageCrossValidation.fingerprint(data: data, k: k, settings: settings))
        try folder.run(fold.map { [$0] } ?? Array(0..<k), of: folds) { index in
            let printer = TrainingProgressPrinter(metricName: "validation AUC", folder: folder.scratch(index).path) { String(format: "%.4f", $0) }
            return try TriageCrossValidation.run(fold: index, of: folds, data: data, fingerprint: folder.fingerprint, options: options,
                                                 scratch: folder.scratch(index)) { event in
                if case .training(let event) = event { printer(event) }
            }
        }
        guard let summary = try folder.summary() else {
            print("\(try folder.writtenCount()) of \(k) folds written to \(out); the summary comes once every fold has run (--fold I)")
            return
        }
        if json {
            print(try JSONOutput.string(summary))
        } else {
            print("\(k)-fold cross-validation of \(labels) (\(summary.examples) images), percent:")
            print(summary.text(classFigure: "recall"))
        }
    }
}

import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a triage model on a labels CSV: AUC, accuracy, sensitivity/specificity at its threshold, F1, ECE, Brier.",
        discussion: """
            --labels is a CSV `file,label` (header row; paths relative to the CSV). --json prints one object with \
            the keys auc, accuracy, sensitivity, specificity, ece, n (and intervals, F1, Brier, confusion). \
            --write-card stores the figures as the model's validation figures and regenerates MODEL_CARD.md.
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
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
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

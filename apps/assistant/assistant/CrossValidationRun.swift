import ArgumentParser
import AssistantCore
import CommandLineSupport
import Evaluation
import Foundation
import ModelRuntime
import SuiteFoundation

/// `assistant eval --folds K`: runs the folds not yet written to `out` (or only `--fold I`),
/// then, once all K are there, writes and prints the summary.
struct CrossValidationRun {
    let command: EvalCommand
    let k: Int
    let out: URL

    func run() throws {
        let examples = try LabelledTextFile.load(command.examples)
        let folds: StratifiedFolds
        do {
            folds = try StratifiedFolds(labels: examples.map(\.intent), k: k)
        } catch let error as EvaluationError {
            throw ValidationError("\(command.examples): \(error)")
        }
        let encoderFolder = try command.modelOptions.modelFolder()
        let fineTuning = try command.recipe.fineTuning.map { try JSONOutput.string($0) } ?? "none"
        let settings = "encoder=\(ModelLocator.version(of: encoderFolder)) oos=\(command.oosLabel) "
            + "min_oos_recall=\(command.recipe.minOOSRecall) fine_tuning=\(fineTuning)"
        let fingerprint = IntentCrossValidation.fingerprint(examples: examples, k: k, settings: settings)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)

        for index in command.fold.map({ [$0] }) ?? Array(0..<k) {
            let file = foldFile(index)
            if let done = try written(file) {
                guard done.fingerprint == fingerprint else {
                    throw ValidationError("\(file.path) holds a fold of other data or another recipe: use another --out")
                }
                printError("fold \(index + 1)/\(k): written earlier (\(file.path))")
                continue
            }
            let (train, test) = folds.split(index)
            printError("fold \(index + 1)/\(k): training on \(train.count) examples, testing on \(test.count)")
            let request = IntentTrainingPipeline.Request(
                train: [], validation: nil, encoderFolder: encoderFolder,
                output: out.appendingPathComponent("fold-\(index)-of-\(k).model", isDirectory: true),
                options: command.recipe.headOptions(outOfScopeLabel: command.oosLabel), fineTuning: command.recipe.fineTuning,
                trainingSource: "\(command.examples) without fold \(index) of \(k)", validationSource: nil,
                command: (["assistant"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
            let result: IntentCrossValidation.Fold
            do {
                result = try IntentCrossValidation.run(fold: index, of: folds, examples: examples, fingerprint: fingerprint,
                                                       request: request, outOfScopeLabel: command.oosLabel)
            } catch TrainingError.invalidSetting(let option, let detail) {
                throw ValidationError("--\(option): \(detail)")
            }
            try Data(JSONOutput.string(result, pretty: true).utf8).write(to: file, options: .atomic)
            printError(String(format: "fold %d/%d: accuracy %.2f%%, in-scope accuracy %.2f%% → %@", index + 1, k,
                              100 * result.metrics["accuracy", default: 0], 100 * result.metrics["in_scope_accuracy", default: 0], file.path))
        }

        let done = try (0..<k).compactMap { try written(foldFile($0)) }.filter { $0.fingerprint == fingerprint }
        guard done.count == k else {
            print("\(done.count) of \(k) folds written to \(out.path); the summary comes once every fold has run (--fold I)")
            return
        }
        let summary = try IntentCrossValidation.Summary(done)
        let summaryFile = out.appendingPathComponent("summary.json")
        try Data(JSONOutput.string(summary, pretty: true).utf8).write(to: summaryFile, options: .atomic)
        if command.json {
            print(try JSONOutput.string(summary))
            return
        }
        print("\(k)-fold cross-validation of \(command.examples) (\(summary.examples) examples), percent:")
        print(FoldSpread.table(summary.metrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, scale: 100, digits: 2))
        let weakest = summary.intentF1.sorted { ($0.value.mean, $0.key) < ($1.value.mean, $1.key) }.prefix(10)
        print("the \(weakest.count) intents with the lowest mean F1 (all in \(summaryFile.path)), percent:")
        print(FoldSpread.table(weakest.map { ($0.key, $0.value) }, scale: 100, digits: 1))
    }

    func foldFile(_ index: Int) -> URL { out.appendingPathComponent("fold-\(index)-of-\(k).json") }

    /// The fold result in `file`, nil when it is not there.
    func written(_ file: URL) throws -> IntentCrossValidation.Fold? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(IntentCrossValidation.Fold.self, from: Data(contentsOf: file))
        } catch {
            throw ValidationError("\(file.path): not a fold result (\(error)); remove it or use another --out")
        }
    }
}

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
    let out: String

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
        let folder = try CrossValidationFolder(path: out, k: k,
                                               fingerprint: IntentCrossValidation.fingerprint(examples: examples, k: k, settings: settings))
        try folder.run(command.fold.map { [$0] } ?? Array(0..<k), of: folds) { index in
            let request = IntentTrainingPipeline.Request(
                train: [], validation: nil, encoderFolder: encoderFolder, output: folder.scratch(index),
                options: command.recipe.headOptions(outOfScopeLabel: command.oosLabel), fineTuning: command.recipe.fineTuning,
                trainingSource: "\(command.examples) without fold \(index) of \(k)", validationSource: nil,
                command: (["assistant"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
            do {
                return try IntentCrossValidation.run(fold: index, of: folds, examples: examples, fingerprint: folder.fingerprint,
                                                     request: request, outOfScopeLabel: command.oosLabel)
            } catch TrainingError.invalidSetting(let option, let detail) {
                throw ValidationError("--\(option): \(detail)")
            }
        }
        guard let summary = try folder.summary() else {
            print("\(try folder.writtenCount()) of \(k) folds written to \(out); the summary comes once every fold has run (--fold I)")
            return
        }
        if command.json {
            print(try JSONOutput.string(summary))
        } else {
            print("\(k)-fold cross-validation of \(command.examples) (\(summary.examples) examples), percent:")
            print(summary.text(classFigure: "F1"))
            print("(all intents in \(folder.summaryFile.path))")
        }
    }
}

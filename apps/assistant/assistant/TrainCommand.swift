import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the intent classifier head on frozen sentence embeddings; writes classifier.json and MODEL_CARD.md.",
        discussion: """
            Examples come from --examples (JSONL {"text","intent"}) or from a knowledge base (--kb: titles and example \
            questions labelled with each article's first intent). Without --val, a deterministic 15% of the examples \
            of each intent is held out for validation.
            """)

    @Option(help: ArgumentHelp("Labelled JSONL.", valueName: "file")) var examples: String?
    @Option(help: ArgumentHelp("Derive examples from this knowledge base instead.", valueName: "file")) var kb: String?
    @Option(help: ArgumentHelp("Validation JSONL.", valueName: "file")) var val: String?
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String
    @Option(name: .customLong("oos-label"), help: "The out-of-scope label in the data.") var oosLabel = "oos"
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if (examples == nil) == (kb == nil) { throw ValidationError("give exactly one of --examples and --kb") }
    }

    func run() throws {
        threadOptions.apply()
        var train = try examples.map(LabelledTextFile.load) ?? LabelledTextFile.examples(from: KnowledgeBaseFile.load(kb!))
        var validation: [LabelledText]
        if let val {
            validation = try LabelledTextFile.load(val)
        } else {
            // Every 7th example of each intent (from the second on) is held out: deterministic and stratified.
            var seen: [String: Int] = [:]
            var kept: [LabelledText] = []
            validation = []
            for e in train {
                seen[e.intent, default: 0] += 1
                if seen[e.intent]! % 7 == 2 { validation.append(e) } else { kept.append(e) }
            }
            train = kept
        }
        let folder = try modelOptions.modelFolder()
        let encoder = try SentenceEncoder(folder: folder)
        let started = Date()
        printError("embedding \(train.count) training and \(validation.count) validation examples")
        let trainVectors = try encoder.embed(train.map(\.text))
        let valVectors = try encoder.embed(validation.map(\.text))
        var options = IntentTrainer.Options()
        options.outOfScopeLabel = oosLabel
        let (classifier, report) = try IntentTrainer.train(
            train: Array(zip(trainVectors, train.map(\.intent))), validation: Array(zip(valVectors, validation.map(\.intent))),
            embeddingModel: ModelLocator.version(of: folder), options: options)
        let outURL = URL(fileURLWithPath: out)
        try classifier.write(folder: outURL)
        let command = (["assistant"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try IntentModelCard.write(classifier, report: report, trainingSource: examples ?? kb!, validationSource: val ?? "held out of the training examples",
                                  command: command, to: outURL)
        print(String(format: "trained %d intents in %.0f s: validation accuracy %.1f%%, in-scope accuracy %.1f%%%@ → %@",
                     classifier.labels.count, Date().timeIntervalSince(started), report.validationAccuracy * 100,
                     report.validationInScopeAccuracy * 100,
                     report.validationOutOfScopeRecall.map { String(format: ", OOS recall %.1f%%", $0 * 100) } ?? "", out))
    }
}

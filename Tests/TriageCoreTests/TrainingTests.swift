import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import TriageCore

/// `triage train` end to end on a tiny synthetic data set: the model folder it writes, that
/// `triage eval` reproduces its validation figures, and that an interrupted run resumes to the
/// very same weights as an uninterrupted one.
struct TrainingTests {
    static func options(epochs: Int = 3) -> TriageTrainer.Options {
        var settings = TrainingSettings.standard
        settings.epochs = epochs
        settings.batchSize = 8
        settings.learningRate = 5e-3
        settings.widths = [4, 8]
        settings.depths = [1, 1]
        settings.seed = 11
        return TriageTrainer.Options(settings: settings, inputSize: 12, command: "triage train (test)")
    }

    static func data(_ folder: URL) throws -> (LabelledImages, LabelledImages) {
        let labels = ["normal", "pneumonia"]
        return (try LabelledImages(csv: TinyRadiographs.write(into: folder, name: "train", count: 48, seed: 1), labels: labels),
                try LabelledImages(csv: TinyRadiographs.write(into: folder, name: "val", count: 24, seed: 2), labels: labels))
    }

    struct Interrupted: Error {}

    @Test func trainsWritesAModelFolderThatEvalReproduces() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (train, val) = try Self.data(folder)
        let out = folder.appendingPathComponent("model")
        var epochs: [Double] = []
        let spec = try TriageTrainer(options: Self.options()).run(train: train, validation: val, output: out) { event in
            if case .training(.epoch(_, _, _, let auc?, _, _)) = event { epochs.append(auc) }
        }
        #expect(epochs.count == 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["MODEL_CARD.md", "model.json", "weights.safetensors"], "left behind: \(names)")
        let model = try TriageModel.load(directory: out)
        #expect(model.spec == spec)
        let validation = try #require(spec.validation)
        #expect(validation.auc >= 0.9, "a blob detector should be learnt, AUC \(validation.auc)")
        #expect(validation.sensitivity >= OperatingThresholds.minimumSensitivity)
        #expect(spec.provenance?.validationAUCByEpoch == epochs)
        #expect(spec.provenance?.selectedEpoch == (epochs.firstIndex(of: epochs.max()!)! + 1))
        // `triage eval` on the validation split gives the figures stored at training time.
        let again = try TriageEvaluator(model: model).evaluate(val)
        #expect(abs(again.auc - validation.auc) < 1e-9 && again.confusion == validation.confusion)
        #expect(abs(again.ece - validation.ece) < 1e-6 && abs(again.brier - validation.brier) < 1e-6)
        let card = try String(contentsOf: out.appendingPathComponent("MODEL_CARD.md"), encoding: .utf8)
        #expect(card.contains("not a diagnostic device") && card.contains(String(format: "%.4f", validation.auc)))
    }

    @Test func anInterruptedRunResumesToTheSameWeights() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (train, val) = try Self.data(folder)
        let straight = folder.appendingPathComponent("straight"), resumed = folder.appendingPathComponent("resumed")
        let trainer = TriageTrainer(options: Self.options(epochs: 2))
        try trainer.run(train: train, validation: val, output: straight)
        #expect(throws: Interrupted.self) {
            try trainer.run(train: train, validation: val, output: resumed) { event in
                if case .training(.epoch(1, _, _, _, _, _)) = event { throw Interrupted() }
            }
        }
        #expect(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("checkpoint.safetensors").path))
        var resumedFrom: Int?
        try trainer.run(train: train, validation: val, output: resumed) { event in
            if case .training(.resumed(let done)) = event { resumedFrom = done }
        }
        #expect(resumedFrom == 1)
        let a = try SafeTensorsFile(url: straight.appendingPathComponent("weights.safetensors"))
        let b = try SafeTensorsFile(url: resumed.appendingPathComponent("weights.safetensors"))
        #expect(Set(a.entries.keys) == Set(b.entries.keys))
        for name in a.entries.keys { #expect(try a.tensor(name).scalars == b.tensor(name).scalars, "\(name) differs") }
        // A checkpoint from other settings is refused, not silently mixed.
        var other = Self.options(epochs: 2)
        other.settings.seed = 12
        #expect(throws: Interrupted.self) {
            try TriageTrainer(options: Self.options(epochs: 2)).run(train: train, validation: val,
                                                                   output: folder.appendingPathComponent("x")) { event in
                if case .training(.epoch(1, _, _, _, _, _)) = event { throw Interrupted() }
            }
        }
        #expect(throws: TrainingError.self) {
            try TriageTrainer(options: other).run(train: train, validation: val, output: folder.appendingPathComponent("x"))
        }
    }

    @Test func labelFilesAreCheckedWithLineNumbersBeforeTraining() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TinyRadiographs.write(into: folder, name: "t", count: 3, seed: 1)
        let labels = ["normal", "pneumonia"]
        func csv(_ text: String) throws -> String {
            let url = folder.appendingPathComponent("case.csv")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        func message(_ text: String) throws -> String {
            do { _ = try LabelledImages(csv: try csv(text), labels: labels); return "no error" } catch let e as LabelsError {
                return e.description
            }
        }
        #expect(try message("file,label\nt/img_0.png,pneumonia\nt/img_1.png,covid\n").hasSuffix("case.csv:3: unknown label 'covid' (expected normal or pneumonia)"))
        #expect(try message("file,label\nt/img_0.png,normal\nt/img_0.png,normal\n").contains(":3: 't/img_0.png' is listed twice (first on line 2)"))
        #expect(try message("file,label\nt/missing.png,normal\n").contains(":2: image 't/missing.png' not found"))
        #expect(try message("path,label\nt/img_0.png,normal\n").contains(":1: the header must name"))
        #expect(try message("file,label\nt/img_0.png,normal,extra\n").contains(":2: 3 fields, the header has 2"))
        #expect(try message("file,label\n").contains("no images listed"))
        #expect(throws: LabelsError.unreadable(path: "/no/such.csv")) { try LabelledImages(csv: "/no/such.csv", labels: labels) }
        #expect(try LabelledImages(csv: good, labels: labels).rows.count == 3)
        // An image that is not an image fails with its line, before any training.
        try Data("not a png".utf8).write(to: folder.appendingPathComponent("t/img_1.png"))
        let broken = try LabelledImages(csv: good, labels: labels)
        #expect {
            try TriageTrainer(options: Self.options()).run(train: broken, validation: broken, output: folder.appendingPathComponent("m"))
        } throws: { error in
            "\(error)".contains("t.csv:3: t/img_1.png")
        }
    }
}

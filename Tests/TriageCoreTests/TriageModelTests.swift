import DICOM
import Foundation
import Imaging
import ModelRuntime
import TestSupport
import Testing
@testable import TriageCore

/// Loading a model folder (errors naming the file and field or tensor), the input pipeline's
/// scope checks, and predictions (calibration, threshold, urgency, activation maps).
struct TriageModelTests {
    static let architecture = ResNet.Config(block: .basic, stem: .small, widths: [4, 8], depths: [1, 1],
                                            inputChannels: 1, classes: 2)

    static func spec(threshold: Double = 0.5) -> TriageModelSpec {
        TriageModelSpec(name: "test-model", architecture: architecture,
                        input: .init(width: 12, height: 12, mean: [0.4], std: [0.2]), labels: ["normal", "pneumonia"],
                        positiveLabel: "pneumonia", temperature: 2, threshold: threshold, thresholdRule: "test",
                        urgency: .init(priority: threshold, urgent: 0.9))
    }

    /// A random-weight model folder.
    static func folder(_ spec: TriageModelSpec = spec()) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let network = try TrainableResNet(config: spec.architecture,
                                          weights: FreshWeights(seed: 5, rule: FreshWeights.torchvisionResNet(classifierInFeatures: 8)))
        let weights = dir.appendingPathComponent("w.tmp")
        try SafeTensorsWriter.write(network.parameters.namedTensors(), to: weights)
        try ModelFolderWriter.write(spec: spec, weights: weights, to: dir)
        return dir
    }

    static func png(_ pixels: [UInt8], width: Int, height: Int, model: Image.ColorModel = .gray) throws -> Data {
        try PNGCodec.encode(Image(width: width, height: height, colorModel: model, samples: .uint8(pixels)))
    }

    @Test func predictsCalibratedScoresWithUrgencyAndActivationMaps() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TriageModel.load(directory: dir)
        #expect(model.id.hasPrefix("test-model-") && model.id.count == "test-model-".count + 12)
        let inputs = try (0..<3).map { i in
            let pixels: [UInt8] = (0..<1200).map { j -> UInt8 in UInt8((j * (i + 1)) % 256) }
            // Sawtooth test patterns (entropy ≈ 8 bits): the input gate would refuse them; this test is about scoring.
            return try InputPipeline(model.spec.input).prepare(try Self.png(pixels, width: 40, height: 30), file: "x\(i).png")
        }
        #expect(inputs[0].tensor.shape == [1, 12, 12] && inputs[0].display.width == 40)
        let predictions = model.predict(inputs)
        let raw = model.network.forward(TriageModel.stack(inputs.map(\.tensor))).logits.scalars
        for (n, p) in predictions.enumerated() {
            // softmax(z / T) with T = 2 from the spec
            let z = (Double(raw[2 * n + 1]) - Double(raw[2 * n])) / 2
            #expect(abs(p.score - 1 / (1 + exp(-z))) < 1e-6)
            #expect(abs(p.probabilities["normal"]! + p.probabilities["pneumonia"]! - 1) < 1e-12)
            #expect(p.positive == (p.score >= 0.5))
            #expect(p.urgency == (p.score >= 0.9 ? .urgent : p.score >= 0.5 ? .priority : .routine))
            #expect(p.camWidth == 6 && p.camHeight == 6 && p.cam.count == 36)
            // The map's mean plus the bias difference is the decided class's logit margin.
            let margin = p.positive ? raw[2 * n + 1] - raw[2 * n] : raw[2 * n] - raw[2 * n + 1]
            let bias = try SafeTensorsFile(url: dir.appendingPathComponent("weights.safetensors")).tensor("fc.bias").scalars
            let biasMargin = p.positive ? bias[1] - bias[0] : bias[0] - bias[1]
            #expect(abs(p.cam.reduce(0, +) / 36 + biasMargin - margin) < 1e-4)
        }
    }

    /// The batch path (`prepareWithThumbnail`: DICOM resized and reduced from its rows, in one
    /// pass when no crop is needed) gives the tensor and the thumbnail of `prepare`, exactly:
    /// square and non-square DICOM on the lookup path, DICOM on the general path (RLE), PNG.
    @Test func prepareWithThumbnailMatchesPrepare() throws {
        let synthetic = Fixtures.url("dicom/synthetic")
        var files = try ["mono1_explicit_nested.dcm", "mono16_bigendian.dcm", "signed12_implicit.dcm", "signed8_rle.dcm"].map {
            ($0, try Data(contentsOf: synthetic.appendingPathComponent($0)))
        }
        // With a VOI window these take the lookup path: MONOCHROME1, big endian (both 16 × 12).
        for name in ["mono1_explicit_nested.dcm", "mono16_bigendian.dcm"] {
            var file = try DICOMFile.read(contentsOf: synthetic.appendingPathComponent(name))
            file.dataSet.setString(.windowCenter, "90", vr: .DS)
            file.dataSet.setString(.windowWidth, "150", vr: .DS)
            files.append(("windowed " + name, try DICOMWriter.data(file)))
        }
        let side = 37, levels = (0..<(side * side)).map { Float(($0 * 7919) % 1000) / 999 }
        var generator = SeededGenerator(seed: 3)
        files.append(("phantom.dcm", try DICOMPhantom(pixels: levels, size: side, patient: "A^B", patientID: "1")
            .data(generator: &generator)))  // square, windowed
        files.append(("g.png", try Self.png((0..<(40 * 23)).map { UInt8($0 % 251) }, width: 40, height: 23, model: .gray)))
        for crop in [TriageModelSpec.Input.Crop.centerSquare, .none] {
            let pipeline = InputPipeline(.init(width: 12, height: 12, mean: [0.4], std: [0.2], crop: crop))
            for (name, data) in files {
                if name.hasPrefix("windowed") || name == "phantom.dcm" || name == "signed12_implicit.dcm" {
                    guard case .rows = try pipeline.decodeSource(data, file: name, limits: .default, fullResolution: false).gray else {
                        Issue.record("\(name) should be read by rows")
                        continue
                    }
                }
                let full = try pipeline.prepare(data, file: name)
                let batch = try pipeline.prepareWithThumbnail(data, file: name)
                #expect(batch.tensor.scalars == full.tensor.scalars, "\(name) \(crop)")
                #expect(batch.gray.uint8Samples == Thumbnail.make(full.gray).uint8Samples, "\(name) \(crop)")
            }
        }
    }

    @Test func refusesInputsOutsideTheModelsScope() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TriageModel.load(directory: dir)
        func reason(_ data: Data, _ file: String) -> String? {
            do { _ = try model.prepare(data, file: file); return nil } catch let e as NotAssessable { return e.reason } catch {
                return "other: \(error)"
            }
        }
        let colourPixels: [UInt8] = (0..<192).map { i -> UInt8 in i % 3 == 0 ? 250 : 10 }
        let colour = try Self.png(colourPixels, width: 8, height: 8, model: .rgb)
        #expect(reason(colour, "c.png") == "unsupported_photometry")
        let greyPixels: [UInt8] = (0..<192).map { i -> UInt8 in UInt8((i / 3) * 3 % 256) }
        let greyAsRGB = try Self.png(greyPixels, width: 8, height: 8, model: .rgb)
        // Grey stored as RGB is no photometry refusal; at 8×8 the input gate refuses it for its size.
        #expect(reason(greyAsRGB, "g.png") == "out_of_distribution")
        let synthetic = Fixtures.url("dicom/synthetic")
        #expect(reason(try Data(contentsOf: synthetic.appendingPathComponent("ybr_full_native.dcm")), "y.dcm") == "unsupported_photometry")
        var file = try DICOMFile.read(contentsOf: synthetic.appendingPathComponent("mono1_explicit_nested.dcm"))
        #expect(reason(try DICOMWriter.data(file), "m.dcm") == "out_of_distribution")  // in scope, but a tiny test frame
        file.dataSet.setString(.modality, "CT")
        #expect(reason(try DICOMWriter.data(file), "ct.dcm") == "not_radiograph")
        file.dataSet.setString(.modality, "DX")
        file.dataSet.setString(.viewPosition, "LL")
        #expect(reason(try DICOMWriter.data(file), "lat.dcm") == "lateral_view")
        #expect(throws: ImagingError.self) { try model.prepare(Data("hello".utf8), file: "note.txt") }
    }

    @Test func theShippedModelIsFoundAboveTheExecutable() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let executable = root.appendingPathComponent(".build/release/triage").path
        #expect(throws: TriageModelError.self) {
            try TriageModel.locateDefault(executable: executable, workingDirectory: "/")
        }
        let model = root.appendingPathComponent(TriageModel.defaultRelativePath)
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: model.appendingPathComponent(TriageModel.specFile))
        let found = try TriageModel.locateDefault(executable: executable, workingDirectory: "/")
        #expect(found.resolvingSymlinksInPath().path == model.resolvingSymlinksInPath().path)
    }

    @Test func badModelFoldersNameTheFileAndField() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let specURL = dir.appendingPathComponent("model.json")
        let original = try Data(contentsOf: specURL)
        func loadError(_ edit: (inout [String: Any]) -> Void) throws -> String {
            var object = try JSONSerialization.jsonObject(with: original) as! [String: Any]
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: specURL)
            defer { try? original.write(to: specURL) }
            do { _ = try TriageModel.load(directory: dir); return "loaded" } catch { return "\(error)" }
        }
        #expect(try loadError { $0["colour"] = "blue" }.contains("field 'colour': unknown field"))
        #expect(try loadError { $0["threshold"] = 1.5 }.contains("threshold: must be in 0…1"))
        #expect(try loadError { $0["labels"] = ["a", "b", "c"] }.contains("labels: 3 distinct labels needed for 2 classes"))
        #expect(try loadError { $0["positive_label"] = "covid" }.contains("positive_label"))
        #expect(try loadError { $0.removeValue(forKey: "temperature") }.contains("missing field 'temperature'"))
        #expect(try loadError {
            var input = $0["input"] as! [String: Any]
            input["resize"] = "lanczos"
            $0["input"] = input
        }.contains("field 'input.resize': unknown value 'lanczos'"))
        #expect(try loadError {
            var a = $0["architecture"] as! [String: Any]
            a["widths"] = [4, 16]
            $0["architecture"] = a
        }.contains("weights.safetensors"))
        #expect(try loadError { $0["format"] = 9 }.contains("format: unsupported version 9"))
        #expect(try loadError { _ in }.contains("loaded"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("weights.safetensors"))
        #expect(throws: TriageModelError.missingFile(path: dir.appendingPathComponent("weights.safetensors").path)) {
            try TriageModel.load(directory: dir)
        }
    }
}

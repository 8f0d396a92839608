public import Foundation
public import Imaging
public import ModelRuntime
public import SuiteFoundation

/// The `model.json` of a triage model folder (beside `weights.safetensors` and `MODEL_CARD.md`):
/// what the network is, what input it expects, how its output becomes a decision, and where
/// its figures came from. Written by `triage train`, read by every scoring command.
///
/// ```json
/// {"format": 1, "name": "pneumonia-resnet",
///  "architecture": {"block": "basic", "stem": "small", "widths": [32, 64, 128], "depths": [2, 2, 2],
///                   "input_channels": 1, "classes": 2},
///  "input": {"width": 28, "height": 28, "mean": [0.5], "std": [0.5], "resize": "bilinear", "crop": "center_square"},
///  "labels": ["normal", "pneumonia"], "positive_label": "pneumonia",
///  "logit_offsets": [0.6, -0.3], "temperature": 1.3, "threshold": 0.42, "threshold_rule": "...",
///  "urgency": {"priority": 0.42, "urgent": 0.9},
///  "validation": {...}, "provenance": {...}, "input_gate": {...}}
/// ```
/// Unknown keys and unknown values throw, naming the field. `input_gate` (`FeatureGate`, with
/// its optional `layout` and `framing` checks) is optional: a model without it gates its inputs
/// with the cheap checks (`InputChecks`) only.
public struct TriageModelSpec: Codable, Sendable, Equatable {
    static let formatVersion = 1

    /// How an image becomes the model input `[channels, height, width]`: grey levels in 0…1
    /// (8-bit / 255, 16-bit / 65535, DICOM through its VOI window with MONOCHROME1 inverted),
    /// the centre square cropped (`crop`), resized with `resize` (antialiased when reducing,
    /// as Pillow), then `(v − mean) / std`.
    public struct Input: Codable, Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var mean: [Float]
        public var std: [Float]
        public var resize: ResizeFilter
        public var crop: Crop

        /// What part of the image is kept before resizing.
        public enum Crop: String, Sendable, StrictStringEnum {
            /// The whole image, squashed to the input's aspect ratio.
            case none
            /// The centre square of a non-square image.
            case centerSquare = "center_square"
        }

        public init(width: Int, height: Int, mean: [Float], std: [Float], resize: ResizeFilter = .bilinear,
                    crop: Crop = .centerSquare) {
            self.width = width
            self.height = height
            self.mean = mean
            self.std = std
            self.resize = resize
            self.crop = crop
        }
    }

    /// Score thresholds of the urgency levels: `score ≥ urgent` → urgent, `score ≥ priority` →
    /// priority, else routine.
    public struct UrgencyThresholds: Codable, Sendable, Equatable {
        package var priority: Double
        package var urgent: Double
        public init(priority: Double, urgent: Double) {
            self.priority = priority
            self.urgent = urgent
        }
    }

    public var format: Int
    public var name: String
    public var architecture: ResNet.Config
    public var input: Input
    /// Class names in logit order.
    public var labels: [String]
    /// The finding the score is the probability of.
    public var positiveLabel: String
    /// Calibration, step 1: added to the logits (one per class) to undo a class-weighted loss,
    /// `log(K · π_c)` with the training prevalences `π_c` (zeros without class weighting).
    var logitOffsets: [Double]
    /// Calibration, step 2: probabilities are `softmax((logits + logitOffsets) / temperature)`.
    package var temperature: Double
    /// Operating threshold on the calibrated positive probability.
    public var threshold: Double
    /// How `threshold` was chosen (for the model card and reviewers).
    package var thresholdRule: String
    public var urgency: UrgencyThresholds
    /// Figures measured on the validation split by `triage train` (nil for an untrained spec).
    public var validation: EvaluationReport?
    /// How the model was made: command, seed, data, time (nil for an untrained spec).
    package var provenance: Provenance?
    /// The learned input gate: feature, layout and framing statistics and thresholds (nil: cheap checks only).
    package var inputGate: FeatureGate?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, name, architecture, input, labels
        case positiveLabel = "positive_label"
        case logitOffsets = "logit_offsets"
        case temperature, threshold
        case thresholdRule = "threshold_rule"
        case urgency, validation, provenance
        case inputGate = "input_gate"
    }

    public init(name: String, architecture: ResNet.Config, input: Input, labels: [String], positiveLabel: String,
                logitOffsets: [Double]? = nil, temperature: Double, threshold: Double, thresholdRule: String,
                urgency: UrgencyThresholds,
                validation: EvaluationReport? = nil, provenance: Provenance? = nil) {
        format = Self.formatVersion
        self.name = name
        self.architecture = architecture
        self.input = input
        self.labels = labels
        self.positiveLabel = positiveLabel
        self.logitOffsets = logitOffsets ?? Array(repeating: 0, count: labels.count)
        self.temperature = temperature
        self.threshold = threshold
        self.thresholdRule = thresholdRule
        self.urgency = urgency
        self.validation = validation
        self.provenance = provenance
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        name = try c.decode(String.self, forKey: .name)
        architecture = try c.decode(ResNet.Config.self, forKey: .architecture)
        input = try c.decode(Input.self, forKey: .input)
        labels = try c.decode([String].self, forKey: .labels)
        positiveLabel = try c.decode(String.self, forKey: .positiveLabel)
        logitOffsets = try c.decode([Double].self, forKey: .logitOffsets)
        temperature = try c.decode(Double.self, forKey: .temperature)
        threshold = try c.decode(Double.self, forKey: .threshold)
        thresholdRule = try c.decode(String.self, forKey: .thresholdRule)
        urgency = try c.decode(UrgencyThresholds.self, forKey: .urgency)
        validation = try c.decodeIfPresent(EvaluationReport.self, forKey: .validation)
        provenance = try c.decodeIfPresent(Provenance.self, forKey: .provenance)
        inputGate = try c.decodeIfPresent(FeatureGate.self, forKey: .inputGate)
    }

    /// Index of `positiveLabel` in `labels`.
    var positiveIndex: Int { labels.firstIndex(of: positiveLabel) ?? 0 }

    /// Reads and validates `model.json`.
    public static func load(_ url: URL) throws -> TriageModelSpec {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TriageModelError.missingFile(path: url.path)
        }
        let spec: TriageModelSpec
        do { spec = try JSONDecoder().decode(TriageModelSpec.self, from: data) } catch let error as DecodingError {
            throw TriageModelError.invalidSpec(path: url.path, detail: error.summary)
        }
        try spec.validate(path: url.path)
        return spec
    }

    /// Checks that the values fit together (called at load time and before writing).
    package func validate(path: String) throws {
        func bad(_ field: String, _ detail: String) -> TriageModelError {
            .invalidSpec(path: path, detail: "\(field): \(detail)")
        }
        guard format == Self.formatVersion else { throw bad("format", "unsupported version \(format) (expected \(Self.formatVersion))") }
        do { try architecture.validate(path: path) } catch let error as ModelError {
            throw TriageModelError.invalidSpec(path: path, detail: error.description)
        }
        guard labels.count == architecture.classes, Set(labels).count == labels.count else {
            throw bad("labels", "\(labels.count) distinct labels needed for \(architecture.classes) classes, got \(labels)")
        }
        guard labels.contains(positiveLabel) else { throw bad("positive_label", "'\(positiveLabel)' is not one of \(labels)") }
        guard input.width > 0, input.height > 0, input.width <= 4096, input.height <= 4096 else {
            throw bad("input", "size \(input.width)x\(input.height) out of range")
        }
        let channels = architecture.inputChannels
        guard [1, channels].contains(input.mean.count), [1, channels].contains(input.std.count) else {
            throw bad("input.mean/std", "one value or \(channels) values needed")
        }
        guard input.std.allSatisfy({ $0 > 0 && $0.isFinite }), input.mean.allSatisfy(\.isFinite) else {
            throw bad("input.std", "must be positive and finite")
        }
        guard logitOffsets.count == labels.count, logitOffsets.allSatisfy(\.isFinite) else {
            throw bad("logit_offsets", "one finite value per label needed, got \(logitOffsets)")
        }
        guard temperature > 0, temperature.isFinite else { throw bad("temperature", "must be positive, got \(temperature)") }
        guard (0...1).contains(threshold) else { throw bad("threshold", "must be in 0…1, got \(threshold)") }
        guard (0...1).contains(urgency.priority), (0...1).contains(urgency.urgent), urgency.priority <= urgency.urgent else {
            throw bad("urgency", "need 0 ≤ priority ≤ urgent ≤ 1, got \(urgency.priority), \(urgency.urgent)")
        }
        if let problem = inputGate?.problem(classes: architecture.classes, features: architecture.features, input: input) {
            throw bad("input_gate", problem)
        }
    }
}

extension TriageModelSpec.Input {
    public init(from decoder: any Decoder) throws {
        typealias K = TriageModelSpec.Input.CodingKeys
        try StrictKeys.check(decoder, known: ["width", "height", "mean", "std", "resize", "crop"])
        let c = try decoder.container(keyedBy: K.self)
        width = try c.decode(Int.self, forKey: .width)
        height = try c.decode(Int.self, forKey: .height)
        mean = try c.decode([Float].self, forKey: .mean)
        std = try c.decode([Float].self, forKey: .std)
        resize = try c.decode(ResizeFilter.self, forKey: .resize)
        crop = try c.decode(Crop.self, forKey: .crop)
    }
}

extension TriageModelSpec.UrgencyThresholds {
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, known: ["priority", "urgent"])
        let c = try decoder.container(keyedBy: CodingKeys.self)
        priority = try c.decode(Double.self, forKey: .priority)
        urgent = try c.decode(Double.self, forKey: .urgent)
    }
}

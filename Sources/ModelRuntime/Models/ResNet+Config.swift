public import Foundation
public import SuiteFoundation

extension ResNet {
    /// The `architecture` object of a model folder's `model.json`.
    ///
    /// ```json
    /// {"block": "basic", "stem": "small", "widths": [32, 64, 128], "depths": [2, 2, 2],
    ///  "input_channels": 1, "classes": 2}
    /// ```
    /// Unknown keys and unknown values throw, naming the field.
    public struct Config: Codable, Sendable, Equatable {
        public enum Block: String, Sendable, StrictStringEnum {
            /// Two 3×3 convolutions (ResNet-18/34).
            case basic
            /// 1×1 → 3×3 (strided) → 1×1 with 4× expansion (ResNet-50 and deeper; torchvision v1.5).
            case bottleneck

            /// Output channels of a block per unit of stage width.
            var expansion: Int { self == .basic ? 1 : 4 }
        }

        public enum Stem: String, Sendable, StrictStringEnum {
            /// 7×7 stride-2 convolution (padding 3) + BN + ReLU + 3×3 stride-2 max pool (padding 1),
            /// for 224×224 inputs.
            case imagenet
            /// 3×3 stride-1 convolution (padding 1) + BN + ReLU, no pooling, for small inputs such as 28×28.
            case small
        }

        public var block: Block
        public var stem: Stem
        /// Channels of each stage (the stem outputs `widths[0]`).
        public var widths: [Int]
        /// Blocks in each stage.
        public var depths: [Int]
        public var inputChannels: Int
        public var classes: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case block, stem, widths, depths, inputChannels = "input_channels", classes
        }

        public init(block: Block, stem: Stem, widths: [Int], depths: [Int], inputChannels: Int, classes: Int) {
            self.block = block
            self.stem = stem
            self.widths = widths
            self.depths = depths
            self.inputChannels = inputChannels
            self.classes = classes
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            block = try c.decode(Block.self, forKey: .block)
            stem = try c.decode(Stem.self, forKey: .stem)
            widths = try c.decode([Int].self, forKey: .widths)
            depths = try c.decode([Int].self, forKey: .depths)
            inputChannels = try c.decode(Int.self, forKey: .inputChannels)
            classes = try c.decode(Int.self, forKey: .classes)
        }

        /// Reads the `architecture` object of `model.json` (other top-level keys belong to the
        /// caller: input spec, labels, thresholds) and validates it.
        public static func load(modelJSON url: URL) throws -> Config {
            struct ModelFile: Decodable { let architecture: Config }
            let config = try decodeConfig(ModelFile.self, at: url).architecture
            try config.validate(path: url.path)
            return config
        }

        /// Checks the values the architecture depends on; called at load time, never in `forward`.
        public func validate(path: String) throws {
            func field(_ name: String, _ value: String) -> ModelError {
                .unsupported(path: path, field: "architecture.\(name)", value: value)
            }
            guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else { throw field("widths", "\(widths)") }
            guard depths.allSatisfy({ $0 > 0 }) else { throw field("depths", "\(depths)") }
            guard depths.count == widths.count else {
                throw ModelError.invalidConfig(
                    path: path, detail: "architecture: \(widths.count) widths but \(depths.count) depths")
            }
            guard inputChannels > 0 else { throw field("input_channels", String(inputChannels)) }
            guard classes > 0 else { throw field("classes", String(classes)) }
        }

        /// Channels of the last stage's output (the classifier's input).
        public var features: Int { widths[widths.count - 1] * block.expansion }
    }
}

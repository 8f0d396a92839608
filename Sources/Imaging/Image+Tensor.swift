public import ModelRuntime

extension Image {
    /// Per-channel normalisation, (v − mean[c]) / std[c], as torchvision's Normalize.
    /// `mean` and `std` have one value per channel (or one value for all).
    /// - Returns: planar `.float32`.
    public func normalized(mean: [Float], std: [Float]) -> Image {
        precondition((mean.count == 1 || mean.count == channels) && (std.count == 1 || std.count == channels),
                     "\(mean.count) means and \(std.count) stds for \(channels) channels")
        precondition(std.allSatisfy { $0 != 0 }, "zero std")
        guard case .float32(var a) = planarFloat().samples else { preconditionFailure("planarFloat returns floats") }
        let n = pixelCount
        a.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels {
                let m = mean.count == 1 ? mean[0] : mean[c]
                let inv = 1 / (std.count == 1 ? std[0] : std[c])
                for i in (c * n)..<((c + 1) * n) { p[i] = (p[i] - m) * inv }
            }
        }
        return Image(width: width, height: height, colorModel: colorModel, samples: .float32(a))
    }

    /// Multiplies every sample by `factor` (e.g. 1/255 to bring 8-bit values into 0…1).
    /// - Returns: planar `.float32`.
    public func scaled(by factor: Float) -> Image {
        guard case .float32(var a) = planarFloat().samples else { preconditionFailure("planarFloat returns floats") }
        a.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= factor } }
        return Image(width: width, height: height, colorModel: colorModel, samples: .float32(a))
    }

    /// The samples as a model input.
    /// - Returns: `[channels, height, width]` Float32 tensor (values as they are; normalise first).
    public func tensor() -> Tensor {
        guard case .float32(let a) = planarFloat().samples else { preconditionFailure("planarFloat returns floats") }
        return Tensor(shape: [channels, height, width]) { out in
            a.withUnsafeBufferPointer { src in
                if let s = src.baseAddress, let d = out.baseAddress { d.initialize(from: s, count: a.count) }
            }
        }
    }
}

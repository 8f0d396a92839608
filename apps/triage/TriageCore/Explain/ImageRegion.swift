/// A rectangle of an image, in pixels.
package struct ImageRegion: Sendable, Equatable {
    package let x: Int
    package let y: Int
    package let width: Int
    package let height: Int

    package init(x: Int, y: Int, width: Int, height: Int) {
        precondition(x >= 0 && y >= 0 && width > 0 && height > 0, "region \(width)x\(height)+\(x)+\(y)")
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The part of a `width` × `height` image that the model input shows, and so the part its
    /// activation map covers: the centre square for `crop: center_square` (torchvision's
    /// CenterCrop rounding, as `InputPipeline`), else the whole image.
    package static func modelView(_ input: TriageModelSpec.Input, width: Int, height: Int) -> ImageRegion {
        guard input.crop == .centerSquare, width != height else { return ImageRegion(x: 0, y: 0, width: width, height: height) }
        let side = min(width, height)
        return ImageRegion(x: Int((Double(width - side) / 2).rounded(.toNearestOrEven)),
                           y: Int((Double(height - side) / 2).rounded(.toNearestOrEven)), width: side, height: side)
    }
}

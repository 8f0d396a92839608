public import Foundation
public import Imaging

/// Turns a class activation map into pictures: the colour-mapped map at the image's size, or
/// the map blended over the (windowed) image.
package enum HeatmapRenderer {
    /// Weight of the colour at full saliency in an overlay; the colour's weight grows with the
    /// saliency, so regions that did not drive the decision show the image unchanged.
    static let overlayStrength: Float = 0.6

    /// - Parameters:
    ///   - display: the image as display gray, planar float 0…1 (`PreparedInput.display`); its
    ///     size is the output size; colour images are averaged to gray.
    ///   - region: the part of `display` the model saw (`ImageRegion.modelView`), which the map covers.
    ///   - overlay: blend over `display` (`out = (1 − a)·gray + a·viridis(s)`, `a = 0.6·s`) instead
    ///     of the colour map alone.
    /// - Returns: an 8-bit RGB image, `display.width` × `display.height`.
    package static func render(_ map: ActivationMap, over display: Image, region: ImageRegion, overlay: Bool) -> Image {
        let saliency = SaliencyMap(map, width: display.width, height: display.height, region: region)
        let gray = overlay ? Thumbnail.gray(display) : []
        let n = display.pixelCount
        let rgb = [UInt8](unsafeUninitializedCapacity: n * 3) { out, count in
            for i in 0..<n {
                let s = saliency.values[i], c = Viridis.color(s)
                var r = c.r, g = c.g, b = c.b
                if overlay {
                    let a = overlayStrength * s, v = gray[i] * (1 - a)
                    r = v + a * r; g = v + a * g; b = v + a * b
                }
                out[3 * i] = UInt8((min(max(r, 0), 1) * 255).rounded())
                out[3 * i + 1] = UInt8((min(max(g, 0), 1) * 255).rounded())
                out[3 * i + 2] = UInt8((min(max(b, 0), 1) * 255).rounded())
            }
            count = n * 3
        }
        return Image(width: display.width, height: display.height, colorModel: .rgb, samples: .uint8(rgb))
    }

    /// `render` encoded as PNG.
    package static func png(_ map: ActivationMap, over display: Image, region: ImageRegion, overlay: Bool) throws -> Data {
        try PNGCodec.encode(render(map, over: display, region: region, overlay: overlay))
    }
}

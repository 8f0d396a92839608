package import Foundation
import Imaging

/// A stored study's pictures: its thumbnail (8-bit gray PNG, longest side 128) and, when it was
/// scored, the heatmap blended over it (8-bit RGB PNG, same size). Pixels of the image: callers
/// audit what they show.
package struct StudyPictures: Sendable {
    package let thumbnail: Data
    package let heatmap: Data?

    /// - Parameter view: the model's input spec: which part of the thumbnail its map covers.
    /// - Returns: nil when the study has no thumbnail (an unreadable input).
    package static func load(id: String, store: StudyStore, view: TriageModelSpec.Input) throws -> StudyPictures? {
        guard let png = try store.thumbnail(id: id), let decoded = try? PNGCodec.decode(png, file: id) else { return nil }
        let shown = decoded.planarFloat().scaled(by: 1 / 255)
        let heatmap = try store.activation(id: id).map { map in
            try HeatmapRenderer.png(map, over: shown, region: ImageRegion.modelView(view, width: shown.width, height: shown.height),
                                    overlay: true)
        }
        return StudyPictures(thumbnail: png, heatmap: heatmap)
    }
}

import Foundation
import Imaging
import TestSupport

/// A tiny labelled data set written for the tests: `side`×`side` 8-bit grey PNGs of noise, the
/// `pneumonia` ones with a bright blob whose position and size vary. A model that learns
/// anything separates them; one that learns nothing scores AUC ≈ 0.5.
enum TinyRadiographs {
    /// Writes `count` images and `name.csv` into `folder`; returns the CSV's path.
    static func write(into folder: URL, name: String, count: Int, side: Int = 12, seed: UInt64) throws -> String {
        var generator = Generator(state: seed)
        let images = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var csv = "file,label\n"
        for i in 0..<count {
            let positive = i % 3 != 0  // about two thirds positive, like the real data
            var pixels = [UInt8](repeating: 0, count: side * side)
            let cx = Double(side) / 2 + Double(generator.next() % 3) - 1
            let cy = Double(side) / 2 + Double(generator.next() % 3) - 1
            let radius = Double(side) / 5 + Double(generator.next() % 2)
            for y in 0..<side {
                for x in 0..<side {
                    var v = 60 + Double(generator.next() % 60)
                    let d = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot()
                    if positive && d < radius { v += 110 }
                    pixels[y * side + x] = UInt8(min(255, v))
                }
            }
            let file = "\(name)/img_\(i).png"
            let png = try PNGCodec.encode(Image(width: side, height: side, colorModel: .gray, samples: .uint8(pixels)))
            try png.write(to: folder.appendingPathComponent(file))
            csv += "\(file),\(positive ? "pneumonia" : "normal")\n"
        }
        let url = folder.appendingPathComponent("\(name).csv")
        try csv.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
    }
}

import Foundation
import Imaging

/// Small gray previews for reports, by area averaging (each output pixel is the mean of the
/// source pixels it covers: cheap on 2048² radiographs and free of aliasing).
public enum Thumbnail {
    /// Longest side of stored thumbnails, in pixels.
    public static let maxSide = 128

    /// - Parameter image: gray levels as fractions of full scale: one channel of any sample type
    ///   (8-bit / 255, 16-bit / 65535, floats as they are, e.g. `PreparedInput.gray`), or a
    ///   colour image, whose channels are averaged. Gray images are read in place, without a
    ///   full-size float copy.
    /// - Returns: an 8-bit gray image whose longest side is at most `maxSide` (never enlarged).
    public static func make(_ image: Image, maxSide: Int = maxSide) -> Image {
        let scale = min(1, Double(maxSide) / Double(max(image.width, image.height)))
        let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
        let areas = AreaSums(width: image.width, height: image.height, outWidth: w, outHeight: h)
        let sums: [Double], maximum: Double
        switch image.channels == 1 ? image.samples : .float32(gray(image)) {
        case .uint8(let a): (sums, maximum) = (a.withUnsafeBufferPointer { areas.sums($0, UInt32.self) }, 255)
        case .uint16(let a): (sums, maximum) = (a.withUnsafeBufferPointer { areas.sums($0, UInt64.self) }, 65535)
        case .float32(let a): (sums, maximum) = (a.withUnsafeBufferPointer { areas.sums($0) }, 1)
        }
        let pixels = (0..<(w * h)).map { i in
            UInt8((min(max(sums[i] / (Double(areas.count(i)) * maximum), 0), 1) * 255).rounded())
        }
        return Image(width: w, height: h, colorModel: .gray, samples: .uint8(pixels))
    }

    /// `make` encoded as PNG.
    public static func png(_ image: Image) throws -> Data { try PNGCodec.encode(make(image)) }

    /// One gray value per pixel, 0…1, of display gray (planar float): the first plane, or the
    /// mean of three colour planes.
    static func gray(_ display: Image) -> [Float] {
        let planar = display.planarFloat()
        guard let a = planar.floatSamples else { return [] }
        let n = display.pixelCount
        if display.channels < 3 { return Array(a[0..<n]) }
        return (0..<n).map { (a[$0] + a[n + $0] + a[2 * n + $0]) / 3 }
    }
}

/// Sums of the source pixels over the output pixels' areas. Source column x falls in output
/// column `x * outWidth / width` (rows likewise), so each output pixel covers a block of
/// contiguous rows and columns: the block's rows are added column by column into one row of sums
/// (a loop that vectorises), then each output pixel adds its run of those column sums.
private struct AreaSums {
    let width: Int, height: Int, outWidth: Int, outHeight: Int
    /// Source columns `columnStart[j]..<columnStart[j + 1]` make output column j; rows likewise.
    let columnStart: [Int], rowStart: [Int]

    init(width: Int, height: Int, outWidth: Int, outHeight: Int) {
        self.width = width
        self.height = height
        self.outWidth = outWidth
        self.outHeight = outHeight
        columnStart = Self.starts(width, outWidth)
        rowStart = Self.starts(height, outHeight)
    }

    /// First source index of each output index (and `size` at the end), for `outSize` ≤ `size`.
    static func starts(_ size: Int, _ outSize: Int) -> [Int] {
        var starts = [Int](repeating: size, count: outSize + 1)
        for x in stride(from: size - 1, through: 0, by: -1) { starts[min(outSize - 1, x * outSize / size)] = x }
        for j in stride(from: outSize - 1, through: 0, by: -1) { starts[j] = min(starts[j], starts[j + 1]) }
        return starts
    }

    /// Source pixels in output pixel i.
    func count(_ i: Int) -> Int {
        let j = i % outWidth, r = i / outWidth
        return (rowStart[r + 1] - rowStart[r]) * (columnStart[j + 1] - columnStart[j])
    }

    /// Integer samples, summed in `Wide` (wide enough for one output pixel's block).
    func sums<T: FixedWidthInteger & UnsignedInteger, Wide: FixedWidthInteger & UnsignedInteger>(
        _ a: UnsafeBufferPointer<T>, _: Wide.Type) -> [Double] {
        let columns = UnsafeMutableBufferPointer<Wide>.allocate(capacity: width)
        defer { columns.deallocate() }
        return blocks { r in
            columns.initialize(repeating: 0)
            for y in rowStart[r]..<rowStart[r + 1] {
                let row = a.baseAddress! + y * width
                for x in 0..<width { columns[x] &+= Wide(row[x]) }
            }
            return { j in Double(columns[columnStart[j]..<columnStart[j + 1]].reduce(0, &+)) }
        }
    }

    /// Float samples: each column's run of rows summed in Float (a block is a few dozen rows of
    /// 0…1 levels at most: far inside Float's precision for an 8-bit result), the columns in Double.
    func sums(_ a: UnsafeBufferPointer<Float>) -> [Double] {
        let columns = UnsafeMutableBufferPointer<Float>.allocate(capacity: width)
        defer { columns.deallocate() }
        return blocks { r in
            columns.initialize(repeating: 0)
            for y in rowStart[r]..<rowStart[r + 1] {
                let row = a.baseAddress! + y * width
                for x in 0..<width { columns[x] += row[x] }
            }
            return { j in columns[columnStart[j]..<columnStart[j + 1]].reduce(0) { $0 + Double($1) } }
        }
    }

    /// `outWidth × outHeight` sums: `row(r)` adds up output row r's source rows and returns
    /// the sum of output pixel (r, j) for each column j.
    private func blocks(_ row: (Int) -> (Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: outWidth * outHeight)
        for r in 0..<outHeight {
            let sum = row(r)
            for j in 0..<outWidth { out[r * outWidth + j] = sum(j) }
        }
        return out
    }
}

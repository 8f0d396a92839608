public import Foundation
public import Imaging

/// Small gray previews for reports, by area averaging (each output pixel is the mean of the
/// source pixels it covers: cheap on 2048² radiographs and free of aliasing).
package enum Thumbnail {
    /// Longest side of stored thumbnails, in pixels.
    static let maxSide = 128

    /// - Parameter image: gray levels as fractions of full scale: one channel of any sample type
    ///   (8-bit / 255, 16-bit / 65535, floats as they are, e.g. `PreparedInput.gray`), or a
    ///   colour image, whose channels are averaged. Gray images are read in place, without a
    ///   full-size float copy.
    /// - Returns: an 8-bit gray image whose longest side is at most `maxSide` (never enlarged).
    package static func make(_ image: Image, maxSide: Int = maxSide) -> Image {
        let areas = AreaSums(width: image.width, height: image.height, maxSide: maxSide)
        switch image.channels == 1 ? image.samples : .float32(gray(image)) {
        case .uint8(let a): return areas.thumbnail(a.withUnsafeBufferPointer { areas.sums($0, UInt32.self) }, maximum: 255)
        case .uint16(let a): return areas.thumbnail(a.withUnsafeBufferPointer { areas.sums($0, UInt64.self) }, maximum: 65535)
        case .float32(let a):
            var builder = ThumbnailBuilder(width: image.width, height: image.height, maxSide: maxSide)
            a.withUnsafeBufferPointer { p in for y in 0..<image.height { builder.add(p.baseAddress! + y * image.width) } }
            return builder.image()
        }
    }

    /// `make(rows.image())`, the same pixels, reading one row at a time.
    /// - Parameter rows: gray levels 0…1.
    package static func make(_ rows: RowSource, maxSide: Int = maxSide) -> Image {
        var builder = ThumbnailBuilder(width: rows.width, height: rows.height, maxSide: maxSide)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: rows.width)
        defer { row.deallocate() }
        for y in 0..<rows.height {
            rows.row(y, into: row)
            builder.add(row)
        }
        return builder.image()
    }

    /// `make` encoded as PNG.
    package static func png(_ image: Image) throws -> Data { try PNGCodec.encode(make(image)) }

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

    /// The sums for a thumbnail whose longest side is at most `maxSide` (never enlarged).
    init(width: Int, height: Int, maxSide: Int) {
        let scale = min(1, Double(maxSide) / Double(max(width, height)))
        self.width = width
        self.height = height
        outWidth = max(1, Int((Double(width) * scale).rounded()))
        outHeight = max(1, Int((Double(height) * scale).rounded()))
        columnStart = Self.starts(width, outWidth)
        rowStart = Self.starts(height, outHeight)
    }

    /// The 8-bit thumbnail of `sums` of samples whose full scale is `maximum`: each pixel the
    /// mean of its area, clamped to 0…1, times 255, rounded.
    func thumbnail(_ sums: [Double], maximum: Double) -> Image {
        let pixels = (0..<(outWidth * outHeight)).map { i in
            UInt8((min(max(sums[i] / (Double(count(i)) * maximum), 0), 1) * 255).rounded())
        }
        return Image(width: outWidth, height: outHeight, colorModel: .gray, samples: .uint8(pixels))
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

/// `Thumbnail.make` of a float gray image (levels 0…1) whose rows are handed over one at a
/// time, top to bottom, each once (e.g. as a resampler reads them): each output row's source
/// rows are added column by column in Float (a block is a few dozen rows of 0…1 levels at most:
/// far inside Float's precision for an 8-bit result), then each pixel's columns in Double.
struct ThumbnailBuilder {
    private let areas: AreaSums
    private var columns: [Float]
    private var sums: [Double]
    /// The next source row expected, and the output row it falls in.
    private var row = 0, outRow = 0

    init(width: Int, height: Int, maxSide: Int = Thumbnail.maxSide) {
        areas = AreaSums(width: width, height: height, maxSide: maxSide)
        columns = [Float](repeating: 0, count: width)
        sums = [Double](repeating: 0, count: areas.outWidth * areas.outHeight)
    }

    /// Adds the next row (`width` samples).
    mutating func add(_ samples: UnsafePointer<Float>) {
        precondition(row < areas.height, "more than \(areas.height) rows")
        while row >= areas.rowStart[outRow + 1] { finishRow() }
        columns.withUnsafeMutableBufferPointer { c in for x in 0..<areas.width { c[x] += samples[x] } }
        row += 1
    }

    /// The thumbnail, once every row was added.
    mutating func image() -> Image {
        precondition(row == areas.height, "\(row) of \(areas.height) rows added")
        while outRow < areas.outHeight { finishRow() }
        return areas.thumbnail(sums, maximum: 1)
    }

    private mutating func finishRow() {
        for j in 0..<areas.outWidth {
            sums[outRow * areas.outWidth + j] = columns[areas.columnStart[j]..<areas.columnStart[j + 1]].reduce(0) { $0 + Double($1) }
        }
        for x in columns.indices { columns[x] = 0 }
        outRow += 1
    }
}

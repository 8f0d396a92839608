import Foundation
import Imaging
import TestSupport

/// `Tests/Fixtures/imaging/golden.json`, written by tools/fixtures/imaging_golden.py (Pillow 13.0.0).
struct ImagingGolden: Decodable {
    struct Decoded: Decodable, CustomTestStringConvertible {
        let file: String
        let width: Int
        let height: Int
        let colorModel: String
        let bitDepth: Int
        let expected: String
        let minimumSize: [Int]?
        let keepCMYK: Bool?
        var testDescription: String { file }
    }

    struct Resize: Decodable, CustomTestStringConvertible {
        let source: String
        let sourceWidth: Int
        let sourceHeight: Int
        let channels: Int
        let float: Bool
        let width: Int
        let height: Int
        let filter: String
        let expected: String
        var testDescription: String { "\(source) → \(width)x\(height) \(filter)" }
    }

    let png: [Decoded]
    let jpeg: [Decoded]
    let resize: [Resize]

    static let shared: ImagingGolden = {
        do { return try Fixtures.json(ImagingGolden.self, "imaging/golden.json") } catch { fatalError("golden.json: \(error)") }
    }()

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: Fixtures.url("imaging/" + relative))
    }

    static func uint8(_ relative: String) throws -> [UInt8] { [UInt8](try data(relative)) }

    static func uint16(_ relative: String) throws -> [UInt16] {
        let d = try data(relative)
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 2)).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        }
    }

    static func float32(_ relative: String) throws -> [Float] {
        let d = try data(relative)
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }
}

import Testing

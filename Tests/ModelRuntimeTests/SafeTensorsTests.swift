import Foundation
import TestSupport
import Testing
@testable import ModelRuntime

/// The reader against files written by the `safetensors` Python package
/// (tools/fixtures/safetensors_cases.py), and against damaged files.
struct SafeTensorsTests {
    struct Expected: Decodable {
        struct TensorCase: Decodable {
            let dtype: String
            let shape: [Int]
            let expectedF32Bits: [UInt32]?
            enum CodingKeys: String, CodingKey {
                case dtype, shape
                case expectedF32Bits = "expected_f32_bits"
            }
        }
        struct FileCase: Decodable {
            let file: String
            let metadata: [String: String]?
            let tensors: [String: TensorCase]
        }
        let files: [FileCase]
    }

    @Test func decodesEveryFloatDTypeBitExactly() throws {
        let expected = try Fixtures.json(Expected.self, "safetensors/expected.json")
        #expect(expected.files.count >= 4)
        for fileCase in expected.files {
            let file = try SafeTensorsFile(url: Fixtures.url("safetensors/\(fileCase.file)"))
            #expect(file.metadata == (fileCase.metadata ?? [:]), "\(fileCase.file) metadata")
            for (name, t) in fileCase.tensors {
                #expect(file.entries[name]?.shape == t.shape)
                guard ["F32", "F16", "BF16"].contains(t.dtype) else {
                    #expect(throws: SafeTensorsError.self) { try file.tensor(name) }
                    continue
                }
                let values = try file.tensor(name, shape: t.shape).scalars
                let expectedBits = try #require(t.expectedF32Bits)
                #expect(values.count == expectedBits.count)
                for (value, bits) in zip(values, expectedBits) {
                    let want = Float(bitPattern: bits)
                    #expect(want.isNaN ? value.isNaN : value.bitPattern == bits, "\(fileCase.file) \(name): \(value) vs \(want)")
                }
            }
        }
    }

    /// A valid two-tensor file to damage.
    static func validFile() -> [UInt8] {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}}"#
        return encode(header: header, data: [UInt8](repeating: 0x3C, count: 12))
    }

    static func encode(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let length = declaredLength ?? UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + h + data
    }

    static func open(_ bytes: [UInt8]) throws -> SafeTensorsFile {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try Data(bytes).write(to: url)
        return try SafeTensorsFile(url: url)
    }

    @Test func validFileOpens() throws {
        let file = try Self.open(Self.validFile())
        #expect(try file.tensor("b").scalars == [1.05859375, 1.05859375])  // F16 0x3C3C
    }

    @Test func everyTruncationIsATypedError() {
        let bytes = Self.validFile()
        for length in 0..<bytes.count {
            #expect(throws: SafeTensorsError.self, "truncated to \(length)") { try Self.open(Array(bytes[0..<length])) }
        }
    }

    @Test func damagedHeadersAreRejectedWithReasons() {
        let data = [UInt8](repeating: 0, count: 12)
        let cases: [(String, [UInt8])] = [
            ("header length", Self.encode(header: "{}", data: data, declaredLength: 1 << 40)),
            ("not JSON", Self.encode(header: "{nope", data: data)),
            ("not an object", Self.encode(header: "[1,2]", data: data)),
            ("unknown dtype", Self.encode(header: #"{"a":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}}"#, data: data)),
            ("offsets past the end", Self.encode(header: #"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, data: data)),
            ("shape/offset mismatch", Self.encode(header: #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}"#, data: data)),
            ("negative shape", Self.encode(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: data)),
            ("reversed offsets", Self.encode(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: data)),
            ("overlap", Self.encode(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: data)),
            ("overflowing shape", Self.encode(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: data)),
        ]
        for (label, bytes) in cases {
            #expect(throws: SafeTensorsError.self, "\(label)") { try Self.open(bytes) }
        }
    }

    @Test func wrongShapeOrDTypeOnReadNamesTheTensor() throws {
        let file = try Self.open(Self.validFile())
        #expect(throws: SafeTensorsError.shapeMismatch(path: file.path, tensor: "a", expected: [3], found: [2])) {
            try file.tensor("a", shape: [3])
        }
        #expect(throws: SafeTensorsError.missingTensor(path: file.path, tensor: "zzz")) { try file.tensor("zzz") }
        let ints = try Self.open(Self.encode(header: #"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#,
                                             data: [UInt8](repeating: 0, count: 8)))
        #expect(throws: SafeTensorsError.notFloatingPoint(path: ints.path, tensor: "i", dtype: "I64")) { try ints.tensor("i") }
    }

    @Test func missingFileAndDirectoryAreUnreadable() throws {
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(url: URL(fileURLWithPath: "/nonexistent/model.safetensors")) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(url: URL(fileURLWithPath: "/tmp")) }
    }
}

import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// `SafeTensorsWriter` output read back by `SafeTensorsFile` (whose header validation is
/// tested against the reference implementation's files in SafeTensorsTests).
struct SafeTensorsWriterTests {
    @Test func roundTripsTensorsAndMetadata() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("w.safetensors")
        let a = Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, .greatestFiniteMagnitude, -.leastNonzeroMagnitude])
        let b = Tensor(shape: [1], values: [42])
        let empty = Tensor(shape: [0, 4], values: [])
        try SafeTensorsWriter.write([("b.bias", b), ("a.weight", a), ("empty", empty)],
                                    metadata: ["epoch": "3", "note": "quote \" and \\ slash /"], to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == ["epoch": "3", "note": "quote \" and \\ slash /"])
        #expect(try file.tensor("a.weight", shape: [2, 3]).scalars == a.scalars)
        #expect(try file.tensor("b.bias").scalars == [42])
        #expect(try file.tensor("empty").shape == [0, 4])
        #expect(Set(file.entries.keys) == ["a.weight", "b.bias", "empty"])
    }

    @Test func overwritesAtomicallyAndReportsUnwritablePaths() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("w.safetensors")
        try SafeTensorsWriter.write([("x", Tensor(shape: [1], values: [1]))], to: url)
        try SafeTensorsWriter.write([("x", Tensor(shape: [1], values: [2]))], to: url)
        #expect(try SafeTensorsFile(url: url).tensor("x").scalars == [2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["w.safetensors"])
        let missing = folder.appendingPathComponent("no/such/dir/w.safetensors")
        #expect(throws: SafeTensorsError.self) { try SafeTensorsWriter.write([("x", Tensor(shape: [1], values: [1]))], to: missing) }
    }
}

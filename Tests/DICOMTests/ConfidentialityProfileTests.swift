import DICOM
import Foundation
import TestSupport
import Testing

/// The whole PS3.15 Table E.1-1 Basic Profile on tools/fixtures/deid_peers.py's marker file, compared
/// with what dicom-anonymizer and deid do to the same file (Tests/Fixtures/dicom/deid/peers.json).
struct ConfidentialityProfileTests {
    struct Peers: Decodable {
        struct Outcome: Decodable { let removed, emptied, replaced: [String] }
        /// Marked top-level tags: listed in Table E.1-1, and named only by deid's recipe.
        let table, extra: [String]
        let peers: [String: Outcome]
    }

    static let folder = "dicom/deid/"

    /// The marker file de-identified and written, the original data set, and the written bytes.
    static func deidentified() throws -> (original: DataSet, written: DICOMFile, bytes: [UInt8]) {
        var file = try DICOMFile.read(contentsOf: Fixtures.url(folder + "markers.dcm"))
        let original = file.dataSet
        var deid = Deidentifier()
        var rng = SystemRandomNumberGenerator()
        deid.deidentify(&file, using: &rng)
        let data = try DICOMWriter.data(file)
        return (original, try DICOMFile.parse(data, file: "deid.dcm"), [UInt8](data))
    }

    /// Whether `tag` no longer holds its original value in `written` (removed, emptied or replaced).
    static func changed(_ tag: DICOM.Tag, from original: DataSet, in written: DataSet) -> Bool {
        guard let after = written[tag] else { return true }
        guard let before = original[tag] else { return false }
        switch (before.value, after.value) {
        case (.bytes(let b), .bytes(let a)): return a != b
        case (.sequence(let b), .sequence(let a)):
            return a.count != b.count || zip(a, b).contains { x, y in
                y.tags.contains { changed($0, from: y, in: x) } || x.tags != y.tags
            }
        default: return true
        }
    }

    static func tag(_ hex: String) -> DICOM.Tag { Tag(combined: UInt32(hex, radix: 16)!) }

    @Test func noMarkerSurvivesAnywhere() throws {
        let (original, written, bytes) = try Self.deidentified()
        for marker in ["MARKER-", "1.2.999."] {
            let needle = Array(marker.utf8)
            let hit = bytes.indices.dropLast(needle.count - 1).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
            #expect(hit == nil, "\(marker) found at byte \(hit ?? -1)")
        }
        let peers = try JSONDecoder().decode(Peers.self, from: Data(contentsOf: Fixtures.url(Self.folder + "peers.json")))
        for hex in peers.table + peers.extra {
            #expect(Self.changed(Self.tag(hex), from: original, in: written.dataSet), "\(hex) keeps its value")
        }
        #expect(!written.dataSet.tags.contains { $0.group & 1 == 1 }, "private attributes remain")
        let nested = try #require(written.dataSet.sequence(DataDictionary.tag(forKeyword: "AnatomicRegionSequence")!)?.first)
        #expect(!nested.tags.contains { $0.group & 1 == 1 })
        #expect(written.dataSet.string(.patientIdentityRemoved) == "YES")
        let method = try #require(written.dataSet.string(.deidentificationMethod))
        #expect(method.utf8.count <= 64 && !method.contains("\\"))
        let code = try #require(written.dataSet.sequence(.deidentificationMethodCodeSequence)?.first)
        #expect(code.string(.codeValue) == "113100" && code.string(.codeMeaning) == "Basic Application Confidentiality Profile")
    }

    @Test func everyAttributeAPeerChangesWeChangeOrJustify() throws {
        let (original, written, _) = try Self.deidentified()
        let peers = try JSONDecoder().decode(Peers.self, from: Data(contentsOf: Fixtures.url(Self.folder + "peers.json")))
        let justified = try JSONDecoder().decode([String: String].self,
                                                 from: Data(contentsOf: Fixtures.url(Self.folder + "justifications.json")))
        #expect(peers.peers.count == 2)
        var used: Set<String> = []
        for (peer, outcome) in peers.peers {
            for hex in outcome.removed + outcome.emptied + outcome.replaced
            where !Self.changed(Self.tag(hex), from: original, in: written.dataSet) {
                #expect(justified[hex] != nil, "\(peer) changes \(hex) (\(Self.tag(hex).keyword ?? "?")), we keep it unjustified")
                used.insert(hex)
            }
        }
        #expect(Set(justified.keys) == used, "justifications for attributes we change after all: \(Set(justified.keys).subtracting(used).sorted())")
    }

    @Test func writtenValuesAreValidForTheirVR() throws {
        let (_, written, _) = try Self.deidentified()
        var problems: [String] = []
        VRCheck.check(written.dataSet, path: "", into: &problems)
        VRCheck.check(written.meta, path: "meta ", into: &problems)
        #expect(problems.isEmpty, "\(problems.prefix(20))")
    }

    /// dciodvfy's "Error" lines for `bytes` written to a file in `dir`, nil when the tool is absent.
    static func dciodvfyErrors(_ bytes: [UInt8], in dir: URL) throws -> Set<String>? {
        let tool = URL(fileURLWithPath: "/usr/bin/dciodvfy")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else { return nil }
        let file = dir.appendingPathComponent(UUID().uuidString + ".dcm")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = tool
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Set(text.split(separator: "\n").filter { $0.hasPrefix("Error") }.map(String.init))
    }

    /// dciodvfy (Debian dicom3tools, `make setup`): de-identifying the marker file adds no error to
    /// those of the file itself (its markers break VR rules, and its generic sequence items break
    /// the macros, on purpose), and a clean CT file (pydicom's CT_small.dcm) stays without error.
    @Test func dciodvfyFindsNoErrorAddedByDeidentification() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = [UInt8](try Data(contentsOf: Fixtures.url(Self.folder + "markers.dcm")))
        guard let before = try Self.dciodvfyErrors(input, in: dir) else {
            print("skipped: dciodvfy is absent (Debian package dicom3tools, `make setup`)")
            return
        }
        let after = try #require(try Self.dciodvfyErrors(try Self.deidentified().bytes, in: dir))
        #expect(after.subtracting(before).isEmpty, "\(after.subtracting(before).sorted().prefix(20))")
        let ct = DICOMGolden.testFilesDirectory.appendingPathComponent("CT_small.dcm")
        guard FileManager.default.fileExists(atPath: ct.path) else {
            print("skipped CT_small.dcm: pydicom's test files are not installed (`make setup`)")
            return
        }
        var file = try DICOMFile.read(contentsOf: ct)
        var deid = Deidentifier()
        var rng = SystemRandomNumberGenerator()
        deid.deidentify(&file, using: &rng)
        let errors = try #require(try Self.dciodvfyErrors([UInt8](try DICOMWriter.data(file)), in: dir))
        #expect(errors.isEmpty, "\(errors.sorted().prefix(20))")
    }
}

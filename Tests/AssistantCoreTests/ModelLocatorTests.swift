import Foundation
import TestSupport
import Testing
@testable import AssistantCore

/// Model lookup order: --model, then $ASSISTANT_MODEL_DIR, then models/all-MiniLM-L6-v2.
struct ModelLocatorTests {
    @Test func explicitFolderWinsAndMustExist() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = try ModelLocator.resolve(explicit: dir.path, environment: [ModelLocator.environmentVariable: "/nope"])
        #expect(found.standardizedFileURL.path == dir.standardizedFileURL.path)
        #expect(throws: ModelLocator.LocatorError.self) { try ModelLocator.resolve(explicit: "/nope/model") }
    }

    @Test func environmentVariableComesSecond() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = try ModelLocator.resolve(explicit: nil, environment: [ModelLocator.environmentVariable: dir.path])
        #expect(found.standardizedFileURL.path == dir.standardizedFileURL.path)
    }

    @Test func defaultIsFoundAboveTheExecutableOrNamesTheInstallCommand() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let executable = root.appendingPathComponent(".build/release/assistant").path
        #expect {
            try ModelLocator.resolve(explicit: nil, environment: [:], executable: executable, workingDirectory: root.path)
        } throws: { error in
            "\(error)".contains("make setup") && "\(error)".contains(ModelLocator.environmentVariable)
        }
        let model = root.appendingPathComponent(ModelLocator.defaultRelativePath)
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let found = try ModelLocator.resolve(explicit: nil, environment: [:], executable: executable, workingDirectory: root.path)
        #expect(found.resolvingSymlinksInPath().path == model.resolvingSymlinksInPath().path)
    }
}

/// Line input: UTF-8 validation, CRLF, limits, JSONL fields.
struct LineReaderTests {
    static func reader(_ bytes: [UInt8], maxLineBytes: Int = 1 << 20) throws -> (LineReader, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("input.txt")
        try Data(bytes).write(to: url)
        return (try LineReader(path: url.path, maxLineBytes: maxLineBytes), dir)
    }

    @Test func linesWithCRLFAndNoFinalNewline() throws {
        let (r, dir) = try Self.reader(Array("a\r\n\nlast".utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try r.next(10) == ["a", "", "last"])
        #expect(try r.next() == nil)
    }

    @Test func invalidUTF8AndOverlongLinesNameTheLine() throws {
        let (r, dir) = try Self.reader(Array("ok\n".utf8) + [0xC3, 0x28, 0x0A])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try r.next() == "ok")
        #expect(throws: InputError.invalidUTF8(source: r.source, line: 2)) { try r.next() }

        let (long, dir2) = try Self.reader([UInt8](repeating: 0x61, count: 5000), maxLineBytes: 1000)
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(throws: InputError.lineTooLong(source: long.source, line: 1, limit: 1000)) { try long.next() }
    }

    @Test func jsonlFieldsAreCheckedPerLine() throws {
        let (r, dir) = try Self.reader(Array("{\"text\":\"a\"}\n\n{\"text\":3}\n".utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TextSource(reader: r, jsonField: "text")
        #expect(throws: InputError.missingField(source: r.source, line: 3, field: "text")) { try source.next(10) }
    }
}

/// JSON output escapes every control character and keeps non-ASCII text.
struct JSONLineTests {
    @Test func stringsRoundTripThroughJSONSerialization() throws {
        let nasty = "quote\" back\\ nl\n tab\t nul\u{0} bell\u{7} é 你 😀"
        var line = JSONLine()
        line.string("text", nasty)
        line.floats("v", [1, -0.5, 1e-7])
        let object = try JSONSerialization.jsonObject(with: Data(line.finished().utf8)) as? [String: Any]
        #expect(object?["text"] as? String == nasty)
        #expect((object?["v"] as? [Double])?.map(Float.init) == [1, -0.5, 1e-7])
    }
}

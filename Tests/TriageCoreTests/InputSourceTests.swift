import Foundation
import TestSupport
import Testing
import TriageTestSupport
@testable import TriageCore

/// Folder, zip and tar(.gz) inputs: what is read, what is skipped or failed with which reason,
/// and hostile archives (escaping names, links, bombs, corrupt and truncated data).
struct InputSourceTests {
    /// The entries of a source, by kind; `thrown` is the error that stopped it, if any.
    struct Read {
        var files: [String: Data] = [:]
        var skipped: [String: String] = [:]
        var failed: [String: InputError] = [:]
        var thrown: InputError?
    }

    static func read(_ source: any InputSource, strip prefix: String) -> Read {
        var r = Read()
        do {
            try source.forEach { entry in
                switch entry {
                case .file(let name, let data): r.files[String(name.dropFirst(prefix.count))] = data
                case .skipped(let name, let reason): r.skipped[String(name.dropFirst(prefix.count))] = reason
                case .failed(let name, let error): r.failed[String(name.dropFirst(prefix.count))] = error
                }
            }
        } catch let error as InputError { r.thrown = error } catch { Issue.record("unexpected \(error)") }
        return r
    }

    static let small = InputLimits(maxEntryBytes: 1 << 18, maxTotalBytes: 1 << 20)

    @Test func folderIsReadRecursivelyAndLinksStayInside() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("in"), fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: root.appendingPathComponent("a.png"))
        try Data("b".utf8).write(to: root.appendingPathComponent("sub/b.dcm"))
        try Data("c".utf8).write(to: root.appendingPathComponent("sub/deeper/c.txt"))
        try Data().write(to: root.appendingPathComponent("empty.bin"))
        try Data(count: (1 << 18) + 1).write(to: root.appendingPathComponent("big.bin"))
        try Data("secret".utf8).write(to: dir.appendingPathComponent("outside.txt"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("inside-link").path, withDestinationPath: "sub/b.dcm")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("outside-link").path, withDestinationPath: "../outside.txt")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("folder-link").path, withDestinationPath: "sub")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("dangling").path, withDestinationPath: "nowhere")
        #expect(mkfifo(root.appendingPathComponent("fifo").path, 0o600) == 0)

        let r = Self.read(FolderSource(root, label: "in", limits: Self.small), strip: "in/")
        #expect(r.thrown == nil)
        #expect(Set(r.files.keys) == ["a.png", "sub/b.dcm", "sub/deeper/c.txt", "empty.bin", "inside-link"])
        #expect(r.files["inside-link"] == Data("b".utf8) && r.files["empty.bin"] == Data())
        #expect(r.skipped["outside-link"]?.contains("leaves the folder") == true)
        #expect(r.skipped["folder-link"]?.contains("folder") == true)
        #expect(r.skipped["dangling"]?.contains("dangling") == true)
        #expect(r.skipped["fifo"] == "not a regular file")
        #expect(r.failed["big.bin"] == .entryTooLarge(entry: "in/big.bin", limit: 1 << 18))
        #expect(!r.files.values.contains(Data("secret".utf8)))
    }

    @Test func zipHostileEntriesAreReportedAndTheRestIsRead() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("archive.bin")  // recognised by content, not name
        try TestArchives.zip([
            .init("good/one.png", Data(repeating: 7, count: 5000)),
            .init("../../escape.png", Data("x".utf8)),
            .init("/etc/absolute.png", Data("x".utf8)),
            .init("a/../../../climb.png", Data("x".utf8)),
            .init("link.png", kind: .symlink(to: "/etc/passwd")),
            .init("folder/", kind: .directory),
            .init("bomb.bin", Data(count: 1 << 20)),
            .init("good/two.png", Data(repeating: 9, count: 100)),
        ], to: url)
        let source = try InputSources.open(url.path, limits: Self.small)
        #expect(source is ZipSource)
        let r = Self.read(source, strip: url.path + ":")
        #expect(r.thrown == nil)
        #expect(r.files == ["good/one.png": Data(repeating: 7, count: 5000), "good/two.png": Data(repeating: 9, count: 100)])
        for name in ["../../escape.png", "/etc/absolute.png", "a/../../../climb.png"] {
            #expect(r.failed[name] == .pathEscapesRoot(entry: url.path + ":" + name), "\(name)")
        }
        #expect(r.skipped["link.png"]?.contains("symbolic-link") == true)
        #expect(r.failed["bomb.bin"] == .entryTooLarge(entry: url.path + ":bomb.bin", limit: 1 << 18))
        #expect(source.progress == 1)
    }

    /// A bomb that declares a small size: inflation is stopped at the cap, not trusted.
    @Test func zipEntryLyingAboutItsSizeIsStoppedAtTheCap() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bomb.zip")
        try TestArchives.zip([.init("liar.bin", Data(count: 2 << 20)), .init("after.png", Data("ok".utf8))], to: url)
        var bytes = [UInt8](try Data(contentsOf: url))
        func patch32(_ offset: Int, _ value: UInt32) { for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
        patch32(22, 100)  // local header: uncompressed size
        let central = (0..<(bytes.count - 4)).first { bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4B && bytes[$0 + 2] == 1 && bytes[$0 + 3] == 2 }!
        patch32(central + 24, 100)  // central directory: uncompressed size
        try Data(bytes).write(to: url)
        let r = Self.read(ZipSource(url, label: "z", limits: Self.small), strip: "z:")
        #expect(r.failed["liar.bin"] == .entryTooLarge(entry: "z:liar.bin", limit: 1 << 18))
        #expect(r.files == ["after.png": Data("ok".utf8)])
    }

    @Test func zipCorruptEntryTotalCapAndTruncatedArchive() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.zip")
        let noise = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        try TestArchives.zip([.init("bad.png", noise), .init("fine.png", Data("fine".utf8))], to: url)
        var bytes = [UInt8](try Data(contentsOf: url))
        let dataStart = 30 + Int(bytes[26]) + Int(bytes[28]) + Int(bytes[27]) << 8 + Int(bytes[29]) << 8
        for i in (dataStart + 10)..<(dataStart + 40) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: url)
        let r = Self.read(ZipSource(url, label: "z"), strip: "z:")
        if case .corruptEntry? = r.failed["bad.png"] {} else { Issue.record("bad.png: \(String(describing: r.failed["bad.png"]))") }
        #expect(r.files == ["fine.png": Data("fine".utf8)])

        let many = dir.appendingPathComponent("many.zip")
        try TestArchives.zip((0..<3).map { .init("f\($0).bin", Data(repeating: UInt8($0), count: 200_000)) }, to: many)
        let capped = Self.read(ZipSource(many, label: "m", limits: InputLimits(maxEntryBytes: 1 << 18, maxTotalBytes: 300_000)), strip: "m:")
        #expect(capped.files.count == 1 && capped.thrown == .inputTooLarge(input: "m", limit: 300_000))

        let cut = dir.appendingPathComponent("cut.zip")
        let whole = try Data(contentsOf: many)
        try Data(whole.prefix(whole.count / 2)).write(to: cut)
        #expect(try InputSources.open(cut.path) is ZipSource)
        if case .corruptArchive? = Self.read(ZipSource(cut, label: "cut"), strip: "").thrown {} else { Issue.record("truncated zip not refused") }
    }

    static let tarMembers: [TestArchives.Member] = [
        .init("dir/", kind: .directory),
        .init("dir/first.png", Data("first".utf8)),
        .init(String(repeating: "long-folder-name/", count: 8) + "deep.dcm", Data("deep".utf8)),
        .init("link.png", kind: .symlink(to: "/etc/passwd")),
        .init("hard.png", kind: .hardLink(to: "dir/first.png")),
        .init("pipe", kind: .fifo),
        .init("../escape.png", Data("x".utf8)),
        .init("/absolute.png", Data("x".utf8)),
        .init("huge.bin", Data(count: (1 << 18) + 10)),
        .init("after-huge.png", Data("after".utf8)),
    ]

    static func checkTarEntries(_ r: Read) {
        #expect(r.thrown == nil, "\(String(describing: r.thrown))")
        #expect(r.files == ["dir/first.png": Data("first".utf8), String(repeating: "long-folder-name/", count: 8) + "deep.dcm": Data("deep".utf8),
                            "after-huge.png": Data("after".utf8), "pax/named.png": Data("pax".utf8)])
        #expect(r.skipped["link.png"] == "link entry; not followed" && r.skipped["hard.png"] == "link entry; not followed")
        #expect(r.skipped["pipe"]?.contains("not a regular file") == true)
        if case .pathEscapesRoot? = r.failed["../escape.png"] {} else { Issue.record("../escape.png not refused") }
        if case .pathEscapesRoot? = r.failed["/absolute.png"] {} else { Issue.record("/absolute.png not refused") }
        if case .entryTooLarge? = r.failed["huge.bin"] {} else { Issue.record("huge.bin not capped") }
    }

    @Test func tarAndTarGzStreamTheSameEntries() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var tar = TestArchives.tar(Self.tarMembers)
        tar.removeLast(1024)
        tar += TestArchives.paxPath("pax/named.png") + TestArchives.tar([.init("ignored-name.png", Data("pax".utf8))])
        let plain = dir.appendingPathComponent("a.tar"), gz = dir.appendingPathComponent("a.tgz")
        try tar.write(to: plain)
        try TestArchives.gzip(tar).write(to: gz)
        for url in [plain, gz] {
            let source = try InputSources.open(url.path, limits: Self.small)
            Self.checkTarEntries(Self.read(source, strip: url.path + ":"))
            #expect((source.progress ?? 0) > 0.99)
        }
        // Two gzip members one after the other are one stream.
        let half = tar.count / 1024 * 512
        try (TestArchives.gzip(tar.prefix(half)) + TestArchives.gzip(tar.dropFirst(half))).write(to: gz)
        Self.checkTarEntries(Self.read(TarSource(gz, gzip: true, label: "g", limits: Self.small), strip: "g:"))
    }

    @Test func damagedTarsStopWhereTheDamageIs() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.tar")
        let good = TestArchives.tar([.init("one.png", Data("one".utf8)), .init("two.png", Data(repeating: 2, count: 3000))])
        // A truncated last entry fails alone; what came before is read.
        try good.prefix(512 + 512 + 512 + 1000).write(to: url)
        var r = Self.read(TarSource(url, gzip: false, label: "t"), strip: "t:")
        #expect(r.files == ["one.png": Data("one".utf8)] && r.thrown == nil)
        if case .corruptEntry? = r.failed["two.png"] {} else { Issue.record("truncated entry not reported") }
        // A damaged header: the archive stops there.
        var damaged = [UInt8](good)
        damaged[1024 + 10] ^= 0xFF
        try Data(damaged).write(to: url)
        r = Self.read(TarSource(url, gzip: false, label: "t"), strip: "t:")
        #expect(r.files == ["one.png": Data("one".utf8)])
        #expect(r.thrown == .corruptArchive(input: "t", offset: 1024, reason: "header checksum mismatch (not a tar header)"))
        // A gzip bomb stops at the input cap; a truncated gzip stream is reported.
        let bomb = dir.appendingPathComponent("bomb.tgz")
        try TestArchives.gzip(TestArchives.tar([.init("zeros.bin", Data(count: 2 << 20))])).write(to: bomb)
        r = Self.read(TarSource(bomb, gzip: true, label: "b", limits: Self.small), strip: "b:")
        #expect(r.thrown == .inputTooLarge(input: "b", limit: 1 << 20) && r.files.isEmpty)
        let cut = dir.appendingPathComponent("cut.tgz")
        try TestArchives.gzip(good).prefix(60).write(to: cut)
        r = Self.read(TarSource(cut, gzip: true, label: "c"), strip: "c:")
        if case .corruptArchive? = r.thrown {} else { Issue.record("truncated gzip not reported: \(String(describing: r.thrown))") }
    }

    @Test func inputKindIsRecognisedByContent() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tar = dir.appendingPathComponent("archive.zip")  // a tar, whatever the name says
        try TestArchives.tar([.init("x.png", Data("x".utf8))]).write(to: tar)
        #expect(try InputSources.open(tar.path) is TarSource)
        #expect(try InputSources.open(dir.path) is FolderSource)
        let text = dir.appendingPathComponent("notes.tar")
        try Data("just text".utf8).write(to: text)
        #expect(throws: InputError.unknownKind(input: text.path)) { try InputSources.open(text.path) }
        #expect(throws: InputError.self) { try InputSources.open(dir.appendingPathComponent("missing").path) }
    }

    @Test func archivePathsMustStayInsideTheRoot() {
        #expect(ArchivePath.normalized("a/./b//c.png") == "a/b/c.png")
        #expect(ArchivePath.normalized("a/../b.png") == "b.png")
        for bad in ["../x", "a/../../x", "/etc/passwd", "\\\\server\\share", "..\\..\\x.png", "C:\\x.png", "C:x", "a\0b", "", ".", "a/.."] {
            #expect(ArchivePath.normalized(bad) == nil, "\(bad)")
        }
    }
}

import AuditLog
public import Foundation
import GRDB
import SuiteFoundation

extension ModelRegistry {
    /// Adds the model folder `source` as a version (idempotent: adding the same content again, from
    /// any copy, changes nothing and returns the stored version with `added` false).
    ///
    /// The folder is listed and hashed, loaded by the product's check, then copied file by file
    /// (each written durably) into `<home>/models/staging/`, hashed again there, made read-only
    /// and renamed into `versions/<id>`: a crash leaves either nothing or the whole version. Its row
    /// and the audit entry are written in one transaction after the rename.
    ///
    /// - Throws: `ModelRegistryError` naming the file at fault (`.notLoadable` with the product's
    ///   own message when its check refuses the folder).
    public func add(_ source: URL, actor: String) throws -> (version: Version, added: Bool) {
        let content = try ModelVersionContent(folder: source)
        do { try validate(source) } catch {
            throw ModelRegistryError.notLoadable(folder: source.path, detail: "\(error)")
        }
        let target = folder(of: content.id)
        if !FileManager.default.fileExists(atPath: target.path) {
            try store(content, from: source, at: target)
        }
        let hasCard = content.files.contains { $0.path == Self.cardFile }
        return try secure.audit.transaction { db -> ((version: Version, added: Bool), [AuditEvent]) in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE id = ?", arguments: [content.id]) {
                return ((Self.version(existing, active: try activeID(db)), false), [])
            }
            try db.execute(sql: "INSERT INTO model_versions (id, files, bytes, card, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [content.id, content.files.count, content.totalBytes, hasCard, Timestamp.now(), actor])
            let active = try activeID(db)
            let event = Self.event(actor: actor, op: "add", version: content.id, from: active, to: active,
                                   extra: ["files": .int(content.files.count), "bytes": .int(Int(content.totalBytes))])
            return ((try resolve(content.id, db), true), [event])
        }
    }

    /// Copies the listed files into a fresh staging folder, checks the copy's hash, makes it
    /// read-only and renames it to `target`.
    private func store(_ content: ModelVersionContent, from source: URL, at target: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: versionsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try manager.createDirectory(at: stagingFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let staged = stagingFolder.appendingPathComponent(RecordID.make(), isDirectory: true)
        defer { Self.removeTree(staged) }
        for file in content.files {
            let destination = staged.appendingPathComponent(file.path)
            try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            let data: Data
            do { data = try Data(contentsOf: source.appendingPathComponent(file.path), options: .mappedIfSafe) } catch {
                throw ModelRegistryError.unreadable(path: source.appendingPathComponent(file.path).path, detail: error.localizedDescription)
            }
            try DurableFile.write(data, to: destination, placement: .createNew, mode: 0o444)
        }
        guard try ModelVersionContent(folder: staged).id == content.id else {
            throw ModelRegistryError.changedWhileCopying(folder: source.path)
        }
        try Self.setReadOnly(staged)
        guard rename(staged.path, target.path) == 0 else {
            if errno == EEXIST || errno == ENOTEMPTY { return }  // another `add` of the same content won
            throw ModelRegistryError.unreadable(path: target.path, detail: String(cString: strerror(errno)))
        }
        try DurableFile.synchronizeFolder(versionsFolder)
    }

    /// Folders 0555 (files were written 0444), deepest first.
    private static func setReadOnly(_ folder: URL) throws {
        let manager = FileManager.default
        let subfolders = (manager.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        for path in subfolders.sorted(by: >) { chmod(folder.appendingPathComponent(path).path, 0o555) }
        chmod(folder.path, 0o555)
    }

    /// Removes a staging folder even when it was already made read-only.
    static func removeTree(_ folder: URL) {
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        if let paths = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] {
            for path in paths { chmod(folder.appendingPathComponent(path).path, 0o700) }
        }
        chmod(folder.path, 0o700)
        try? FileManager.default.removeItem(at: folder)
    }
}

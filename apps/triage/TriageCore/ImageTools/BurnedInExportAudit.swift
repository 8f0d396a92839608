import AuditLog
import Foundation
import RecordStore
import Vault

extension StudyStore {
    /// Records, before the copy is written, that a de-identified DICOM copy whose pixels may hold
    /// burned-in identifying text is exported anyway (`record.export`, ATNA 110106, with
    /// `burnedInAccepted`); the file is named by a keyed hash of its path, never in clear.
    /// - Parameters:
    ///   - file: the input path as given.
    ///   - reason: why the pixels may identify (`Deidentifier.burnedInTextRisk`).
    public func auditBurnedInExport(file: String, reason: String, actor: String) throws {
        let key = try secure.vault.lookupHash(file, purpose: "source_path").prefix(12)
        try secure.audit.append(AuditEvent(
            actor: actor, action: .recordExport, objectType: "file",
            objectID: key.map { String(format: "%02x", $0) }.joined(),
            details: ["command": .string("convert"), "burnedInAccepted": .bool(true), "reason": .string(reason)]))
    }
}

import AuditLog
import Foundation
import Vault
import RecordStore

/// The hook through which every read of identifying data (patient name, ID, birth date, accession
/// number, institution...) is announced before it is shown.
public protocol IdentifyingDataAccess: Sendable {
    /// Called once per file before identifying attributes are revealed. Throwing refuses the read.
    /// - Parameters:
    ///   - file: the path as given (not logged in clear by implementations).
    ///   - attributes: the keywords about to be shown.
    func willReveal(file: String, attributes: [String]) throws
}

/// Records every reveal in the store's audit trail (`record.read`, ATNA 110110) before it
/// happens; the file is named by a keyed hash of its path, never in clear.
public struct AuditedIdentifyingDataAccess: IdentifyingDataAccess {
    let store: StudyStore
    let actor: String

    public init(store: StudyStore, actor: String) {
        self.store = store
        self.actor = actor
    }

    public func willReveal(file: String, attributes: [String]) throws {
        let key = try store.secure.vault.lookupHash(file, purpose: "source_path").prefix(12)
        try store.secure.audit.append(AuditEvent(
            actor: actor, action: .recordRead, objectType: "file",
            objectID: key.map { String(format: "%02x", $0) }.joined(),
            details: ["attributes": .int(attributes.count), "command": .string("inspect")]))
    }
}

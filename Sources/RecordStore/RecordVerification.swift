public import Foundation
import AuditLog

/// What `records verify` found: rows whose integrity tag fails, and records that the audit
/// trail says were created but are no longer in the store (deleted with an SQL shell).
public struct RecordVerification: Sendable, Equatable, Codable {
    /// Rows checked.
    public var checked: Int
    /// `table/id` of each row whose integrity tag fails.
    public var integrityFailed: [String]
    /// `type/id` of each record with a `record.create` entry but no row.
    public var missing: [String]

    public init(checked: Int, integrityFailed: [String], missing: [String]) {
        self.checked = checked
        self.integrityFailed = integrityFailed
        self.missing = missing
    }

    public var isIntact: Bool { integrityFailed.isEmpty && missing.isEmpty }
}

extension SecureStore {
    /// Ids of the records of `objectType` that the audit trail says were created.
    public func auditedCreations(of objectType: String) throws -> Set<String> {
        Set(try audit.entries(matching: .init(action: .recordCreate)).filter { $0.objectType == objectType }.map(\.objectID))
    }
}

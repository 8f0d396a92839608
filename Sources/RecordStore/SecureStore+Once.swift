public import AuditLog
public import GRDB

extension SecureStore {
    /// Runs `body` once in the store's life — e.g. tagging rows written before an integrity
    /// migration, which SQL alone cannot do (it has no key) — in one transaction with a
    /// `key.manage` entry (`objectType`/`objectID`, `op` and the details `body` returns).
    ///
    /// That entry is the marker: once it is in the append-only, hash-chained log the pass never
    /// runs again, so a row found untagged later was changed outside the suite and fails its
    /// check instead of being tagged. A crash before the commit leaves neither the work nor the
    /// marker, so the next open runs it again. A new store gets the entry at its first open.
    /// Two processes opening at once may both run it; the work must be idempotent.
    /// - Returns: whether the pass ran now.
    @discardableResult
    public func once(objectType: String, objectID: String, op: String, actor: String,
                     _ body: (Database) throws -> [String: AuditValue]) throws -> Bool {
        let done = try audit.entries(matching: .init(action: .keyManagement))
            .contains { $0.objectType == objectType && $0.objectID == objectID }
        if done { return false }
        try audit.transaction { db -> ((), [AuditEvent]) in
            let details = try body(db).merging(["op": .string(op)]) { $1 }
            return ((), [AuditEvent(actor: actor, action: .keyManagement, objectType: objectType, objectID: objectID,
                                    details: details)])
        }
        return true
    }
}

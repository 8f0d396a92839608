import GRDB

/// Instances received over the network and scored, by the keyed hash of their SOP Instance UID
/// (`InstanceSpool.instanceKey`): how the spool tells a duplicate that was scored already.
extension StudyStore {
    func hasReceived(instanceKey: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM received_instances WHERE instance_key = ?", arguments: [instanceKey]) ?? false
        }
    }

    /// Records instances whose studies (by content hash) are stored, with when each arrived (ISO
    /// 8601, UTC); a key seen before is kept as it was.
    func recordReceived(_ instances: [(key: String, sourceHash: String, receivedAt: String)]) throws {
        guard !instances.isEmpty else { return }
        try database.write { db in
            for (key, hash, receivedAt) in instances {
                try db.execute(sql: "INSERT OR IGNORE INTO received_instances (instance_key, source_hash, received_at) VALUES (?, ?, ?)",
                               arguments: [key, hash, receivedAt])
            }
        }
    }
}

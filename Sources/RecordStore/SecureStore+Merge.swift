package import GRDB

/// How many records a merge copied from another store and how many this store already held.
public struct MergeSummary: Sendable, Equatable {
    public var copied = 0
    public var alreadyPresent = 0

    public init(copied: Int = 0, alreadyPresent: Int = 0) {
        self.copied = copied
        self.alreadyPresent = alreadyPresent
    }
}

extension SecureStore {
    /// The paging both products' `merge` share: reads `table` of `other` in pages of `batchSize`
    /// rows in ascending `key` order, and hands `copy` the rows whose key this store does not
    /// hold yet (`held`: the keys of a page already here). Each page is `copy`'s to make one
    /// transaction of; a failure stops the merge with the pages before it copied.
    /// - Parameter key: a unique text column (an id, a content hash); trusted SQL, never input.
    package static func mergePages(from other: SecureStore, table: String, key: String, batchSize: Int,
                                   held: ([String]) throws -> Set<String>, copy: ([Row]) throws -> Void) throws -> MergeSummary {
        precondition(batchSize >= 1, "batch size \(batchSize)")
        var summary = MergeSummary()
        var after = ""
        while true {
            let rows = try other.database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(key) > ? ORDER BY \(key) LIMIT ?", arguments: [after, batchSize])
            }
            guard let last = rows.last else { return summary }
            after = last[key]
            let present = try held(rows.map { $0[key] as String })
            let fresh = rows.filter { !present.contains($0[key] as String) }
            summary.alreadyPresent += rows.count - fresh.count
            if !fresh.isEmpty {
                try copy(fresh)
                summary.copied += fresh.count
            }
        }
    }
}

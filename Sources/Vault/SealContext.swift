/// What a sealed value belongs to. It is authenticated with the ciphertext (AES-GCM associated
/// data), so a value copied to another store, table, column, row or schema version fails to open.
public struct SealContext: Sendable, Hashable {
    package var table: String
    public var column: String
    /// The row's stable identifier (a primary key chosen before the row is written).
    public var row: String
    public var schemaVersion: Int

    public init(table: String, column: String, row: String, schemaVersion: Int = 1) {
        self.table = table
        self.column = column
        self.row = row
        self.schemaVersion = schemaVersion
    }

    /// Length-prefixed, so no two contexts serialise alike.
    func associatedData(store: String) -> [UInt8] {
        var out: [UInt8] = Array("suite-seal/1".utf8)
        for field in [store, table, column, row, String(schemaVersion)] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { out += $0 }
            out += bytes
        }
        return out
    }
}

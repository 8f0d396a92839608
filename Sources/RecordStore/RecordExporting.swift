public import Foundation
public import Vault

/// A product store that `records export | verify` and `keys rotate --reencrypt` can work on.
public protocol RecordExporting: Sendable {
    var secure: SecureStore { get }
    /// Every sealed column of the product's tables.
    var sealedColumns: [SealedColumn] { get }
    /// Writes each record as one JSON line to `sink` (decrypted, or de-identified); returns the count.
    func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int
    /// Checks every row's integrity tag, and that every record the audit trail says was created still exists.
    func verifyRecords() throws -> RecordVerification
}

public import Foundation
public import Vault

/// A product store that `records export` and `keys rotate --reencrypt` can work on.
public protocol RecordExporting: Sendable {
    var secure: SecureStore { get }
    /// Every sealed column of the product's tables.
    var sealedColumns: [SealedColumn] { get }
    /// Writes each record as one JSON line to `sink` (decrypted, or de-identified); returns the count.
    func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int
}

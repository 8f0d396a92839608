import CommandLineSupport
import RecordStore
import TriageCore

/// Wires the study store into the shared `keys`, `audit` and `records` commands.
enum TriageProduct: SecureProduct {
    static let name = StudyStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try StudyStore(location: location, access: access)
    }
}

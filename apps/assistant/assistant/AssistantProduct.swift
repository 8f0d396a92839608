import AssistantCore
import CommandLineSupport
import RecordStore

/// Wires the assistant's store into the shared `keys`, `audit` and `records` commands.
enum AssistantProduct: SecureProduct {
    static let name = AssistantStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try AssistantStore(location: location, access: access)
    }
}

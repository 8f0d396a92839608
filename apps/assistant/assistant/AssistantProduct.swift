import AssistantCore
import CommandLineSupport
import RecordStore

public import ArgumentParser

/// Wires the assistant's store into the shared `keys`, `audit`, `records`, `tokens` and `models` commands.
enum AssistantProduct: ServiceProduct, RegistryProduct {
    static let name = AssistantStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try AssistantStore(location: location, access: access)
    }

    static func tokens(_ location: StoreLocation) throws -> APITokens<AssistantStore.Role> {
        try AssistantStore(location: location).tokens
    }

    static let modelFolderDescription =
        "an intent-classifier folder (classifier.json, with its encoder/ when fine-tuned, as `assistant train` writes it)"

    static func registry(_ location: StoreLocation) throws -> ModelRegistry {
        try AssistantStore(location: location).models
    }
}

extension AssistantStore.Role: ExpressibleByArgument {}

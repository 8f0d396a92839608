public import ArgumentParser
import CommandLineSupport
import RecordStore
import TriageCore

/// Wires the study store into the shared `keys`, `audit`, `records`, `tokens` and `models` commands.
enum TriageProduct: ServiceProduct, RegistryProduct {
    static let name = StudyStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try StudyStore(location: location, access: access)
    }

    static func tokens(_ location: StoreLocation) throws -> APITokens<StudyStore.Role> {
        try StudyStore(location: location).tokens
    }

    static let modelFolderDescription = "a triage model folder (model.json and weights.safetensors, as `triage train` writes it)"

    static func registry(_ location: StoreLocation) throws -> ModelRegistry {
        try StudyStore(location: location).models
    }
}

extension StudyStore.Role: ExpressibleByArgument {}

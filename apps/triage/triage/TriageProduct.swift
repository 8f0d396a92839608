public import ArgumentParser
import CommandLineSupport
import RecordStore
import TriageCore

/// Wires the study store into the shared `keys`, `audit`, `records` and `tokens` commands.
enum TriageProduct: ServiceProduct {
    static let name = StudyStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try StudyStore(location: location, access: access)
    }

    static func tokens(_ location: StoreLocation) throws -> APITokens<StudyStore.Role> {
        try StudyStore(location: location).tokens
    }
}

extension StudyStore.Role: ExpressibleByArgument {}

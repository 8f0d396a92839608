public import Foundation
public import RecordStore

extension TriageModel {
    /// The model folder of a registry version, its id the version's id (what every verdict records
    /// as its model).
    public static func load(version id: String, directory: URL) throws -> TriageModel {
        let model = try load(directory: directory)
        return TriageModel(spec: model.spec, network: model.network, id: id)
    }

    /// The active version of `registry` loaded (`load(version:directory:)`), or nil when no version is active.
    public static func loadActive(_ registry: ModelRegistry) throws -> TriageModel? {
        guard let active = try registry.activeFolder() else { return nil }
        return try load(version: active.id, directory: active.folder)
    }
}

import Foundation
public import RecordStore

extension TriageModel {
    /// The active version of `registry` loaded, its id the registry's version id (what every
    /// verdict records as its model), or nil when no version is active.
    public static func loadActive(_ registry: ModelRegistry) throws -> TriageModel? {
        guard let active = try registry.activeFolder() else { return nil }
        let model = try load(directory: active.folder)
        return TriageModel(spec: model.spec, network: model.network, id: active.id)
    }
}

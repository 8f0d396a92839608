public import RecordStore

extension StudyStore {
    /// The versions of the triage model and the active one (`ModelRegistry`, shared with the
    /// assistant; docs/LIFECYCLE.md). A version is a model folder `TriageModel.load` accepts.
    public var models: ModelRegistry { ModelRegistry(secure: secure, validate: { _ = try TriageModel.load(directory: $0) }) }
}

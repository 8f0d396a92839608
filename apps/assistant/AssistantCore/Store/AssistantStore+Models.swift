public import RecordStore

extension AssistantStore {
    /// The versions of the intent classifier (with its encoder) and the active one
    /// (`ModelRegistry`, shared with triage; docs/LIFECYCLE.md).
    public var models: ModelRegistry { ModelRegistry(secure: secure, validate: IntentClassifier.validateVersion) }
}

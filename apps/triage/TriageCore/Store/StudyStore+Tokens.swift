public import RecordStore
public import SuiteFoundation

extension StudyStore {
    /// Who a bearer token of `triage serve` speaks for: a modality may only store (STOW-RS), a
    /// reader reads the worklist and studies and marks them read, an admin does everything.
    public enum Role: String, Sendable, StrictStringEnum {
        case modality, reader, admin
    }

    /// The service's bearer tokens (`APITokens`, shared with the assistant): secrets start with `trg_`.
    public var tokens: APITokens<Role> { APITokens(secure: secure, secretPrefix: "trg_") }
}

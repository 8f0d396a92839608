/// The hook through which every read of identifying data (patient name, ID, birth date, accession
/// number, institution...) is announced before it is shown. The executable connects it to the
/// audit log; until then it uses `UnauditedIdentifyingDataAccess`, which says so.
public protocol IdentifyingDataAccess: Sendable {
    /// Called once per file before identifying attributes are revealed. Throwing refuses the read.
    /// - Parameters:
    ///   - file: the path as given (not logged in clear by implementations).
    ///   - attributes: the keywords about to be shown.
    func willReveal(file: String, attributes: [String]) throws
}

/// No audit trail: every reveal is reported through `notice` (the executable prints it on stderr).
public struct UnauditedIdentifyingDataAccess: IdentifyingDataAccess {
    let notice: @Sendable (String) -> Void

    public init(notice: @escaping @Sendable (String) -> Void) { self.notice = notice }

    public func willReveal(file: String, attributes: [String]) throws {
        notice("identifying data shown for \(file) (\(attributes.count) attributes); the audit log is not connected yet, so this read is not audited")
    }
}

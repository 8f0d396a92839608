/// A presentation context accepted on an association.
package struct AcceptedPresentationContext: Equatable, Sendable {
    package var id: UInt8
    package var abstractSyntax: String
    package var transferSyntax: String
}

/// The acceptor's answer to an A-ASSOCIATE-RQ.
package enum AssociationNegotiation: Equatable, Sendable {
    /// The A-ASSOCIATE-AC to send and the contexts it accepted, by ID.
    case accepted(AssociateAccept, contexts: [UInt8: AcceptedPresentationContext])
    case rejected(AssociateReject)

    /// Checks an A-ASSOCIATE-RQ in the order of PS3.8 Table 9-21 and answers each proposed context.
    /// - Protocol version without bit 0 (version 1): rejected permanent, source 2 (ACSE), reason 2.
    /// - Application context other than the DICOM one: rejected permanent, source 1, reason 2.
    /// - Called AE title not ours: rejected permanent, source 1, reason 7.
    /// - Calling AE title not on the allow-list (when there is one): rejected permanent, source 1, reason 3.
    /// - `atCapacity` (association limit reached): rejected transient, source 3, reason 2 (local limit exceeded).
    /// - Otherwise accepted; each context: result 3 when its abstract syntax is not served, 4 when
    ///   none of its transfer syntaxes is taken, 2 (no reason) for an even or repeated ID, else 0
    ///   with our most preferred transfer syntax among those proposed.
    package static func negotiate(_ rq: AssociateRequest, configuration c: AcceptorConfiguration, atCapacity: Bool) -> AssociationNegotiation {
        if rq.protocolVersion & 1 == 0 {
            return .rejected(AssociateReject(result: .rejectedPermanent, reason: .serviceProviderACSE(.protocolVersionNotSupported)))
        }
        if rq.applicationContext != WellKnownUID.applicationContext {
            return .rejected(AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.applicationContextNameNotSupported)))
        }
        if rq.calledAETitle != c.aeTitle {
            return .rejected(AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.calledAETitleNotRecognized)))
        }
        if let allowed = c.callingAETitles, !allowed.contains(rq.callingAETitle) {
            return .rejected(AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.callingAETitleNotRecognized)))
        }
        if atCapacity {
            return .rejected(AssociateReject(result: .rejectedTransient, reason: .serviceProviderPresentation(.localLimitExceeded)))
        }
        var results: [PresentationContextResult] = []
        var accepted: [UInt8: AcceptedPresentationContext] = [:]
        var seen = Set<UInt8>()
        for pc in rq.presentationContexts {
            let fallback = pc.transferSyntaxes.first ?? WellKnownUID.implicitVRLittleEndian
            guard pc.id & 1 == 1, seen.insert(pc.id).inserted else {
                results.append(PresentationContextResult(id: pc.id, result: .noReason, transferSyntax: fallback))
                continue
            }
            guard let taken = c.abstractSyntaxes[pc.abstractSyntax] else {
                results.append(PresentationContextResult(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: fallback))
                continue
            }
            guard let syntax = taken.first(where: pc.transferSyntaxes.contains) else {
                results.append(PresentationContextResult(id: pc.id, result: .transferSyntaxesNotSupported, transferSyntax: fallback))
                continue
            }
            results.append(PresentationContextResult(id: pc.id, result: .acceptance, transferSyntax: syntax))
            accepted[pc.id] = AcceptedPresentationContext(id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: syntax)
        }
        let ac = AssociateAccept(
            protocolVersion: 1, calledAETitle: rq.calledAETitle, callingAETitle: rq.callingAETitle,
            presentationContexts: results,
            userInformation: UserInformation(maximumLength: c.maximumPDULength, implementationClassUID: c.implementationClassUID,
                                             implementationVersionName: c.implementationVersionName))
        return .accepted(ac, contexts: accepted)
    }
}

public import AuditLog
import Foundation
import Vault

extension SecureStore {
    /// Audits refused authentications of a product's HTTP service, summed over a window (the
    /// service's refusal auditor decides when): action `auth`, outcome `failure` for 401s
    /// (no, unknown or revoked token) and `denied` for 403s (a token without the route's role).
    ///
    /// The actor is `api:<token name>` for 403s, `api:?` for 401s. The object is the client as a
    /// keyed pseudonym, `client-<16 hex>` (`HMAC-SHA256` under the store's lookup key, so equal
    /// addresses give equal pseudonyms and the address is never stored), `client-unknown` without
    /// an address. Details: `status`, `refusals` (the count since the previous entry for this
    /// client, token and status) and `window_seconds` — scalars only, never the token.
    public func auditRefusedAuthentication(clientAddress: String?, tokenName: String?, status: Int, refusals: Int,
                                           windowSeconds: Int) throws {
        let client = try clientAddress.map { address in
            "client-" + (try vault.lookupHash(address, purpose: "client_address")).prefix(8).map { String(format: "%02x", $0) }.joined()
        } ?? "client-unknown"
        try audit.append(AuditEvent(actor: "api:\(tokenName ?? "?")", action: .authentication, objectType: "http_client", objectID: client,
                                    outcome: status == 403 ? .denied : .failure,
                                    details: ["status": .int(status), "refusals": .int(refusals), "window_seconds": .int(windowSeconds)]))
    }
}

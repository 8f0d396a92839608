public import Foundation
package import Hummingbird
public import ServiceLifecycle
import Synchronization

/// Refused authentications — 401 (no, unknown or revoked token) and 403 (a token without the
/// route's role) — counted per client address, token and status and handed to the product's
/// audit trail as summaries, so that a flood of bad tokens cannot fill it:
///
/// ```
///  refusal ──record──▶ [ counts per (client, token, status) ] ──due──▶ writer ──write(summary)──▶ audit entry
///  due: the first refusal of a (client, token, status) at once; later ones once `interval` has
///       passed since its last entry; everything left at graceful shutdown
/// ```
///
/// So there is at most one entry per client, token, status and `interval`, each counting the refusals
/// since the previous one, and no refusal goes uncounted. Counting is a lock and a dictionary
/// update on the request path; writes happen on the auditor's own task (a swift-service-lifecycle
/// `Service`), one at a time. A failed write (the executor full or stopping) keeps its counts
/// for the next try. Beyond 10,000 clients in one interval, new ones are counted together
/// without an address.
public final class AuthenticationRefusalAuditor: Service, Sendable {
    /// Refusals of one client, token and status since the last entry written for them.
    public struct Summary: Sendable, Equatable {
        /// The client's IP address, nil when unknown. Personal data: the product stores a keyed
        /// pseudonym of it, never the address.
        public let clientAddress: String?
        /// The refused token's name (a label such as `desk-1`) for 403s; nil for 401s.
        public let tokenName: String?
        /// 401 or 403.
        public let status: Int
        /// Refusals counted.
        public var refusals: Int
        /// The window length, in seconds (for the entry's details).
        public let intervalSeconds: Int
    }

    private struct Key: Hashable {
        let client: String?
        let token: String?
        let status: Int
    }

    private struct Entry {
        var pending: Summary
        /// When the last entry for this key was written; nil: never.
        var lastWritten: Date?
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var wake: AsyncStream<Void>.Continuation?
    }

    static let maximumClients = 10_000

    let intervalSeconds: Int
    private let clock: @Sendable () -> Date
    private let write: @Sendable (Summary) async throws -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - intervalSeconds: at most one entry per client and token in this many seconds.
    ///   - clock: the time now (tests move it).
    ///   - write: appends one summary to the product's audit trail (a failure keeps its counts).
    public init(intervalSeconds: Int = 60, clock: @escaping @Sendable () -> Date = { Date() },
                write: @escaping @Sendable (Summary) async throws -> Void) {
        precondition(intervalSeconds > 0, "the audit interval must be positive")
        self.intervalSeconds = intervalSeconds
        self.clock = clock
        self.write = write
    }

    /// Counts one refusal; wakes the writer when it makes a summary due.
    package func record(status: HTTPResponse.Status, clientAddress: String?, tokenName: String?) {
        guard status == .unauthorized || status == .forbidden else { return }
        let now = clock()
        let wake = state.withLock { s -> AsyncStream<Void>.Continuation? in
            var key = Key(client: clientAddress, token: tokenName, status: status.code)
            if s.entries[key] == nil, s.entries.count >= Self.maximumClients { key = Key(client: nil, token: tokenName, status: status.code) }
            var entry = s.entries[key] ?? Entry(pending: summary(for: key))
            entry.pending.refusals += 1
            s.entries[key] = entry
            return isDue(entry, now: now) ? s.wake : nil
        }
        wake?.yield()
    }

    private func summary(for key: Key) -> Summary {
        Summary(clientAddress: key.client, tokenName: key.token, status: key.status, refusals: 0, intervalSeconds: intervalSeconds)
    }

    private func isDue(_ entry: Entry, now: Date) -> Bool {
        guard entry.pending.refusals > 0 else { return false }
        guard let last = entry.lastWritten else { return true }
        return now.timeIntervalSince(last) >= Double(intervalSeconds)
    }

    /// Writes every due summary (every pending one with `all`), one at a time; forgets clients
    /// quiet for a whole interval. A summary whose write fails is due again at once.
    package func writeDue(all: Bool = false) async {
        let now = clock()
        let due = state.withLock { s -> [(summary: Summary, lastWritten: Date?)] in
            var due: [(summary: Summary, lastWritten: Date?)] = []
            for (key, var entry) in s.entries {
                if all ? entry.pending.refusals > 0 : isDue(entry, now: now) {
                    due.append((entry.pending, entry.lastWritten))
                    entry.pending.refusals = 0
                    entry.lastWritten = now
                    s.entries[key] = entry
                } else if entry.pending.refusals == 0, let last = entry.lastWritten,
                          now.timeIntervalSince(last) >= Double(intervalSeconds) {
                    s.entries[key] = nil
                }
            }
            return due
        }
        for (summary, lastWritten) in due {
            do {
                try await write(summary)
            } catch {
                restore(summary, lastWritten: lastWritten)
            }
        }
    }

    /// Puts back the count of a summary that could not be written, and when the last entry was.
    private func restore(_ summary: Summary, lastWritten: Date?) {
        state.withLock { s in
            let key = Key(client: summary.clientAddress, token: summary.tokenName, status: summary.status)
            var entry = s.entries[key] ?? Entry(pending: self.summary(for: key))
            entry.pending.refusals += summary.refusals
            entry.lastWritten = lastWritten
            s.entries[key] = entry
        }
    }

    /// Writes due summaries as they become due (checking once a second for windows that ended)
    /// until graceful shutdown, then writes everything still counted.
    public func run() async throws {
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        state.withLock { $0.wake = wake }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while (try? await Task.sleep(for: .seconds(1))) != nil { wake.yield() }
                }
                for await _ in wakeups { await writeDue() }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wake.finish()
        }
        state.withLock { $0.wake = nil }
        await writeDue(all: true)
    }
}

/// Reports the 403s of the routes inside it, with the refused token's name, to the
/// `AuthenticationRefusalAuditor`. Place it right after the bearer-token authenticator (which
/// reports its own 401s).
struct AuthenticationRefusalMiddleware<Role: Hashable & Sendable>: RouterMiddleware {
    typealias Context = ServiceRequestContext<Role>
    let auditor: AuthenticationRefusalAuditor

    init(auditor: AuthenticationRefusalAuditor) { self.auditor = auditor }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError where error.status == .forbidden {
            auditor.record(status: error.status, clientAddress: context.clientAddress, tokenName: context.identity?.name)
            throw error
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Synchronization
import Testing

/// Refused authentications are summarised per client, token and status: the first refusal is
/// written at once, a flood becomes one entry per interval carrying its count, nothing is lost
/// (a failed write keeps its count), and the summaries carry no secret.
@Suite(.timeLimit(.minutes(1)))
struct RefusalAuditTests {
    /// Summaries written, and a clock the test moves.
    final class Recorder: Sendable {
        let written = Mutex<[AuthenticationRefusalAuditor.Summary]>([])
        let now = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let failing = Mutex(false)

        func auditor(intervalSeconds: Int = 60) -> AuthenticationRefusalAuditor {
            AuthenticationRefusalAuditor(intervalSeconds: intervalSeconds, clock: { self.now.withLock { $0 } }) { summary in
                struct WriteFailed: Error {}
                if self.failing.withLock({ $0 }) { throw WriteFailed() }
                self.written.withLock { $0.append(summary) }
            }
        }

        var summaries: [AuthenticationRefusalAuditor.Summary] { written.withLock { $0 } }
        func advance(seconds: Double) { now.withLock { $0 += seconds } }
    }

    @Test func aFloodBecomesOneEntryPerIntervalAndEveryRefusalIsCounted() async throws {
        let recorder = Recorder()
        let auditor = recorder.auditor()
        let service = TestService(refusals: auditor)
        try await service.application().test(.router) { client in
            for n in 0..<500 {
                try await client.execute(uri: "/echo", method: .post, headers: TestService.bearer("wrong-\(n)"), body: ByteBuffer(string: "{}")) {
                    #expect($0.status == .unauthorized)
                }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: TestService.bearer("u")) { #expect($0.status == .forbidden) }
        }
        // The application's graceful shutdown wrote what was still counted.
        let summaries = recorder.summaries
        #expect(summaries.count <= 4, "\(summaries.count) entries")
        #expect(summaries.filter { $0.status == 401 }.map(\.refusals).reduce(0, +) == 500)
        #expect(summaries.filter { $0.status == 401 }.allSatisfy { $0.tokenName == nil && $0.clientAddress == nil })
        #expect(summaries.filter { $0.status == 403 }.map(\.refusals) == [1])
        #expect(summaries.first { $0.status == 403 }?.tokenName == "u")
        #expect(!summaries.contains { "\($0)".contains("wrong-") })
    }

    @Test func theFirstRefusalIsDueAtOnceLaterOnesOncePerInterval() async throws {
        let recorder = Recorder()
        let auditor = recorder.auditor(intervalSeconds: 60)
        func record(_ client: String, times: Int = 1) {
            for _ in 0..<times { auditor.record(status: .unauthorized, clientAddress: client, tokenName: nil) }
        }
        record("192.0.2.1")
        await auditor.writeDue()
        #expect(recorder.summaries.map(\.refusals) == [1])  // a single refusal is audited at once

        record("192.0.2.1", times: 499)
        record("192.0.2.2")
        await auditor.writeDue()
        #expect(recorder.summaries.map(\.refusals) == [1, 1])  // the second client's first; the first client waits

        recorder.advance(seconds: 30)
        await auditor.writeDue()
        #expect(recorder.summaries.count == 2)

        recorder.failing.withLock { $0 = true }
        recorder.advance(seconds: 30)
        await auditor.writeDue()  // due, but the write fails: the count is kept, due again
        recorder.failing.withLock { $0 = false }
        record("192.0.2.1")
        await auditor.writeDue()
        #expect(recorder.summaries.map(\.refusals) == [1, 1, 500])
        #expect(recorder.summaries.map(\.clientAddress) == ["192.0.2.1", "192.0.2.2", "192.0.2.1"])
        #expect(recorder.summaries.allSatisfy { $0.intervalSeconds == 60 && $0.status == 401 })
    }
}

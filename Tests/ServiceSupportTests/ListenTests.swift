import Foundation
import Hummingbird
import Logging
import ServiceSupport
import Synchronization
import Testing

/// A port that cannot be bound fails the run with a `ListenError` before `onServerRunning` —
/// where the commands say "serving" — is ever called.
@Suite(.timeLimit(.minutes(1)))
struct ListenTests {
    @Test func aBusyPortFailsBeforeServing() async throws {
        try await TestService().withRunningServer { port in
            var configuration = TestService.loopback
            configuration.port = port
            let second = TestService(configuration: configuration)
            let served = Mutex(false)
            let app = second.application { _ in served.withLock { $0 = true } }
            let error = await #expect(throws: ListenError.self) {
                try await ServiceRunner.run([app], address: "127.0.0.1:\(port)", logger: Logger(label: "test"), signals: [])
            }
            #expect(error?.description == "cannot listen on 127.0.0.1:\(port): the address is already in use (another server on this port?)")
            #expect(!served.withLock { $0 })
        }
    }
}

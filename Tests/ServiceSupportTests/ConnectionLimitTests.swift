import Foundation
import Hummingbird
import ServiceSupport
import Testing

/// What the server does with connections, over real sockets on 127.0.0.1: a first request head
/// must arrive within the header timeout, a connection without progress is closed after the
/// idle timeout, and one client address holds at most its connection limit. Timing bounds are
/// one-sided where a busy machine could stretch them (a timer never fires early).
@Suite(.timeLimit(.minutes(1)))
struct ConnectionLimitTests {
    @Test func silentAndHalfHeaderConnectionsCloseAfterTheHeaderTimeoutKeptAliveOnesAfterTheIdleTimeout() async throws {
        var service = TestService()
        service.configuration.headerTimeout = .seconds(1)
        service.configuration.idleTimeout = .seconds(3)
        try await service.withRunningServer { port in
            /// Seconds until the server closes a connection that sends `text` and nothing more.
            @Sendable func secondsUntilClosed(sending text: String) async throws -> Double {
                let client = try await RawClient.connect(port: port)
                let start = ContinuousClock.now
                if !text.isEmpty { try await client.send(text) }
                let received = await client.readUntilClosed()
                #expect(received.isEmpty)
                return seconds(since: start)
            }
            /// Seconds until the server closes a connection after answering its one request.
            @Sendable func secondsIdleUntilClosed() async throws -> Double {
                let client = try await RawClient.connect(port: port)
                try await client.sendGet("/healthz")
                let answer = await client.read(until: "ok\n")
                #expect(answer.found && answer.text.hasPrefix("HTTP/1.1 200"))
                let start = ContinuousClock.now
                _ = await client.readUntilClosed()
                return seconds(since: start)
            }
            async let silent = secondsUntilClosed(sending: "")
            async let halfHeader = secondsUntilClosed(sending: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  // the head never ends
            async let keptAlive = secondsIdleUntilClosed()
            let (silentSeconds, halfHeaderSeconds, keptAliveSeconds) = try await (silent, halfHeader, keptAlive)
            #expect(silentSeconds >= 0.9 && silentSeconds < 2.9, "closed after \(silentSeconds) s")
            #expect(halfHeaderSeconds >= 0.9 && halfHeaderSeconds < 2.9, "closed after \(halfHeaderSeconds) s")
            // Past the header timeout, a connection that delivered its request is left to the idle timeout.
            #expect(keptAliveSeconds >= 2.9 && keptAliveSeconds < 20, "closed after \(keptAliveSeconds) s")
        }
        #expect(service.metrics.render().contains(#"test_connections_closed_total{reason="header_timeout"} 2"#))
    }

    @Test func connectionsBeyondThePerClientLimitAreClosedAtOnce() async throws {
        var service = TestService()
        service.configuration.maximumConnectionsPerClient = 2
        try await service.withRunningServer { port in
            var held: [RawClient] = []
            for _ in 0..<2 {
                let client = try await RawClient.connect(port: port)
                try await client.sendGet("/healthz")
                #expect(await client.read(until: "ok\n").found)
                held.append(client)
            }
            let start = ContinuousClock.now
            let third = try await RawClient.connect(port: port)
            try? await third.sendGet("/healthz")
            let refused = await third.readUntilClosed()
            #expect(refused.isEmpty)
            #expect(seconds(since: start) < 5, "the header timeout (10 s) did not close it: the limit did")
            // Closing one frees its slot (once the server has seen the close).
            await held.removeFirst().close()
            var answered = false
            for _ in 0..<50 where !answered {
                let next = try await RawClient.connect(port: port)
                try? await next.sendGet("/healthz")
                answered = await next.read(until: "ok\n").found
                await next.close()
                if !answered { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(answered)
            for client in held { await client.close() }
        }
        #expect(service.metrics.render().contains(#"test_connections_closed_total{reason="client_limit"}"#))
    }
}

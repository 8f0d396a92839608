import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceSupport
import Synchronization
import Testing

/// `/healthz` is answered on the router, never through the inference executor: it answers while
/// every worker is busy and the queue is full, and stays fast while 200 slow requests saturate
/// inference on loopback.
@Suite(.timeLimit(.minutes(1)))
struct HealthUnderLoadTests {
    @Test func healthzAnswersWhileTheQueueIsFull() async throws {
        let service = TestService(executor: InferenceExecutor(.init(workers: 1, queueLimit: 2)))
        let gate = DispatchSemaphore(value: 0)
        try await service.application().test(.router) { client in
            for _ in 0..<3 { try service.executor.enqueue { gate.wait() } }  // 1 running, 2 waiting: full
            try await client.execute(uri: "/slow", method: .post, headers: TestService.bearer("u")) {
                #expect($0.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "ok\n")
            }
            #expect(service.executor.load == .init(waiting: 2, running: 1))
            for _ in 0..<3 { gate.signal() }
        }
    }

    /// 200 concurrent `POST /slow` whose jobs hold the 2 workers (sleeping until released) so
    /// that inference stays saturated — 2 running, 198 queued — for the whole measurement: 200
    /// sequential `GET /healthz` on one kept-alive connection. Then the jobs are released and
    /// every slow request completes.
    ///
    /// The held jobs never finish while `/healthz` is measured, so a health check that queued
    /// behind inference would never answer: every 200 is the proof. The p99 is printed, not
    /// asserted (the target, 50 ms, is met on an idle machine: docs/HTTP-API.md); a 1 s bound
    /// failed on a CI machine shared with other builds (1.3–1.5 s).
    @Test func healthzAnswersQuicklyWhileInferenceIsSaturated() async throws {
        var configuration = TestService.loopback
        configuration.maximumConnectionsPerClient = 512
        var service = TestService(configuration: configuration, executor: InferenceExecutor(.init(workers: 2, queueLimit: 256)))
        let release = DispatchGroup(), released = Mutex(false)
        release.enter()
        /// Lets every held job finish (once; also when the test fails early, so shutdown can drain).
        @Sendable func releaseJobs() {
            let first = released.withLock { wasReleased in
                defer { wasReleased = true }
                return !wasReleased
            }
            if first { release.leave() }
        }
        service.slowJob = { release.wait() }
        let executor = service.executor
        let (p99, statuses) = try await service.withRunningServer { port in
            try await withThrowingTaskGroup(of: Int.self) { slow in
                defer { releaseJobs() }
                for _ in 0..<200 {
                    slow.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
                            Int(try await client.post("/slow", headers: TestService.bearer("u"), body: ByteBuffer()).status.code)
                        }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(40)
                while executor.load != .init(waiting: 198, running: 2), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(executor.load == .init(waiting: 198, running: 2))

                let milliseconds = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    _ = try await client.get("/healthz")  // the connection is up
                    var samples: [Double] = []
                    for _ in 0..<200 {
                        let start = ContinuousClock.now
                        let response = try await client.get("/healthz")
                        samples.append(seconds(since: start) * 1000)
                        #expect(response.status == .ok)
                    }
                    return samples
                }
                #expect(executor.load == .init(waiting: 198, running: 2), "inference stayed saturated throughout")
                releaseJobs()

                var statuses: [Int] = []
                for try await status in slow { statuses.append(status) }
                let sorted = milliseconds.sorted()
                return (sorted[Int((Double(sorted.count) * 0.99).rounded(.up)) - 1], statuses)
            }
        }
        print("healthz with inference saturated (2 running, 198 queued): p99 \(String(format: "%.1f", p99)) ms over 200 requests")
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
        // No bound on the latency itself (timings belong in benchmarks, and a loaded CI machine
        // stretches them): that all 200 health checks were answered while the 198 jobs still
        // waited is the property, checked above.
    }
}

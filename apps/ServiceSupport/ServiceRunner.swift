public import Logging
public import ServiceLifecycle
public import UnixSignals

/// Start-up and graceful shutdown with swift-service-lifecycle: runs the services (an
/// application, which runs its own executor and server) until SIGINT or SIGTERM, then shuts them
/// down gracefully in reverse order — the HTTP server stops accepting, finishes its in-flight
/// requests, then the executor finishes its queued jobs. A second signal does not force it.
public enum ServiceRunner {
    /// - Parameter address: `host:port` the server listens on, for a `ListenError` when it cannot.
    /// - Throws: `ListenError` when the server cannot bind; any other error of a service as is.
    public static func run(_ services: [any Service], address: String, logger: Logger,
                           signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        do {
            try await group.run()
        } catch {
            throw ListenError(error, address: address) ?? error
        }
    }
}

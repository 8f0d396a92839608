public import DICOMService
import Foundation
import NIOCore
public import Logging
import NIOPosix
import ServiceSupport
public import ServiceLifecycle
public import TriageCore

/// The DICOM side of `triage serve`, as a service of the service group: drains what a previous
/// run left in the spool, then listens for C-ECHO and C-STORE while a `DrainLoop` scores what
/// arrives. On graceful shutdown it stops accepting, lets open associations finish for up to
/// `shutdownGraceSeconds`, lets stores under way finish, closes what is still open and lets the
/// current scoring round end (what is not scored yet stays in the spool for the next start).
public struct DICOMReceiver: Service {
    let configuration: DICOMServer.Configuration
    let spool: InstanceSpool
    let loop: DrainLoop
    let metrics: TriageServiceMetrics?
    let logger: Logger
    let onListening: @Sendable (_ port: Int) -> Void
    /// How long open associations may go on after a shutdown signal before they are closed.
    let shutdownGraceSeconds: Int

    public init(configuration: DICOMServer.Configuration, spool: InstanceSpool, loop: DrainLoop, metrics: TriageServiceMetrics? = nil,
                shutdownGraceSeconds: Int = 20, logger: Logger, onListening: @escaping @Sendable (_ port: Int) -> Void = { _ in }) {
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.configuration = configuration
        self.spool = spool
        self.loop = loop
        self.metrics = metrics
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let waiting = spool.depth
        if waiting.instances > 0 {
            logger.info("draining the spool left by the last run first", metadata: ["instances": "\(waiting.instances)"])
            while try loop.round(everything: true) != nil, spool.depth.instances > 0 {}
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: DICOMServer
        do {
            server = try await DICOMServer.start(configuration, storage: SpoolStorage(spool: spool, acceptor: configuration.acceptor, metrics: metrics),
                                                 group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw ListenError(error, address: "\(configuration.host):\(configuration.port) (DICOM)") ?? error
        }
        metrics?.recordSpool(spool.depth)
        onListening(server.port)
        loop.start()
        try? await gracefulShutdown()
        logger.info("stopping: no new associations; open ones may finish", metadata: ["open": "\(server.openAssociations)"])
        try? await server.stop(grace: .seconds(shutdownGraceSeconds))
        try? await group.shutdownGracefully()
        await loop.stop()
    }
}

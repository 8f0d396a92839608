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
/// arrives. On graceful shutdown it stops accepting, lets stores under way finish (new ones are
/// refused as out of resources), closes the associations and lets the current scoring round end.
public struct DICOMReceiver: Service {
    let configuration: DICOMServer.Configuration
    let spool: InstanceSpool
    let loop: DrainLoop
    let metrics: TriageServiceMetrics?
    let logger: Logger
    let onListening: @Sendable (_ port: Int) -> Void

    public init(configuration: DICOMServer.Configuration, spool: InstanceSpool, loop: DrainLoop, metrics: TriageServiceMetrics? = nil,
                logger: Logger, onListening: @escaping @Sendable (_ port: Int) -> Void = { _ in }) {
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
        logger.info("stopping: no new associations; stores under way finish")
        try? await server.stop()
        try? await group.shutdownGracefully()
        await loop.stop()
    }
}

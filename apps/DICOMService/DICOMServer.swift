public import DICOMNetwork
public import Logging
public import NIOCore
import NIOPosix

/// A DICOM acceptor on TCP: one `AcceptorAssociation` per connection, framed by `PDUFrameDecoder`.
public final class DICOMServer: Sendable {
    public struct Configuration: Sendable {
        public var acceptor: AcceptorConfiguration
        /// Address to bind, e.g. "127.0.0.1".
        public var host: String
        /// TCP port; 0 lets the system choose (`DICOMServer.port` tells which).
        public var port: Int
        /// ARTIM (PS3.8 §9.1.5): how long a connection may stay open without an A-ASSOCIATE-RQ,
        /// and after our A-ASSOCIATE-RJ or A-RELEASE-RP before we close it.
        public var artimTimeout: TimeAmount
        /// How long an established association may send no PDU before we abort it (A-ABORT, then close).
        public var idleTimeout: TimeAmount
        /// Associations open at once; a request beyond it is rejected (transient, local limit exceeded).
        public var maximumAssociations: Int
        /// Told each association's outcome (on an event loop: keep it short).
        public var onEvent: (@Sendable (AssociationEvent) -> Void)?

        public init(acceptor: AcceptorConfiguration, host: String = "127.0.0.1", port: Int, artimTimeout: TimeAmount = .seconds(30),
                    idleTimeout: TimeAmount = .seconds(120), maximumAssociations: Int = 16) {
            self.acceptor = acceptor
            self.host = host
            self.port = port
            self.artimTimeout = artimTimeout
            self.idleTimeout = idleTimeout
            self.maximumAssociations = maximumAssociations
        }
    }

    private let channel: any Channel
    private let storagePool: NIOThreadPool
    private let limit: AssociationLimit
    /// The bound TCP port.
    public let port: Int

    private init(channel: any Channel, storagePool: NIOThreadPool, limit: AssociationLimit, port: Int) {
        self.channel = channel
        self.storagePool = storagePool
        self.limit = limit
        self.port = port
    }

    /// Binds and starts accepting on `group`'s event loops; received instances go to `storage`,
    /// on a pool of one thread per association allowed.
    public static func start(_ configuration: Configuration, storage: any InstanceStorage = NoStorage(), group: any EventLoopGroup,
                             logger: Logger) async throws -> DICOMServer {
        let limit = AssociationLimit(maximum: configuration.maximumAssociations)
        let storagePool = NIOThreadPool(numberOfThreads: configuration.maximumAssociations)
        storagePool.start()
        let channel: any Channel
        do {
            channel = try await bind(configuration, limit: limit, storage: storage, storagePool: storagePool, group: group, logger: logger)
        } catch {
            try? await storagePool.shutdownGracefully()
            throw error
        }
        return DICOMServer(channel: channel, storagePool: storagePool, limit: limit, port: channel.localAddress?.port ?? configuration.port)
    }

    private static func bind(_ configuration: Configuration, limit: AssociationLimit, storage: any InstanceStorage,
                             storagePool: NIOThreadPool, group: any EventLoopGroup, logger: Logger) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let timeouts = DICOMAssociationHandler.Timeouts(artim: configuration.artimTimeout, idle: configuration.idleTimeout)
                    let handler = DICOMAssociationHandler(configuration: configuration.acceptor, limit: limit, timeouts: timeouts,
                                                          storage: storage, storagePool: storagePool, onEvent: configuration.onEvent,
                                                          logger: logger)
                    let reader = PDUReader(maximumDataLength: Int(configuration.acceptor.maximumPDULength))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PDUFrameDecoder(reader: reader)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
    }

    /// Associations (and connections still negotiating) open now.
    public var openAssociations: Int { limit.current }

    /// Stops accepting new connections, then lets open associations end by themselves for at most
    /// `grace` (a modality finishing its study), then lets stores under way finish. Associations
    /// still open after that are closed when the event loop group shuts down.
    public func stop(grace: Duration = .zero) async throws {
        try await channel.close()
        let deadline = ContinuousClock.now + grace
        while limit.current > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        try await storagePool.shutdownGracefully()
    }
}

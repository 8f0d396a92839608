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
    /// The bound TCP port.
    public let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Binds and starts accepting on `group`'s event loops.
    public static func start(_ configuration: Configuration, group: any EventLoopGroup, logger: Logger) async throws -> DICOMServer {
        let limit = AssociationLimit(maximum: configuration.maximumAssociations)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let timeouts = DICOMAssociationHandler.Timeouts(artim: configuration.artimTimeout, idle: configuration.idleTimeout)
                    let handler = DICOMAssociationHandler(configuration: configuration.acceptor, limit: limit, timeouts: timeouts,
                                                          logger: logger)
                    let reader = PDUReader(maximumDataLength: Int(configuration.acceptor.maximumPDULength))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PDUFrameDecoder(reader: reader)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        return DICOMServer(channel: channel, port: channel.localAddress?.port ?? configuration.port)
    }

    /// Stops accepting; open associations go on until they end.
    public func stop() async throws {
        try await channel.close()
    }
}

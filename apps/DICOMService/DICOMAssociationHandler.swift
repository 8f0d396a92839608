import DICOMNetwork
import Logging
import NIOCore

/// Runs one connection's `AcceptorAssociation`: feeds it the decoded PDUs, writes the PDUs it
/// answers with, closes when it says so. The ARTIM timer closes the connection when no
/// A-ASSOCIATE-RQ arrives within the timeout, and when the peer does not close after our
/// A-ASSOCIATE-RJ or A-RELEASE-RP. A decoding error aborts this association only.
final class DICOMAssociationHandler: ChannelInboundHandler {
    typealias InboundIn = PDU
    typealias OutboundOut = ByteBuffer

    private var association: AcceptorAssociation
    private let limit: AssociationLimit
    private let holdsSlot: Bool
    private let artimTimeout: TimeAmount
    private var artim: Scheduled<Void>?
    private var logger: Logger

    init(configuration: AcceptorConfiguration, limit: AssociationLimit, artimTimeout: TimeAmount, logger: Logger) {
        holdsSlot = limit.acquire()
        self.limit = limit
        association = AcceptorAssociation(configuration: configuration, atCapacity: !holdsSlot)
        self.artimTimeout = artimTimeout
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        logger[metadataKey: "peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
        startARTIM(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        artim?.cancel()
        if holdsSlot { limit.release() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let pdu = unwrapInboundIn(data)
        if case .associateRequest(let rq) = pdu {
            artim?.cancel()
            logger.info("A-ASSOCIATE-RQ", metadata: ["called": "\(rq.calledAETitle)", "calling": "\(rq.callingAETitle)"])
        }
        perform(association.receive(pdu), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let networkError = error as? DICOMNetworkError ?? .invalidValue(field: "connection", reason: "\(error)")
        logger.warning("association aborted", metadata: ["error": "\(networkError)"])
        perform(association.fail(networkError), context: context)
    }

    private func perform(_ actions: [AcceptorAssociation.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let pdu):
                do {
                    context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: try pdu.encoded())), promise: nil)
                } catch {
                    logger.error("PDU not encodable", metadata: ["error": "\(error)"])
                    context.close(promise: nil)
                    return
                }
            case .close:
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    loopBound.value.close(promise: nil)
                }
                return
            case .awaitPeerClose:
                startARTIM(context: context)
            }
        }
        context.flush()
    }

    private func startARTIM(context: ChannelHandlerContext) {
        artim?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        artim = context.eventLoop.scheduleTask(in: artimTimeout) {
            loopBound.value.close(promise: nil)
        }
    }
}

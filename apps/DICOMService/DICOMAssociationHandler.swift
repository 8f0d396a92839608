import DICOMNetwork
import Logging
import NIOCore
import NIOPosix

/// Runs one connection's `AcceptorAssociation`: feeds it the decoded PDUs, writes the PDUs it
/// answers with, closes when it says so. One timer at a time: ARTIM closes the connection when no
/// A-ASSOCIATE-RQ arrives within its timeout, and when the peer does not close after our
/// A-ASSOCIATE-RJ or A-RELEASE-RP; once established, the idle timer aborts an association that
/// sends no PDU within the idle timeout. A decoding error aborts this association only. A received
/// instance is stored on the storage pool; its C-STORE-RSP is sent once `InstanceStorage` returns.
final class DICOMAssociationHandler: ChannelInboundHandler {
    typealias InboundIn = PDU
    typealias OutboundOut = ByteBuffer

    struct Timeouts {
        /// ARTIM (PS3.8 §9.1.5).
        let artim: TimeAmount
        /// Longest wait for the next PDU on an established association.
        let idle: TimeAmount
    }

    private var association: AcceptorAssociation
    private let limit: AssociationLimit
    private let holdsSlot: Bool
    private let timeouts: Timeouts
    private let storage: any InstanceStorage
    private let storagePool: NIOThreadPool
    private let onEvent: (@Sendable (AssociationEvent) -> Void)?
    private var timer: Scheduled<Void>?
    private var logger: Logger

    init(configuration: AcceptorConfiguration, limit: AssociationLimit, timeouts: Timeouts, storage: any InstanceStorage,
         storagePool: NIOThreadPool, onEvent: (@Sendable (AssociationEvent) -> Void)?, logger: Logger) {
        holdsSlot = limit.acquire()
        self.limit = limit
        association = AcceptorAssociation(configuration: configuration, atCapacity: !holdsSlot)
        self.timeouts = timeouts
        self.storage = storage
        self.storagePool = storagePool
        self.onEvent = onEvent
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        logger[metadataKey: "peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
        startARTIM(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if holdsSlot { limit.release() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let pdu = unwrapInboundIn(data)
        if case .associateRequest(let rq) = pdu {
            logger.info("A-ASSOCIATE-RQ", metadata: [
                "called": "\(rq.calledAETitle)", "calling": "\(rq.callingAETitle)",
                "implementation": "\(rq.userInformation.implementationClassUID ?? "-") \(rq.userInformation.implementationVersionName ?? "-")",
            ])
        }
        let before = association.failure
        let actions = association.receive(pdu)
        if case .associateRequest = pdu {
            if association.state == .established { onEvent?(.accepted) }
            for case .send(.associateReject(let rj)) in actions { onEvent?(.rejected(rj)) }
        }
        perform(actions, context: context)
        if association.state == .established { startIdleTimer(context: context) }
        reportAbort(before: before)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let networkError = error as? DICOMNetworkError ?? .invalidValue(field: "connection", reason: "\(error)")
        logger.warning("association aborted", metadata: ["error": "\(networkError)"])
        let before = association.failure
        perform(association.fail(networkError), context: context)
        reportAbort(before: before)
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
                timer?.cancel()
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    loopBound.value.close(promise: nil)
                }
                return
            case .awaitPeerClose:
                startARTIM(context: context)
            case .store(let instance):
                store(instance, context: context)
            }
        }
        context.flush()
    }

    /// Tells `onEvent` of the abort this side just made (`before`: the association's failure
    /// before the step, nil when it had not failed yet; it fails once).
    private func reportAbort(before: DICOMNetworkError?) {
        if before == nil, let failure = association.failure { onEvent?(.aborted(failure)) }
    }

    /// Stores `instance` on the storage pool, then, back on the event loop, sends its C-STORE-RSP
    /// (nothing when the association ended meanwhile: the instance is kept all the same).
    private func store(_ instance: ReceivedInstance, context: ChannelHandlerContext) {
        let storage = self.storage
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        storagePool.runIfActive(eventLoop: context.eventLoop) { storage.store(instance) }.whenComplete { result in
            let (handler, context) = loopBound.value
            let status: StoreStatus
            switch result {
            case .success(let s): status = s
            case .failure(let error): status = .outOfResources("storage unavailable: \(error)")
            }
            if status != .success {
                handler.logger.warning("C-STORE not stored", metadata: [
                    "status": "\(String(status.code, radix: 16))", "reason": "\(status.comment ?? "")",
                ])
            }
            guard context.channel.isActive else { return }
            handler.perform(handler.association.storeCompleted(instance, status: status), context: context)
            if handler.association.state == .established { handler.startIdleTimer(context: context) }
        }
    }

    private func startARTIM(context: ChannelHandlerContext) {
        schedule(after: timeouts.artim, context: context) { handler, context in context.close(promise: nil) }
    }

    private func startIdleTimer(context: ChannelHandlerContext) {
        let seconds = Double(timeouts.idle.nanoseconds) / 1e9
        schedule(after: timeouts.idle, context: context) { handler, context in
            handler.logger.warning("association idle, aborted", metadata: ["seconds": "\(seconds)"])
            let before = handler.association.failure
            handler.perform(handler.association.fail(.associationIdle(seconds: seconds)), context: context)
            handler.reportAbort(before: before)
        }
    }

    /// Replaces the pending timer with one that runs `fire` on the event loop after `delay`.
    private func schedule(after delay: TimeAmount, context: ChannelHandlerContext,
                          _ fire: @escaping (DICOMAssociationHandler, ChannelHandlerContext) -> Void) {
        timer?.cancel()
        let loopBound = NIOLoopBound((self, context, fire), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context, fire) = loopBound.value
            fire(handler, context)
        }
    }
}

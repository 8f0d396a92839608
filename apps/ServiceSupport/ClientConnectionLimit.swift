import NIOCore
import NIOHTTPTypes
import Synchronization

/// Open connections per client IP address, shared by every connection of one server. A client
/// at `maximumPerClient` gets no more: one host cannot take every socket and file descriptor.
/// Behind a proxy every connection comes from the proxy's address; raise the limit there.
final class ClientConnectionLimiter: Sendable {
    let maximumPerClient: Int
    private let open = Mutex<[String: Int]>([:])

    init(maximumPerClient: Int) {
        precondition(maximumPerClient > 0, "the connection limit must be positive")
        self.maximumPerClient = maximumPerClient
    }

    /// Counts a new connection from `address`; false, and not counted, when the client already
    /// holds `maximumPerClient`.
    func admit(_ address: String) -> Bool {
        open.withLock { open in
            let count = open[address, default: 0]
            guard count < maximumPerClient else { return false }
            open[address] = count + 1
            return true
        }
    }

    /// Forgets one admitted connection of `address`.
    func release(_ address: String) {
        open.withLock { open in
            let count = open[address, default: 0] - 1
            open[address] = count > 0 ? count : nil
        }
    }
}

/// In every connection's pipeline: admits the connection through the `ClientConnectionLimiter`
/// when it becomes active, or closes it at once (nothing read, nothing answered) when its
/// client is at the limit; releases its slot when it closes. Connections without an IP
/// address (Unix sockets) are not limited.
final class ClientConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let limiter: ClientConnectionLimiter
    private let metrics: ServiceMetrics?
    private var state = State.undecided

    /// `admitted(nil)`: a connection without an IP address, not counted.
    private enum State { case undecided, admitted(String?), refused, released }

    init(limiter: ClientConnectionLimiter, metrics: ServiceMetrics?) {
        self.limiter = limiter
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added to a channel that is active already: decide now, close on the next tick (the
        // pipeline is still being set up).
        if context.channel.isActive, !admit(context) {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.close(promise: nil) }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        let admitted = admit(context)
        context.fireChannelActive()
        if !admitted { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseSlot()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { releaseSlot() }

    /// Whether the connection may stay open (decided once).
    private func admit(_ context: ChannelHandlerContext) -> Bool {
        switch state {
        case .admitted: return true
        case .refused, .released: return false
        case .undecided:
            guard let address = context.channel.remoteAddress?.ipAddress else {
                state = .admitted(nil)
                return true
            }
            guard limiter.admit(address) else {
                state = .refused
                metrics?.recordConnectionRefused()
                return false
            }
            state = .admitted(address)
            return true
        }
    }

    private func releaseSlot() {
        guard case .admitted(let address) = state else { return }
        if let address { limiter.release(address) }
        state = .released
    }
}

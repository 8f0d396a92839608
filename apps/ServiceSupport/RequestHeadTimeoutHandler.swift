import NIOCore
import NIOHTTPTypes

/// In every connection's pipeline, after the HTTP decoder: closes a connection that has not
/// delivered a complete first request head within `timeout` of becoming active — a client that
/// connects and sends nothing, or drips a header byte by byte, holds a socket for that long at
/// most. After the first head Hummingbird's idle timeout takes over (a kept-alive connection
/// with no request in flight, or a request whose head or body stops arriving).
final class RequestHeadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let timeout: TimeAmount
    private let metrics: ServiceMetrics?
    private var deadline: Scheduled<Void>?
    private var headRead = false

    init(timeout: TimeAmount, metrics: ServiceMetrics?) {
        self.timeout = timeout
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headRead, case .head = unwrapInboundIn(data) {
            headRead = true
            disarm()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, !headRead else { return }
        let metrics = self.metrics
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            metrics?.recordHeaderTimeout()
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

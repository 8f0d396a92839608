import Foundation
import NIOCore
import NIOPosix

/// A raw TCP client on 127.0.0.1 for what HTTP clients will not do: send nothing, half a
/// header, or hold a connection open; it sees what the server sends and when it closes.
final class RawClient: Sendable {
    let channel: any Channel
    private let received: AsyncStream<ByteBuffer>

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let sink: AsyncStream<ByteBuffer>.Continuation
        init(sink: AsyncStream<ByteBuffer>.Continuation) { self.sink = sink }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { sink.yield(unwrapInboundIn(data)) }
        func channelInactive(context: ChannelHandlerContext) { sink.finish() }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }  // a reset is a close
    }

    private init(channel: any Channel, received: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.received = received
    }

    static func connect(port: Int) async throws -> RawClient {
        let (received, sink) = AsyncStream.makeStream(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(sink: sink)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawClient(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// `GET path` with keep-alive.
    func sendGet(_ path: String) async throws {
        try await send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    /// Reads until the text received so far contains `marker` (true) or the server closes (false).
    func read(until marker: String) async -> (found: Bool, text: String) {
        var text = ""
        for await chunk in received {
            text += String(buffer: chunk)
            if text.contains(marker) { return (true, text) }
        }
        return (false, text)
    }

    /// Reads until the server closes the connection; what arrived meanwhile.
    func readUntilClosed() async -> String {
        var text = ""
        for await chunk in received { text += String(buffer: chunk) }
        return text
    }

    func close() async { try? await channel.close() }
}

/// Seconds since `start` (a `ContinuousClock` instant).
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

import DICOMNetwork
import NIOCore

/// Frames the inbound byte stream into PDUs with `PDUReader`: an unknown PDU type or a length
/// over the limit is refused from the 6-byte header, before the body is buffered; a connection
/// that closes mid-PDU raises `connectionClosedMidPDU`. Errors go to the next handler's errorCaught.
final class PDUFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = PDU

    private let reader: PDUReader

    init(reader: PDUReader) { self.reader = reader }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = try reader.frameLength(buffer.readableBytesView.prefix(PDUReader.headerLength)),
              buffer.readableBytes >= length, let frame = buffer.readBytes(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(try PDU.decode(frame)))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let declared = try? reader.frameLength(buffer.readableBytesView.prefix(PDUReader.headerLength))
            let received = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: received)
            throw DICOMNetworkError.connectionClosedMidPDU(received: received, declared: declared ?? PDUReader.headerLength)
        }
        return .needMoreData
    }
}

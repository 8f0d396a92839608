@testable import DICOMService
import DICOMNetwork
import NIOCore
import NIOEmbedded
import Testing

/// The NIO framing: PDUs split at every byte boundary come out whole; limits and damage are refused
/// from the header; a connection closing mid-PDU is an error.
struct PDUFrameDecoderTests {
    static func channel(maximumDataLength: Int = 16384) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PDUFrameDecoder(reader: PDUReader(maximumDataLength: maximumDataLength))))
        return channel
    }

    @Test func pdusFedOneByteAtATime() throws {
        let channel = try Self.channel()
        let pdus: [PDU] = [.associateRequest(PDUCodecTests.request), .releaseRequest,
                           .dataTransfer([PresentationDataValue(contextID: 1, isCommand: true, isLastFragment: true, fragment: [9, 9])])]
        let bytes = try pdus.flatMap { try $0.encoded() }
        for b in bytes { try channel.writeInbound(channel.allocator.buffer(bytes: [b])) }
        var out: [PDU] = []
        while let pdu = try channel.readInbound(as: PDU.self) { out.append(pdu) }
        #expect(out == pdus)
        _ = try channel.finish()
    }

    @Test func overlongPDURefusedFromItsHeader() throws {
        let channel = try Self.channel(maximumDataLength: 100)
        #expect(throws: DICOMNetworkError.pduTooLong(type: 0x04, length: 101, maximum: 100)) {
            try channel.writeInbound(channel.allocator.buffer(bytes: [0x04, 0, 0, 0, 0, 101]))
        }
    }

    @Test func closingMidPDUIsAnError() throws {
        let channel = try Self.channel()
        try channel.writeInbound(channel.allocator.buffer(bytes: Array(try PDU.releaseRequest.encoded().prefix(8))))
        #expect(throws: DICOMNetworkError.connectionClosedMidPDU(received: 8, declared: 10)) { try channel.finish() }
    }
}

/// One DIMSE message: its command set and, when the command says one follows, its data set, both
/// as the bytes carried in PDVs (the data set in the presentation context's transfer syntax).
package struct DIMSEMessage: Equatable, Sendable {
    package var contextID: UInt8
    package var command: [UInt8]
    package var dataSet: [UInt8]?

    package init(contextID: UInt8, command: [UInt8], dataSet: [UInt8]? = nil) {
        self.contextID = contextID
        self.command = command
        self.dataSet = dataSet
    }

    /// The message as P-DATA-TF PDUs, one PDV each, no PDU's length field over `maximumPDULength`
    /// (the peer's maximum length; each PDV costs 6 bytes of item header besides its fragment).
    /// Command fragments come first, then data fragments; the last of each has bit 1 set.
    package func dataTransferPDUs(maximumPDULength: Int) -> [PDU] {
        let fragmentSize = max(1, maximumPDULength - 6)
        func pdus(_ bytes: [UInt8], isCommand: Bool) -> [PDU] {
            var out: [PDU] = []
            var start = 0
            repeat {
                let end = min(bytes.count, start + fragmentSize)
                out.append(.dataTransfer([PresentationDataValue(contextID: contextID, isCommand: isCommand, isLastFragment: end == bytes.count,
                                                                fragment: Array(bytes[start..<end]))]))
                start = end
            } while start < bytes.count
            return out
        }
        return pdus(command, isCommand: true) + (dataSet.map { pdus($0, isCommand: false) } ?? [])
    }
}

/// Reassembles DIMSE messages from PDVs (PS3.8 Annex E, PS3.7 §8.2): all command fragments of a
/// message, then, when its CommandDataSetType says so, all data set fragments, on one presentation
/// context; messages do not interleave. Bounds the bytes held for one message.
package struct DIMSEMessageAssembler: Sendable {
    /// The largest command set plus data set held for one message, in bytes.
    package let maximumMessageLength: Int
    private var contextID: UInt8?
    private var command: [UInt8] = []
    private var parsedCommand: DIMSECommand?
    private var dataSet: [UInt8] = []

    package init(maximumMessageLength: Int) { self.maximumMessageLength = maximumMessageLength }

    /// Adds one PDV; returns the decoded command and the message once its last fragment arrived.
    /// Throws `fragmentOrder`, `messageTooLarge` or `invalidCommand`.
    package mutating func append(_ pdv: PresentationDataValue) throws -> (DIMSECommand, DIMSEMessage)? {
        if let contextID, contextID != pdv.contextID {
            throw DICOMNetworkError.fragmentOrder("context \(pdv.contextID) while a message on context \(contextID) is incomplete")
        }
        contextID = pdv.contextID
        let held = command.count + dataSet.count + pdv.fragment.count
        guard held <= maximumMessageLength else { throw DICOMNetworkError.messageTooLarge(bytes: held, maximum: maximumMessageLength) }
        if pdv.isCommand {
            guard parsedCommand == nil else { throw DICOMNetworkError.fragmentOrder("a command fragment after the last command fragment") }
            command += pdv.fragment
            guard pdv.isLastFragment else { return nil }
            let decoded = try DIMSECommand.decode(command)
            guard decoded.hasDataSet else { return finish(decoded, dataSet: nil) }
            parsedCommand = decoded
            return nil
        }
        guard let parsedCommand else { throw DICOMNetworkError.fragmentOrder("a data set fragment before the command is complete") }
        dataSet += pdv.fragment
        return pdv.isLastFragment ? finish(parsedCommand, dataSet: dataSet) : nil
    }

    private mutating func finish(_ decoded: DIMSECommand, dataSet: [UInt8]?) -> (DIMSECommand, DIMSEMessage) {
        let message = DIMSEMessage(contextID: contextID!, command: command, dataSet: dataSet)
        self = DIMSEMessageAssembler(maximumMessageLength: maximumMessageLength)
        return (decoded, message)
    }
}

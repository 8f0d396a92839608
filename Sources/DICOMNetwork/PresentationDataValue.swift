/// One PDV item of a P-DATA-TF PDU (PS3.8 §9.3.5.1, Annex E): item length (4 bytes, big-endian:
/// 2 + the fragment's size), presentation context ID (1), message control header (1: bit 0 set =
/// command, clear = data set; bit 1 set = last fragment), the fragment.
public struct PresentationDataValue: Equatable, Sendable {
    public var contextID: UInt8
    public var isCommand: Bool
    public var isLastFragment: Bool
    public var fragment: [UInt8]

    public init(contextID: UInt8, isCommand: Bool, isLastFragment: Bool, fragment: [UInt8]) {
        self.contextID = contextID
        self.isCommand = isCommand
        self.isLastFragment = isLastFragment
        self.fragment = fragment
    }

    /// The message control header byte.
    var controlHeader: UInt8 { (isCommand ? 0x01 : 0) | (isLastFragment ? 0x02 : 0) }
}

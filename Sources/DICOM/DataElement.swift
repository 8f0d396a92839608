/// One attribute of a data set, its value kept as encoded (binary values in the data set's byte order).
public struct DataElement: Sendable {
    public enum Value: Sendable {
        /// The value bytes as stored (text padded to even length, binary in file byte order).
        case bytes([UInt8])
        /// Sequence items.
        case sequence([DataSet])
        /// Encapsulated pixel data: the Basic Offset Table item first, then the fragments.
        case fragments([[UInt8]])
    }

    public let tag: Tag
    public var vr: VR
    public var value: Value
    /// The element (sequence) or its items used undefined length with delimiters when read.
    public var undefinedLength: Bool

    public init(tag: Tag, vr: VR, value: Value, undefinedLength: Bool = false) {
        self.tag = tag
        self.vr = vr
        self.value = value
        self.undefinedLength = undefinedLength
    }

    /// The raw bytes of a plain value (empty for sequences and fragments).
    public var bytes: [UInt8] { if case .bytes(let b) = value { b } else { [] } }
}

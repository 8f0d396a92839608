/// One proposed presentation context of an A-ASSOCIATE-RQ: item 0x20 with context ID (1 byte, odd
/// 1–255), three reserved bytes, one abstract syntax sub-item (0x30) and one or more transfer
/// syntax sub-items (0x40), each a UID without padding.
public struct PresentationContextProposal: Equatable, Sendable {
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntaxes: [String]

    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
    }
}

/// The answer to one proposal in an A-ASSOCIATE-AC: item 0x21 with context ID (1 byte), reserved
/// (1), result/reason (1), reserved (1), one transfer syntax sub-item (0x40; not significant
/// unless the result is acceptance).
public struct PresentationContextResult: Equatable, Sendable {
    /// Result/reason codes (PS3.8 §9.3.3.2).
    public enum Result: UInt8, Sendable {
        case acceptance = 0
        case userRejection = 1
        case noReason = 2
        case abstractSyntaxNotSupported = 3
        case transferSyntaxesNotSupported = 4
    }

    public var id: UInt8
    public var result: Result
    public var transferSyntax: String

    public init(id: UInt8, result: Result, transferSyntax: String) {
        self.id = id
        self.result = result
        self.transferSyntax = transferSyntax
    }
}

/// The user information item (0x50) of A-ASSOCIATE-RQ/AC: sub-items kept in their wire order so a
/// decoded item re-encodes byte for byte. Each sub-item: type (1 byte), reserved (1), length (2,
/// big-endian), value.
public struct UserInformation: Equatable, Sendable {
    public enum Item: Equatable, Sendable {
        /// 0x51 (PS3.8 Annex D.1): the largest P-DATA-TF PDU length field the sender accepts, in
        /// bytes (4-byte value; 0 = no limit).
        case maximumLength(UInt32)
        /// 0x52 (PS3.7 D.3.3.2): the sender's implementation class UID.
        case implementationClassUID(String)
        /// 0x55 (PS3.7 D.3.3.2): the sender's implementation version name (1–16 characters).
        case implementationVersionName(String)
        /// Any other sub-item (0x53 asynchronous operations window, 0x54 role selection, 0x56/0x57
        /// extended negotiation, 0x58/0x59 user identity), kept as its type and value bytes.
        case other(type: UInt8, value: [UInt8])
    }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    /// Maximum length, implementation class UID and (when given) version name, in that order.
    public init(maximumLength: UInt32, implementationClassUID: String, implementationVersionName: String?) {
        items = [.maximumLength(maximumLength), .implementationClassUID(implementationClassUID)]
        if let implementationVersionName { items.append(.implementationVersionName(implementationVersionName)) }
    }

    /// The maximum P-DATA-TF length the sender accepts (bytes), nil when absent or 0 (no limit).
    public var maximumLength: UInt32? {
        for case .maximumLength(let n) in items where n > 0 { return n }
        return nil
    }

    public var implementationClassUID: String? {
        for case .implementationClassUID(let uid) in items { return uid }
        return nil
    }

    public var implementationVersionName: String? {
        for case .implementationVersionName(let name) in items { return name }
        return nil
    }
}

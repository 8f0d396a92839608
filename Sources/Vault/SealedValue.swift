import Foundation

/// The byte layout of a sealed field:
///
/// ```
/// 0x01 | data key id (8, big endian) | session salt (16) | nonce (12) | ciphertext | tag (16)
/// ```
///
/// The AES-256-GCM key of a value is HKDF-SHA256(data key, salt: session salt); a sealing
/// session draws a fresh random 128-bit salt once and counts nonces from zero, so within a
/// key nonces never repeat (a counter) and across sessions keys differ.
struct SealedValue {
    struct LayoutError: Error {
        let detail: String
    }

    static let formatByte: UInt8 = 0x01
    static let headerCount = 1 + 8 + 16 + 12
    static let tagCount = 16

    var dataKeyID: Int64
    var salt: [UInt8]
    var nonce: [UInt8]
    var ciphertext: [UInt8]
    var tag: [UInt8]

    func encoded() -> Data {
        var out = Data(capacity: Self.headerCount + ciphertext.count + Self.tagCount)
        out.append(Self.formatByte)
        withUnsafeBytes(of: dataKeyID.bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: salt)
        out.append(contentsOf: nonce)
        out.append(contentsOf: ciphertext)
        out.append(contentsOf: tag)
        return out
    }

    /// Splits a blob, or explains what is wrong with it.
    static func decode(_ data: Data) -> Result<SealedValue, LayoutError> {
        let bytes = [UInt8](data)
        guard bytes.count >= headerCount + tagCount else { return .failure(LayoutError(detail: "\(bytes.count) bytes is too short")) }
        guard bytes[0] == formatByte else { return .failure(LayoutError(detail: "unknown format byte \(bytes[0])")) }
        var id: Int64 = 0
        for b in bytes[1..<9] { id = id << 8 | Int64(b) }
        return .success(SealedValue(
            dataKeyID: id, salt: Array(bytes[9..<25]), nonce: Array(bytes[25..<37]),
            ciphertext: Array(bytes[37..<(bytes.count - tagCount)]), tag: Array(bytes[(bytes.count - tagCount)...])))
    }

    /// The data key id of a blob without decoding the rest (for re-encryption scans).
    static func dataKeyID(of data: Data) -> Int64? {
        guard case .success(let value) = decode(data) else { return nil }
        return value.dataKeyID
    }
}

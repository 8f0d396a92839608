import Crypto
import Foundation

/// The key of a study: SHA-256 of the file's bytes as 64 lowercase hex digits.
enum ContentHash {
    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

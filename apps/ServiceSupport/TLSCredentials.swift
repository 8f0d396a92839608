import Foundation
import NIOSSL

/// Why `TLSCredentials` could not be loaded; the service does not start.
public enum TLSCredentialsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case notACertificate(path: String)
    case notAPrivateKey(path: String)
    /// The key does not belong to the certificate, or BoringSSL refused the pair.
    case unusable(certificate: String, privateKey: String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .notACertificate(let path): return "\(path) holds no PEM certificate"
        case .notAPrivateKey(let path): return "\(path) holds no unencrypted PEM private key"
        case .unusable(let certificate, let key): return "the key \(key) does not fit the certificate \(certificate)"
        }
    }
}

/// A server certificate chain and its private key from PEM files (`--tls-cert`, `--tls-key`),
/// loaded and checked once at start-up: a wrong path or a mismatched key stops the service
/// before it listens. Served with swift-nio-ssl (BoringSSL), TLS 1.2 or newer.
public struct TLSCredentials: Sendable {
    let configuration: TLSConfiguration

    public init(certificatePath: String, privateKeyPath: String) throws(TLSCredentialsError) {
        guard let certificateBytes = FileManager.default.contents(atPath: certificatePath) else {
            throw .unreadable(path: certificatePath)
        }
        guard let keyBytes = FileManager.default.contents(atPath: privateKeyPath) else { throw .unreadable(path: privateKeyPath) }
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(Array(certificateBytes)), !chain.isEmpty else {
            throw .notACertificate(path: certificatePath)
        }
        guard let key = try? NIOSSLPrivateKey(bytes: Array(keyBytes), format: .pem) else { throw .notAPrivateKey(path: privateKeyPath) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // Building a context checks that the key matches the certificate.
        guard (try? NIOSSLContext(configuration: configuration)) != nil else {
            throw .unusable(certificate: certificatePath, privateKey: privateKeyPath)
        }
        self.configuration = configuration
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import NIOSSL
import ServiceSupport
import Testing

/// HTTPS from PEM files: a self-signed certificate made by the openssl command at test time,
/// spoken to over TLS on 127.0.0.1; unusable files are refused before the service starts.
@Suite(.timeLimit(.minutes(1)), .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is not installed"))
struct TLSTests {
    /// A self-signed P-256 certificate for 127.0.0.1 and its key, in a new folder.
    static func makeCertificate(name: String = "server") throws -> (folder: URL, certificate: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("\(name).crt").path, key = folder.appendingPathComponent("\(name).key").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        return (folder, certificate, key)
    }

    @Test func servesHTTPSWithTheGivenCertificate() async throws {
        let files = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: files.folder) }
        var configuration = TestService.loopback
        configuration.tls = try TLSCredentials(certificatePath: files.certificate, privateKeyPath: files.key)
        #expect(configuration.url(port: 8443) == "https://127.0.0.1:8443")
        try await TestService(configuration: configuration).withRunningServer { port in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificate))  // only this certificate is trusted
            tls.certificateVerification = .noHostnameVerification  // (SNI cannot name an IP address)
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(tlsConfiguration: tls, serverName: "localhost")) {
                try await $0.get("/healthz")
            }
            #expect(response.status == .ok && response.body.map { String(buffer: $0) } == "ok\n")
            // Plain HTTP gets no HTTP answer from the TLS port.
            let plain = try await RawClient.connect(port: port)
            try? await plain.sendGet("/healthz")
            #expect(!(await plain.readUntilClosed()).contains("HTTP/1.1 200"))
        }
    }

    @Test func unusableFilesAreRefusedUpFront() throws {
        let files = try Self.makeCertificate()
        let other = try Self.makeCertificate(name: "other")
        defer { try? FileManager.default.removeItem(at: files.folder); try? FileManager.default.removeItem(at: other.folder) }
        let missing = files.folder.appendingPathComponent("missing.pem").path
        #expect(throws: TLSCredentialsError.unreadable(path: missing)) {
            try TLSCredentials(certificatePath: missing, privateKeyPath: files.key)
        }
        #expect(throws: TLSCredentialsError.notACertificate(path: files.key)) {
            try TLSCredentials(certificatePath: files.key, privateKeyPath: files.key)
        }
        #expect(throws: TLSCredentialsError.notAPrivateKey(path: files.certificate)) {
            try TLSCredentials(certificatePath: files.certificate, privateKeyPath: files.certificate)
        }
        #expect(throws: TLSCredentialsError.unusable(certificate: files.certificate, privateKey: other.key)) {
            try TLSCredentials(certificatePath: files.certificate, privateKeyPath: other.key)
        }
    }
}

import Foundation
public import Logging
import SuiteFoundation
import Synchronization

/// swift-log's output for the services: one JSON object per line, keys sorted — `time`
/// (ISO 8601 UTC, milliseconds), `level`, `logger` (the label), `message`, then the metadata
/// (handler, provider and call, later ones winning) as strings, or as arrays and objects when
/// structured. An attached error is given by its type only. What a line holds is up to the
/// call: the request log (`RequestLogMiddleware`) puts in no personal data.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (_ line: String) -> Void

    /// - Parameter write: receives each line, without its newline.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (_ line: String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// Lines on standard error, whole lines never interleaved.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = nil) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in
            standardErrorLock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
    }

    private static let standardErrorLock = Mutex(())

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var fields = merged.mapValues(Field.init)
        fields["time"] = .string(Timestamp.now())
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        if let error = event.error { fields["error.type"] = .string(String(reflecting: type(of: error))) }
        guard let line = try? JSONOutput.string(fields) else { return }
        write(line)
    }

    /// A metadata value as JSON.
    enum Field: Encodable {
        case string(String)
        case array([Field])
        case object([String: Field])

        init(_ value: Logger.Metadata.Value) {
            switch value {
            case .string(let text): self = .string(text)
            case .stringConvertible(let value): self = .string(value.description)
            case .array(let values): self = .array(values.map(Field.init))
            case .dictionary(let values): self = .object(values.mapValues(Field.init))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .array(let values): try container.encode(values)
            case .object(let values): try container.encode(values)
            }
        }
    }
}

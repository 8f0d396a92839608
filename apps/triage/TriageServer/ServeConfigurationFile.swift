public import Foundation
import SuiteFoundation
import Yams

/// The configuration file of `triage serve` (YAML, read with Yams), every key optional; the
/// command's flags override it, and built-in defaults fill the rest (docs/SERVICE.md,
/// docs/triage-serve.example.yaml). An unknown key, a wrong type or a YAML syntax error is a
/// `ServeConfigurationError` naming the file, the key path or the line.
public struct ServeConfigurationFile: Decodable, Sendable, Equatable {
    public struct DICOM: Decodable, Sendable, Equatable {
        public var port: Int?
        public var aeTitle: String?
        public var allowCalling: [String]?
        public var maxAssociations: Int?
        public var maxInstanceMB: Int?
        /// Storage SOP class UIDs accepted for storage only, beyond the conformance statement's.
        public var extraStorageSOPClasses: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case port, aeTitle = "ae_title", allowCalling = "allow_calling", maxAssociations = "max_associations"
            case maxInstanceMB = "max_instance_mb", extraStorageSOPClasses = "extra_storage_sop_classes"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            port = try c.decodeIfPresent(Int.self, forKey: .port)
            aeTitle = try c.decodeIfPresent(String.self, forKey: .aeTitle)
            allowCalling = try c.decodeIfPresent([String].self, forKey: .allowCalling)
            maxAssociations = try c.decodeIfPresent(Int.self, forKey: .maxAssociations)
            maxInstanceMB = try c.decodeIfPresent(Int.self, forKey: .maxInstanceMB)
            extraStorageSOPClasses = try c.decodeIfPresent([String].self, forKey: .extraStorageSOPClasses)
        }
    }

    public struct HTTP: Decodable, Sendable, Equatable {
        public var port: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case port }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            port = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .port)
        }
    }

    public struct Spool: Decodable, Sendable, Equatable {
        public var quotaMB: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case quotaMB = "quota_mb" }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            quotaMB = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .quotaMB)
        }
    }

    public struct Scoring: Decodable, Sendable, Equatable {
        public var workers: Int?
        public var threads: Int?
        public var quietPeriodSeconds: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case workers, threads, quietPeriodSeconds = "quiet_period_seconds" }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            workers = try c.decodeIfPresent(Int.self, forKey: .workers)
            threads = try c.decodeIfPresent(Int.self, forKey: .threads)
            quietPeriodSeconds = try c.decodeIfPresent(Double.self, forKey: .quietPeriodSeconds)
        }
    }

    public var host: String?
    public var dicom: DICOM?
    public var http: HTTP?
    public var spool: Spool?
    public var scoring: Scoring?

    enum CodingKeys: String, CodingKey, CaseIterable { case host, dicom, http, spool, scoring }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host)
        dicom = try c.decodeIfPresent(DICOM.self, forKey: .dicom)
        http = try c.decodeIfPresent(HTTP.self, forKey: .http)
        spool = try c.decodeIfPresent(Spool.self, forKey: .spool)
        scoring = try c.decodeIfPresent(Scoring.self, forKey: .scoring)
    }

    /// Reads and checks `url`.
    public static func read(_ url: URL) throws -> ServeConfigurationFile {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ServeConfigurationError(file: url.path, problem: "cannot read: \(error.localizedDescription)")
        }
        // An empty file (or only comments) means "all defaults".
        if text.split(separator: "\n").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") || $0.allSatisfy(\.isWhitespace) }) {
            return try YAMLDecoder().decode(ServeConfigurationFile.self, from: "{}")
        }
        do {
            return try YAMLDecoder().decode(ServeConfigurationFile.self, from: text)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, let yaml = context.underlyingError as? YamlError {
                throw ServeConfigurationError(file: url.path, problem: syntax(yaml))
            }
            throw ServeConfigurationError(file: url.path, problem: error.summary)
        } catch let error as YamlError {
            throw ServeConfigurationError(file: url.path, problem: syntax(error))
        }
    }
}

/// A YAML syntax error as one line: "not valid YAML: LINE:COLUMN: …" (Yams' message without its snippet).
private func syntax(_ error: YamlError) -> String {
    "not valid YAML: " + (String(describing: error).split(separator: "\n").first.map(String.init) ?? "")
}

/// A configuration file that cannot be used: the file and what is wrong (key path or line).
public struct ServeConfigurationError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let problem: String
    public var description: String { "\(file): \(problem)" }
}

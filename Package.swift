// swift-tools-version:6.0
// The suite: shared modules under Sources/, the two products under apps/.
// Imports point down only: apps → product cores → shared modules → C targets
// (tools/check-imports.sh checks it).
import PackageDescription

let package = Package(
    name: "ClinicalSupportSuite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "assistant", targets: ["assistant"]),
        .executable(name: "triage", targets: ["triage"]),
        // For the benchmark package (tools/bench/Package.swift), which depends on this one by path.
        .library(name: "Tokenization", targets: ["Tokenization"]),
        .library(name: "ModelRuntime", targets: ["ModelRuntime"]),
        .library(name: "DICOM", targets: ["DICOM"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Vault", targets: ["Vault"]),
        .library(name: "AuditLog", targets: ["AuditLog"]),
        .library(name: "RecordStore", targets: ["RecordStore"]),
        .library(name: "AssistantCore", targets: ["AssistantCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C targets
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "CPNG", path: "Sources/CPNG",
                linkerSettings: [.linkedLibrary("png"), .linkedLibrary("z"), .linkedLibrary("deflate")]),
        .target(name: "CJPEG", path: "Sources/CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CGzip", path: "Sources/CGzip", linkerSettings: [.linkedLibrary("z")]),

        // Shared modules
        .target(name: "SuiteFoundation", path: "Sources/SuiteFoundation"),
        .target(name: "Tokenization", dependencies: ["SuiteFoundation"], path: "Sources/Tokenization"),
        .target(name: "ModelRuntime", dependencies: ["CBLAS", "SuiteFoundation", "Tokenization"], path: "Sources/ModelRuntime"),
        .target(name: "DICOM", dependencies: ["CJPEG"], path: "Sources/DICOM", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG", "CMalloc", "DICOM", "ModelRuntime"], path: "Sources/Imaging"),
        .target(
            name: "Vault",
            dependencies: ["SuiteFoundation", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Vault"),
        .target(
            name: "AuditLog",
            dependencies: ["SuiteFoundation", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/AuditLog"),
        .target(
            name: "RecordStore",
            dependencies: ["Vault", "AuditLog", "SuiteFoundation", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/RecordStore"),
        .target(name: "Evaluation", dependencies: ["SuiteFoundation"], path: "Sources/Evaluation"),
        // The DICOM upper layer (PS3.8) and DIMSE command sets (PS3.7) as pure Swift, no transport
        .target(name: "DICOMNetwork", dependencies: ["DICOM"], path: "Sources/DICOMNetwork"),

        // Shared by the executables: exit codes and terminal helpers (ArgumentParser stays out of Sources/)
        .target(
            name: "CommandLineSupport",
            dependencies: ["Evaluation", "RecordStore", "ModelRuntime", "SuiteFoundation", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "apps/CommandLineSupport"),

        // Shared by the HTTP services: tokens and roles, JSON errors, body and rate limits, metrics,
        // request logs, the bounded inference executor, graceful shutdown, connection limits and
        // timeouts, TLS (Hummingbird and SwiftNIO stay out of Sources/)
        .target(
            name: "ServiceSupport",
            dependencies: [
                "SuiteFoundation", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "apps/ServiceSupport"),

        // The DICOM acceptor on TCP: DICOMNetwork's associations on SwiftNIO (for `triage serve`)
        .target(
            name: "DICOMService",
            dependencies: [
                "DICOMNetwork", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "apps/DICOMService"),

        // assistant
        .target(
            name: "AssistantCore",
            dependencies: [
                "SuiteFoundation", "Tokenization", "ModelRuntime", "RecordStore", "Evaluation",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            path: "apps/assistant/AssistantCore"),
        .target(
            name: "AssistantServer",
            dependencies: [
                "AssistantCore", "RecordStore", "ServiceSupport", "SuiteFoundation", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "apps/assistant/AssistantServer"),
        .executableTarget(
            name: "assistant",
            dependencies: [
                "AssistantCore", "AssistantServer", "CommandLineSupport", "Evaluation", "ServiceSupport", "SuiteFoundation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "apps/assistant/assistant"),

        // triage
        .target(
            name: "TriageCore",
            dependencies: [
                "Imaging", "DICOM", "ModelRuntime", "SuiteFoundation", "RecordStore", "Evaluation", "CGzip",
                .product(name: "CSV", package: "CSV.swift"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "apps/triage/TriageCore"),
        // `triage serve`: the DICOM receiver (C-STORE into the durable spool, scoring as instances arrive)
        .target(
            name: "TriageServer",
            dependencies: [
                "TriageCore", "DICOM", "DICOMNetwork", "DICOMService", "ServiceSupport", "RecordStore",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MultipartKit", package: "multipart-kit"), .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "apps/triage/TriageServer"),
        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageCore", "TriageServer", "DICOMNetwork", "DICOMService", "ServiceSupport", "Imaging", "CommandLineSupport", "Evaluation", "SuiteFoundation",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "apps/triage/triage"),

        // Tests
        .target(name: "TestSupport", dependencies: ["RecordStore", "Vault"], path: "Tests/TestSupport"),
        // A second process on a test store, for kill -9 and concurrency tests (not a product).
        .executableTarget(name: "store-tool", dependencies: ["RecordStore", "Vault", "AuditLog"], path: "Tests/StoreTool"),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "TestSupport"], path: "Tests/TokenizationTests"),
        .testTarget(
            name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "Tokenization", "TestSupport"],
            path: "Tests/ModelRuntimeTests"),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "TestSupport"], path: "Tests/DICOMTests"),
        .testTarget(
            name: "DICOMNetworkTests",
            dependencies: [
                "DICOM", "DICOMNetwork", "DICOMService", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/DICOMNetworkTests"),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "DICOM", "ModelRuntime", "TestSupport"], path: "Tests/ImagingTests"),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "RecordStore", "TestSupport"], path: "Tests/VaultTests"),
        .testTarget(name: "AuditLogTests", dependencies: ["AuditLog", "RecordStore", "TestSupport"], path: "Tests/AuditLogTests"),
        .testTarget(
            name: "RecordStoreTests",
            dependencies: ["RecordStore", "AuditLog", "Vault", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/RecordStoreTests"),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "ModelRuntime", "TestSupport"], path: "Tests/EvaluationTests"),
        .testTarget(name: "AssistantCoreTests", dependencies: ["AssistantCore", "ModelRuntime", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")], path: "Tests/AssistantCoreTests"),
        .testTarget(
            name: "AssistantServerTests",
            dependencies: [
                "AssistantServer", "AssistantCore", "ServiceSupport", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AssistantServerTests"),
        .testTarget(
            name: "ServiceSupportTests",
            dependencies: [
                "ServiceSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/ServiceSupportTests"),
        .target(
            name: "TriageTestSupport",
            dependencies: [
                "TriageCore", "ModelRuntime", "Imaging", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Tests/TriageTestSupport"),
        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore", "SuiteFoundation", "TestSupport", "TriageTestSupport", .product(name: "GRDB", package: "GRDB.swift")], path: "Tests/TriageCoreTests"),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "TriageTestSupport"], path: "Tests/CLITests"),
    ]
)

// Every target: existentials spelled `any`, members visible only through the module's own
// imports, and imports internal unless `public import` marks a dependency that leaks into its API.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
}

// swift-tools-version:6.0
// The benchmarks (`make bench`): the `suite-bench` executable, a package of its own that uses the
// suite's modules through the library products of the root package (../..). Its Python peers,
// input generators and report scripts live beside it (see README.md).
//
//   swift build -c release --package-path tools/bench      # → tools/bench/.build/release/suite-bench
import PackageDescription

let package = Package(
    name: "SuiteBench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "suite-bench", targets: ["suite-bench"]),
    ],
    dependencies: [
        .package(name: "ClinicalSupportSuite", path: "../.."),
        // The same packages and minimum versions as the root Package.swift (the bench imports them directly).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "suite-bench",
            dependencies: [
                .product(name: "Tokenization", package: "ClinicalSupportSuite"),
                .product(name: "ModelRuntime", package: "ClinicalSupportSuite"),
                .product(name: "DICOM", package: "ClinicalSupportSuite"),
                .product(name: "Imaging", package: "ClinicalSupportSuite"),
                .product(name: "Vault", package: "ClinicalSupportSuite"),
                .product(name: "AuditLog", package: "ClinicalSupportSuite"),
                .product(name: "RecordStore", package: "ClinicalSupportSuite"),
                .product(name: "AssistantCore", package: "ClinicalSupportSuite"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/suite-bench"),
    ]
)

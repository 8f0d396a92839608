// swift-tools-version:6.0
// The suite: shared modules under Sources/, the two products under apps/.
// Imports point down only: apps → product cores → shared modules → C targets.
import PackageDescription

let package = Package(
    name: "ClinicalSupportSuite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "assistant", targets: ["assistant"]),
        .executable(name: "triage", targets: ["triage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C targets
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),

        // Shared modules
        .target(name: "Tokenization", path: "Sources/Tokenization"),
        .target(name: "ModelRuntime", dependencies: ["CBLAS", "Tokenization"], path: "Sources/ModelRuntime"),

        // Shared by the executables: exit codes and terminal helpers (ArgumentParser stays out of Sources/)
        .target(
            name: "CommandLineSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "apps/CommandLineSupport"),

        // assistant
        .target(
            name: "AssistantCore",
            dependencies: ["Tokenization", "ModelRuntime"],
            path: "apps/assistant/AssistantCore"),
        .executableTarget(
            name: "assistant",
            dependencies: [
                "AssistantCore", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "apps/assistant/assistant"),

        // triage
        .executableTarget(
            name: "triage",
            dependencies: [
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "apps/triage/triage"),

        // Benchmarks (`make bench`)
        .executableTarget(
            name: "suite-bench",
            dependencies: [
                "ModelRuntime", "Tokenization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/bench/SuiteBench"),

        // Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "TokenizationTests", dependencies: ["Tokenization", "TestSupport"],
            path: "Tests/TokenizationTests"),
        .testTarget(
            name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "Tokenization", "TestSupport"],
            path: "Tests/ModelRuntimeTests"),
        .testTarget(
            name: "AssistantCoreTests", dependencies: ["AssistantCore", "TestSupport"],
            path: "Tests/AssistantCoreTests"),
        .testTarget(
            name: "CLITests", dependencies: ["TestSupport"],
            path: "Tests/CLITests"),
    ]
)

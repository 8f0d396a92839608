public import Foundation
public import RecordStore

/// Paths the tests share: committed fixtures, the installed model, the shared data folder.
public enum Fixtures {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/<relative>`.
    public static func url(_ relative: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    /// Decodes a JSON fixture.
    public static func json<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(relative)))
    }

    /// all-MiniLM-L6-v2 as installed by `make setup` (models/ is git-ignored).
    public static let miniLM: URL = repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2")

    /// Whether the real model is installed; parity tests that need it are skipped otherwise.
    public static var miniLMInstalled: Bool {
        FileManager.default.fileExists(atPath: miniLM.appendingPathComponent("model.safetensors").path)
    }

    /// `../shared/data` beside the repository (licensed evaluation data, never copied into it).
    public static let sharedData: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// Whether a shared data set is present (tests that need it skip with a message otherwise).
    public static func sharedDataPresent(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: sharedData.appendingPathComponent(relative).path)
    }

    /// A fresh temporary directory, removed by the caller with `cleanUp`.
    /// The `XDG_STATE_HOME` of stores opened by tests: their default audit witness files
    /// (`suite-audit-witness/<product>-<store id>.witness`) go here, one per store.
    public static let witnessState = FileManager.default.temporaryDirectory.appendingPathComponent("suite-tests-state")

    /// A store location in `home` whose witness folder is under `witnessState`.
    public static func storeLocation(home: URL, keyFile: URL? = nil) -> StoreLocation {
        StoreLocation(home: home, keyFile: keyFile, environment: ["XDG_STATE_HOME": witnessState.path])
    }

    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("suite-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

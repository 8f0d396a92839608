public import Foundation
import SuiteFoundation

/// Scores what waits in an `InstanceSpool` with `BatchRunner` (the pipeline of `triage batch`:
/// scope checks, scoring, sealed identity, audit) and removes each file once its study is
/// stored. A crash at any point repeats work but loses none: a file stays until its verdict is
/// committed, and the store keys studies by content hash, so a file scored twice is stored once.
public struct SpoolDrain: Sendable {
    public let spool: InstanceSpool
    /// The model of the next round: fixed, or following the registry's active version
    /// (`ActiveModelFollower`), so a promotion is picked up while serving; a round runs on one model.
    let model: @Sendable () -> TriageModel
    let options: BatchRunner.Options
    /// A study is scored once it has received nothing for this many seconds (0: each instance at once).
    public let quietPeriod: Double

    public init(spool: InstanceSpool, model: TriageModel, options: BatchRunner.Options, quietPeriod: Double = 0) {
        self.init(spool: spool, models: { model }, options: options, quietPeriod: quietPeriod)
    }

    public init(spool: InstanceSpool, models: @escaping @Sendable () -> TriageModel, options: BatchRunner.Options,
                quietPeriod: Double = 0) {
        precondition(quietPeriod >= 0, "the quiet period must not be negative")
        self.spool = spool
        self.quietPeriod = quietPeriod
        self.model = models
        self.options = options
    }

    /// What one round did.
    public struct Round: Sendable {
        public var summary: BatchSummary
        /// Files that could not be opened (tampered, or sealed under another key), moved to `quarantine/`.
        public var quarantined: Int
        /// When each instance stored this round arrived in the spool.
        public var arrivals: [Date]
        /// The verdicts stored this round (no identity), for the service's metrics.
        public var studies: [StudyStore.Study]
    }

    /// Scores the instances of the studies that are complete (quiet for `quietPeriod`; every
    /// waiting one with `everything`, as at start-up), most urgent first; nil when there were none.
    public func drainOnce(everything: Bool = false, log: (BatchEvent) -> Void = { _ in }) throws -> Round? {
        // Taken at every look, also an idle one, so that a follower of the active version checks
        // for a promotion while nothing arrives and the next study is scored by the new version.
        let model = self.model()
        let files = spool.pending(quietPeriod: everything ? 0 : quietPeriod)
        guard !files.isEmpty else { return nil }
        let source = SpoolSource(spool: spool, files: files)
        let outcome = try BatchRunner(model: model, store: spool.store, options: options).run(source, log: log)
        let stored = Set(outcome.hashes)
        let done = source.opened.filter { stored.contains($0.sourceHash) }
        let arrivals = done.map { InstanceSpool.arrival(of: $0.url) }
        try spool.store.recordReceived(zip(done, arrivals).map { (InstanceSpool.key(of: $0.url), $0.sourceHash, Timestamp.string($1)) })
        try spool.remove(done.map(\.url))
        for url in source.unopenable {
            log(.failed(name: SpoolSource.name(url), reason: "cannot be opened; moved to quarantine"))
            try spool.quarantine(url)
        }
        return Round(summary: outcome.summary, quarantined: source.unopenable.count, arrivals: arrivals,
                     studies: try spool.store.studies(hashes: done.map(\.sourceHash)))
    }
}

/// The spooled files as a batch input, each opened (unsealed) as it is read. Remembers the
/// content hash of each file it yielded, so the drain knows which are stored.
final class SpoolSource: InputSource {
    let spool: InstanceSpool
    let files: [URL]
    private(set) var opened: [(url: URL, sourceHash: String)] = []
    private(set) var unopenable: [URL] = []
    private var read = 0

    init(spool: InstanceSpool, files: [URL]) {
        self.spool = spool
        self.files = files
    }

    var label: String { "spool" }
    var progress: Double? { files.isEmpty ? nil : Double(read) / Double(files.count) }

    /// An entry's name (in logs and as the sealed source path): `spool/` and the file's key.
    static func name(_ url: URL) -> String { "spool/" + InstanceSpool.key(of: url) }

    func forEach(_ body: (InputEntry) throws -> Void) throws {
        for url in files {
            read += 1
            let data: Data
            do { data = try spool.open(url) } catch {
                unopenable.append(url)
                continue
            }
            opened.append((url, ContentHash.sha256(data)))
            try body(.file(name: Self.name(url), data: data))
        }
    }
}

import DICOM
public import Foundation
import Imaging
import ModelRuntime
public import SuiteFoundation
import Synchronization

/// `triage batch`: reads an input, decodes on `workers` threads while one inference loop scores
/// what they prepared in batches, and stores each batch's verdicts in one transaction.
///
/// ```
/// reader ──raw bytes──▶ [decode queue] ──▶ workers (decode, preprocess, thumbnail)
///                                              │
///        ◀──batches of ≤ batchSize── [ready queue] ◀┘     (skips and failures go straight in)
/// inference loop: predict → StudyStore.record (one transaction + audit per commit) → progress
/// ```
/// Verdicts are committed `commitSize` at a time, or after `maxCommitDelay`, whichever comes
/// first. Both queues are bounded, so memory stays flat however large the input. An image whose
/// content hash already has a verdict from this model is not decoded again, so a re-run, or a
/// run after a kill, repeats nothing; whatever was not committed is simply done again.
public struct BatchRunner: Sendable {
    public struct Options: Sendable {
        package var plan: ComputePlan
        public var shard: Shard?
        /// Images per inference call.
        public var batchSize: Int
        /// Verdicts per store transaction (at most this many are done again after a kill).
        package var commitSize: Int
        /// Longest a verdict waits for its transaction, in seconds.
        var maxCommitDelay: TimeInterval
        public var actor: String

        public init(plan: ComputePlan, shard: Shard? = nil, batchSize: Int = 8, commitSize: Int = 32,
                    maxCommitDelay: TimeInterval = 1, actor: String) {
            precondition(batchSize >= 1 && commitSize >= 1 && maxCommitDelay >= 0, "batch \(batchSize), commit \(commitSize)")
            self.plan = plan
            self.shard = shard
            self.batchSize = batchSize
            self.commitSize = commitSize
            self.maxCommitDelay = maxCommitDelay
            self.actor = actor
        }
    }

    /// What a run produced.
    public struct Outcome: Sendable {
        public var summary: BatchSummary
        /// Content hashes of this input's images with a verdict (now or before), in input order.
        public var hashes: [String]
        /// Set when the input could not be read to its end (a damaged archive, a cap reached).
        public var inputError: InputError?
    }

    let model: TriageModel
    let store: StudyStore
    let options: Options

    public init(model: TriageModel, store: StudyStore, options: Options) {
        self.model = model
        self.store = store
        self.options = options
    }

    /// - Parameters:
    ///   - log: each skipped or failed file, as it happens (on the calling thread).
    ///   - progress: after each round of the inference loop: the counts so far (stored verdicts
    ///     only) and how far the input has been read (0…1) when known.
    public func run(_ source: any InputSource, log: (BatchEvent) -> Void = { _ in },
                    progress: (BatchSummary, Double?) -> Void = { _, _ in }) throws -> Outcome {
        // The inference loop runs on this thread, with the plan's share of the cores.
        try ComputeThreads.withThreads(options.plan.blasThreads) { try scoring(source, log: log, progress: progress) }
    }

    private func scoring(_ source: any InputSource, log: (BatchEvent) -> Void,
                         progress: (BatchSummary, Double?) -> Void) throws -> Outcome {
        let done = try store.completedHashes(modelID: model.id)
        let decodeQueue = BoundedQueue<RawImage>(capacity: options.plan.workers * 2)
        let readyQueue = BoundedQueue<ReadyItem>(capacity: options.batchSize * 2)
        let shared = SharedState(producers: options.plan.workers + 1)
        let model = self.model, shard = options.shard, store = self.store
        nonisolated(unsafe) let source = source

        let reader = Thread {
            var seen = done
            do {
                try source.forEach { entry in
                    Self.route(entry, seen: &seen, shard: shard, decode: decodeQueue, ready: readyQueue) { name, error in
                        Self.unreadableEntry(name, error, model: model, store: store)
                    }
                    shared.fraction.withLock { $0 = source.progress }
                }
            } catch let error as InputError {
                shared.inputError.withLock { $0 = error }
            } catch {
                shared.inputError.withLock { $0 = .unreadable(input: source.label, reason: "\(error)") }
            }
            decodeQueue.close()
            shared.finished(closing: readyQueue)
        }
        reader.start()
        for _ in 0..<options.plan.workers {
            Thread {
                while case .element(let raw) = decodeQueue.pop(until: nil) { readyQueue.push(Self.prepare(raw, model: model)) }
                shared.finished(closing: readyQueue)
            }.start()
        }

        var summary = BatchSummary(), hashes: [String] = []
        var unstored: [(name: String, result: StudyResult)] = [], oldest = Date()
        /// Commits the verdicts not stored yet, in one transaction.
        func commit() {
            guard !unstored.isEmpty else { return }
            defer { unstored = [] }
            summary.seen += unstored.count
            do {
                do { try store.record(unstored.map(\.result), actor: options.actor) } catch let warning as StudyStoreError {
                    log(.warning("\(warning)"))
                }
                for (_, result) in unstored {
                    switch result.verdict {
                    case .scored: summary.scored += 1
                    case .notAssessable: summary.notAssessable += 1
                    case .failed: summary.failed += 1
                    }
                    hashes.append(result.sourceHash)
                }
            } catch {
                summary.failed += unstored.count
                for (name, _) in unstored { log(.failed(name: name, reason: "result not stored: \(error)")) }
            }
        }
        loop: while true {
            var next: ReadyItem?
            switch readyQueue.pop(until: unstored.isEmpty ? nil : oldest.addingTimeInterval(options.maxCommitDelay)) {
            case .element(let item): next = item
            case .timedOut:
                commit()
                progress(summary, shared.fraction.withLock { $0 })
                continue loop
            case .closed: break loop
            }
            var batch: [Prepared] = [], verdicts: [(name: String, result: StudyResult)] = []
            while let item = next {
                switch item {
                case .prepared(let p): batch.append(p)
                case .verdict(let name, let result):
                    if case .failed(_, let detail) = result.verdict { log(.failed(name: name, reason: detail)) }
                    verdicts.append((name, result))
                case .alreadyDone(let hash):
                    summary.seen += 1
                    summary.alreadyDone += 1
                    hashes.append(hash)
                case .otherShard:
                    summary.seen += 1
                    summary.otherShard += 1
                case .skipped(let name, let reason):
                    summary.seen += 1
                    summary.skipped += 1
                    log(.skipped(name: name, reason: reason))
                case .failed(let name, let reason):
                    summary.seen += 1
                    summary.failed += 1
                    log(.failed(name: name, reason: reason))
                }
                next = batch.count < options.batchSize ? readyQueue.tryPop() : nil
            }
            if !batch.isEmpty {
                for (p, assessed) in zip(batch, model.assess(batch.map(\.input))) {
                    let verdict: StudyResult.Verdict = switch assessed {
                    case .success(let prediction): .scored(StudyScore(prediction))
                    case .failure(let refusal): .notAssessable(reason: refusal.reason, detail: refusal.detail)
                    }
                    verdicts.append((p.name, StudyResult(sourceHash: p.hash, format: p.format, identity: p.identity,
                                                         modelID: model.id, verdict: verdict, thumbnail: p.thumbnail)))
                }
            }
            if unstored.isEmpty { oldest = Date() }
            unstored += verdicts
            if unstored.count >= options.commitSize { commit() }
            progress(summary, shared.fraction.withLock { $0 })
        }
        commit()
        progress(summary, shared.fraction.withLock { $0 })
        return Outcome(summary: summary, hashes: hashes, inputError: shared.inputError.withLock { $0 })
    }

    /// The reader's decision for one entry: skip it, count it, store it as failed, or queue its
    /// bytes for decoding.
    /// - Parameter unreadable: the failed study of an entry that could not be read, or nil.
    private static func route(_ entry: InputEntry, seen: inout Set<String>, shard: Shard?,
                              decode: BoundedQueue<RawImage>, ready: BoundedQueue<ReadyItem>,
                              unreadable: (String, InputError) -> StudyResult?) {
        switch entry {
        case .skipped(let name, let reason): ready.push(.skipped(name: name, reason: reason))
        case .failed(let name, let error):
            guard let result = unreadable(name, error) else { return ready.push(.failed(name: name, reason: "\(error)")) }
            if let shard, !shard.contains(sha256: result.sourceHash) { return ready.push(.otherShard) }
            ready.push(.verdict(name: name, result: result))
        case .file(let name, let data):
            guard let format = ImageFormat.detect(data, file: name) else {
                ready.push(.skipped(name: name, reason: data.isEmpty ? "empty file" : "not a PNG, JPEG or DICOM file"))
                return
            }
            let hash = ContentHash.sha256(data)
            if let shard, !shard.contains(sha256: hash) { return ready.push(.otherShard) }
            guard seen.insert(hash).inserted else { return ready.push(.alreadyDone(hash: hash)) }
            decode.push(RawImage(name: name, data: data, hash: hash, format: format))
        }
    }

    /// A worker's job: decode and preprocess one image, keep a thumbnail, drop the full-size pixels.
    private static func prepare(_ raw: RawImage, model: TriageModel) -> ReadyItem {
        let format = raw.format.rawValue.lowercased()
        do {
            let input = try model.prepareWithThumbnail(raw.data, file: raw.name)
            let slim = PreparedInput(tensor: input.tensor, format: input.format, dicom: nil, gray: input.gray)
            return .prepared(Prepared(name: raw.name, hash: raw.hash, format: format, input: slim,
                                      identity: StudyStore.Identity(dicom: input.dicom, sourcePath: raw.name),
                                      thumbnail: try? PNGCodec.encode(input.gray, compressionLevel: 1)))
        } catch let verdict as NotAssessable {
            let dicom = raw.format == .dicom ? try? DICOMFile.parse(raw.data, file: raw.name) : nil
            // A reader still sees the image in the report: the gate's thumbnail, or, for a DICOM
            // refused by its attributes before decoding, one made within bounded memory.
            let thumbnail = verdict.thumbnail.flatMap { try? PNGCodec.encode($0, compressionLevel: 1) }
                ?? dicom.flatMap { try? Self.boundedThumbnail($0) }
            return .verdict(name: raw.name, result: StudyResult(
                sourceHash: raw.hash, format: format, identity: StudyStore.Identity(dicom: dicom, sourcePath: raw.name),
                modelID: model.id, verdict: .notAssessable(reason: verdict.reason, detail: verdict.detail),
                thumbnail: thumbnail))
        } catch {
            // Stored as a failed study, so a reader still sees that this input exists.
            return .verdict(name: raw.name, result: StudyResult(
                sourceHash: raw.hash, format: format, identity: StudyStore.Identity(sourcePath: raw.name), modelID: model.id,
                verdict: .failed(reason: "unreadable", detail: anonymous(error, name: raw.name)), thumbnail: nil))
        }
    }

    /// An archive or folder entry that could not be read (corrupt, truncated, over the size cap,
    /// a name leaving the root) as a failed study, so a reader still sees it: nil when its name
    /// does not look like an image (`StudyResult.guessedFormat`; such files are skipped when
    /// readable too) or the store cannot key it. With no bytes to hash, its key is the store's
    /// keyed hash of the entry's name (`StudyStore.unreadableEntryKey`): a re-run of the same
    /// input updates that one study, and the name never appears in the clear.
    private static func unreadableEntry(_ name: String, _ error: InputError, model: TriageModel, store: StudyStore) -> StudyResult? {
        guard let format = StudyResult.guessedFormat(name), let key = try? store.unreadableEntryKey(name) else { return nil }
        return StudyResult(sourceHash: key, format: format, identity: StudyStore.Identity(sourcePath: name), modelID: model.id,
                           verdict: .failed(reason: "unreadable", detail: anonymous(error, name: name)), thumbnail: nil)
    }

    /// An error's message without the file's name (a path may identify the patient; it is sealed).
    private static func anonymous(_ error: any Error, name: String) -> String {
        "\(error)".replacingOccurrences(of: name + ": ", with: "").replacingOccurrences(of: name, with: "<file>")
    }
}

extension BatchRunner {
    /// Bytes a refused DICOM's thumbnail may decode whole (frames that cannot be read as rows).
    static let refusedThumbnailBytes = 16 << 20

    /// A DICOM's thumbnail (8-bit gray PNG) from its rows, or from a whole decode of at most
    /// `refusedThumbnailBytes`: a refused study never costs more memory than a scored one.
    static func boundedThumbnail(_ dicom: DICOMFile) throws -> Data {
        if let rows = try DICOMImage.displayRows(dicom, frame: 0, limits: .default) {
            return try PNGCodec.encode(Thumbnail.make(rows), compressionLevel: 1)
        }
        let display = try DICOMImage(dicom, frame: 0, limits: DecodeLimits(maxDecodedBytes: refusedThumbnailBytes)).display()
        return try Thumbnail.png(display)
    }
}

/// Bytes of one image on their way to a worker.
struct RawImage: Sendable {
    let name: String
    let data: Data
    let hash: String
    let format: ImageFormat
}

/// One image ready for inference: the model input, its identity and thumbnail.
struct Prepared: Sendable {
    let name: String
    let hash: String
    let format: String
    /// Its `gray` image is the thumbnail (the full-size image is dropped to bound memory).
    let input: PreparedInput
    let identity: StudyStore.Identity
    let thumbnail: Data?
}

/// What reaches the inference loop.
enum ReadyItem: Sendable {
    case prepared(Prepared)
    /// A verdict without inference: not assessable, or failed to decode.
    case verdict(name: String, result: StudyResult)
    case alreadyDone(hash: String)
    case otherShard
    case skipped(name: String, reason: String)
    case failed(name: String, reason: String)
}

/// State shared by the reader and the workers: who is still producing, how far the input has
/// been read, and why it stopped early.
private final class SharedState: Sendable {
    let producers: Mutex<Int>
    let fraction = Mutex<Double?>(nil)
    let inputError = Mutex<InputError?>(nil)

    init(producers: Int) { self.producers = Mutex(producers) }

    /// The last producer to finish closes the ready queue.
    func finished(closing queue: BoundedQueue<ReadyItem>) {
        if producers.withLock({ $0 -= 1; return $0 == 0 }) { queue.close() }
    }
}

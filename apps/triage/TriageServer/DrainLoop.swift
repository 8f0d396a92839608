import Foundation
public import Logging
import Synchronization
public import TriageCore

/// Runs `SpoolDrain` rounds on a thread of its own until stopped: a round as soon as the previous
/// one ends while files wait, else a look every `pollInterval` seconds. `stop` lets the current round
/// finish (what it has not scored stays spooled for the next start).
public final class DrainLoop: Sendable {
    private let drain: SpoolDrain
    private let pollInterval: Double
    private let logger: Logger
    private let metrics: TriageServiceMetrics?
    private let stopping = Atomic(false)
    private let finished = Mutex<[CheckedContinuation<Void, Never>]?>([])

    public init(drain: SpoolDrain, pollInterval: Double = 0.2, metrics: TriageServiceMetrics? = nil, logger: Logger) {
        self.drain = drain
        self.metrics = metrics
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                if (try? round()) ?? nil == nil { Thread.sleep(forTimeInterval: pollInterval) }
            }
            let waiting = finished.withLock { w in defer { w = nil }; return w ?? [] }
            for c in waiting { c.resume() }
        }
        thread.name = "spool-drain"
        thread.start()
    }

    /// One round, logged; nil when nothing was ready. `everything` ignores the quiet period.
    @discardableResult
    public func round(everything: Bool = false) throws -> SpoolDrain.Round? {
        let logger = self.logger
        let started = ContinuousClock.now
        do {
            let round = try drain.drainOnce(everything: everything) { event in
                switch event {
                case .failed(let name, let reason): logger.warning("instance not scored", metadata: ["name": "\(name)", "reason": "\(reason)"])
                case .skipped(let name, let reason): logger.warning("instance skipped", metadata: ["name": "\(name)", "reason": "\(reason)"])
                case .warning(let message): logger.warning("\(message)")
                }
            }
            if let round {
                let elapsed = ContinuousClock.now - started
                metrics?.recordRound(round, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                metrics?.recordSpool(drain.spool.depth)
                let s = round.summary
                logger.info("spool drained", metadata: [
                    "scored": "\(s.scored)", "not_assessable": "\(s.notAssessable)", "failed": "\(s.failed)",
                    "already_done": "\(s.alreadyDone)", "quarantined": "\(round.quarantined)",
                ])
            }
            return round
        } catch {
            logger.error("spool drain failed; retrying", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Asks the loop to stop and waits for its current round to end.
    public func stop() async {
        stopping.store(true, ordering: .releasing)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let alreadyDone = finished.withLock { w -> Bool in
                guard w != nil else { return true }
                w!.append(c)
                return false
            }
            if alreadyDone { c.resume() }
        }
    }
}

public import Foundation
import Synchronization

/// A model that follows the registry's active version while a service runs, without a restart
/// (docs/LIFECYCLE.md, "Promotion while serving").
///
/// `current()` hands each request the model loaded last. At most once per `interval` it also
/// starts a check on a thread of its own: the active row is read and, when it names another
/// version, that version is loaded there, off the request path, then swapped in. A request that
/// took the old model finishes with it; the requests after the swap get the new one. A version
/// that fails to load is reported once and the old model stays in service.
public final class ActiveModelFollower<Model: Sendable>: Sendable {
    /// Builds the product's model from a version's folder; `id` is what its decisions record.
    public typealias Loader = @Sendable (_ id: String, _ folder: URL) throws -> Model

    public enum Event: Sendable, Equatable, CustomStringConvertible {
        case switched(from: String, to: String)
        case failed(version: String, error: String)

        public var description: String {
            switch self {
            case .switched(let from, let to):
                return "model version \(ModelRegistry.short(to)) active (was \(ModelRegistry.short(from))): new requests use it"
            case .failed(let version, let error):
                return "model version \(ModelRegistry.short(version)) was promoted but cannot be loaded; still serving the previous one: \(error)"
            }
        }
    }

    struct State {
        var model: Model
        var versionID: String
        var lastCheck: ContinuousClock.Instant
        var checking = false
        /// The version whose load failed last: not retried until another one is promoted.
        var failedVersion: String?
    }

    private let state: Mutex<State>
    private let registry: ModelRegistry
    private let load: Loader
    private let interval: Duration
    private let report: @Sendable (Event) -> Void

    /// - Parameters:
    ///   - initial: the model of version `versionID`, already loaded.
    ///   - report: told of each switch and each failed load (for the service's log).
    public init(registry: ModelRegistry, initial: Model, versionID: String, interval: Duration = .seconds(1),
                load: @escaping Loader, report: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.registry = registry
        self.load = load
        self.interval = interval
        self.report = report
        state = Mutex(State(model: initial, versionID: versionID, lastCheck: .now))
    }

    /// The version id of the model `current()` hands out now.
    public var versionID: String { state.withLock { $0.versionID } }

    /// The model for one request (see the type's description).
    public func current() -> Model {
        let now = ContinuousClock.now
        let (model, check) = state.withLock { s -> (Model, Bool) in
            guard !s.checking, now - s.lastCheck >= interval else { return (s.model, false) }
            s.checking = true
            return (s.model, true)
        }
        if check { Thread.detachNewThread { self.refresh() } }
        return model
    }

    /// Reads the active row and, when it changed, loads and swaps in the new version.
    public func refresh() {
        defer { state.withLock { $0.checking = false; $0.lastCheck = .now } }
        let (known, failed) = state.withLock { ($0.versionID, $0.failedVersion) }
        let active: (id: String, folder: URL)
        do {
            guard let found = try registry.activeFolder(), found.id != known, found.id != failed else { return }
            active = found
        } catch {
            return  // the registry cannot be read now: the next check tries again
        }
        do {
            let model = try load(active.id, active.folder)
            state.withLock { $0.model = model; $0.versionID = active.id; $0.failedVersion = nil }
            report(.switched(from: known, to: active.id))
        } catch {
            state.withLock { $0.failedVersion = active.id }
            report(.failed(version: active.id, error: "\(error)"))
        }
    }
}

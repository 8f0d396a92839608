import Synchronization

/// Associations open at once on one server, shared by its connections. A connection takes its slot
/// when it opens (a connection still negotiating holds one, for at most the ARTIM timeout) and
/// frees it when it closes. A connection that finds the limit reached is still read so its
/// A-ASSOCIATE-RQ can be rejected (transient, local limit exceeded) rather than dropped.
final class AssociationLimit: Sendable {
    let maximum: Int
    private let open = Mutex(0)

    init(maximum: Int) {
        precondition(maximum > 0, "the association limit must be positive")
        self.maximum = maximum
    }

    /// Takes a slot; false, and nothing taken, at the limit.
    func acquire() -> Bool {
        open.withLock { n in
            guard n < maximum else { return false }
            n += 1
            return true
        }
    }

    func release() { open.withLock { $0 -= 1 } }

    /// Associations (and connections still negotiating) open now.
    var current: Int { open.withLock { $0 } }
}

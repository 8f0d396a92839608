import Foundation

/// A blocking FIFO of bounded capacity between threads: `push` waits while it is full, `pop`
/// waits while it is empty (or until a deadline) and says `closed` once the queue is closed
/// and drained. A ring of `capacity` slots: an element leaves the queue's memory as soon as it
/// is popped (the decode queue carries whole files, up to 512 MiB each).
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private var slots: [Element?]
    private var head = 0, count = 0
    private var closed = false
    private let condition = NSCondition()

    init(capacity: Int) {
        precondition(capacity > 0, "queue capacity \(capacity)")
        slots = Array(repeating: nil, count: capacity)
    }

    func push(_ element: Element) {
        condition.lock()
        defer { condition.unlock() }
        while count == slots.count && !closed { condition.wait() }
        precondition(!closed, "push after close")
        slots[(head + count) % slots.count] = element
        count += 1
        condition.broadcast()
    }

    enum Popped {
        case element(Element)
        case timedOut
        case closed
    }

    /// The next element, waiting for one until `deadline` (forever when nil).
    func pop(until deadline: Date?) -> Popped {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed {
            if let deadline {
                if !condition.wait(until: deadline) && count == 0 && !closed { return .timedOut }
            } else {
                condition.wait()
            }
        }
        return take().map(Popped.element) ?? .closed
    }

    /// The next element if one is waiting, without blocking.
    func tryPop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        return take()
    }

    /// No more pushes; waiting `pop`s return what is left, then nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func take() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head].take()
        head = (head + 1) % slots.count
        count -= 1
        condition.broadcast()
        return element
    }
}

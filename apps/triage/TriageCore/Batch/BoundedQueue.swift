import Foundation

/// A blocking FIFO of bounded capacity between threads: `push` waits while it is full, `pop`
/// waits while it is empty (or until a deadline) and says `closed` once the queue is closed
/// and drained.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    private let condition = NSCondition()

    init(capacity: Int) {
        precondition(capacity > 0, "queue capacity \(capacity)")
        self.capacity = capacity
    }

    func push(_ element: Element) {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        precondition(!closed, "push after close")
        items.append(element)
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
        while items.count == head && !closed {
            if let deadline {
                if !condition.wait(until: deadline) && items.count == head && !closed { return .timedOut }
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
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }
}

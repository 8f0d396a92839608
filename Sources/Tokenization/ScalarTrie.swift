/// A trie over code points for greedy longest-match lookups of vocabulary entries.
///
/// Nodes are integers; edges live in one open-addressing hash table keyed by
/// `(node << 21) | code point`, so a step costs one multiplicative hash and a probe or two —
/// no per-lookup `String` is ever built.
struct ScalarTrie: Sendable {
    static let root: Int32 = 0
    static let none: Int32 = -1

    /// Token id ending at each node, or `none`.
    private var terminal: [Int32] = [-1]
    private var keys: [UInt64]
    private var children: [Int32]
    private var mask: Int
    private var edgeCount = 0

    init(expectedEdges: Int = 1024) {
        var capacity = 16
        while capacity < expectedEdges * 2 { capacity <<= 1 }
        keys = Array(repeating: .max, count: capacity)
        children = Array(repeating: -1, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private static func key(_ node: Int32, _ c: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 21 | UInt64(c)
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The child of `node` along `c`, or `none`.
    @inline(__always)
    func child(_ node: Int32, _ c: UInt32) -> Int32 {
        let k = Self.key(node, c)
        var s = slot(for: k)
        while true {
            let stored = keys[s]
            if stored == k { return children[s] }
            if stored == .max { return Self.none }
            s = (s + 1) & mask
        }
    }

    /// The token id that ends at `node`, or `none`.
    @inline(__always)
    func tokenID(at node: Int32) -> Int32 { terminal[Int(node)] }

    /// Follows `scalars` from `node`, creating nodes as needed; returns the last node.
    mutating func insert<S: Sequence>(_ scalars: S, from node: Int32 = root) -> Int32 where S.Element == UInt32 {
        var current = node
        for c in scalars {
            let next = child(current, c)
            if next != Self.none {
                current = next
                continue
            }
            let created = Int32(terminal.count)
            terminal.append(Self.none)
            if (edgeCount + 1) * 2 > keys.count { grow() }
            place(Self.key(current, c), created)
            edgeCount += 1
            current = created
        }
        return current
    }

    mutating func setTokenID(_ id: Int32, at node: Int32) { terminal[Int(node)] = id }

    private mutating func place(_ key: UInt64, _ child: Int32) {
        var s = slot(for: key)
        while keys[s] != .max { s = (s + 1) & mask }
        keys[s] = key
        children[s] = child
    }

    private mutating func grow() {
        let oldKeys = keys, oldChildren = children
        keys = Array(repeating: .max, count: oldKeys.count * 2)
        children = Array(repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (k, c) in zip(oldKeys, oldChildren) where k != .max { place(k, c) }
    }
}

/// How to cut encodings that exceed a maximum length (HF tokenizers' `TruncationParams`).
///
/// `maxLength` counts the special tokens the post-processor adds. Only the kept encoding is
/// produced; overflowing windows (and so `stride`) are not.
public struct Truncation: Sendable, Equatable {
    public enum Strategy: String, Sendable, Equatable {
        /// Remove from the longer sequence first (splitting evenly when both are too long).
        case longestFirst = "LongestFirst"
        case onlyFirst = "OnlyFirst"
        case onlySecond = "OnlySecond"
    }

    public enum Direction: String, Sendable, Equatable {
        case right = "Right"
        case left = "Left"
    }

    public var maxLength: Int
    public var strategy: Strategy
    public var direction: Direction

    public init(maxLength: Int, strategy: Strategy = .longestFirst, direction: Direction = .right) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.direction = direction
    }

    /// Truncates the sequence encodings (before special tokens are added) so that, with
    /// `addedTokens` special tokens, the result fits `maxLength`.
    func apply(_ first: inout Encoding, _ second: inout Encoding?, addedTokens: Int) throws {
        guard maxLength >= addedTokens else {
            throw TokenizationError.invalidArgument(
                "maximum length \(maxLength) is shorter than the \(addedTokens) special tokens it must hold")
        }
        let limit = maxLength - addedTokens
        let total = first.count + (second?.count ?? 0)
        guard total > limit else { return }
        switch strategy {
        case .longestFirst:
            guard var other = second else {
                first.truncate(to: limit, direction: direction)
                return
            }
            var n1 = first.count, n2 = other.count
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            n2 = n1 > limit ? n1 : max(n1, limit - n1)
            if n1 + n2 > limit {
                n1 = limit / 2
                n2 = n1 + limit % 2
            }
            if swapped { swap(&n1, &n2) }
            first.truncate(to: n1, direction: direction)
            other.truncate(to: n2, direction: direction)
            second = other
        case .onlyFirst, .onlySecond:
            let toRemove = total - limit
            if strategy == .onlyFirst {
                guard first.count > toRemove else {
                    throw TokenizationError.invalidArgument("the first sequence is too short to truncate by \(toRemove)")
                }
                first.truncate(to: first.count - toRemove, direction: direction)
            } else {
                guard var other = second else {
                    throw TokenizationError.invalidArgument("truncation 'OnlySecond' needs a second sequence")
                }
                guard other.count > toRemove else {
                    throw TokenizationError.invalidArgument("the second sequence is too short to truncate by \(toRemove)")
                }
                other.truncate(to: other.count - toRemove, direction: direction)
                second = other
            }
        }
    }
}

/// How to pad a batch of encodings to a common length (HF tokenizers' `PaddingParams`).
package struct Padding: Sendable, Equatable {
    package enum Strategy: Sendable, Equatable {
        /// To the longest encoding of the batch.
        case longest
        /// To exactly this many tokens (longer encodings are left as they are).
        case fixed(Int)
    }

    package enum Direction: String, Sendable, Equatable {
        case right = "Right"
        case left = "Left"
    }

    package var strategy: Strategy
    package var direction: Direction
    package var padToMultipleOf: Int?
    var padID: Int32
    var padTypeID: Int32
    var padToken: String

    package init(strategy: Strategy = .longest, direction: Direction = .right, padToMultipleOf: Int? = nil,
                padID: Int32 = 0, padTypeID: Int32 = 0, padToken: String = "[PAD]") {
        self.strategy = strategy
        self.direction = direction
        self.padToMultipleOf = padToMultipleOf
        self.padID = padID
        self.padTypeID = padTypeID
        self.padToken = padToken
    }

    /// Pads every encoding to the target length; pads get attention 0, special 1, offset (0, 0).
    package func apply(to encodings: inout [Encoding]) {
        var target: Int
        switch strategy {
        case .longest: target = encodings.map(\.count).max() ?? 0
        case .fixed(let n): target = n
        }
        if let multiple = padToMultipleOf, multiple > 0, target % multiple != 0 {
            target += multiple - target % multiple
        }
        for index in encodings.indices {
            let missing = target - encodings[index].count
            guard missing > 0 else { continue }
            var e = encodings[index]
            let ids = [Int32](repeating: padID, count: missing)
            let tokens = [String](repeating: padToken, count: missing)
            let offsets = [TokenOffset](repeating: .none, count: missing)
            let types = [Int32](repeating: padTypeID, count: missing)
            let zeros = [Int32](repeating: 0, count: missing)
            let ones = [Int32](repeating: 1, count: missing)
            if direction == .right {
                e.ids += ids; e.tokens += tokens; e.offsets += offsets
                e.typeIDs += types; e.attentionMask += zeros; e.specialTokensMask += ones
            } else {
                e.ids = ids + e.ids; e.tokens = tokens + e.tokens; e.offsets = offsets + e.offsets
                e.typeIDs = types + e.typeIDs; e.attentionMask = zeros + e.attentionMask
                e.specialTokensMask = ones + e.specialTokensMask
            }
            encodings[index] = e
        }
    }
}

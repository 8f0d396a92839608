/// Adds special tokens around one or two sequences and assigns type ids, following a
/// template (HF `TemplateProcessing`; `BertProcessing` is the template `[CLS] $A [SEP] $B:1 [SEP]:1`).
struct PostProcessor: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        /// A special token: its ids and token texts (usually one each) and type id.
        case special(ids: [Int32], tokens: [String], typeID: Int32)
        /// The first (`isFirst`) or second input sequence, with the type id its tokens get.
        case sequence(isFirst: Bool, typeID: Int32)
    }

    package let single: [Piece]
    let pair: [Piece]

    init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B [SEP]` with the second part typed 1.
    static func bert(cls: (Int32, String), sep: (Int32, String)) -> PostProcessor {
        let c = Piece.special(ids: [cls.0], tokens: [cls.1], typeID: 0)
        let s0 = Piece.special(ids: [sep.0], tokens: [sep.1], typeID: 0)
        let s1 = Piece.special(ids: [sep.0], tokens: [sep.1], typeID: 1)
        return PostProcessor(
            single: [c, .sequence(isFirst: true, typeID: 0), s0],
            pair: [c, .sequence(isFirst: true, typeID: 0), s0, .sequence(isFirst: false, typeID: 1), s1])
    }

    /// Number of special tokens added for a single input or a pair.
    func addedTokens(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .special(let ids, _, _) = piece { return n + ids.count }
            return n
        }
    }

    func process(_ first: Encoding, _ second: Encoding?) -> Encoding {
        let template = second == nil ? single : pair
        var out = Encoding()
        out.reserveCapacity(first.count + (second?.count ?? 0) + addedTokens(isPair: second != nil))
        for piece in template {
            switch piece {
            case .special(let ids, let tokens, let typeID):
                for (id, token) in zip(ids, tokens) {
                    out.append(id: id, token: token, offset: .none, typeID: typeID, special: true)
                }
            case .sequence(let isFirst, let typeID):
                guard let part = isFirst ? first : second else { continue }
                out.ids += part.ids
                out.tokens += part.tokens
                out.offsets += part.offsets
                out.typeIDs += repeatElement(typeID, count: part.count)
                out.attentionMask += part.attentionMask
                out.specialTokensMask += part.specialTokensMask
            }
        }
        return out
    }
}

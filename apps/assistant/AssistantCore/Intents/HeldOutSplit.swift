/// The deterministic, stratified validation split that `assistant train` makes when it has no
/// `--val`, and that `assistant eval --held-out` evaluates: the 2nd, 9th, 16th, ... example of
/// each intent (every 7th, about 14%) is held out, in file order.
public struct HeldOutSplit: Sendable {
    public let train: [LabelledText]
    public let validation: [LabelledText]

    public init(_ examples: [LabelledText]) {
        var seen: [String: Int] = [:]
        var train: [LabelledText] = [], validation: [LabelledText] = []
        for e in examples {
            seen[e.intent, default: 0] += 1
            if seen[e.intent]! % 7 == 2 { validation.append(e) } else { train.append(e) }
        }
        self.train = train
        self.validation = validation
    }
}

import ModelRuntime

/// Seeded spelling noise for robustness measurements: one or two words of four letters or more
/// get one edit each — two adjacent letters swapped, a letter dropped, or a letter doubled.
/// The same (seed, key, text) always gives the same noisy text, whatever was noised before.
public struct TypoNoise: Sendable {
    let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// `text` with its typos; `key` (e.g. the ticket id) names the random stream. A text without
    /// a word of four letters comes back unchanged.
    public func apply(_ text: String, key: String) -> String {
        var random = SeededGenerator(seed: seed, stream: key)
        var characters = Array(text)
        // Words as ranges of letters in `characters`.
        var words: [Range<Int>] = [], start: Int?
        for i in 0...characters.count {
            if i < characters.count && characters[i].isLetter {
                start = start ?? i
                continue
            }
            if let s = start, i - s >= 4 { words.append(s..<i) }
            start = nil
        }
        guard !words.isEmpty else { return text }
        let chosen = words.indices.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)).sorted(by: >)
        for w in chosen {  // last word first, so earlier ranges stay valid
            let word = words[w]
            let i = Int.random(in: word.lowerBound..<(word.upperBound - 1), using: &random)
            let edit = Int.random(in: 0..<3, using: &random)
            if edit == 0 && characters[i] != characters[i + 1] {
                characters.swapAt(i, i + 1)
            } else if edit < 2 {  // swapping equal letters would change nothing: drop one instead
                characters.remove(at: i)
            } else {
                characters.insert(characters[i], at: i)
            }
        }
        return String(characters)
    }
}

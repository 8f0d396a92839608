/// Corrects misspelt words of an English ticket toward the knowledge base's own words, so that
/// a typo ("my cad got decilned") does not move the ticket away from the article it is about.
///
/// A word (a run of letters, 3 or more) is left alone when the knowledge base uses it or the
/// encoder's vocabulary counts it among its `commonWords` most frequent whole words (BERT's
/// WordPiece vocabulary lists whole words roughly by frequency). Otherwise it is replaced by the
/// knowledge-base word one edit away (a letter deleted, inserted, replaced, or two neighbours
/// swapped: the Damerau–Levenshtein neighbourhood) that the knowledge base uses most, ties by
/// alphabetical order; a word with no such neighbour is left alone. Case is not kept: the
/// encoder and BM25 both read lowercase.
package struct SpellingCorrector: Sendable {
    /// Knowledge-base words (lowercase) and how often the articles use them.
    let known: [String: Int]
    /// Whole words of the encoder's vocabulary ranked within `commonWords`.
    let common: Set<String>

    /// Whole words of the vocabulary taken as correct English, by rank (ids) in the vocabulary.
    package static let commonWords = 20_000

    /// - Parameters:
    ///   - knowledgeWords: word counts of the articles (`KnowledgeIndex.wordCounts`).
    ///   - vocabulary: the encoder's WordPiece tokens by id; its whole words (letters only, no
    ///     `##` pieces or `[…]` markers) with ids below `commonWords` count as correct.
    package init(knowledgeWords: [String: Int], vocabulary: [String]) {
        known = knowledgeWords
        common = Set(vocabulary.prefix(Self.commonWords).filter { token in
            token.count >= 3 && token.allSatisfy(\.isLetter)
        })
    }

    /// `text` with its misspelt words corrected, and each correction as `(written, corrected)`
    /// in the order of the text.
    package func correct(_ text: String) -> (text: String, corrections: [(written: String, corrected: String)]) {
        var output = "", word = "", corrections: [(String, String)] = []
        func flush() {
            guard !word.isEmpty else { return }
            if let better = correction(of: word.lowercased()) {
                corrections.append((word, better))
                output += better
            } else {
                output += word
            }
            word = ""
        }
        for character in text {
            if character.isLetter {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return (output, corrections)
    }

    /// The knowledge-base word to read instead of `word` (lowercase), or nil to keep it.
    func correction(of word: String) -> String? {
        guard word.count >= 3, known[word] == nil, !common.contains(word) else { return nil }
        return Self.neighbours(of: word).compactMap { candidate in known[candidate].map { (candidate, $0) } }
            .max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
    }

    /// Every string one edit from `word`: deletions, swaps of neighbours, replacements and
    /// insertions of a letter from a–z or from the word itself.
    static func neighbours(of word: String) -> Set<String> {
        let letters = Array(word)
        let alphabet = Set("abcdefghijklmnopqrstuvwxyz").union(letters)
        var result = Set<String>()
        for i in letters.indices {
            var deleted = letters
            deleted.remove(at: i)
            result.insert(String(deleted))
            if i + 1 < letters.count {
                var swapped = letters
                swapped.swapAt(i, i + 1)
                result.insert(String(swapped))
            }
            for letter in alphabet {
                var replaced = letters
                replaced[i] = letter
                result.insert(String(replaced))
            }
        }
        for i in 0...letters.count {
            for letter in alphabet {
                var inserted = letters
                inserted.insert(letter, at: i)
                result.insert(String(inserted))
            }
        }
        result.remove(word)
        return result
    }
}

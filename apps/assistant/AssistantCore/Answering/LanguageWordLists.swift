import Foundation

/// The Debian word lists of the languages `LanguageDetector` names (packages `wamerican`,
/// `wfrench`, `wngerman`, `wspanish`, `witalian`, `wportuguese`, `wdutch`, installed by
/// `make setup` into `/usr/share/dict`), for the words of four letters or more that function
/// words miss: "Impossibile aprire il file" has one Italian function word, but "impossibile" and
/// "aprire" are Italian words and not English ones.
///
/// Each list is read once per process, on first use (about 1.9 M words), and kept as a set of
/// hashes of its lowercased words (8 bytes a word, not the words). A list that is not installed
/// is left out: detection then rests on function words alone for that language.
struct LanguageWordLists: Sendable {
    /// Where the lists are, and each language's file.
    static let folder = "/usr/share/dict"
    static let files = [LanguageDetector.english: "american-english", "french": "french", "german": "ngerman",
                        "spanish": "spanish", "italian": "italian", "portuguese": "portuguese", "dutch": "dutch"]
    /// Words shorter than this are left to the function-word lists.
    static let minimumLetters = 4

    /// The installed lists, read on first use.
    static let installed = LanguageWordLists(folder: folder)

    /// Hashes of each language's words (lowercased).
    let words: [String: Set<Int>]

    init(folder: String) {
        var words: [String: Set<Int>] = [:]
        for (language, file) in Self.files {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
            var set = Set<Int>(minimumCapacity: data.count / 9)
            for line in data.split(separator: UInt8(ascii: "\n")) where line.count >= Self.minimumLetters {
                set.insert(String(decoding: line, as: UTF8.self).lowercased().hashValue)
            }
            words[language] = set
        }
        self.words = words
    }

    /// The languages whose list has `word` (lowercase).
    func languages(of word: String) -> [String] {
        let hash = word.hashValue
        return words.filter { $0.value.contains(hash) }.map(\.key)
    }

    /// Evidence per language from the text's words of `minimumLetters` or more: a word in
    /// English's list counts for English; a word in other lists and not in English's counts for
    /// each of those languages.
    func evidence(_ words: [String]) -> [String: Double] {
        var scores: [String: Double] = [:]
        for word in words where word.count >= Self.minimumLetters && word.allSatisfy(\.isLetter) {
            let found = languages(of: word)
            if found.contains(LanguageDetector.english) {
                scores[LanguageDetector.english, default: 0] += 1
            } else {
                for language in found { scores[language, default: 0] += 1 }
            }
        }
        return scores
    }
}

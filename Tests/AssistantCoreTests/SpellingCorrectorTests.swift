import Testing
@testable import AssistantCore

/// `SpellingCorrector`: misspelt words read as the knowledge base's words, correct words kept.
struct SpellingCorrectorTests {
    static let knowledge = ["card": 40, "declined": 6, "payment": 12, "can": 3, "cash": 2, "pending": 5, "top": 8, "freeze": 4]
    /// A vocabulary whose first entries stand for the encoder's common words.
    static let corrector = SpellingCorrector(knowledgeWords: knowledge, vocabulary: ["[PAD]", "##ing", "again", "shop", "list", "the"])

    @Test func typosOfKnowledgeWordsAreCorrected() {
        let (text, corrections) = Self.corrector.correct("My cad got decilned at the shop agian, paymnet pendign!")
        // One edit each: a deleted, swapped, or inserted letter; `agian` has no knowledge-base neighbour.
        #expect(text == "My card got declined at the shop agian, payment pending!")
        #expect(corrections.map(\.written) == ["cad", "decilned", "paymnet", "pendign"])
        #expect(corrections.map(\.corrected) == ["card", "declined", "payment", "pending"])
    }

    @Test func correctWordsAndUnclearOnesStay() {
        // Common words of the vocabulary ("list" is one edit from nothing here, "shop" from "top"
        // is two), knowledge-base words, short words and words two edits away stay.
        for text in ["list the shop", "freeze my card", "an ok to", "carrd fraaze"] {
            #expect(Self.corrector.correct(text).text == (text == "carrd fraaze" ? "card fraaze" : text), "\(text)")
        }
        // The most used neighbour wins: "cas" is one edit from "can", "card" is not, "cash" is.
        #expect(Self.corrector.correction(of: "cas") == "can")
        // Digits, punctuation and spacing are kept as written.
        #expect(Self.corrector.correct("ref 12-34, €50.00 — ok?").text == "ref 12-34, €50.00 — ok?")
    }

    @Test func neighboursAreOneEditAway() {
        let neighbours = SpellingCorrector.neighbours(of: "ab")
        #expect(neighbours.isSuperset(of: ["a", "b", "ba", "abc", "cab", "bb", "aa", "zb"]))
        #expect(!neighbours.contains("ab") && !neighbours.contains("abcd") && !neighbours.contains("ba c"))
    }
}

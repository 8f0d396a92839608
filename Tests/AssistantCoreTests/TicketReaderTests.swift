import Foundation
import Testing
@testable import AssistantCore

/// `TicketReader`: quoted history, signatures and reference numbers removed and reported, long
/// tickets reduced to their question sentences, plain tickets read as written.
struct TicketReaderTests {
    @Test func plainTicketsAreReadAsWritten() {
        for text in ["I am still waiting on my card?", "Can I top up 25000 EUR at once?", "why was my payment of €12,500.00 declined",
                     "My PIN 1234 is blocked", "-- dashes at the start are text"] {
            let read = TicketReader.read(text)
            #expect(read.text == text && read.notes.isEmpty, "\(text) → \(read)")
        }
    }

    @Test func referenceNumbersAreRemoved() {
        let cases: [(String, String, Int)] = [
            ("how long does a transfer take (ref 2999)", "how long does a transfer take", 1),
            ("where is my new card (ref 136)", "where is my new card", 1),
            ("Order #A-1234: refund not received, transaction no. TX99812 either", "refund not received, either", 2),
            ("my transfer 20261207554 is stuck", "my transfer is stuck", 1),
            ("ticket: 7781 still open #4411", "still open", 2),
        ]
        for (text, expected, count) in cases {
            let read = TicketReader.read(text)
            #expect(read.text == expected && read.notes.referencesRemoved == count, "\(text) → \(read)")
        }
    }

    @Test func quotedHistoryAndSignaturesAreRemoved() {
        let topPosted = "Where is my card? It was due last week.\n\nBest regards,\nJane Doe\nAcme Ltd\n\n"
            + "On Mon, 1 Dec 2026 at 10:02, Lumen Support <help@lumen.example> wrote:\n> Your card was sent on 24 November.\n> Kind regards"
        let top = TicketReader.read(topPosted)
        #expect(top.text == "Where is my card? It was due last week.")
        #expect(top.notes == TicketReader.Notes(historyRemoved: true, signatureRemoved: true))
        #expect(top.notes.summary == "removed the quoted history, the signature")

        let bottomPosted = "> Please tell us what happened.\n> Lumen Support\nI was charged twice for one coffee, why?\n-- \nJ. Doe\nSent from my phone"
        let bottom = TicketReader.read(bottomPosted)
        #expect(bottom.text == "I was charged twice for one coffee, why?")
        #expect(bottom.notes.quotedLinesRemoved == 2 && bottom.notes.signatureRemoved == true && bottom.notes.historyRemoved == nil)

        let outlook = "Can you raise my card limit?\nThanks\n\nFrom: Lumen Support\nSent: Monday, 1 December 2026 10:02\nTo: Jane\nSubject: Re: limits"
        #expect(TicketReader.read(outlook).text == "Can you raise my card limit?")
        // A "Thanks" in the middle keeps the question after it.
        let middle = TicketReader.read("My card is blocked.\nThanks\nAlso, how do I change my PIN?")
        #expect(middle.text == "My card is blocked. Thanks Also, how do I change my PIN?" && middle.notes.isEmpty)
        // A sign-off as the only line is the ticket, not a signature.
        #expect(TicketReader.read("Thanks").text == "Thanks" && TicketReader.read("Thanks").notes.isEmpty)
    }

    @Test func aLongTicketKeepsItsQuestionSentencesNeverASilentCut() {
        let filler = Array(repeating: "We spoke about the weekend and the weather and many other things.", count: 40).joined(separator: " ")
        let text = filler + " How long does a SEPA transfer take to arrive? " + filler
        let read = TicketReader.read(text)
        #expect(read.text == "How long does a SEPA transfer take to arrive?")
        #expect(read.notes.shortenedFromWords == 2 * 40 * 12 + 9 && read.notes.keptWords == 9)
        #expect(read.notes.summary == "kept the question sentences, 9 of 969 words")
        // Without a question: the first sentences, up to the limit.
        let statements = TicketReader.read(filler)
        #expect(statements.text.split(separator: " ").count <= TicketReader.maximumWords && statements.notes.shortenedFromWords == 480)
    }
}

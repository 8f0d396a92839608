import Foundation

/// What the assistant reads of a ticket before it embeds it: the customer's own newest words.
///
/// E-mail tickets carry quoted history, signatures and reference numbers that say nothing about
/// the question but move its embedding (a "(ref 2999)" turned an answer into `no_source`), and the
/// encoder reads only the first 256 word pieces, so the question at the end of a long thread was
/// silently cut off. `read` removes, in order:
/// 1. the quoted history: everything from the first reply header on (`On … wrote:`,
///    `-----Original Message-----`, an Outlook `From:` block followed by `Sent:`/`Date:`, a line of
///    underscores), and every line starting with `>`;
/// 2. the signature: everything from a `-- ` line, or from a sign-off line (`Best regards`,
///    `Thanks`, `Sent from my …`) among the last six lines that follows some text and is itself
///    followed by at most four short lines without a question mark;
/// 3. reference numbers: `ref`/`order`/`ticket`/`case`/`invoice`/`transaction` followed by an id
///    with a digit, `#12345`, and runs of 5 or more digits (amounts with a currency stay);
/// 4. length: a text over `maximumWords` keeps its question sentences (with `?` or opening with a
///    question word), else its first sentences, up to `maximumWords` — never a silent cut.
/// Each change is reported in `Notes` (`reading` in the answer).
public enum TicketReader {
    /// What `read` changed; all nil/false when the ticket was read as written.
    public struct Notes: Codable, Sendable, Equatable {
        public var historyRemoved: Bool?
        public var quotedLinesRemoved: Int?
        public var signatureRemoved: Bool?
        public var referencesRemoved: Int?
        /// Words of the cleaned ticket before only its question sentences were kept.
        public var shortenedFromWords: Int?
        public var keptWords: Int?
        /// Misspelt words read as knowledge-base words (`SpellingCorrector`), as `written → read`.
        public var spellingCorrected: [String]?

        enum CodingKeys: String, CodingKey {
            case historyRemoved = "history_removed", quotedLinesRemoved = "quoted_lines_removed"
            case signatureRemoved = "signature_removed", referencesRemoved = "references_removed"
            case shortenedFromWords = "shortened_from_words", keptWords = "kept_words"
            case spellingCorrected = "spelling_corrected"
        }

        /// Whether anything was changed.
        public var isEmpty: Bool { self == Notes() }

        /// `removed quoted history, 3 quoted lines, the signature, 1 reference number; kept 40 of 900 words`.
        public var summary: String {
            var parts: [String] = []
            if historyRemoved == true { parts.append("the quoted history") }
            if let n = quotedLinesRemoved { parts.append("\(n) quoted line\(n == 1 ? "" : "s")") }
            if signatureRemoved == true { parts.append("the signature") }
            if let n = referencesRemoved { parts.append("\(n) reference number\(n == 1 ? "" : "s")") }
            var text = parts.isEmpty ? "" : "removed " + parts.joined(separator: ", ")
            if let from = shortenedFromWords, let kept = keptWords {
                text += (text.isEmpty ? "" : "; ") + "kept the question sentences, \(kept) of \(from) words"
            }
            if let corrected = spellingCorrected {
                text += (text.isEmpty ? "" : "; ") + "read " + corrected.joined(separator: ", ")
            }
            return text
        }
    }

    /// Words the encoder reads whole (its 256 word pieces, with room for long words).
    public static let maximumWords = 150

    /// The text to embed, and what was removed to get it. A ticket that would be empty after
    /// removal is read as written.
    public static func read(_ text: String, maximumWords: Int = maximumWords) -> (text: String, notes: Notes) {
        var notes = Notes()
        var lines = text.components(separatedBy: .newlines)
        if let cut = lines.indices.first(where: { isReplyHeader(lines, at: $0) }), cut > 0 {
            lines.removeSubrange(cut...)
            notes.historyRemoved = true
        }
        let quoted = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix(">") }.count
        if quoted > 0 {
            lines.removeAll { $0.trimmingCharacters(in: .whitespaces).hasPrefix(">") }
            notes.quotedLinesRemoved = quoted
        }
        if let cut = signatureStart(lines) {
            lines.removeSubrange(cut...)
            notes.signatureRemoved = true
        }
        var cleaned = lines.joined(separator: "\n")
        var references = 0
        for pattern in referencePatterns {
            let matches = pattern.matches(in: cleaned, range: NSRange(cleaned.startIndex..., in: cleaned))
            references += matches.count
            cleaned = pattern.stringByReplacingMatches(in: cleaned, range: NSRange(cleaned.startIndex..., in: cleaned), withTemplate: "")
        }
        if references > 0 {
            notes.referencesRemoved = references
            // What a removed id leaves behind: "()", "Order : text", "text ," .
            cleaned = emptyBrackets.stringByReplacingMatches(in: cleaned, range: NSRange(cleaned.startIndex..., in: cleaned), withTemplate: "")
            cleaned = cleaned.replacingOccurrences(of: #"[ \t]+([,.;:!?])"#, with: "$1", options: .regularExpression)
                .replacingOccurrences(of: #"^[\s:;,.\-–]+"#, with: "", options: .regularExpression)
        }
        cleaned = cleaned.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !cleaned.isEmpty else { return (text, Notes()) }
        let words = cleaned.split(separator: " ").count
        if words > maximumWords {
            cleaned = questionSentences(cleaned, maximumWords: maximumWords)
            notes.shortenedFromWords = words
            notes.keptWords = cleaned.split(separator: " ").count
        }
        return (cleaned, notes)
    }

    /// Whether line `i` opens quoted history.
    static func isReplyHeader(_ lines: [String], at i: Int) -> Bool {
        let line = lines[i].trimmingCharacters(in: .whitespaces)
        if replyHeaders.contains(where: { matches($0, line) }) { return true }
        if matches(outlookFrom, line) { return lines[(i + 1)..<min(i + 4, lines.count)].contains { matches(outlookSent, $0) } }
        return false
    }

    /// Lines that open quoted history on their own: `On … wrote:`, `-----Original Message-----`, underscores.
    static let replyHeaders = [#"^On .{4,200} wrote:$"#, #"^-{2,}\s*Original Message\s*-{2,}$"#, #"^_{8,}$"#].map {
        try! NSRegularExpression(pattern: $0, options: [.caseInsensitive])
    }
    /// An Outlook header: `From: …`, then `Sent:` or `Date:` within three lines.
    static let outlookFrom = try! NSRegularExpression(pattern: #"^From: .+"#)
    static let outlookSent = try! NSRegularExpression(pattern: #"^(Sent|Date): "#)
    static let signOffLine = try! NSRegularExpression(pattern: signOff, options: [.caseInsensitive])

    static func matches(_ pattern: NSRegularExpression, _ line: String) -> Bool {
        pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }

    /// The index of the first signature line, or nil.
    static func signatureStart(_ lines: [String]) -> Int? {
        if let dashes = lines.firstIndex(where: { $0 == "-- " || $0 == "--" }), dashes > 0 { return dashes }
        let content = lines.indices.filter { !lines[$0].trimmingCharacters(in: .whitespaces).isEmpty }
        for i in content.suffix(6) where i != content.first {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            guard matches(signOffLine, line) else { continue }
            // What follows a sign-off must look like a signature (a name, a title, a phone number):
            // a "Thanks" in the middle of a ticket keeps the text after it.
            let after = content.filter { $0 > i }.map { lines[$0].trimmingCharacters(in: .whitespaces) }
            if after.count <= 4 && after.allSatisfy({ $0.count <= 60 && !$0.contains("?") }) { return i }
        }
        return nil
    }

    static let signOff = #"^((best|kind|warm|warmest)( regards| wishes)?|regards|thanks( a lot| again)?|thank you|many thanks|cheers|sincerely|yours( sincerely| truly)?|br),?$|^sent from my .+$"#

    static let referencePatterns: [NSRegularExpression] = [
        #"\b(ref(erence)?|order|ticket|case|invoice|transaction|txn)\s*(no\.?|number|nr\.?|id)?\s*[:#]?\s*(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{2,}\b"#,
        #"#\d+\b"#,
        #"(?<![\d.,€$£])\b\d{5,}\b(?![.,]\d)(?!\s*(eur|euros?|usd|dollars?|gbp|pounds?|chf|€|\$|£))"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    static let emptyBrackets = try! NSRegularExpression(pattern: #"[(\[]\s*[)\]]"#)

    static let questionWords: Set<String> = ["how", "what", "why", "when", "where", "which", "who", "can", "could", "do", "does",
                                             "did", "is", "are", "will", "would", "should", "may", "have", "has"]

    /// The sentences of `text` that end with a question mark, in order.
    public static func questions(_ text: String) -> [String] {
        sentences(text).filter { $0.hasSuffix("?") }
    }

    /// `text` split after `.`, `!` or `?` followed by a space (abbreviations split too: harmless here).
    static func sentences(_ text: String) -> [String] {
        text.replacingOccurrences(of: #"([.!?])\s+"#, with: "$1\n", options: .regularExpression)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The question sentences of `text` (else its first sentences), in order, up to `maximumWords`.
    static func questionSentences(_ text: String, maximumWords: Int) -> String {
        let sentences = sentences(text)
        let questions = sentences.filter { sentence in
            sentence.contains("?") || questionWords.contains(sentence.split(separator: " ").first.map { $0.lowercased() } ?? "")
        }
        var kept: [String] = [], count = 0
        for sentence in questions.isEmpty ? sentences : questions {
            let words = sentence.split(separator: " ").count
            if count + words > maximumWords { break }
            kept.append(sentence)
            count += words
        }
        if kept.isEmpty { return text.split(separator: " ").prefix(maximumWords).joined(separator: " ") }
        return kept.joined(separator: " ")
    }
}

import Foundation

/// Which language a ticket is written in, as far as the assistant needs to know: English (what
/// the encoder reads), or another language it names, so that a ticket the encoder cannot read
/// escalates as `unsupported_language` instead of `out_of_scope`.
///
/// Built by the project, no model: letters outside the Latin script name their script's
/// language; Latin text is scored by the function words of English, French, German, Spanish,
/// Italian, Portuguese and Dutch (the lists below, written here), by letters only those
/// languages use, and by its longer words found in Debian's word lists (`LanguageWordLists`). A text is another language only on clear evidence — at least two of its
/// function words, more than 1.5 × English's — so a short or unclear ticket stays English.
public enum LanguageDetector {
    /// `english`, or the name of another language (`french`, `german`, …, `cyrillic`, `chinese`, …).
    public static let english = "english"

    /// Function words per language (lowercase): the short words nearly every sentence has.
    static let functionWords: [String: Set<String>] = [
        english: ["the", "a", "an", "is", "are", "was", "my", "i", "you", "it", "to", "of", "and", "in", "on", "for", "with",
                  "have", "has", "do", "does", "did", "can", "not", "what", "how", "why", "when", "where", "this", "that",
                  "me", "at", "be", "from", "your", "there", "will", "would", "been", "am", "get", "if", "or"],
        "french": ["le", "la", "les", "de", "des", "du", "un", "une", "est", "et", "je", "mon", "ma", "mes", "pour", "pas",
                   "que", "qui", "dans", "sur", "avec", "elle", "il", "nous", "vous", "ne", "où", "au", "aux", "ce", "cette",
                   "ai", "suis", "mais", "ou", "comment", "pourquoi", "quand", "votre", "été", "j'ai", "c'est", "n'est"],
        "german": ["wird", "werden", "wenn", "nach", "bei", "aus", "im", "zum", "zur", "als", "soll", "muss", "diese", "dieser", "dieses", "einen", "einer", "eines", "kann", "konnte", "ob", "nur", "der", "die", "das", "und", "ist", "ich", "nicht", "mein", "meine", "ein", "eine", "mit", "für", "auf",
                   "wie", "warum", "wann", "wo", "sie", "es", "zu", "von", "den", "dem", "habe", "hat", "noch", "kann",
                   "bitte", "wurde", "ihr", "ihre", "sind", "auch", "aber", "oder", "mir", "mich", "kein", "keine"],
        "spanish": ["el", "la", "los", "las", "de", "del", "un", "una", "es", "y", "yo", "mi", "mis", "por", "para", "no",
                    "que", "qué", "en", "con", "se", "lo", "su", "cómo", "cuándo", "dónde", "está", "tengo", "he", "ha",
                    "pero", "o", "al", "me", "sí", "muy", "porque", "esta", "este", "hay"],
        "italian": ["dei", "delle", "degli", "dal", "dalla", "sul", "può", "essere", "stato", "tra", "da", "se", "dell'", "l'", "un'", "questo", "quello", "non", "il", "lo", "la", "gli", "le", "di", "del", "della", "un", "una", "è", "e", "io", "mio", "mia", "per",
                    "non", "che", "in", "con", "si", "come", "perché", "quando", "dove", "ho", "ha", "sono", "ma", "o",
                    "al", "alla", "mi", "ancora", "questo", "questa", "anche", "nel", "nella"],
        "portuguese": ["o", "a", "os", "as", "de", "do", "da", "dos", "das", "um", "uma", "é", "e", "eu", "meu", "minha",
                       "por", "para", "não", "que", "em", "no", "na", "com", "se", "como", "quando", "onde", "tenho",
                       "foi", "mas", "ou", "ao", "você", "está", "isso", "ainda", "seu", "sua"],
        "dutch": ["worden", "deze", "dit", "als", "om", "aan", "uit", "door", "zal", "moet", "kon", "kunnen", "wordt", "alle", "hebben", "geen", "de", "het", "een", "en", "is", "ik", "mijn", "niet", "van", "voor", "met", "op", "dat", "die", "wat",
                  "hoe", "waarom", "wanneer", "waar", "zijn", "heb", "heeft", "nog", "kan", "mij", "u", "uw", "je", "jij",
                  "maar", "of", "ook", "er", "te", "bij", "naar", "geen", "wordt"],
    ]

    /// Letters only some of those languages use, each adding half a function word of evidence.
    static let distinctiveLetters: [String: Set<Character>] = [
        "french": ["ç", "è", "ê", "à", "ù", "û", "î", "ï", "ë", "œ"],
        "german": ["ß", "ä", "ö", "ü"],
        "spanish": ["ñ", "¿", "¡", "á", "í", "ó", "ú"],
        "italian": ["ò", "ì"],
        "portuguese": ["ã", "õ", "â", "ô"],
    ]

    /// The language of `text`.
    public static func detect(_ text: String) -> String {
        if let script = nonLatinScript(text) { return script }
        let words = text.lowercased().split { !($0.isLetter || $0 == "'") }.map(String.init)
        var scores: [String: Double] = [:]
        for (language, list) in functionWords {
            scores[language] = Double(words.filter { list.contains($0) }.count)
        }
        for (language, letters) in distinctiveLetters {
            scores[language, default: 0] += 0.5 * Double(words.filter { $0.contains(where: letters.contains) }.count)
        }
        // Three English function words and no other evidence settle it without the word lists
        // (most tickets: the lists are read only when a ticket needs them).
        if scores[Self.english, default: 0] >= 3 && scores.allSatisfy({ $0.key == Self.english || $0.value == 0 }) { return Self.english }
        // Words of four letters or more, by the Debian word lists: half a function word each.
        for (language, count) in LanguageWordLists.installed.evidence(words) { scores[language, default: 0] += 0.5 * count }
        let english = scores[english] ?? 0
        guard let (best, score) = scores.filter({ $0.key != Self.english }).max(by: { ($0.value, $1.key) < ($1.value, $0.key) })
        else { return Self.english }
        // Clear evidence: two function words and more than 1.5 × English's; or, in a text of four
        // words or more without a single English function word, one.
        if score >= 2 && score > 1.5 * english { return best }
        if english == 0 && score >= 1 && words.count >= 4 { return best }
        return Self.english
    }

    /// The language named by the non-Latin script at least a third of the letters are in, or nil.
    static func nonLatinScript(_ text: String) -> String? {
        var counts: [String: Int] = [:], letters = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            letters += 1
            let v = scalar.value
            let script: String? = switch v {
            case 0x0400...0x052F: "cyrillic"
            case 0x0370...0x03FF: "greek"
            case 0x0590...0x05FF: "hebrew"
            case 0x0600...0x06FF, 0x0750...0x077F: "arabic"
            case 0x0900...0x097F: "hindi"
            case 0x0E00...0x0E7F: "thai"
            case 0x1100...0x11FF, 0xAC00...0xD7AF: "korean"
            case 0x3040...0x30FF: "japanese"
            case 0x4E00...0x9FFF: "chinese"
            default: nil
            }
            if let script { counts[script, default: 0] += 1 }
        }
        // A third of the letters is enough (catalogue strings and tickets mix in Latin names); in
        // Chinese, Japanese and Korean, where a character is about a word, four characters are.
        guard letters > 0, let (script, count) = counts.max(by: { $0.value < $1.value }),
              3 * count >= letters || (count >= 4 && ["chinese", "japanese", "korean"].contains(script)) else { return nil }
        // Kanji with kana is Japanese.
        if script == "chinese", counts["japanese", default: 0] > 0 { return "japanese" }
        return script
    }
}

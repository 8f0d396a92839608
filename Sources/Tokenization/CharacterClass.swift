/// Character classes of the BERT normalizer and pre-tokenizer.
///
/// ASCII is answered inline; everything else is looked up in `UnicodeTables.swift`, which is
/// generated from the reference implementation (HF tokenizers) so that the suite classifies
/// every code point exactly as the reference does, whatever Unicode version Swift ships.
enum CharacterClass {
    /// Removed by clean_text: NUL, U+FFFD and control/format/unassigned/private-use characters
    /// (tab, newline and carriage return excepted: they count as whitespace).
    @inline(__always)
    static func isRemovedByCleanText(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F }
        return c == 0xFFFD || inRanges(c, removedByCleanTextRanges)
    }

    /// Replaced by a plain space by clean_text.
    @inline(__always)
    static func isCleanTextWhitespace(_ c: UInt32) -> Bool {
        if c < 0x80 { return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        return inRanges(c, cleanTextWhitespaceRanges)
    }

    /// A separator for the pre-tokenizer (Rust's `char::is_whitespace`).
    @inline(__always)
    static func isSplitWhitespace(_ c: UInt32) -> Bool {
        if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        return inRanges(c, splitWhitespaceRanges)
    }

    /// Isolated as its own word by the pre-tokenizer: ASCII punctuation and Unicode P*.
    @inline(__always)
    static func isPunctuation(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40)
                || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)
        }
        return inRanges(c, punctuationRanges)
    }

    /// CJK ideographs that the normalizer surrounds with spaces (the blocks BERT lists).
    @inline(__always)
    static func isChineseCharacter(_ c: UInt32) -> Bool {
        switch c {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// General category Mn, dropped when accents are stripped.
    @inline(__always)
    static func isNonspacingMark(_ c: UInt32) -> Bool {
        c >= 0x80 && inRanges(c, nonspacingMarkRanges)
    }

    /// Binary search in a flat, sorted list of inclusive `[start, end]` pairs.
    static func inRanges(_ c: UInt32, _ table: [UInt32]) -> Bool {
        var lo = 0
        var hi = table.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if c < table[2 * mid] {
                hi = mid
            } else if c > table[2 * mid + 1] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}

/// The BERT normalizer: clean text, CJK spacing, accent stripping, lowercase — in that order,
/// as HF tokenizers' `BertNormalizer` applies them.
package struct BertNormalizer: Sendable, Equatable {
    /// Remove control characters and map every kind of whitespace to U+0020.
    var cleanText: Bool
    /// Surround CJK ideographs with spaces so each becomes its own word.
    var handleChineseChars: Bool
    /// Decompose (NFD) and drop nonspacing marks. `nil` follows `lowercase`, as BERT does.
    package var stripAccents: Bool?
    /// Full Unicode lowercase mapping, code point by code point.
    package var lowercase: Bool

    package init(cleanText: Bool = true, handleChineseChars: Bool = true,
                stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Normalizes `input[range]` (code points of the original text) and appends the result.
    ///
    /// The steps are local to one code point, so they run fused in a single pass. (The
    /// reference's whole-string NFD also reorders combining marks; the marks are dropped by
    /// accent stripping right after, so the order does not show.)
    func normalize(_ input: UnsafeBufferPointer<UInt32>, range: Range<Int>, into out: inout NormalizedText) {
        let strip = stripAccents ?? lowercase
        for i in range {
            var c = input[i]
            if c < 0x80 {
                // ASCII fast path: nothing to decompose, lowercase is a shift.
                if cleanText {
                    if CharacterClass.isRemovedByCleanText(c) { continue }
                    if c == 0x09 || c == 0x0A || c == 0x0D { c = 0x20 }
                }
                if lowercase && c >= 0x41 && c <= 0x5A { c += 0x20 }
                out.append(c, origin: i)
                continue
            }
            if cleanText {
                if CharacterClass.isRemovedByCleanText(c) { continue }
                if CharacterClass.isCleanTextWhitespace(c) {
                    out.append(0x20, origin: i)
                    continue
                }
            }
            if handleChineseChars && CharacterClass.isChineseCharacter(c) {
                out.append(0x20, origin: i)
                appendStrippedAndLowercased(c, strip: strip, origin: i, into: &out)
                out.append(0x20, origin: i)
            } else {
                appendStrippedAndLowercased(c, strip: strip, origin: i, into: &out)
            }
        }
    }

    @inline(__always)
    private func appendStrippedAndLowercased(_ c: UInt32, strip: Bool, origin: Int, into out: inout NormalizedText) {
        guard strip else {
            appendLowercased(c, origin: origin, into: &out)
            return
        }
        if let hangul = Hangul.decompose(c) {
            for d in hangul { appendLowercased(d, origin: origin, into: &out) }
        } else if let decomposed = ScalarMap.canonicalDecomposition.mapping(of: c) {
            for d in decomposed where !CharacterClass.isNonspacingMark(d) {
                appendLowercased(d, origin: origin, into: &out)
            }
        } else if !CharacterClass.isNonspacingMark(c) {
            appendLowercased(c, origin: origin, into: &out)
        }
    }

    @inline(__always)
    private func appendLowercased(_ c: UInt32, origin: Int, into out: inout NormalizedText) {
        if lowercase {
            if c < 0x80 {
                out.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c, origin: origin)
                return
            }
            if let lower = ScalarMap.lowercase.mapping(of: c) {
                for l in lower { out.append(l, origin: origin) }
                return
            }
        }
        out.append(c, origin: origin)
    }
}

/// Algorithmic canonical decomposition of precomposed Hangul syllables (Unicode ch. 3.12).
enum Hangul {
    private static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100
    private static let vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    private static let tCount: UInt32 = 28, nCount: UInt32 = 588, sCount: UInt32 = 11172

    /// The two or three jamo of a syllable, or nil for any other code point.
    @inline(__always)
    static func decompose(_ c: UInt32) -> [UInt32]? {
        guard c >= sBase && c < sBase + sCount else { return nil }
        let s = c - sBase
        let l = lBase + s / nCount
        let v = vBase + (s % nCount) / tCount
        let t = s % tCount
        return t == 0 ? [l, v] : [l, v, tBase + t]
    }
}

import Foundation

/// Finds and masks personal data in ticket text before it is logged, indexed or embedded:
/// e-mail addresses, phone numbers, payment card numbers (Luhn-checked), IBANs (ISO 13616
/// mod-97 checked) and IPv4/IPv6 addresses.
package struct PIIRedactor: Sendable {
    package enum Kind: String, Codable, Sendable, CaseIterable {
        case email, phone, card, iban, ip
    }

    struct Finding: Equatable, Sendable {
        package let kind: Kind
        package let range: Range<String.Index>
    }

    package init() {}

    private static let sources: [(Kind, String)] = [
        (.email, #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#),
        (.iban, #"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"#),
        (.card, #"\b(?:\d[ -]?){12,18}\d\b"#),
        (.ip, #"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|(?<![\w:])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){7})(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{1,4}(?![\w:])"#),
        (.phone, #"(?<![\w])\+?\d[\d ().-]{7,}\d(?![\w])"#),
    ]
    private static let patterns: [(Kind, NSRegularExpression)] =
        sources.map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }

    /// Findings, left to right, without overlaps (earlier kinds in the list win).
    func find(in text: String) -> [Finding] {
        var taken: [Range<String.Index>] = []
        var findings: [Finding] = []
        let whole = NSRange(text.startIndex..., in: text)
        for (kind, regex) in Self.patterns {
            for match in regex.matches(in: text, range: whole) {
                guard let range = Range(match.range, in: text), !taken.contains(where: { $0.overlaps(range) }) else { continue }
                let value = String(text[range])
                switch kind {
                case .card where !Self.luhnValid(value): continue
                case .iban where !Self.ibanValid(value): continue
                case .phone where !Self.plausiblePhone(value): continue
                default: break
                }
                taken.append(range)
                findings.append(Finding(kind: kind, range: range))
            }
        }
        return findings.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The text with each finding replaced by `[EMAIL]`, `[PHONE]`, `[CARD]`, `[IBAN]` or `[IP]`.
    package func redact(_ text: String) -> (text: String, kinds: Set<Kind>) {
        var out = text
        let findings = find(in: text)
        for finding in findings.reversed() {
            out.replaceSubrange(finding.range, with: "[\(finding.kind.rawValue.uppercased())]")
        }
        return (out, Set(findings.map(\.kind)))
    }

    /// 8–12 digits, or up to 15 with a leading +; never an ISO date.
    static func plausiblePhone(_ value: String) -> Bool {
        let digits = value.filter(\.isNumber).count
        if value.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil { return false }
        return value.hasPrefix("+") ? (8...15).contains(digits) : (8...12).contains(digits)
    }

    static func luhnValid(_ value: String) -> Bool {
        let digits = value.compactMap(\.wholeNumberValue)
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            let v = i % 2 == 1 ? d * 2 : d
            sum += v > 9 ? v - 9 : v
        }
        return sum % 10 == 0
    }

    static func ibanValid(_ value: String) -> Bool {
        let compact = value.filter { !$0.isWhitespace }.uppercased()
        guard (15...34).contains(compact.count) else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for c in rearranged {
            let chunk: String
            if let d = c.wholeNumberValue { chunk = String(d) }
            else if let a = c.asciiValue, c.isLetter { chunk = String(Int(a) - 55) }
            else { return false }
            for digit in chunk { remainder = (remainder * 10 + digit.wholeNumberValue!) % 97 }
        }
        return remainder == 1
    }
}

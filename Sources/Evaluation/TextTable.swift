import Foundation

/// A plain-text table with a header row: first column left-aligned, the others right-aligned.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) { self.header = header }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (c, cell) in row.enumerated() where c < widths.count { widths[c] = max(widths[c], cell.count) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: max(0, widths[min(c, widths.count - 1)] - cell.count))
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The same table in GitHub Markdown, with the same alignment (`|` in a cell is escaped).
    func renderMarkdown() -> String {
        func line(_ row: [String]) -> String {
            "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "| " + header.indices.map { $0 == 0 ? ":---" : "---:" }.joined(separator: " | ") + " |"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

enum Format {
    static func number(_ x: Double) -> String { String(format: "%.4f", x) }

    /// With an explicit sign, for differences: `+0.0120`, `-0.0300`.
    static func signed(_ x: Double) -> String { String(format: "%+.4f", x) }

    /// Four decimals, or `< 0.0001`.
    static func pValue(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : number(p) }

    static func interval(_ ci: ConfidenceInterval) -> String {
        "[\(number(ci.lower)), \(number(ci.upper))]"
    }

    static func proportion(_ p: Proportion) -> (String, String, String) {
        (number(p.value), interval(p.interval), "\(p.count)/\(p.total)")
    }
}

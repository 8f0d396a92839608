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
}

enum Format {
    static func number(_ x: Double) -> String { String(format: "%.4f", x) }

    static func interval(_ ci: ConfidenceInterval) -> String {
        "[\(number(ci.lower)), \(number(ci.upper))]"
    }

    static func proportion(_ p: Proportion) -> (String, String, String) {
        (number(p.value), interval(p.interval), "\(p.count)/\(p.total)")
    }
}

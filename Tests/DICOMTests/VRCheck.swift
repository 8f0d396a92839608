import DICOM

/// Checks text values against their VR (PS3.5 §6.2): maximum lengths, the DA/TM/DT/UI/CS character
/// rules. Used on de-identified output, where every written value must be valid.
enum VRCheck {
    static let textVRs: Set<VR> = [.AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT]

    /// Maximum characters of one value (nil: no limit checked here).
    static func maxLength(_ vr: VR) -> Int? {
        switch vr {
        case .AE, .CS, .SH, .DS: 16
        case .AS: 4
        case .DA: 8
        case .DT: 26
        case .IS: 12
        case .LO, .UI: 64
        case .PN: 64 * 3 + 2
        case .TM: 14
        case .ST: 1024
        case .LT: 10240
        default: nil
        }
    }

    /// Appends one line per invalid value of `set` and of every nested item to `problems`.
    static func check(_ set: DataSet, path: String, into problems: inout [String]) {
        for tag in set.tags {
            guard let element = set[tag] else { continue }
            if case .sequence(let items) = element.value {
                for (i, item) in items.enumerated() { check(item, path: "\(path)\(tag)[\(i)] ", into: &problems) }
                continue
            }
            guard textVRs.contains(element.vr), let values = set.strings(tag) else { continue }
            for value in values where !valid(value, element.vr) {
                problems.append("\(path)\(tag) \(element.vr.rawValue) \"\(value)\"")
            }
        }
    }

    static func valid(_ value: String, _ vr: VR) -> Bool {
        if let max = maxLength(vr), value.utf8.count > max { return false }
        if value.isEmpty { return true }
        let digits = value.allSatisfy(\.isASCII) && value.allSatisfy(\.isNumber)
        switch vr {
        case .DA: return value.count == 8 && digits
        case .TM: return value.split(separator: ".").first.map { $0.count % 2 == 0 && $0.allSatisfy(\.isNumber) } ?? false
        case .DT: return value.prefix(4).allSatisfy(\.isNumber) && value.allSatisfy { $0.isNumber || "+-.".contains($0) }
        case .UI: return value.allSatisfy { $0.isNumber || $0 == "." } && !value.split(separator: ".", omittingEmptySubsequences: false)
                .contains { $0.isEmpty || ($0.count > 1 && $0.first == "0") }
        case .CS: return value.allSatisfy { ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == " " || $0 == "_" }
        case .AS: return value.count == 4 && value.prefix(3).allSatisfy(\.isNumber) && "DWMY".contains(value.last!)
        default: return !value.contains { $0.asciiValue.map { $0 < 0x20 && $0 != 0x1B && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C } ?? false }
        }
    }
}

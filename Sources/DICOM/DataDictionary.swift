/// The standard data dictionary (VR, VM and keyword per tag), generated from pydicom's by
/// tools/codegen/dicom_dictionary.py into DataDictionary+Table.swift and parsed on first use.
package enum DataDictionary {
    package struct Entry: Sendable {
        package let tag: Tag
        package let vr: VR
        let vm: String
        package let keyword: String
        package let retired: Bool
    }

    private static let entries: [UInt32: Entry] = {
        var out = [UInt32: Entry](minimumCapacity: 5200)
        for line in table.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 4, let t = UInt32(f[0], radix: 16), let vr = VR(rawValue: String(f[1])) else { continue }
            out[t] = Entry(tag: Tag(combined: t), vr: vr, vm: String(f[2]), keyword: String(f[3]), retired: f.count > 4)
        }
        return out
    }()

    private static let byKeyword: [String: Entry] = {
        Dictionary(entries.values.map { ($0.keyword, $0) }, uniquingKeysWith: { a, _ in a })
    }()

    /// The entry for `tag`; group length tags (gggg,0000) report UL.
    package static func entry(for tag: Tag) -> Entry? {
        if let e = entries[tag.combined] { return e }
        if tag.element == 0 { return Entry(tag: tag, vr: .UL, vm: "1", keyword: "GroupLength", retired: false) }
        return nil
    }

    /// The tag of a keyword such as "PatientName".
    package static func tag(forKeyword keyword: String) -> Tag? { byKeyword[keyword]?.tag }
}

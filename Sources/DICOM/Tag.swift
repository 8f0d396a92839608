/// A DICOM attribute tag (group, element). `Tag.patientName` and the other keyword constants (for the
/// tags the suite names, Tag+Keywords.swift) are generated with the data dictionary by
/// tools/codegen/dicom_dictionary.py; any other tag: `DataDictionary.tag(forKeyword:)`.
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let group: UInt16
    public let element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// The tag as one 32-bit number, group in the high half (`0x00100010`).
    var combined: UInt32 { UInt32(group) << 16 | UInt32(element) }

    public init(combined: UInt32) {
        self.init(UInt16(combined >> 16), UInt16(combined & 0xFFFF))
    }

    /// Odd groups are private (vendor) attributes.
    package var isPrivate: Bool { group & 1 == 1 }

    /// The dictionary keyword, e.g. "PatientName", or nil for private and unknown tags.
    public var keyword: String? { DataDictionary.entry(for: self)?.keyword }

    /// "(0010,0010)".
    public var description: String {
        "(" + hex(group) + "," + hex(element) + ")"
    }

    public static func < (a: Tag, b: Tag) -> Bool { a.combined < b.combined }

}

private func hex(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - s.count) + s
}

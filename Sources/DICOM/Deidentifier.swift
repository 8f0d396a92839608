/// De-identification by the DICOM PS3.15 Basic Application Level Confidentiality Profile: every
/// attribute of Table E.1-1 (`ConfidentialityProfile`, generated) gets its Basic Profile action, in
/// the data set, the File Meta group and every nested sequence item; every private attribute (odd
/// group) is removed; Patient Identity Removed, De-identification Method and its code sequence
/// (113100, DCM) are set.
///
/// Actions (compound codes resolved as `ConfidentialityProfile` documents): D writes `dummyValue`
/// (valid for the VR; a sequence keeps its items, de-identified), Z an empty value (a sequence
/// with no items), X removes, U replaces each UID by a new
/// `2.25.<128-bit>` UID, the same replacement for the same original everywhere and across every
/// file passed to the same `Deidentifier`, so a de-identified study stays consistent. Attributes
/// the table does not list are kept (sequences are walked). Randomness is injected.
public struct Deidentifier: Sendable {
    /// What (0012,0063) records (LO: at most 64 characters).
    package static let methodDescription = "DICOM PS3.15 E.1-1 Basic Application Confidentiality Profile"

    /// Modalities whose images commonly carry burned-in identifying text (ultrasound, secondary
    /// capture, external-camera photography, other, endoscopy): refused unless accepted.
    package static let burnedInTextModalities: Set<String> = ["US", "SC", "XC", "OT", "ES"]

    /// Original UID → replacement.
    private(set) var uidMap: [String: String] = [:]

    public init() {}

    /// Summary of one file's de-identification.
    public struct Report: Sendable, Equatable {
        public var removed = 0
        var emptied = 0
        var dummied = 0
        package var uidsReplaced = 0
        package var privateRemoved = 0
        /// Burned In Annotation (0028,0301) is YES: identifying text may be in the pixels.
        package var burnedInAnnotation = false
    }

    /// Why identifying text may be burned into the pixels of `dataSet` (Burned In Annotation YES,
    /// or a modality of `burnedInTextModalities`), nil when neither holds.
    package static func burnedInTextRisk(_ dataSet: DataSet) -> String? {
        if dataSet.string(.burnedInAnnotation)?.uppercased() == "YES" { return "Burned In Annotation (0028,0301) is YES" }
        if let m = dataSet.string(.modality)?.uppercased(), burnedInTextModalities.contains(m) {
            return "modality \(m) commonly has identifying text burned into the pixels"
        }
        return nil
    }

    /// De-identifies `file` in place.
    @discardableResult
    public mutating func deidentify(_ file: inout DICOMFile, using rng: inout some RandomNumberGenerator) -> Report {
        var report = Report()
        report.burnedInAnnotation = file.dataSet.string(.burnedInAnnotation)?.uppercased() == "YES"
        file.dataSet = process(file.dataSet, report: &report, rng: &rng)
        file.meta = process(file.meta, report: &report, rng: &rng)
        file.dataSet.setString(.patientIdentityRemoved, "YES", vr: .CS)
        file.dataSet.setString(.deidentificationMethod, Self.methodDescription, vr: .LO)
        var code = DataSet(bigEndian: file.dataSet.bigEndian)
        code.setString(.codeValue, "113100", vr: .SH)
        code.setString(.codingSchemeDesignator, "DCM", vr: .SH)
        code.setString(.codeMeaning, "Basic Application Confidentiality Profile", vr: .LO)
        file.dataSet[.deidentificationMethodCodeSequence] = DataElement(
            tag: .deidentificationMethodCodeSequence, vr: .SQ, value: .sequence([code]), undefinedLength: true)
        return report
    }

    private mutating func process(_ input: DataSet, report: inout Report, rng: inout some RandomNumberGenerator) -> DataSet {
        var out = input
        for element in input.elements {
            let tag = element.tag
            if tag.isPrivate {
                out.remove(tag)
                report.privateRemoved += 1
                continue
            }
            switch ConfidentialityProfile.action(for: tag)?.resolved(sequence: element.vr == .SQ) {
            case .remove:
                out.remove(tag)
                report.removed += 1
            case .empty:
                let empty: DataElement.Value = element.vr == .SQ ? .sequence([]) : .bytes([])
                out[tag] = DataElement(tag: tag, vr: element.vr, value: empty)
                report.emptied += 1
            case .dummy where element.vr != .UI:
                out[tag] = DataElement(tag: tag, vr: element.vr,
                                       value: Self.dummyValue(element.vr))
                report.dummied += 1
            case .dummy, .uid:
                if let values = input.strings(tag) {
                    let replaced = values.map { $0.isEmpty ? $0 : replacement(for: $0, rng: &rng) }
                    out.setString(tag, replaced.joined(separator: "\\"), vr: .UI)
                    report.uidsReplaced += values.count
                }
            case .walk, nil:
                if case .sequence = element.value { out[tag] = walk(element, report: &report, rng: &rng) }
            }
        }
        return out
    }

    /// `element` (a sequence) with each item processed.
    private mutating func walk(_ element: DataElement, report: inout Report, rng: inout some RandomNumberGenerator) -> DataElement {
        guard case .sequence(let items) = element.value else { return element }
        var e = element
        e.value = .sequence(items.map { process($0, report: &report, rng: &rng) })
        return e
    }

    /// The D action's value for `vr` (not UI: those get a new UID): a fixed text valid for the
    /// VR's character set and length, zero for numbers (in the data set's byte order: all zero).
    static func dummyValue(_ vr: VR) -> DataElement.Value {
        let text: String
        switch vr {
        case .DA: text = "19000101"
        case .TM: text = "000000"
        case .DT: text = "19000101000000"
        case .AS: text = "000Y"
        case .DS, .IS: text = "0"
        case .UR: text = "urn:x-deidentified"
        case .AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UT: text = "DEIDENTIFIED"
        case .OB, .UN: return .bytes([0, 0])
        default: return .bytes([UInt8](repeating: 0, count: vr.wordSize ?? 2))
        }
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(0x20) }
        return .bytes(bytes)
    }

    private mutating func replacement(for uid: String, rng: inout some RandomNumberGenerator) -> String {
        if let known = uidMap[uid] { return known }
        let fresh = "2.25." + Self.decimal(high: rng.next() & 0x7FFF_FFFF_FFFF_FFFF, low: rng.next())
        uidMap[uid] = fresh
        return fresh
    }

    /// The 128-bit number high·2⁶⁴ + low in decimal.
    package static func decimal(high: UInt64, low: UInt64) -> String {
        var (h, l) = (high, low)
        var digits: [UInt8] = []
        repeat {
            let (qh, rh) = h.quotientAndRemainder(dividingBy: 10)
            let (ql, rl) = (10 as UInt64).dividingFullWidth((rh, l))
            (h, l) = (qh, ql)
            digits.append(UInt8(rl) + 48)
        } while h != 0 || l != 0
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

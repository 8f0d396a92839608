/// Value representations (DICOM PS3.5 §6.2).
public enum VR: String, Sendable, CaseIterable {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM,
         UC, UI, UL, UN, UR, US, UT, UV

    /// Explicit VR encodings with a 2-byte reserved field and a 4-byte length.
    var hasLongLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: true
        default: false
        }
    }

    /// Character-string VRs (values are text, multi-valued with backslashes).
    var isText: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: true
        default: false
        }
    }

    /// Size of one binary value, for byte swapping; nil for text and byte VRs.
    var wordSize: Int? {
        switch self {
        case .AT, .OW, .SS, .US: 2
        case .FL, .OF, .OL, .SL, .UL: 4
        case .FD, .OD, .OV, .SV, .UV: 8
        default: nil
        }
    }
}

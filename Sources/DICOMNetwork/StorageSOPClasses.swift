/// The storage SOP classes (PS3.4 Annex B.5) and transfer syntaxes (PS3.5 §10) a storage SCP
/// offers by default.
public enum StorageSOPClasses {
    /// Classes whose images the triage model reads: CR, DX for presentation and for processing,
    /// and Secondary Capture (a digitised film or an exported image).
    public static let modelReadable: [String: String] = [
        "1.2.840.10008.5.1.4.1.1.1": "Computed Radiography Image Storage",
        "1.2.840.10008.5.1.4.1.1.1.1": "Digital X-Ray Image Storage - For Presentation",
        "1.2.840.10008.5.1.4.1.1.1.1.1": "Digital X-Ray Image Storage - For Processing",
        "1.2.840.10008.5.1.4.1.1.7": "Secondary Capture Image Storage",
    ]

    /// Classes accepted for storage only (kept with the study; not scored): the other images a
    /// chest study may bring along.
    public static let storageOnly: [String: String] = [
        "1.2.840.10008.5.1.4.1.1.2": "CT Image Storage",
        "1.2.840.10008.5.1.4.1.1.4": "MR Image Storage",
        "1.2.840.10008.5.1.4.1.1.6.1": "Ultrasound Image Storage",
        "1.2.840.10008.5.1.4.1.1.7.4": "Multi-frame True Color Secondary Capture Image Storage",
        "1.2.840.10008.5.1.4.1.1.12.1": "X-Ray Angiographic Image Storage",
        "1.2.840.10008.5.1.4.1.1.88.11": "Basic Text SR Storage",
        "1.2.840.10008.5.1.4.1.1.104.1": "Encapsulated PDF Storage",
    ]

    /// Transfer syntaxes taken for storage, our preference first: uncompressed before compressed,
    /// so a peer offering both sends what needs no decoding.
    public static let transferSyntaxes = [
        WellKnownUID.explicitVRLittleEndian,
        WellKnownUID.implicitVRLittleEndian,
        "1.2.840.10008.1.2.1.99",  // Deflated Explicit VR Little Endian
        "1.2.840.10008.1.2.2",  // Explicit VR Big Endian (retired, still sent by old modalities)
        "1.2.840.10008.1.2.5",  // RLE Lossless
        "1.2.840.10008.1.2.4.50",  // JPEG Baseline (Process 1)
    ]

    /// Verification and every class above, plus `extra` storage classes (a site's configuration),
    /// each on `transferSyntaxes`: the abstract syntaxes of `AcceptorConfiguration` for a storage SCP.
    public static func abstractSyntaxes(extra: [String] = []) -> [String: [String]] {
        var syntaxes = AcceptorConfiguration.verificationOnly
        for uid in Array(modelReadable.keys) + Array(storageOnly.keys) + extra { syntaxes[uid] = transferSyntaxes }
        return syntaxes
    }
}

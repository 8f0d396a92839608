/// De-identification following the DICOM PS3.15 Basic Application Level Confidentiality Profile
/// (Annex E, Table E.1-1) for the attributes this suite reads and writes: patient, study,
/// accession, institution, people, dates and times, descriptions, UIDs and private attributes.
///
/// UIDs are replaced by new `2.25.<128-bit>` UIDs, the same replacement for the same original
/// everywhere (data set, nested sequences, File Meta) and across every file passed to the same
/// `Deidentifier`, so a de-identified study stays consistent. Randomness is injected.
public struct Deidentifier: Sendable {
    /// Basic Profile action codes used here.
    enum Action { case remove, empty, uid }

    /// Attributes and their actions (Table E.1-1; D is applied as Z, an empty value, which is
    /// valid for the type 2 attributes listed).
    static let actions: [Tag: Action] = {
        var a: [Tag: Action] = [:]
        let empty: [Tag] = [.patientName, .patientID, .patientBirthDate, .patientSex, .studyDate, .studyTime,
                            .accessionNumber, .referringPhysicianName, .studyID, .contentDate, .contentTime]
        let remove: [Tag] = [
            .institutionName, .institutionAddress, .institutionalDepartmentName, .patientBirthTime, .patientAge,
            .patientAddress, .patientTelephoneNumbers, .otherPatientIDsSequence, .otherPatientNames,
            .patientMotherBirthName, Tag(0x0010, 0x1090), .ethnicGroup, .occupation, .additionalPatientHistory,
            .patientComments, .patientSize, .patientWeight, .seriesDate, .acquisitionDate, .seriesTime,
            .acquisitionTime, .acquisitionDateTime, .instanceCreationDate, .instanceCreationTime,
            .referringPhysicianAddress, .referringPhysicianTelephoneNumbers, .physiciansOfRecord,
            .performingPhysicianName, .nameOfPhysiciansReadingStudy, .operatorsName, .requestingPhysician,
            .stationName, .deviceSerialNumber, .studyDescription, .seriesDescription, .admittingDiagnosesDescription,
            .requestAttributesSequence, .referencedPatientSequence, .referencedStudySequence, .protocolName,
            .performedProcedureStepStartDate, .performedProcedureStepStartTime, .performedProcedureStepID,
            .performedProcedureStepDescription, .scheduledProcedureStepID, .requestedProcedureID,
            .imageComments, .derivationDescription, .textValue, .personName, .institutionCodeSequence,
            .issuerOfPatientID, .patientInsurancePlanCodeSequence, .militaryRank, .branchOfService,
            .countryOfResidence, .regionOfResidence, .patientState, .responsiblePerson, .responsibleOrganization,
        ]
        let uids: [Tag] = [.studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .frameOfReferenceUID,
                           .referencedSOPInstanceUID, .mediaStorageSOPInstanceUID, .synchronizationFrameOfReferenceUID,
                           .referencedFrameOfReferenceUID, .irradiationEventUID, .concatenationUID,
                           .dimensionOrganizationUID, .storageMediaFileSetUID, .referencedSOPInstanceUIDInFile,
                           .uid]
        for t in empty { a[t] = .empty }
        for t in remove { a[t] = .remove }
        for t in uids { a[t] = .uid }
        return a
    }()

    /// What (0012,0063) records.
    package static let methodDescription = "DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile (triage)"

    /// Original UID → replacement.
    private(set) var uidMap: [String: String] = [:]

    public init() {}

    /// Summary of one file's de-identification.
    public struct Report: Sendable, Equatable {
        public var removed = 0
        var emptied = 0
        package var uidsReplaced = 0
        package var privateRemoved = 0
        /// Burned In Annotation (0028,0301) is YES: identifying text may be in the pixels.
        public var burnedInAnnotation = false
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
            switch Self.actions[tag] {
            case .remove:
                out.remove(tag)
                report.removed += 1
            case .empty:
                out[tag] = DataElement(tag: tag, vr: element.vr, value: .bytes([]))
                report.emptied += 1
            case .uid:
                guard let values = input.strings(tag) else { continue }
                let replaced = values.map { $0.isEmpty ? $0 : replacement(for: $0, rng: &rng) }
                out.setString(tag, replaced.joined(separator: "\\"), vr: .UI)
                report.uidsReplaced += values.count
            case nil:
                if case .sequence(let items) = element.value {
                    var e = element
                    e.value = .sequence(items.map { process($0, report: &report, rng: &rng) })
                    out[tag] = e
                }
            }
        }
        return out
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

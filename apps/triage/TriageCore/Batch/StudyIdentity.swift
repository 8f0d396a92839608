public import DICOM

extension StudyStore.Identity {
    /// The identifying attributes of a DICOM file (Patient's Name, Patient ID, Patient's Birth
    /// Date, Accession Number; empty values count as absent), where the file came from, and its
    /// Study Instance UID (kept only as a keyed hash).
    public init(dicom: DICOMFile?, sourcePath: String) {
        func value(_ tag: Tag) -> String? { dicom?.dataSet.string(tag).flatMap { $0.isEmpty ? nil : $0 } }
        self.init(patientName: value(.patientName), patientID: value(.patientID), birthDate: value(.patientBirthDate),
                  accession: value(.accessionNumber), sourcePath: sourcePath, studyInstanceUID: value(.studyInstanceUID))
    }
}

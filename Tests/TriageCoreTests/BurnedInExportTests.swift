import DICOM
import Foundation
import TestSupport
import Testing
import TriageCore

/// A de-identified copy of a file whose pixels may hold burned-in text is refused unless accepted,
/// and `triage convert --accept-burned-in` records the acceptance in the audit trail.
struct BurnedInExportTests {
    struct Refused: Error { let reason: String }

    /// signed12_implicit.dcm with `modality` and, when given, Burned In Annotation, written to `dir`.
    static func variant(modality: String, burnedIn: String?, in dir: URL) throws -> URL {
        var file = try DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/signed12_implicit.dcm"))
        file.dataSet.setString(.modality, modality, vr: .CS)
        if let burnedIn { file.dataSet.setString(.burnedInAnnotation, burnedIn, vr: .CS) }
        let url = dir.appendingPathComponent("\(modality)-\(burnedIn ?? "none").dcm")
        try DICOMWriter.write(file, to: url)
        return url
    }

    @Test func refusedUnlessAcceptedAndTheHookSeesTheReason() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var options = ConversionOptions()
        options.deidentify = true
        let out = dir.appendingPathComponent("copy.dcm")
        for (modality, burnedIn, reason) in [("US", nil, "modality US"), ("CR", "YES", "Burned In Annotation"), ("SC", "NO", "modality SC")] {
            let input = try Self.variant(modality: modality, burnedIn: burnedIn, in: dir)
            options.acceptBurnedIn = nil
            #expect { try ImageConverter.convert(input, to: out, options: options, rng: &rng) } throws: { error in
                guard case ConversionError.burnedInText(_, let r) = error else { return false }
                return r.contains(reason)
            }
            options.acceptBurnedIn = { _, reason in throw Refused(reason: reason) }
            #expect(throws: Refused.self) { try ImageConverter.convert(input, to: out, options: options, rng: &rng) }
            #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written when the hook refuses")
            options.acceptBurnedIn = { _, _ in }
            _ = try ImageConverter.convert(input, to: out, options: options, rng: &rng)
            #expect(try DICOMFile.read(contentsOf: out).dataSet.string(.patientIdentityRemoved) == "YES")
            try FileManager.default.removeItem(at: out)
        }
        options.acceptBurnedIn = nil
        _ = try ImageConverter.convert(try Self.variant(modality: "CT", burnedIn: "NO", in: dir), to: out, options: options, rng: &rng)
    }

    @Test func acceptingIsAudited() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Self.variant(modality: "US", burnedIn: nil, in: dir).path
        let out = dir.appendingPathComponent("copy.dcm").path
        let home = dir.appendingPathComponent("home").path
        let refused = try CommandRunner.run("triage", ["convert", input, out, "--deidentify", "--home", home])
        #expect(refused.status == 2 && refused.stderr.contains("--accept-burned-in"), "\(refused.stderr)")
        let noKeys = try CommandRunner.run("triage", ["convert", input, out, "--deidentify", "--accept-burned-in", "--home", home])
        #expect(noKeys.status == 2 && noKeys.stderr.contains("triage keys init"), "\(noKeys.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try CommandRunner.run("triage", ["keys", "init", "--home", home]).status == 0)
        let accepted = try CommandRunner.run("triage", ["convert", input, out, "--deidentify", "--accept-burned-in", "--home", home])
        #expect(accepted.status == 0 && FileManager.default.fileExists(atPath: out), "\(accepted.stderr)")
        let audit = try CommandRunner.run("triage", ["audit", "show", "--action", "record.export", "--json", "--home", home])
        #expect(audit.stdout.contains("burnedInAccepted") && !audit.stdout.contains(input), "\(audit.stdout)")
    }
}

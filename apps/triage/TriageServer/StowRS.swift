import DICOM
import DICOMNetwork
import Foundation
import Hummingbird
import MultipartKit
import ServiceSupport
import TriageCore

/// STOW-RS (PS3.18 §10.5): `POST /dicomweb/studies` with `multipart/related;
/// type="application/dicom"`, one Part 10 instance per part. Each instance goes to the same
/// durable spool as a C-STORE (sealed, fsynced, duplicates refused) and is scored as it drains.
/// The answer is `application/dicom+json` with a ReferencedSOPSequence (stored, a duplicate with
/// WarningReason B006) and a FailedSOPSequence (FailureReason A700, C000 or 0122): 200 when all
/// were stored, 202 when some were or carry a warning, 409 when none was.
struct StowRS {
    let spool: InstanceSpool
    /// The storage SOP classes of the DICOM receiver's configuration: STOW-RS takes the same.
    let acceptedSOPClasses: Set<String>
    let metrics: TriageServiceMetrics
    let executor: InferenceExecutor

    /// One instance's outcome.
    struct Outcome: Sendable {
        var sopClassUID: String?
        var sopInstanceUID: String?
        /// nil: stored; a warning (B006) is also stored; any other code failed.
        var code: UInt16?
        var stored: Bool
    }

    func add(to group: RouterGroup<ServiceRequestContext<StudyStore.Role>>) {
        group.post("dicomweb/studies") { request, context in
            let boundary = try Self.boundary(request.headers[.contentType])
            var request = request
            let body = try await request.collectBody(upTo: .max)  // bounded by the body limit middleware
            let parts = try Self.parts(body, boundary: boundary)
            guard !parts.isEmpty else { throw ServiceError.invalid("the multipart body has no part") }
            let actor = "api:\(context.identity?.name ?? "?")"
            var outcomes: [Outcome] = []
            for part in parts {
                outcomes.append(try await executor.perform { self.store(part, actor: actor) })
            }
            return try Self.response(outcomes)
        }
    }

    /// A part's headers and bytes.
    struct Part: Sendable {
        var contentType: String?
        /// Content-Transfer-Encoding; `base64` is decoded (some MIME libraries encode binary parts so).
        var transferEncoding: String?
        var data: Data
    }

    /// The boundary of a `multipart/related; type="application/dicom"` body; 415 for anything else.
    static func boundary(_ contentType: String?) throws -> String {
        let unsupported = ServiceError(.unsupportedMediaType, code: .invalidRequest,
                                       message: #"STOW-RS takes multipart/related; type="application/dicom""#)
        guard let contentType else { throw unsupported }
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.first?.lowercased() == "multipart/related" else { throw unsupported }
        var parameters: [String: String] = [:]
        for field in fields.dropFirst() {
            guard let equals = field.firstIndex(of: "=") else { continue }
            var value = String(field[field.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            parameters[field[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        if let type = parameters["type"], type.lowercased() != "application/dicom" { throw unsupported }
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.count <= 70 else {
            throw ServiceError.invalid("the Content-Type has no multipart boundary")
        }
        return boundary
    }

    /// The parts of a multipart body (multipart-kit's parser); 400 when it is not multipart.
    static func parts(_ body: ByteBuffer, boundary: String) throws -> [Part] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = [], current = Part(contentType: nil, transferEncoding: nil, data: Data())
        parser.onHeader = { name, value in
            switch name.lowercased() {
            case "content-type": current.contentType = value
            case "content-transfer-encoding": current.transferEncoding = value.trimmingCharacters(in: .whitespaces).lowercased()
            default: break
            }
        }
        parser.onBody = { buffer in current.data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            parts.append(current)
            current = Part(contentType: nil, transferEncoding: nil, data: Data())
        }
        do { try parser.execute(body) } catch {
            throw ServiceError.invalid("the body is not a well-formed multipart body with this boundary")
        }
        return parts
    }

    /// Checks one part and spools it.
    func store(_ part: Part, actor: String) -> Outcome {
        guard let type = part.contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
              type == "application/dicom" else {
            return Outcome(code: 0xC000, stored: false)
        }
        var bytes = part.data
        switch part.transferEncoding {
        case nil, "binary", "8bit", "7bit": break
        case "base64":
            guard let decoded = Data(base64Encoded: bytes, options: .ignoreUnknownCharacters) else { return Outcome(code: 0xC000, stored: false) }
            bytes = decoded
        default: return Outcome(code: 0xC000, stored: false)
        }
        let file: DICOMFile
        do { file = try DICOMFile.parse(bytes, file: "STOW-RS part", options: .init()) } catch {
            return Outcome(code: 0xC000, stored: false)
        }
        let sopClass = file.dataSet.string(.sopClassUID) ?? file.meta.string(.mediaStorageSOPClassUID)
        let instance = file.dataSet.string(.sopInstanceUID) ?? file.meta.string(.mediaStorageSOPInstanceUID)
        var outcome = Outcome(sopClassUID: sopClass, sopInstanceUID: instance, code: nil, stored: false)
        guard let sopClass, let instance else {
            outcome.code = 0xC000
            return outcome
        }
        guard acceptedSOPClasses.contains(sopClass), sopClass != WellKnownUID.verificationSOPClass else {
            outcome.code = 0x0122
            return outcome
        }
        let header = InstanceSpool.header(of: file)
        let status: StoreStatus = switch spool.put(sopInstanceUID: instance, studyInstanceUID: header.studyInstanceUID,
                                                   priority: header.stat ? .high : .medium, studySize: header.studySize,
                                                   part10: bytes, actor: actor) {
        case .stored: .success
        case .duplicate: .duplicate
        case .full(let reason), .failed(let reason): .outOfResources(reason)
        }
        metrics.recordStore(status)
        metrics.recordSpool(spool.depth)
        outcome.code = status == .success ? nil : status.code
        outcome.stored = status == .success || status == .duplicate
        return outcome
    }

    /// The PS3.18 answer as `application/dicom+json` (PS3.18 Annex F).
    static func response(_ outcomes: [Outcome]) throws -> Response {
        func item(_ o: Outcome, reasonTag: String?) -> [String: Any] {
            var item: [String: Any] = [:]
            if let c = o.sopClassUID { item["00081150"] = ["vr": "UI", "Value": [c]] }
            if let i = o.sopInstanceUID { item["00081155"] = ["vr": "UI", "Value": [i]] }
            if let reasonTag, let code = o.code { item[reasonTag] = ["vr": "US", "Value": [Int(code)]] }
            return item
        }
        let referenced = outcomes.filter(\.stored), failed = outcomes.filter { !$0.stored }
        var body: [String: Any] = [:]
        if !referenced.isEmpty { body["00081199"] = ["vr": "SQ", "Value": referenced.map { item($0, reasonTag: "00081196") }] }
        if !failed.isEmpty { body["00081198"] = ["vr": "SQ", "Value": failed.map { item($0, reasonTag: "00081197") }] }
        let status: HTTPResponse.Status = referenced.isEmpty ? .conflict
            : (failed.isEmpty && referenced.allSatisfy { $0.code == nil }) ? .ok : .accepted
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(status: status, headers: [.contentType: "application/dicom+json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

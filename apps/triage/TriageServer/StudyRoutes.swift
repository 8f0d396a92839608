import Foundation
import Hummingbird
import ServiceSupport
import TriageCore

/// The `/v1` routes of `triage serve` and `/metrics`. Store reads and writes (each audited) run
/// on the bounded `InferenceExecutor`, never on the event loop.
struct StudyRoutes {
    let store: StudyStore
    let view: TriageModelSpec.Input
    let metrics: TriageServiceMetrics
    let executor: InferenceExecutor
    let maximumBodyBytes: Int

    typealias Context = ServiceRequestContext<StudyStore.Role>

    /// The audit actor of a request: the token's name, never a person.
    static func actor(_ context: Context) -> String { "api:\(context.identity?.name ?? "?")" }

    /// A study as `GET /v1/studies/{id}` shows it: the stored fields without identity, and the
    /// link to its heatmap when it was scored.
    struct StudyResponse: Encodable {
        let study: StudyStore.Study
        let heatmap: String?

        func encode(to encoder: any Encoder) throws {
            try study.encode(to: encoder)
            var links = encoder.container(keyedBy: Key.self)
            try links.encodeIfPresent(heatmap, forKey: .heatmap)
        }

        enum Key: String, CodingKey { case heatmap }
    }

    /// `POST /v1/studies/{id}/read`: the reader's opinion, all optional.
    struct ReadBody: Decodable {
        let opinion: StudyStore.ReaderOpinion.Verdict?
        let label: String?
        let note: String?
    }

    struct ReadResponse: Encodable {
        let studyID: String
        let readAt: String
        enum CodingKeys: String, CodingKey { case studyID = "study_id", readAt = "read_at" }
    }

    /// Routes for readers (and admins).
    func addReaderRoutes(to group: RouterGroup<Context>) {
        let store = self.store, view = self.view, executor = self.executor
        group.get("v1/worklist") { request, context in
            let limit = try request.uri.queryParameters.get("limit").map { text -> Int in
                guard let n = Int(text), n >= 1 else { throw ServiceError.invalid("limit must be a positive integer") }
                return n
            }
            let byStudy: Bool
            switch request.uri.queryParameters.get("by") {
            case nil, "image": byStudy = false
            case "study": byStudy = true
            default: throw ServiceError.invalid("by must be image or study")
            }
            let actor = Self.actor(context)
            let rows = try await executor.perform {
                try store.worklist(policy: .default, limit: byStudy ? nil : limit, actor: actor).enumerated()
                    .map { ReportRow(rank: $0.offset + 1, item: $0.element) }
            }
            if byStudy { return try JSONResponse(Array(StudyGroup.group(rows).prefix(limit ?? .max))) }
            return try JSONResponse(rows)
        }
        group.get("v1/studies/:id") { _, context in
            let id = try context.parameters.require("id")
            let actor = Self.actor(context)
            guard let study = try await executor.perform({ try store.study(id: id, actor: actor, identity: false) }) else {
                throw ServiceError.notFound("no such study")
            }
            let heatmap = study.status == .scored ? "/v1/studies/\(study.id)/heatmap.png" : nil
            return try JSONResponse(StudyResponse(study: study, heatmap: heatmap))
        }
        group.get("v1/studies/:id/heatmap.png") { _, context in
            let id = try context.parameters.require("id")
            let actor = Self.actor(context)
            let png = try await executor.perform { () -> Data? in
                guard try store.study(id: id, actor: actor, identity: false) != nil else { return nil }
                return try StudyPictures.load(id: id, store: store, view: view)?.heatmap
            }
            guard let png else { throw ServiceError.notFound("no heatmap for this study") }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
        group.post("v1/studies/:id/read") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(ReadBody.self, upTo: maximumBodyBytes)
            if body.opinion == nil && (body.label != nil || body.note != nil) {
                throw ServiceError.invalid("label and note go with an opinion (agree or disagree)")
            }
            if let label = body.label, !StudyStore.ReaderOpinion.isValidLabel(label) {
                throw ServiceError.invalid("label must be 1...64 letters, digits, _ or -")
            }
            let opinion = body.opinion.map { StudyStore.ReaderOpinion(verdict: $0, label: body.label, note: body.note) }
            let actor = Self.actor(context)
            switch try await executor.perform({ try store.markRead(id: id, actor: actor, opinion: opinion) }) {
            case .marked(let at): return try JSONResponse(ReadResponse(studyID: id, readAt: at))
            case .alreadyRead(let at): throw ServiceError.conflict("the study was marked read at \(at)")
            case .notFound, .undone, .notRead: throw ServiceError.notFound("no such study")
            }
        }
    }

    /// Routes for admins only.
    func addAdminRoutes(to group: RouterGroup<Context>) {
        group.get("metrics") { _, _ in metrics.service.response() }
    }
}

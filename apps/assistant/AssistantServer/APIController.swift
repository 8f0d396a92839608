import AssistantCore
import Foundation
import Hummingbird
import ServiceSupport

/// The `/v1` routes and `/metrics`. Model calls, store writes and audit appends run on the
/// bounded `InferenceExecutor`, never on the event loop or the cooperative threads.
struct APIController {
    let service: AssistantService
    let metrics: ServerMetrics
    let executor: InferenceExecutor
    let maximumBodyBytes: Int

    struct TextBody: Decodable { let text: String }

    struct FeedbackBody: Decodable {
        let ticketID: String
        let verdict: FeedbackVerdict
        let reason: String?
        let editedText: String?
        enum CodingKeys: String, CodingKey {
            case verdict, reason
            case ticketID = "ticket_id", editedText = "edited_text"
        }
    }

    struct ClassifyResponse: Encodable { let intents: [AnswerResult.IntentScore] }
    struct FeedbackResponse: Encodable { let feedbackID: String; enum CodingKeys: String, CodingKey { case feedbackID = "feedback_id" } }

    /// The audit actor of a request: the token's name, never a person.
    static func actor(_ context: ServerContext) -> String { "api:\(context.identity?.name ?? "?")" }

    /// Routes for agents (and admins, who hold the agent role too).
    func addAgentRoutes(to group: RouterGroup<ServerContext>) {
        let answerers = service.answerer, store = service.store, index = service.index
        group.post("v1/answer") { request, context in
            let body = try await request.decodeJSON(TextBody.self, upTo: maximumBodyBytes)
            let actor = Self.actor(context)
            let answerer = answerers()  // taken once: the request finishes on this version even if another is promoted
            let result = try await executor.perform { try answerer.answer(body.text, actor: actor, source: .http) }
            metrics.record(result)
            return try JSONResponse(result)
        }
        group.post("v1/classify") { request, context in
            let body = try await request.decodeJSON(TextBody.self, upTo: maximumBodyBytes)
            guard !body.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw TicketError.empty }
            let answerer = answerers()
            return try JSONResponse(ClassifyResponse(intents: try await executor.perform { try answerer.classify(body.text) }))
        }
        group.post("v1/feedback") { request, context in
            let body = try await request.decodeJSON(FeedbackBody.self, upTo: maximumBodyBytes)
            let actor = Self.actor(context)
            let id = try await executor.perform {
                try store.addFeedback(ticketID: body.ticketID, verdict: body.verdict, reason: body.reason,
                                      editedText: body.editedText, actor: actor)
            }
            return try JSONResponse(FeedbackResponse(feedbackID: id), status: .created)
        }
        group.get("v1/articles/:id") { _, context in
            // A read of the public knowledge base (WAL readers do not wait for writers): inline.
            let id = try context.parameters.require("id")
            guard let article = try index.article(id: id) else { throw ServiceError.notFound("no such article") }
            return try JSONResponse(article)
        }
    }

    /// Routes for admins only.
    func addAdminRoutes(to group: RouterGroup<ServerContext>) {
        group.get("metrics") { _, _ in metrics.service.response() }
    }
}

import AssistantCore
import Foundation
import SuiteFoundation
import Hummingbird

/// The `/v1` routes and `/metrics`.
struct APIController {
    let service: AssistantService
    let metrics: ServerMetrics
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

    func addRoutes(to group: RouterGroup<ServerContext>) {
        group.post("v1/answer") { request, context in
            let body = try await decode(TextBody.self, request, context)
            do {
                let result = try service.answerer.answer(body.text, actor: "api:\(context.tokenName ?? "?")", source: .http)
                metrics.recordDecision(result.decision.rawValue)
                return try JSONResponse(result)
            } catch let error as TicketError {
                throw APIError.invalid(error.description)
            }
        }
        group.post("v1/classify") { request, context in
            let body = try await decode(TextBody.self, request, context)
            guard !body.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError.invalid("text is empty") }
            return try JSONResponse(ClassifyResponse(intents: try service.answerer.classify(body.text)))
        }
        group.post("v1/feedback") { request, context in
            let body = try await decode(FeedbackBody.self, request, context)
            do {
                let id = try service.store.addFeedback(ticketID: body.ticketID, verdict: body.verdict, reason: body.reason,
                                                       editedText: body.editedText, actor: "api:\(context.tokenName ?? "?")")
                return try JSONResponse(FeedbackResponse(feedbackID: id), status: .created)
            } catch let error as FeedbackError {
                if case .unknownTicket = error { throw APIError.notFound(error.description) }
                throw APIError.invalid(error.description)
            }
        }
        group.get("v1/articles/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let article = try service.index.article(id: id) else { throw APIError.notFound("no article \(id)") }
            return try JSONResponse(article)
        }
        group.get("metrics") { _, context in
            guard context.role == .admin else { throw APIError.forbidden }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    /// Reads at most `maximumBodyBytes` and decodes JSON, with 413 and 400 as the errors.
    func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodyBytes)
        } catch {
            throw APIError.tooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.invalid("invalid JSON body: \(error.summary)")
        } catch {
            throw APIError.invalid("invalid JSON body")
        }
    }
}

/// A JSON body with sorted keys.
struct JSONResponse: ResponseGenerator {
    let data: Data
    let status: HTTPResponse.Status

    init(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        data = try encoder.encode(value)
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

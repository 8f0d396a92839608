import AssistantCore
import ServiceSupport

/// The edge: the assistant core's typed errors as HTTP errors with stable codes. Messages are
/// written here, never copied from the request (no ticket text, no client-supplied strings).
enum AssistantErrors {
    static func map(_ error: any Error) -> ServiceError? {
        switch error {
        case let error as TicketError:
            switch error {
            case .empty: return .invalid("text is empty")
            case .tooLong: return .invalid(error.description)  // counts only
            }
        case let error as FeedbackError:
            switch error {
            case .editedTextMismatch: return .invalid(error.description)
            case .unknownTicket: return .notFound("no answered ticket with this id")
            }
        default:
            return nil
        }
    }
}

import Dispatch
import Foundation

/// Ctrl-C (SIGINT) during a long command whose work survives a kill at any point (the batch
/// commands commit in transactions and resume with `--resume`): prints how to continue on
/// stderr, then exits with status 130 (128 + SIGINT, what shells expect) at once, as a kill
/// would, so nothing half-done is flushed. Keep the value alive for as long as the hint holds
/// (`withExtendedLifetime`); it is consulted on a dispatch queue, not in the signal handler.
public final class InterruptHint {
    private let source: any DispatchSourceSignal

    /// - Parameter message: the line to print, e.g. `triage: interrupted; … --resume`.
    public init(_ message: String) {
        signal(SIGINT, SIG_IGN)  // delivered to the dispatch source instead
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let text = Data(((standardErrorIsTerminal ? "\r\u{1B}[K" : "") + message + "\n").utf8)
        source.setEventHandler {
            FileHandle.standardError.write(text)
            _exit(128 + SIGINT)
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

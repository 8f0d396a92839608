import Foundation
public import ModelRuntime

/// Prints a `TrainingRun`'s progress on standard error, the same for both products: a step
/// counter rewritten in place on a terminal, one line per epoch everywhere.
///
/// ```text
/// epoch 3/12: loss 0.2841, validation AUC 0.9612 (best) (41 s)
/// ```
public struct TrainingProgressPrinter {
    /// Names the metric on epoch lines ("validation AUC").
    public let metricName: String
    /// Shows a metric value ("0.9612", "91.20%").
    public let formatMetric: (Double) -> String
    /// The step counter is redrawn every this many steps.
    public let stepInterval: Int
    /// The folder whose checkpoint a resumed run continues from (named in the message).
    public let folder: String
    private let terminal = standardErrorIsTerminal

    public init(metricName: String, folder: String, stepInterval: Int = 5, formatMetric: @escaping (Double) -> String) {
        self.metricName = metricName
        self.folder = folder
        self.stepInterval = stepInterval
        self.formatMetric = formatMetric
    }

    public func callAsFunction(_ event: TrainingEvent) {
        switch event {
        case .resumed(let done):
            printError("resuming from the checkpoint in \(folder) after epoch \(done)")
        case .step(let epoch, let step, let of, let loss):
            if terminal && (step % stepInterval == 0 || step == of) {
                FileHandle.standardError.write(Data(String(format: "\repoch %d: step %d/%d, loss %.4f ", epoch, step, of, loss).utf8))
            }
        case .epoch(let epoch, let of, let loss, let metric, let best, let seconds):
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let validation = metric.map { ", \(metricName) \(formatMetric($0))" + (best ? " (best)" : "") } ?? ""
            printError(String(format: "epoch %d/%d: loss %.4f", epoch, of, loss) + validation + String(format: " (%.0f s)", seconds))
        case .stoppedEarly(let epoch):
            printError("stopping after epoch \(epoch): the \(metricName) has not improved")
        }
    }
}

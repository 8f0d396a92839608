import Foundation

extension LayoutGate {
    /// Cells per side fitted by `triage train` and `calibrate --gate-labels`: 14, or half the
    /// shorter side of a smaller model input (cells of at least 2 × 2 pixels).
    static func grid(for input: TriageModelSpec.Input) -> Int { max(2, min(14, min(input.width, input.height) / 2)) }
    /// Share of the validation radiographs at or below the threshold.
    static let passQuantile = 0.9975
    /// Ridge of the layout covariance, as a fraction of its mean variance.
    static let defaultShrinkage = 0.1

    /// Fits the class means and covariance on training vectors (`Mahalanobis`) and the threshold,
    /// the `passQuantile` quantile of the validation radiographs' distances (computed with the
    /// stored Float values, so that share of them passes exactly).
    /// - Parameters:
    ///   - train: `vector`s of the training images `[N][dimension]`, with `labels` `[N]`.
    ///   - validation: `vector`s of the validation radiographs.
    package static func fit(grid: Int, train: [[Double]], labels: [Int], classes: Int, validation: [[Double]],
                            shrinkage: Double = defaultShrinkage, passQuantile: Double = passQuantile) -> LayoutGate {
        let moments = Mahalanobis.fit(train, labels: labels, classes: classes, shrinkage: shrinkage)
        var gate = LayoutGate(grid: grid, classMeans: moments.classMeans, covarianceCholesky: moments.covarianceCholesky,
                              shrinkage: shrinkage, threshold: 1, thresholdRule: "")
        gate.threshold = Mahalanobis.threshold(validation.map(gate.distance), quantile: passQuantile)
        gate.thresholdRule = String(format: "the %g%% quantile of the squared layout distances of the %d validation radiographs",
                                    100 * passQuantile, validation.count)
        return gate
    }
}

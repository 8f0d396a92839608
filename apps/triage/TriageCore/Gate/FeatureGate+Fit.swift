import Foundation

extension FeatureGate {
    /// Share of the validation radiographs whose feature distance is at or below its threshold.
    static let passQuantile = 0.995
    /// Default ridge, as a fraction of the mean variance (dead ReLU channels have none).
    static let defaultShrinkage = 0.01

    /// Fits the class means and the shared covariance on training features, then the threshold
    /// on validation features (`Mahalanobis`): the `passQuantile` quantile of the validation
    /// `d²`, computed with the stored Float values, so that share of those images passes exactly.
    ///
    /// - Parameters:
    ///   - train: pooled features `[N][features]` (`pooled`), with `labels` (class indices) `[N]`.
    ///   - validation: pooled features of every validation radiograph (the cheap checks pass all
    ///     of PneumoniaMNIST's; a refused one only raises the threshold a little).
    ///   - layout: the layout check fitted beside it, kept in the gate.
    package static func fit(train: [[Double]], labels: [Int], classes: Int, validation: [[Double]],
                            shrinkage: Double = defaultShrinkage, passQuantile: Double = passQuantile,
                            layout: LayoutGate? = nil) -> FeatureGate {
        precondition(!validation.isEmpty, "validation features needed")
        let fit = Mahalanobis.fit(train, labels: labels, classes: classes, shrinkage: shrinkage)
        let distances = validation.map {
            Mahalanobis.distance($0, classMeans: fit.classMeans, covarianceCholesky: fit.covarianceCholesky)
        }
        return FeatureGate(features: train[0].count, classMeans: fit.classMeans, covarianceCholesky: fit.covarianceCholesky,
                           shrinkage: shrinkage, threshold: Mahalanobis.threshold(distances, quantile: passQuantile),
                           thresholdRule: String(format: "the %g%% quantile of the squared distances of the %d validation radiographs",
                                                 100 * passQuantile, validation.count),
                           layout: layout)
    }
}

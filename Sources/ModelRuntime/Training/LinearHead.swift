/// A trainable linear classifier `logits = X · Wᵀ + b` with its softmax cross-entropy, in a
/// parameter set of its own (`<name>.weight` `[classes, features]`, `<name>.bias` `[classes]`,
/// both without weight decay). The products' classification heads train through it, so that
/// they never touch the kernels.
public struct LinearHead {
    public let parameters: ParameterSet
    public let features: Int
    public let classes: Int
    private let weight: ParameterSet.Handle
    private let bias: ParameterSet.Handle

    /// A head at zero.
    public init(features: Int, classes: Int, name: String = "classifier") {
        precondition(features > 0 && classes > 0, "LinearHead: empty shape")
        self.features = features
        self.classes = classes
        parameters = ParameterSet()
        weight = parameters.add("\(name).weight", Tensor(zeros: [classes, features]), kind: .undecayed)
        bias = parameters.add("\(name).bias", Tensor(zeros: [classes]), kind: .undecayed)
    }

    /// The weights `[classes × features]`, row-major, and the bias `[classes]`.
    public var weights: [Float] { Array(parameters.value(weight)) }
    public var biases: [Float] { Array(parameters.value(bias)) }

    /// Sets the weights and bias (e.g. from a linear probe).
    public func load(weights: [Float], biases: [Float]) {
        precondition(weights.count == classes * features && biases.count == classes, "LinearHead: wrong shape")
        _ = parameters.value(weight).update(from: weights)
        _ = parameters.value(bias).update(from: biases)
    }

    /// - Parameter x: `[rows, features]`
    /// - Returns: `[rows, classes]`
    public func logits(_ x: Tensor) -> Tensor {
        precondition(x.shape.count == 2 && x.shape[1] == features, "LinearHead: input \(x.shape)")
        let rows = x.shape[0]
        return Tensor(shape: [rows, classes]) { out in
            x.withUnsafeBufferPointer {
                LinearKernel.forward($0.baseAddress!, rows: rows, inFeatures: features, outFeatures: classes,
                                     weight: parameters.value(weight).baseAddress!, bias: parameters.value(bias).baseAddress!,
                                     output: out.baseAddress!)
            }
        }
    }

    /// Accumulates `∂W += dYᵀ · X` and `∂b += Σ dY`; returns `∂X = dY · W` `[rows, features]`.
    ///
    /// - Parameters:
    ///   - x: the forward input `[rows, features]`
    ///   - logitsGradient: `[rows, classes]`
    public func backward(_ x: Tensor, logitsGradient: Tensor) -> Tensor {
        let rows = x.shape[0]
        precondition(logitsGradient.shape == [rows, classes], "LinearHead: gradient \(logitsGradient.shape)")
        return Tensor(shape: [rows, features]) { dX in
            x.withUnsafeBufferPointer { input in
                logitsGradient.withUnsafeBufferPointer { dY in
                    LinearKernel.backward(input.baseAddress!, rows: rows, inFeatures: features, outFeatures: classes,
                                          weight: parameters.value(weight).baseAddress!, outputGradient: dY.baseAddress!,
                                          inputGradient: dX.baseAddress!, weightGradient: parameters.gradient(weight).baseAddress!,
                                          biasGradient: parameters.gradient(bias).baseAddress!)
                }
            }
        }
    }

    /// Mean softmax cross-entropy of `x` `[rows, features]` against `labels`, plus
    /// `l2 / 2 · |W|²`. With `accumulateGradients` the gradients of that loss are added to the
    /// parameter set's (zero them first).
    public func loss(_ x: Tensor, labels: [Int], l2: Float = 0, accumulateGradients: Bool) -> Double {
        let z = logits(x)
        let (loss, dZ) = CrossEntropyLoss.softmax(logits: z, labels: labels)
        let w = parameters.value(weight)
        if accumulateGradients {
            let rows = x.shape[0]
            x.withUnsafeBufferPointer { input in
                dZ.withUnsafeBufferPointer { dY in
                    LinearKernel.backward(input.baseAddress!, rows: rows, inFeatures: features, outFeatures: classes,
                                          weight: w.baseAddress!, outputGradient: dY.baseAddress!, inputGradient: nil,
                                          weightGradient: parameters.gradient(weight).baseAddress!,
                                          biasGradient: parameters.gradient(bias).baseAddress!)
                }
            }
            if l2 != 0 {
                let g = parameters.gradient(weight)
                for i in w.indices { g[i] += l2 * w[i] }
            }
        }
        let penalty = l2 == 0 ? 0 : Double(l2) / 2 * w.reduce(0) { $0 + Double($1 * $1) }
        return Double(loss) + penalty
    }

    /// The arg-max class of each row of `x` `[rows, features]`.
    public func predictions(_ x: Tensor) -> [Int] {
        let z = logits(x).scalars
        return (0..<x.shape[0]).map { r in (0..<classes).max { z[r * classes + $0] < z[r * classes + $1] }! }
    }
}

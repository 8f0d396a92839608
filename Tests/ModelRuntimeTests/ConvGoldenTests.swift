import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// The CNN kernels and their backward passes against PyTorch 2.13.0 (F.conv2d, nn.BatchNorm2d,
/// F.max_pool2d / avg_pool2d / adaptive_avg_pool2d, F.linear, with autograd), from
/// `tools/fixtures/cnn_golden.py`. Tolerance: |ours − torch| ≤ 1e-5 + 1e-4·|torch|.
struct ConvGoldenTests {
    static func expectClose(_ ours: [Float], _ torch: [Float], _ what: String,
                            absolute: Float = 1e-5, relative: Float = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(ours.count == torch.count, "\(what): \(ours.count) values, expected \(torch.count)",
                sourceLocation: sourceLocation)
        var worst: Float = 0, failures = 0
        for (a, b) in zip(ours, torch) {
            let err = abs(a - b)
            worst = max(worst, err)
            if !(err <= absolute + relative * abs(b)) { failures += 1 }
        }
        #expect(failures == 0, "\(what): \(failures) values outside tolerance, max error \(worst)",
                sourceLocation: sourceLocation)
    }

    struct ConvCase: Decodable {
        let name: String
        let batch, inChannels, height, width, outChannels, groups: Int
        let kernel, stride, padding, dilation, outputShape: [Int]
        let input, weight, output, outputGradient, inputGradient, weightGradient: [Float]
        let bias, biasGradient: [Float]?
    }

    struct Cases<T: Decodable>: Decodable { let cases: [T] }

    @Test(arguments: [1, 2])
    func conv2dMatchesPyTorch(threads: Int) throws {
        try ComputeThreads.withThreads(threads) {
            for c in try Fixtures.json(Cases<ConvCase>.self, "cnn/conv2d.json").cases {
                let g = Conv2DGeometry(batch: c.batch, inChannels: c.inChannels, height: c.height, width: c.width,
                                       outChannels: c.outChannels, kernelHeight: c.kernel[0], kernelWidth: c.kernel[1],
                                       strideH: c.stride[0], strideW: c.stride[1], padH: c.padding[0], padW: c.padding[1],
                                       dilationH: c.dilation[0], dilationW: c.dilation[1], groups: c.groups)
                #expect(g.outputShape == c.outputShape, "\(c.name)")
                var y = [Float](repeating: .nan, count: g.outputCount)
                var dx = [Float](repeating: .nan, count: g.inputCount)
                var dw = [Float](repeating: 0, count: g.weightCount)
                var db = [Float](repeating: 0, count: g.outChannels)
                if let bias = c.bias {
                    Conv2D.forward(g, input: c.input, weight: c.weight, bias: bias, output: &y)
                    Conv2D.backward(g, input: c.input, weight: c.weight, outputGradient: c.outputGradient,
                                    inputGradient: &dx, weightGradient: &dw, biasGradient: &db)
                    Self.expectClose(db, c.biasGradient ?? [], "\(c.name) bias gradient")
                } else {
                    Conv2D.forward(g, input: c.input, weight: c.weight, bias: nil, output: &y)
                    Conv2D.backward(g, input: c.input, weight: c.weight, outputGradient: c.outputGradient,
                                    inputGradient: &dx, weightGradient: &dw, biasGradient: nil)
                }
                Self.expectClose(y, c.output, "\(c.name) output")
                Self.expectClose(dx, c.inputGradient, "\(c.name) input gradient")
                Self.expectClose(dw, c.weightGradient, "\(c.name) weight gradient")
                // The reference agrees with PyTorch too.
                var slow = [Float](repeating: .nan, count: g.outputCount)
                Conv2D.reference(g, input: c.input, weight: c.weight, bias: c.bias, output: &slow)
                Self.expectClose(slow, c.output, "\(c.name) reference output")
            }
        }
    }

    struct BatchNormCase: Decodable {
        let name: String
        let batch, channels, height, width: Int
        let momentum, epsilon: Float
        let gamma, beta, runningMean, runningVar, input, output, outputGradient, inputGradient: [Float]
        let gammaGradient, betaGradient, runningMeanAfter, runningVarAfter, evalInput, evalOutput: [Float]
    }

    @Test func batchNormMatchesPyTorch() throws {
        for c in try Fixtures.json(Cases<BatchNormCase>.self, "cnn/batchnorm.json").cases {
            let spatial = c.height * c.width
            var mean = c.runningMean, variance = c.runningVar
            var y = [Float](repeating: .nan, count: c.input.count)
            var saved = BatchNorm.Saved(channels: c.channels)
            BatchNorm.training(c.input, batch: c.batch, channels: c.channels, spatial: spatial, gamma: c.gamma,
                               beta: c.beta, runningMean: &mean, runningVar: &variance, momentum: c.momentum,
                               epsilon: c.epsilon, into: &y, saved: &saved)
            Self.expectClose(y, c.output, "\(c.name) training output")
            Self.expectClose(mean, c.runningMeanAfter, "\(c.name) running mean")
            Self.expectClose(variance, c.runningVarAfter, "\(c.name) running variance (unbiased)")

            var dx = [Float](repeating: .nan, count: c.input.count)
            var dgamma = [Float](repeating: 0, count: c.channels), dbeta = dgamma
            BatchNorm.backward(c.input, outputGradient: c.outputGradient, batch: c.batch, channels: c.channels,
                               spatial: spatial, gamma: c.gamma, saved: saved, inputGradient: &dx,
                               gammaGradient: &dgamma, betaGradient: &dbeta)
            // dx is a difference of O(1) terms: a slightly looser absolute tolerance.
            Self.expectClose(dx, c.inputGradient, "\(c.name) input gradient", absolute: 3e-5)
            Self.expectClose(dgamma, c.gammaGradient, "\(c.name) gamma gradient")
            Self.expectClose(dbeta, c.betaGradient, "\(c.name) beta gradient")

            var evalOut = [Float](repeating: .nan, count: c.evalInput.count)
            BatchNorm.inference(c.evalInput, batch: c.batch, channels: c.channels, spatial: spatial, gamma: c.gamma,
                                beta: c.beta, runningMean: mean, runningVar: variance, epsilon: c.epsilon,
                                into: &evalOut)
            Self.expectClose(evalOut, c.evalOutput, "\(c.name) eval output")
        }
    }

    struct PoolCase: Decodable {
        let name, op: String
        let batch, channels, height, width, kernel, stride, padding: Int
        let countIncludePadding: Bool
        let input, output, outputGradient, inputGradient: [Float]
        let outputShape: [Int]
        let indices: [Int]?
    }

    @Test func poolingMatchesPyTorch() throws {
        for c in try Fixtures.json(Cases<PoolCase>.self, "cnn/pooling.json").cases {
            var y = [Float](repeating: .nan, count: c.output.count)
            var dx = [Float](repeating: .nan, count: c.input.count)
            switch c.op {
            case "global":
                let planes = c.batch * c.channels, spatial = c.height * c.width
                Pooling2D.globalAverage(c.input, planes: planes, spatial: spatial, output: &y)
                Pooling2D.globalAverageBackward(c.outputGradient, planes: planes, spatial: spatial, inputGradient: &dx)
            default:
                let g = Pool2DGeometry(batch: c.batch, channels: c.channels, height: c.height, width: c.width,
                                       kernel: c.kernel, stride: c.stride, padding: c.padding)
                #expect(g.outputShape == c.outputShape, "\(c.name)")
                if c.op == "max" {
                    var indices = [Int32](repeating: -1, count: c.output.count)
                    Pooling2D.max(g, input: c.input, output: &y, indices: &indices)
                    #expect(indices.map(Int.init) == c.indices, "\(c.name) indices")
                    var separable = [Float](repeating: .nan, count: c.output.count)
                    Pooling2D.max(g, input: c.input, output: &separable, indices: nil)
                    Self.expectClose(separable, c.output, "\(c.name) output without indices")
                    Pooling2D.maxBackward(g, outputGradient: c.outputGradient, indices: indices, inputGradient: &dx)
                } else {
                    Pooling2D.average(g, input: c.input, output: &y, countIncludePadding: c.countIncludePadding)
                    Pooling2D.averageBackward(g, outputGradient: c.outputGradient, inputGradient: &dx,
                                              countIncludePadding: c.countIncludePadding)
                }
            }
            Self.expectClose(y, c.output, "\(c.name) output")
            Self.expectClose(dx, c.inputGradient, "\(c.name) input gradient")
        }
    }

    struct LinearCase: Decodable {
        let name: String
        let rows, inFeatures, outFeatures: Int
        let input, weight, output, outputGradient, inputGradient, weightGradient: [Float]
        let bias, biasGradient: [Float]?
    }

    @Test func linearMatchesPyTorch() throws {
        for c in try Fixtures.json(Cases<LinearCase>.self, "cnn/linear.json").cases {
            let layer = Linear(weight: Tensor(shape: [c.outFeatures, c.inFeatures], values: c.weight),
                               bias: c.bias.map { Tensor(shape: [c.outFeatures], values: $0) })
            var y = [Float](repeating: .nan, count: c.output.count)
            layer.apply(c.input, rows: c.rows, into: &y)
            Self.expectClose(y, c.output, "\(c.name) output")
            var yKernel = [Float](repeating: .nan, count: c.output.count)
            LinearKernel.forward(c.input, rows: c.rows, inFeatures: c.inFeatures, outFeatures: c.outFeatures,
                                 weight: c.weight, bias: c.bias, output: &yKernel)
            Self.expectClose(yKernel, c.output, "\(c.name) kernel output")

            var dx = [Float](repeating: .nan, count: c.input.count)
            var dw = [Float](repeating: 0, count: c.weight.count)
            var db = [Float](repeating: 0, count: c.outFeatures)
            layer.backward(c.input, rows: c.rows, outputGradient: c.outputGradient, inputGradient: &dx,
                           weightGradient: &dw, biasGradient: &db)
            Self.expectClose(dx, c.inputGradient, "\(c.name) input gradient")
            Self.expectClose(dw, c.weightGradient, "\(c.name) weight gradient")
            if let expected = c.biasGradient { Self.expectClose(db, expected, "\(c.name) bias gradient") }
        }
    }
}

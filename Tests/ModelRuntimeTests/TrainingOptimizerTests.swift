import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// SGD and AdamW step for step against torch.optim (PyTorch 2.13.0, tools/fixtures/cnn_golden.py):
/// four parameter tensors in two groups (decayed: a conv-shaped and a linear-shaped weight;
/// undecayed: two biases), six steps with given gradients and a changing learning rate;
/// parameters after every step within 1e-6 + 1e-5·|torch|. Schedules against closed forms.
struct TrainingOptimizerTests {
    struct Groups: Decodable {
        let decayed: [[Float]]
        let undecayed: [[Float]]
    }

    struct Options: Decodable {
        let momentum, dampening: Float?
        let nesterov: Bool?
        let betas: [Float]?
        let eps: Float?
        let weight_decay: Float
    }

    struct Case: Decodable {
        let name, optimizer: String
        let options: Options
        let after: [Groups]
    }

    struct Golden: Decodable {
        let learningRates: [Float]
        let shapes: [String: [[Int]]]
        let initial: Groups
        let gradients: [Groups]
        let cases: [Case]
    }

    static let golden = try! Fixtures.json(Golden.self, "cnn/optim.json")

    /// The four tensors registered as a model would: weights decayed, biases not.
    static func parameters() -> (ParameterSet, [ParameterSet.Handle]) {
        let set = ParameterSet()
        var handles: [ParameterSet.Handle] = []
        for (i, (values, shape)) in zip(golden.initial.decayed, golden.shapes["decayed"]!).enumerated() {
            handles.append(set.add("w\(i)", Tensor(shape: shape, values: values), kind: .decayed))
        }
        set.add("running_mean", Tensor(shape: [3], values: [1, 2, 3]), kind: .buffer)
        for (i, (values, shape)) in zip(golden.initial.undecayed, golden.shapes["undecayed"]!).enumerated() {
            handles.append(set.add("b\(i)", Tensor(shape: shape, values: values), kind: .undecayed))
        }
        return (set, handles)
    }

    @Test(arguments: golden.cases.map(\.name))
    func optimizerMatchesTorch(_ name: String) {
        let c = Self.golden.cases.first { $0.name == name }!
        let (set, handles) = Self.parameters()
        var optimizer: any Optimizer
        if c.optimizer == "sgd" {
            optimizer = SGD(momentum: c.options.momentum!, dampening: c.options.dampening!,
                            weightDecay: c.options.weight_decay, nesterov: c.options.nesterov!)
        } else {
            optimizer = AdamW(beta1: c.options.betas![0], beta2: c.options.betas![1], epsilon: c.options.eps!,
                              weightDecay: c.options.weight_decay)
        }
        for (step, lr) in Self.golden.learningRates.enumerated() {
            set.zeroGradients()
            let grads = Self.golden.gradients[step].decayed + Self.golden.gradients[step].undecayed
            for (h, g) in zip(handles, grads) {
                // Accumulate, as backward passes do, onto the zeroed gradients.
                let target = set.gradient(h)
                for i in g.indices { target[i] += g[i] }
            }
            optimizer.step(set, learningRate: lr)
            let expected = c.after[step].decayed + c.after[step].undecayed
            for (h, want) in zip(handles, expected) {
                ConvGoldenTests.expectClose(Array(set.value(h)), want, "\(name) step \(step + 1) \(set[h].name)",
                                            absolute: 1e-6, relative: 1e-5)
            }
        }
        #expect(optimizer.steps == 6)
        // Buffers are never touched.
        #expect(Array(set.value(set.handle("running_mean")!)) == [1, 2, 3])
    }

    @Test func cosineScheduleFollowsClosedForm() {
        let schedule = LearningRateSchedule.cosine(base: 0.1, minimum: 0.001, warmupSteps: 5, totalSteps: 25,
                                                   warmupStartFactor: 0.2)
        for t in 0..<30 {
            let want: Double
            if t < 5 {
                want = 0.1 * (0.2 + 0.8 * Double(t) / 5)
            } else if t < 25 {
                want = 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double(t - 5) / 20)) / 2
            } else {
                want = 0.001
            }
            #expect(abs(Double(schedule.learningRate(atStep: t)) - want) < 1e-7, "step \(t)")
        }
        #expect(schedule.learningRate(atStep: 5) == 0.1)
        // Without warm-up, it starts at the base rate.
        #expect(LearningRateSchedule.cosine(base: 0.5, totalSteps: 10).learningRate(atStep: 0) == 0.5)
        #expect(abs(LearningRateSchedule.cosine(base: 0.5, totalSteps: 10).learningRate(atStep: 5) - 0.25) < 1e-7)
    }

    @Test func stepScheduleFollowsClosedForm() {
        let schedule = LearningRateSchedule.step(base: 0.2, stepSize: 4, gamma: 0.5, warmupSteps: 2,
                                                 warmupStartFactor: 0.5)
        let want: [Float] = [0.1, 0.15, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]
        for (t, lr) in want.enumerated() {
            #expect(abs(schedule.learningRate(atStep: t) - lr) < 1e-7, "step \(t)")
        }
        #expect(LearningRateSchedule.constant(0.3).learningRate(atStep: 1000) == 0.3)
    }
}

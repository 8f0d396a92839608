import Testing
@testable import Evaluation

/// `StratifiedFolds` and `FoldSpread`: the folds of `eval --folds K` and their summary.
struct CrossValidationTests {
    @Test func foldsAreStratifiedDeterministicAndComplementary() throws {
        let labels = (0..<10).map { _ in "a" } + (0..<5).map { _ in "b" } + ["c"]
        let folds = try StratifiedFolds(labels: labels, k: 3)
        #expect(folds == (try StratifiedFolds(labels: labels, k: 3)))
        for index in 0..<3 {
            let (train, test) = folds.split(index)
            #expect(Set(train).isDisjoint(with: test) && train.count + test.count == labels.count)
            // Each fold tests about a third of every class: a 4/3/3 and a 2/2/1 split.
            #expect(test.filter { labels[$0] == "a" }.count == [4, 3, 3][index])
            #expect(test.filter { labels[$0] == "b" }.count == [2, 2, 1][index])
        }
        // A class with fewer examples than folds is tested in some folds only.
        #expect(folds.split(0).test.contains(15) && !folds.split(1).test.contains(15))
        #expect(throws: EvaluationError.invalidArgument(name: "folds", reason: "needs at least 2 folds, got 1")) {
            try StratifiedFolds(labels: labels, k: 1)
        }
        #expect(throws: EvaluationError.self) { try StratifiedFolds(labels: ["a", "b"], k: 3) }
    }

    @Test func spreadIsMeanSdAndStudentInterval() throws {
        // scipy.stats.t.interval(0.95, 4, loc=mean, scale=sd/√5) for these five values.
        let s = try FoldSpread([0.9, 0.92, 0.94, 0.96, 0.98])
        #expect(abs(s.mean - 0.94) < 1e-12 && abs(s.sd - 0.031622776601683794) < 1e-12)
        #expect(abs(s.ci95[0] - 0.9007355) < 1e-5 && abs(s.ci95[1] - 0.9792645) < 1e-5)
        // Clipped to the metric's range.
        #expect(try FoldSpread([0.9, 1, 1], within: 0...1).ci95[1] == 1)
        // One value: no spread to speak of.
        #expect(try FoldSpread([0.5]).ci95 == [0.5, 0.5])
        // Beyond the table, the Cornish–Fisher expansion (scipy.stats.t.ppf(0.975, 40) = 2.021075).
        #expect(abs(FoldSpread.t975(degreesOfFreedom: 40) - 2.021075) < 1e-4)
        #expect(abs(FoldSpread.t975(degreesOfFreedom: 30) - 2.042272) < 1e-4)
        #expect(throws: EvaluationError.empty(what: "fold values")) { try FoldSpread([]) }
        #expect(throws: EvaluationError.nonFinite(what: "fold values", index: 1)) { try FoldSpread([0.5, .nan]) }
    }
}

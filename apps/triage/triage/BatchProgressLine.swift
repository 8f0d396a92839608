import Foundation
import TriageCore

/// The progress line of `triage batch` on a terminal:
/// `412 done (380 scored, 12 n/a, 20 before), 3 failed, 2 skipped · 9.8 img/s · 61% · ETA 2m14s`.
struct BatchProgressLine {
    let started = Date()

    func render(_ s: BatchSummary, fraction: Double?) -> String {
        let elapsed = max(Date().timeIntervalSince(started), 1e-3)
        let rate = Double(s.scored + s.notAssessable) / elapsed
        var line = "\(s.done) done (\(s.scored) scored, \(s.notAssessable) n/a, \(s.alreadyDone) before), \(s.failed) failed, \(s.skipped) skipped"
        line += String(format: " · %.1f img/s", rate)
        if let fraction, fraction > 0 {
            line += String(format: " · %.0f%%", fraction * 100)
            if fraction < 1 { line += " · ETA " + Self.duration(elapsed * (1 - fraction) / fraction) }
        }
        return line
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}

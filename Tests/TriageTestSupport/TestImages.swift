public import Foundation
import GRDB
import Imaging
import ModelRuntime
import TriageCore

/// Many distinct small phantom PNGs, and a look into a store without its keys.
public enum TestImages {
    /// Writes `count` different 8-bit phantom PNGs of `size` × `size` into `directory`.
    public static func writePhantoms(count: Int, size: Int, to directory: URL, seed: UInt64 = 11) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed)
        for i in 0..<count {
            let pixels = ChestPhantom(opacity: Double(i % 5) / 4, rightLung: i % 2 == 0).render(size: size, generator: &generator)
            let png = try PNGCodec.encode(Image(width: size, height: size, colorModel: .gray,
                                                samples: .uint8(pixels.map { UInt8(($0 * 255).rounded()) })))
            try png.write(to: directory.appendingPathComponent(String(format: "img-%05d.png", i)))
        }
    }

    /// Writes `count` DX phantoms as Part 10 files (`dx-00000.dcm`…) of `size` × `size`: patient IDs
    /// `prefix-00000`…, `perStudy` consecutive images sharing a StudyInstanceUID.
    public static func writeDICOMPhantoms(count: Int, size: Int, perStudy: Int = 1, patientPrefix: String = "P", to directory: URL,
                                          seed: UInt64 = 12) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed)
        var study = ""
        for i in 0..<count {
            if i % perStudy == 0 { study = DICOMPhantom.uid(&generator) }
            let pixels = ChestPhantom(opacity: Double(i % 5) / 4, rightLung: i % 2 == 0).render(size: size, generator: &generator)
            var phantom = DICOMPhantom(pixels: pixels, size: size, patient: "Test^Patient\(i)",
                                       patientID: patientPrefix + String(format: "-%05d", i))
            phantom.studyInstanceUID = study
            try phantom.data(generator: &generator).write(to: directory.appendingPathComponent(String(format: "dx-%05d.dcm", i)))
        }
    }

    /// Writes an 8-bit grey PNG of `size` × `size` pixels all at `level` (a blank page: 255).
    public static func writeConstant(level: UInt8, size: Int, to url: URL) throws {
        try PNGCodec.encode(Image(width: size, height: size, colorModel: .gray,
                                  samples: .uint8([UInt8](repeating: level, count: size * size)))).write(to: url)
    }

    /// Studies with a verdict in the store of `home`, read directly (0 before the store exists).
    public static func verdictCount(home: URL) throws -> Int {
        let path = home.appendingPathComponent("store.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            guard try db.tableExists("studies") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM studies WHERE status IN ('scored', 'not_assessable')") ?? 0
        }
    }
}

import ArgumentParser
import DICOM
import Foundation
import Imaging

/// One way of turning a file into the triage model's input, timed by `suite-bench imaging`.
enum ImagingCase: String, CaseIterable, ExpressibleByArgument {
    case png8, png16, jpeg
    /// JPEG decoded with DCT scaling (`jpegMinimumSize` = the output size), as Pillow's `draft`.
    case jpegDCT = "jpeg_dct"
    case dicom

    /// Folder of the inputs under the benchmark directory (tools/bench/inputs/imaging_inputs.py).
    var folder: String {
        switch self {
        case .png8: "png8"
        case .png16: "png16"
        case .jpeg, .jpegDCT: "jpeg"
        case .dicom: "dicom"
        }
    }

    /// Decode → grayscale → (DICOM: modality LUT, then the file's VOI window to 0…1) → bilinear
    /// antialiased resize to `size` × `size` → planar float (PNG/JPEG scaled to 0…1 by the sample maximum):
    /// the Imaging calls of TriageCore's `InputPipeline` (its scope checks, centre crop — a no-op on
    /// square images — and mean/std normalisation left out; it asks JPEGs for twice the input size).
    /// - Returns: planar `.float32` image, `[1, size, size]`.
    func modelInput(_ data: Data, file: String, size: Int) throws -> Image {
        switch self {
        case .dicom:
            let dicom = try DICOMImage(DICOMFile.parse(data, file: file))
            return dicom.display().resized(width: size, height: size, filter: .bilinear)
        case .png8, .png16, .jpeg, .jpegDCT:
            let options = ImageReadOptions(jpegMinimumSize: self == .jpegDCT ? (size, size) : nil)
            let decoded = try ImageFile.decode(data, file: file, options: options).grayscale()
            let maximum: Float = decoded.bitDepth == 16 ? 65535 : 255
            return decoded.resized(width: size, height: size, filter: .bilinear).scaled(by: 1 / maximum)
        }
    }
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`): unlike wall time, not stretched
/// when other processes share the cores.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Images/s turning whole files (read into memory first) into the triage model input, on one thread.
struct ImagingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imaging", abstract: "Images/s: decode + resize to 224x224 float, one thread (JSON on stdout).")
    @Option(help: "Folder written by tools/bench/inputs/imaging_inputs.py (png8/, png16/, jpeg/, dicom/).")
    var dir: String
    @Option var runs = 5
    @Option(help: "Output width and height.")
    var size = 224
    @Option(help: "Write each case's output for the first image into this folder as <case>.f32 (float32, little-endian).")
    var dump: String?
    @Option(name: .customLong("case"), help: "Only this case (repeatable; default all): png8, png16, jpeg, jpeg_dct, dicom.")
    var cases: [ImagingCase] = ImagingCase.allCases

    func run() throws {
        AllocatorTuning.keepLargeBuffersMapped()  // as `triage` runs
        var results: [String: Any] = [:]
        for c in cases {
            let folder = URL(fileURLWithPath: dir).appendingPathComponent(c.folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            let files = try names.map { (name: $0, data: try Data(contentsOf: folder.appendingPathComponent($0))) }
            guard !files.isEmpty else { throw ValidationError("\(folder.path): no images") }
            // Warm-up pass, which also checks the output and keeps the first image's.
            var sum = 0.0
            for (k, f) in files.enumerated() {
                let out = try c.modelInput(f.data, file: f.name, size: size)
                guard let values = out.floatSamples, out.width == size, out.height == size, out.channels == 1 else {
                    throw ValidationError("\(f.name): unexpected output \(out.width)x\(out.height)x\(out.channels)")
                }
                sum += values.reduce(0.0) { $0 + Double($1) }
                if k == 0, let dump {
                    try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: dump).appendingPathComponent("\(c.rawValue).f32")) }
                }
            }
            var rates: [Double] = [], cpuRates: [Double] = []
            for _ in 0..<runs {
                let cpu0 = threadCPUSeconds()
                let t = try seconds { for f in files { _ = try c.modelInput(f.data, file: f.name, size: size) } }
                rates.append(Double(files.count) / t)
                cpuRates.append(Double(files.count) / (threadCPUSeconds() - cpu0))
            }
            results[c.rawValue] = ["images": files.count, "mean_bytes": files.map(\.data.count).reduce(0, +) / files.count,
                                   "output_mean": sum / Double(files.count * size * size),
                                   "runs_images_per_s": rates, "median_images_per_s": median(rates),
                                   "runs_cpu_images_per_s": cpuRates]
        }
        try printJSON(["size": size, "runs": runs, "threads": 1, "cases": results])
    }
}

import ArgumentParser
import CommandLineSupport
import DICOM
import Foundation
import Imaging
import TriageCore

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a PNG, JPEG or DICOM file to PNG, NPY or a de-identified DICOM copy.",
        discussion: """
            OUT decides the format. .png: 8-bit display values (DICOM: after the modality LUT and the VOI \
            window — --window, else the file's, else the full range — with MONOCHROME1 inverted); with --raw, \
            the stored 16-bit values. .npy: float32 after the modality LUT, then --resize; shape [H, W] for \
            gray, [C, H, W] for colour. .dcm: a de-identified copy (PS3.15 Basic Profile, new UIDs); needs \
            --deidentify. A file whose pixels may hold burned-in text (Burned In Annotation YES, or modality \
            US, SC, XC, OT or ES) is refused unless --accept-burned-in is given; accepting is recorded in the \
            audit trail of the store in --home (run `triage keys init` first).
            """)

    @Argument(help: "Input file (PNG, JPEG or DICOM).")
    var input: String

    @Argument(help: "Output file: .png, .npy or .dcm.")
    var output: String

    @Option(help: "DICOM frame to convert (0-based).")
    var frame: Int = 0

    @Option(help: ArgumentHelp("Resize to W x H pixels.", valueName: "WxH"))
    var resize: String?

    @Option(help: "Resize filter: nearest, bilinear or bicubic (antialiased when reducing, as Pillow).")
    var filter: String = "bilinear"

    @Option(help: ArgumentHelp("VOI window centre and width.", valueName: "C,W"))
    var window: String?

    @Flag(help: "PNG output with the stored 16-bit values instead of windowed 8-bit ones.")
    var raw = false

    @Flag(help: "Write a de-identified DICOM copy (OUT must end in .dcm).")
    var deidentify = false

    @Flag(name: .customLong("accept-burned-in"),
          help: "Export a de-identified copy even if its pixels may hold burned-in text (audited).")
    var acceptBurnedIn = false

    @OptionGroup var store: StoreOptions

    func options() throws -> ConversionOptions {
        var o = ConversionOptions()
        guard frame >= 0 else { throw ValidationError("--frame must be 0 or more") }
        o.frame = frame
        if let resize {
            let parts = resize.lowercased().split(separator: "x").map { Int($0) }
            guard parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0, w <= 65535, h <= 65535 else {
                throw ValidationError("--resize must be WxH with positive integers, e.g. 224x224")
            }
            o.resize = (w, h)
        }
        guard let f = ResizeFilter(rawValue: filter) else {
            throw ValidationError("--filter must be nearest, bilinear or bicubic")
        }
        o.filter = f
        if let window {
            let parts = window.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let c = parts[0], let w = parts[1], w > 0 else {
                throw ValidationError("--window must be CENTER,WIDTH with a positive width, e.g. 40,400")
            }
            o.window = Window(center: c, width: w)
        }
        o.raw = raw
        o.deidentify = deidentify
        return o
    }

    func validate() throws {
        _ = try options()
        do { _ = try ImageConverter.outputKind(for: URL(fileURLWithPath: output)) } catch {
            throw ValidationError("\(error)")
        }
        if acceptBurnedIn && !deidentify { throw ValidationError("--accept-burned-in applies to --deidentify only") }
        if deidentify != output.lowercased().hasSuffix(".dcm") {
            throw ValidationError(deidentify ? "--deidentify needs a .dcm output" : "a .dcm output needs --deidentify")
        }
    }

    func run() throws {
        var rng = SystemRandomNumberGenerator()
        var conversion = try options()
        if acceptBurnedIn {
            // Accepting burned-in text is recorded in the audit trail first, so it needs the store's keys.
            let audit: StudyStore
            do { audit = try StudyStore(location: store.location(product: StudyStore.product)) } catch {
                throw ValidationError("--accept-burned-in is recorded in the audit trail, which needs the store's keys: \(error) (set them up with `triage keys init`, or pass --home/--key-file)")
            }
            let actor = commandActor
            conversion.acceptBurnedIn = { file, reason in
                printError("triage: warning: \(file): \(reason); identifying text may remain in the pixels (accepted, audited)")
                try audit.auditBurnedInExport(file: file, reason: reason, actor: actor)
            }
        }
        do {
            _ = try ImageConverter.convert(URL(fileURLWithPath: input), to: URL(fileURLWithPath: output),
                                           options: conversion, rng: &rng)
        } catch let error as ConversionError {
            throw ValidationError("\(error)")
        }
    }
}

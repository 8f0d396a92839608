public import Foundation

extension SentenceEncoder {
    /// The files of a sentence-transformers folder besides the weights, copied by `writeFolder`
    /// when the base folder has them.
    static let sideFiles = [
        "config.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
        "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
    ]

    /// Writes a sentence-transformers folder derived from `base` (e.g. a fine-tuned encoder):
    /// the side files and module folders of `base` copied unchanged, and `model.safetensors`
    /// with every floating-point tensor of `base`'s checkpoint as F32 under its own name, the
    /// value taken from `replacements` where it has that name (a `TrainableBERT`'s parameters).
    /// Integer buffers such as `embeddings.position_ids` are left out: they are not parameters
    /// and nothing reads them.
    ///
    /// - Parameter metadata: the safetensors header's `__metadata__` (e.g. what the weights were
    ///   trained on); `format: pt` is added as sentence-transformers writes it.
    /// - Throws: `ModelError.cannotWrite` or `SafeTensorsError` naming the file; the weights are
    ///   written atomically, so a reader never sees half a checkpoint.
    public static func writeFolder(base: URL, replacements: ParameterSet, metadata: [String: String] = [:],
                                   to destination: URL) throws {
        let manager = FileManager.default
        func create(_ folder: URL) throws {
            do { try manager.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw ModelError.cannotWrite(path: folder.path, detail: error.localizedDescription)
            }
        }
        func copy(_ relative: String) throws {
            let source = base.appendingPathComponent(relative), target = destination.appendingPathComponent(relative)
            guard manager.fileExists(atPath: source.path) else { return }
            do {
                if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
                try manager.copyItem(at: source, to: target)
            } catch {
                throw ModelError.cannotWrite(path: target.path, detail: error.localizedDescription)
            }
        }
        try create(destination)
        for file in sideFiles { try copy(file) }
        let modulesURL = base.appendingPathComponent("modules.json")
        if manager.fileExists(atPath: modulesURL.path) {
            struct Module: Decodable { let path: String }
            for module in try decodeConfig([Module].self, at: modulesURL) where !module.path.isEmpty {
                let folder = base.appendingPathComponent(module.path)
                guard let files = try? manager.contentsOfDirectory(atPath: folder.path) else { continue }
                try create(destination.appendingPathComponent(module.path))
                for file in files { try copy("\(module.path)/\(file)") }
            }
        }
        let checkpoint = try SafeTensorsFile(url: base.appendingPathComponent("model.safetensors"))
        precondition(replacements.entries.allSatisfy { checkpoint.entries[$0.name] != nil },
                     "writeFolder: a replacement tensor is not in the base checkpoint")
        var tensors: [(name: String, tensor: Tensor)] = []
        for (name, entry) in checkpoint.entries where [.f32, .f16, .bf16].contains(entry.dtype) {
            tensors.append((name, replacements.contains(name)
                ? try replacements.tensor(name, shape: entry.shape) : try checkpoint.tensor(name)))
        }
        try SafeTensorsWriter.write(tensors, metadata: metadata.merging(["format": "pt"]) { mine, _ in mine },
                                    to: destination.appendingPathComponent("model.safetensors"))
    }
}

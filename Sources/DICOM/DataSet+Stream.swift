extension DataSet {
    /// Parses a bare data set (no preamble, no File Meta group), e.g. a DIMSE command set or a
    /// data set received over the network, in `transferSyntax`'s encoding. `source` names the
    /// bytes in errors. Throws `DICOMError.malformed` for anything that does not parse.
    package static func parse(_ bytes: [UInt8], transferSyntax: TransferSyntax, source: String) throws -> DataSet {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = DataSetParser(buffer, offset: 0, explicitVR: transferSyntax.explicitVR,
                                       bigEndian: transferSyntax.bigEndian, file: source)
            return try parser.parseDataSet(end: buffer.count, depth: 0)
        }
    }

    /// The data set's elements in ascending tag order, encoded in `transferSyntax` (not deflated),
    /// as `DICOMWriter` writes a file's data set.
    package func encoded(transferSyntax: TransferSyntax, source: String) throws -> [UInt8] {
        var out: [UInt8] = []
        for e in elements {
            try DICOMWriter.encode(e, explicitVR: transferSyntax.explicitVR, bigEndian: transferSyntax.bigEndian, into: &out, file: source)
        }
        return out
    }
}

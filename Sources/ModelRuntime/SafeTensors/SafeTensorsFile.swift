public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
/// mapping tensor names to dtype, shape and `[begin, end)` byte offsets, then the data.
///
/// The header is validated completely when the file is opened — JSON shape, known dtypes,
/// non-negative shapes whose byte size matches the offsets, offsets inside the file and not
/// overlapping — so a later `tensor(_:)` cannot read out of bounds.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        package let dtype: DType
        public let shape: [Int]
        /// Byte range relative to the start of the data section.
        let byteRange: Range<Int>
    }

    public let path: String
    public let entries: [String: Entry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]

    private let mapping: MappedFile
    private let dataStart: Int

    /// Largest header accepted (the format's reference implementation uses the same bound).
    static let maxHeaderBytes = 100_000_000

    public init(url: URL) throws {
        path = url.path
        mapping = try MappedFile(path: url.path)
        let size = mapping.size
        guard size >= 8 else {
            throw SafeTensorsError.truncated(path: path, detail: "\(size) bytes, fewer than the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(mapping.bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw SafeTensorsError.invalidHeader(path: path, detail: "header length \(headerLength) exceeds \(Self.maxHeaderBytes) bytes")
        }
        guard Int(headerLength) <= size - 8 else {
            throw SafeTensorsError.truncated(
                path: path, detail: "header of \(headerLength) bytes announced, \(size - 8) present")
        }
        dataStart = 8 + Int(headerLength)
        let headerData = Data(bytes: mapping.bytes + 8, count: Int(headerLength))
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw SafeTensorsError.invalidHeader(path: path, detail: "not JSON")
        }
        guard let object = json as? [String: Any] else {
            throw SafeTensorsError.invalidHeader(path: path, detail: "not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = size - dataStart
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw SafeTensorsError.invalidHeader(path: path, detail: "__metadata__ is not an object")
                }
                for (k, v) in map {
                    guard let s = v as? String else {
                        throw SafeTensorsError.invalidHeader(path: path, detail: "__metadata__.\(k) is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            entries[name] = try Self.entry(name: name, value: value, dataSize: dataSize, path: path)
        }
        // Tensors may not overlap (empty tensors occupy no bytes and may sit anywhere).
        let sorted = entries.filter { !$0.value.byteRange.isEmpty }
            .sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw SafeTensorsError.invalidTensor(
                path: path, tensor: next.key, detail: "its bytes overlap those of '\(previous.key)'")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func entry(name: String, value: Any, dataSize: Int, path: String) throws -> Entry {
        guard let fields = value as? [String: Any] else {
            throw SafeTensorsError.invalidTensor(path: path, tensor: name, detail: "entry is not an object")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw SafeTensorsError.invalidTensor(path: path, tensor: name, detail: "missing dtype")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeValues = fields["shape"] as? [Any],
              let shape = Optional(shapeValues.compactMap { ($0 as? NSNumber).flatMap(Self.integer) }),
              shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 })
        else {
            throw SafeTensorsError.invalidTensor(path: path, tensor: name, detail: "shape is not a list of non-negative integers")
        }
        guard let offsetValues = fields["data_offsets"] as? [Any], offsetValues.count == 2,
              let begin = (offsetValues[0] as? NSNumber).flatMap(Self.integer),
              let end = (offsetValues[1] as? NSNumber).flatMap(Self.integer),
              begin >= 0, begin <= end
        else {
            throw SafeTensorsError.invalidTensor(path: path, tensor: name, detail: "data_offsets is not [begin, end] with 0 <= begin <= end")
        }
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw SafeTensorsError.invalidTensor(path: path, tensor: name, detail: "shape \(shape) overflows")
            }
            elements = product
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes == end - begin else {
            throw SafeTensorsError.invalidTensor(
                path: path, tensor: name,
                detail: "shape \(shape) of \(dtypeName) needs \(elements) × \(dtype.byteSize) bytes, data_offsets give \(end - begin)")
        }
        guard end <= dataSize else {
            throw SafeTensorsError.truncated(
                path: path, detail: "tensor '\(name)' ends at byte \(end) of a data section of \(dataSize) bytes")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// An exact non-negative integer from a JSON number, or nil (fractions, negatives, huge values).
    private static func integer(_ number: NSNumber) -> Int? {
        let d = number.doubleValue
        guard d >= 0, d < 9.0e15, d.rounded() == d else { return nil }
        return Int(d)
    }

    /// The tensor as Float32, converting F16/BF16; F32 data that is suitably aligned is borrowed
    /// from the mapping without a copy.
    ///
    /// - Parameter shape: when given, the stored shape must equal it.
    public func tensor(_ name: String, shape expected: [Int]? = nil) throws -> Tensor {
        guard let entry = entries[name] else {
            throw SafeTensorsError.missingTensor(path: path, tensor: name)
        }
        if let expected, expected != entry.shape {
            throw SafeTensorsError.shapeMismatch(path: path, tensor: name, expected: expected, found: entry.shape)
        }
        let start = mapping.bytes + dataStart + entry.byteRange.lowerBound
        let count = entry.shape.reduce(1, *)
        switch entry.dtype {
        case .f32:
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                let floats = UnsafeRawPointer(start).assumingMemoryBound(to: Float.self)
                return Tensor(shape: entry.shape, storage: TensorStorage(borrowing: floats, count: count, owner: mapping))
            }
            return Tensor(shape: entry.shape) { out in
                UnsafeMutableRawBufferPointer(out).copyMemory(
                    from: UnsafeRawBufferPointer(start: start, count: count * 4))
            }
        case .f16, .bf16:
            let isF16 = entry.dtype == .f16
            return Tensor(shape: entry.shape) { out in
                for i in 0..<count {
                    let bits = UInt16(start[2 * i]) | UInt16(start[2 * i + 1]) << 8
                    out[i] = isF16 ? HalfPrecision.float(fromF16: bits) : HalfPrecision.float(fromBF16: bits)
                }
            }
        default:
            throw SafeTensorsError.notFloatingPoint(path: path, tensor: name, dtype: entry.dtype.rawValue)
        }
    }
}

/// A read-only private mapping of a whole file, unmapped when the last tensor borrowing from it goes.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafePointer<UInt8>
    let size: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.unreadable(path: path, reason: "not a regular file")
        }
        size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafePointer(base.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        if size == 0 {
            UnsafeMutablePointer(mutating: bytes).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: bytes), size)
        }
    }
}

import CMalloc

/// glibc malloc settings for processes that decode one large image after another (`triage`
/// applies them at start; so does `suite-bench imaging`, to measure the library as the product
/// runs it).
///
/// Each 2048² radiograph allocates a few buffers of 4–16 MiB (file bytes, decoded samples, the
/// display image). By default glibc serves such sizes with fresh `mmap`s, or returns them to the
/// kernel when they are freed at the top of a heap, so every image pays page faults and the
/// kernel's zeroing of its pages again: decoding a 2048² 16-bit DICOM to the 224² model input ran
/// at 27 images/s with the defaults and 83 with these settings (docs/IMAGING.md). Raising the
/// mmap threshold to its maximum and the trim threshold well above one image's working set keeps
/// freed buffers in the heap for the next image.
public enum AllocatorTuning {
    /// Largest mmap threshold glibc accepts on 64-bit (`HEAP_MAX_SIZE / 2`).
    static let mmapThreshold: Int32 = 32 << 20
    /// Freed memory at the top of a heap is returned to the kernel beyond this.
    static let trimThreshold: Int32 = 512 << 20

    /// Caps glibc's malloc arenas at `count`. A service runs many threads (a storage pool, decoding
    /// workers, event loops); glibc gives threads up to 8 arenas per core, and with the trim
    /// threshold above each arena may keep hundreds of MiB of freed image buffers, so a long-running
    /// `triage serve` would hold far more memory than it uses. Call before the threads start.
    @discardableResult
    public static func limitArenas(_ count: Int32) -> Bool {
        mallopt(M_ARENA_MAX, count) == 1
    }

    /// Applies the settings to this process; returns whether glibc accepted both.
    @discardableResult
    public static func keepLargeBuffersMapped() -> Bool {
        mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
    }
}

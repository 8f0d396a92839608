import CBLAS
import Foundation

/// Makes OpenBLAS use the kernels this CPU can run.
///
/// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels from the CPU model number and
/// falls back to the SSE3 "Prescott" kernels for models it does not know — on recent Xeons
/// (e.g. model 207) that makes sgemm about 3× slower than the AVX-512 "SkylakeX" kernels the
/// CPU supports. When the user has not chosen a core (`OPENBLAS_CORETYPE` unset) and OpenBLAS
/// fell back, this re-runs OpenBLAS's own dynamic selection with the best core the CPU's
/// feature flags allow, through the library's exported `gotoblas_dynamic_quit/init`. Builds
/// without dynamic selection do not export them and are left alone.
enum BLASKernels {
    /// The OpenBLAS core in use after selection (e.g. "SkylakeX").
    static var coreName: String { String(cString: openblas_get_corename()) }

    /// Runs the selection once per process; every BLAS entry point of this module calls it.
    static let selectOnce: Void = select()

    private static func select() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              coreName.lowercased() == "prescott",
              let core = bestCore(flags: cpuFlags()),
              let handle = dlopen(nil, RTLD_NOW),
              let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialize = dlsym(handle, "gotoblas_dynamic_init")
        else { return }
        typealias Hook = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 1)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initialize, to: Hook.self)()
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// The fastest OpenBLAS core name whose instructions the CPU flags cover.
    static func bestCore(flags: Set<String>) -> String? {
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// Feature flags of the first CPU in /proc/cpuinfo (empty elsewhere).
    private static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}

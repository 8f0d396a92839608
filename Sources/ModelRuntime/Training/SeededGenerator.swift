/// A small, fast, seeded random number generator (SplitMix64) for reproducible runs: weight
/// initialisation, shuffling, augmentation draws. Pass it `inout`; there is no global RNG.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for one named stream derived from `seed`: the same (seed, name) always gives
    /// the same numbers, whatever else was drawn before (FNV-1a of the UTF-8 name, mixed in).
    public init(seed: UInt64, stream name: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixer = SeededGenerator(seed: seed ^ hash)
        state = mixer.next()
    }
}

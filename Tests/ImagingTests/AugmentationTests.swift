import Foundation
import Testing
@testable import Imaging

/// `RadiographAugmentation`: the affine sampling moves content where the parameters say, draws
/// are reproducible from the generator, and `.none` changes nothing.
struct AugmentationTests {
    struct Counter: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return state
        }
    }

    static func dot(at x: Int, _ y: Int, side: Int = 9) -> [Float] {
        var a = [Float](repeating: 0, count: side * side)
        a[y * side + x] = 1
        return a
    }

    @Test func affineShiftsRotatesAndScalesAboutTheCentre() {
        let side = 9
        // A shift of (2, -1) px moves the dot from (4, 4) to (6, 3), exactly (integer shift, bilinear).
        let shifted = RadiographAugmentation.affine(Self.dot(at: 4, 4), width: side, height: side,
                                                    shiftX: 2, shiftY: -1, angle: 0, scale: 1)
        #expect(shifted == Self.dot(at: 6, 3))
        // A quarter turn about the centre (4, 4) takes (6, 4) to (4, 6) (y grows downwards).
        let turned = RadiographAugmentation.affine(Self.dot(at: 6, 4), width: side, height: side,
                                                   shiftX: 0, shiftY: 0, angle: .pi / 2, scale: 1)
        #expect(turned.firstIndex(where: { $0 > 0.99 }) == 6 * side + 4)
        // Zoom 2x about the centre: (5, 4) lands on (6, 4); content from outside reads 0.
        let zoomed = RadiographAugmentation.affine(Self.dot(at: 5, 4), width: side, height: side,
                                                   shiftX: 0, shiftY: 0, angle: 0, scale: 2)
        #expect(zoomed[4 * side + 6] == 1)
        let edge = RadiographAugmentation.affine([Float](repeating: 1, count: side * side), width: side, height: side,
                                                 shiftX: 3, shiftY: 0, angle: 0, scale: 1)
        #expect(edge[0] == 0 && edge[2] == 0 && edge[3] == 1)
    }

    @Test func drawsAreReproducibleBoundedAndNoneIsTheIdentity() {
        let side = 28
        let image = (0..<(side * side)).map { Float($0 % side) / Float(side) }
        var a = image, b = image, c = image
        var g1 = Counter(state: 5), g2 = Counter(state: 5), g3 = Counter(state: 6)
        RadiographAugmentation.light.apply(&a, width: side, height: side, using: &g1)
        RadiographAugmentation.light.apply(&b, width: side, height: side, using: &g2)
        RadiographAugmentation.light.apply(&c, width: side, height: side, using: &g3)
        #expect(a == b && a != c && a != image)
        #expect(a.allSatisfy { $0 >= 0 && $0 <= 1 })
        var same = image, g = Counter(state: 1)
        RadiographAugmentation.none.apply(&same, width: side, height: side, using: &g)
        #expect(same == image)
    }
}

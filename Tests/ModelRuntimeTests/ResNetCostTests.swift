import Testing
@testable import ModelRuntime

/// `ResNet.Config.multiplyAdds` against counts taken from PyTorch forward hooks on the same
/// torchvision-style modules (out.numel() · in/groups · kH · kW per conv, out.numel() · in per
/// linear): ResNet-18 at 224×224 is torchvision's published 1.81 G multiply-adds.
struct ResNetCostTests {
    @Test func resnet18At224() {
        let config = ResNet.Config(block: .basic, stem: .imagenet, widths: [64, 128, 256, 512], depths: [2, 2, 2, 2],
                                   inputChannels: 3, classes: 1000)
        #expect(config.multiplyAdds(height: 224, width: 224) == 1_814_073_344)
        // Stem + 8 blocks × 2 convs + 3 downsamples.
        #expect(config.convolutions(batch: 1, height: 224, width: 224).count == 20)
    }

    @Test func triageArchitectureAt28() {
        let config = ResNet.Config(block: .basic, stem: .small, widths: [32, 64, 128], depths: [2, 2, 2],
                                   inputChannels: 1, classes: 2)
        #expect(config.multiplyAdds(height: 28, width: 28) == 80_507_648)
        let convs = config.convolutions(batch: 4, height: 28, width: 28)
        #expect(convs.last?.outputShape == [4, 128, 7, 7])
    }

    @Test func bottleneckCountsEveryConvolutionOnce() {
        // One bottleneck stage on 8×8: 1×1 (16·8·8·4), 3×3 (4·8·8·36), 1×1 (16·8·8·4) and the
        // downsample (16·8·8·4), after a 3×3 stem (4·8·8·9); fc 16 · 3.
        let config = ResNet.Config(block: .bottleneck, stem: .small, widths: [4], depths: [1], inputChannels: 1, classes: 3)
        #expect(config.multiplyAdds(height: 8, width: 8) == 4 * 64 * 9 + 4 * 64 * 4 + 4 * 64 * 36 + 16 * 64 * 4 * 2 + 48)
    }
}

/// The shapes of one 2-D convolution in NCHW layout, PyTorch's `F.conv2d` conventions.
///
/// - input `[batch, inChannels, height, width]`
/// - weight `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
/// - bias `[outChannels]`
/// - output `[batch, outChannels, outHeight, outWidth]` with
///   `outHeight = (height + 2·padH − dilationH·(kernelHeight − 1) − 1) / strideH + 1` (floor).
///
/// Depthwise convolution is `groups == inChannels` (with `outChannels` a multiple of it).
package struct Conv2DGeometry: Sendable, Hashable, CustomStringConvertible {
    package let batch: Int
    package let inChannels: Int
    package let height: Int
    package let width: Int
    package let outChannels: Int
    package let kernelHeight: Int
    package let kernelWidth: Int
    package let strideH: Int
    package let strideW: Int
    package let padH: Int
    package let padW: Int
    package let dilationH: Int
    package let dilationW: Int
    package let groups: Int
    package let outHeight: Int
    package let outWidth: Int

    /// Checks the configuration (shape mismatches are programmer errors: `precondition`).
    package init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, strideH: Int = 1, strideW: Int = 1,
                padH: Int = 0, padW: Int = 0, dilationH: Int = 1, dilationW: Int = 1, groups: Int = 1) {
        precondition(batch >= 0 && inChannels > 0 && height > 0 && width > 0 && outChannels > 0,
                     "conv2d: invalid sizes batch \(batch), in \(inChannels), \(height)x\(width), out \(outChannels)")
        precondition(kernelHeight > 0 && kernelWidth > 0 && strideH > 0 && strideW > 0
                     && dilationH > 0 && dilationW > 0 && padH >= 0 && padW >= 0,
                     "conv2d: invalid kernel/stride/dilation/padding")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "conv2d: \(inChannels) in and \(outChannels) out channels are not divisible by \(groups) groups")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideH = strideH
        self.strideW = strideW
        self.padH = padH
        self.padW = padW
        self.dilationH = dilationH
        self.dilationW = dilationW
        self.groups = groups
        outHeight = (height + 2 * padH - dilationH * (kernelHeight - 1) - 1) / strideH + 1
        outWidth = (width + 2 * padW - dilationW * (kernelWidth - 1) - 1) / strideW + 1
        precondition(height + 2 * padH >= dilationH * (kernelHeight - 1) + 1
                     && width + 2 * padW >= dilationW * (kernelWidth - 1) + 1,
                     "conv2d: kernel larger than the padded \(height)x\(width) input")
    }

    /// A square kernel with the same stride, padding and dilation on both axes.
    package init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                  kernelHeight: kernel, kernelWidth: kernel, strideH: stride, strideW: stride,
                  padH: padding, padW: padding, dilationH: dilation, dilationW: dilation, groups: groups)
    }

    /// The same layer applied to another batch size or input size.
    func with(batch: Int? = nil, height: Int? = nil, width: Int? = nil) -> Conv2DGeometry {
        Conv2DGeometry(batch: batch ?? self.batch, inChannels: inChannels, height: height ?? self.height,
                       width: width ?? self.width, outChannels: outChannels, kernelHeight: kernelHeight,
                       kernelWidth: kernelWidth, strideH: strideH, strideW: strideW, padH: padH, padW: padW,
                       dilationH: dilationH, dilationW: dilationW, groups: groups)
    }

    var inChannelsPerGroup: Int { inChannels / groups }
    var outChannelsPerGroup: Int { outChannels / groups }
    /// Rows of one group's im2col matrix: `inChannelsPerGroup · kernelHeight · kernelWidth`.
    package var patchSize: Int { inChannelsPerGroup * kernelHeight * kernelWidth }
    package var inputPlane: Int { height * width }
    package var outputPlane: Int { outHeight * outWidth }

    package var inputShape: [Int] { [batch, inChannels, height, width] }
    package var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] }
    package var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    package var inputCount: Int { batch * inChannels * inputPlane }
    package var weightCount: Int { outChannels * patchSize }
    package var outputCount: Int { batch * outChannels * outputPlane }

    /// A 1×1, stride-1, unpadded convolution reads its input as the im2col matrix directly.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }

    /// Multiply-adds of one forward pass (for GFLOP/s reports: FLOPs = 2 × this).
    package var multiplyAdds: Int { batch * outChannels * outputPlane * patchSize }

    package var description: String {
        "conv2d(\(inputShape) → \(outputShape), k \(kernelHeight)x\(kernelWidth), s \(strideH),\(strideW), "
            + "p \(padH),\(padW), d \(dilationH),\(dilationW), g \(groups))"
    }
}

extension ResNet.Config {
    /// Every convolution of the network for `batch` images of `height × width`, in forward
    /// order: the stem, then per block its convolutions and its downsample (if any), walking
    /// the specs `ResNet` and `TrainableResNet` are built from.
    package func convolutions(batch: Int, height: Int, width: Int) -> [Conv2DGeometry] {
        var result: [Conv2DGeometry] = []
        /// The convolution of `spec` on `[batch, in, h, w]`, recorded; returns its output size.
        func conv(_ spec: ConvBNSpec, _ h: Int, _ w: Int) -> (Int, Int) {
            let g = spec.geometry([batch, spec.inChannels, h, w])
            result.append(g)
            return (g.outHeight, g.outWidth)
        }
        var (h, w) = conv(stemSpec, height, width)
        if let pool = stemPool([batch, widths[0], h, w]) { (h, w) = (pool.outHeight, pool.outWidth) }
        for block in blockSpecs {
            var (bh, bw) = (h, w)
            for spec in block.convs { (bh, bw) = conv(spec, bh, bw) }
            if let downsample = block.downsample { _ = conv(downsample, h, w) }
            (h, w) = (bh, bw)
        }
        return result
    }

    /// Multiply-adds of one eval-mode forward pass of one `height × width` image: every
    /// convolution (`Conv2DGeometry.multiplyAdds`) plus the classifier (`features · classes`);
    /// batch norm, ReLU, residual adds and pooling are not counted. FLOPs = 2 × this.
    public func multiplyAdds(height: Int, width: Int) -> Int {
        convolutions(batch: 1, height: height, width: width).reduce(0) { $0 + $1.multiplyAdds } + features * classes
    }
}

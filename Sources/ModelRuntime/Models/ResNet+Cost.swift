extension ResNet.Config {
    /// Every convolution of the network for `batch` images of `height × width`, in forward
    /// order: the stem, then per block its convolutions and its downsample (if any). The same
    /// walk as `ResNet.init`, for cost reports.
    public func convolutions(batch: Int, height: Int, width: Int) -> [Conv2DGeometry] {
        var result: [Conv2DGeometry] = []
        func conv(_ h: Int, _ w: Int, in c: Int, out: Int, kernel: Int, stride: Int) -> Conv2DGeometry {
            let g = Conv2DGeometry(batch: batch, inChannels: c, height: h, width: w, outChannels: out,
                                   kernel: kernel, stride: stride, padding: kernel / 2)
            result.append(g)
            return g
        }
        let first = widths[0]
        // `last`: the latest convolution of the main path, whose output the next layer reads.
        var last = stem == .imagenet
            ? conv(height, width, in: inputChannels, out: first, kernel: 7, stride: 2)
            : conv(height, width, in: inputChannels, out: first, kernel: 3, stride: 1)
        var (h, w) = (last.outHeight, last.outWidth)
        if stem == .imagenet {
            let pool = Pool2DGeometry(batch: batch, channels: first, height: h, width: w, kernel: 3, stride: 2, padding: 1)
            (h, w) = (pool.outHeight, pool.outWidth)
        }
        var channels = first
        for (s, (planes, depth)) in zip(widths, depths).enumerated() {
            for b in 0..<depth {
                let stride = s > 0 && b == 0 ? 2 : 1, out = planes * block.expansion
                let (inH, inW) = (h, w)
                switch block {
                case .basic:
                    last = conv(h, w, in: channels, out: planes, kernel: 3, stride: stride)
                    last = conv(last.outHeight, last.outWidth, in: planes, out: planes, kernel: 3, stride: 1)
                case .bottleneck:
                    last = conv(h, w, in: channels, out: planes, kernel: 1, stride: 1)
                    last = conv(h, w, in: planes, out: planes, kernel: 3, stride: stride)
                    last = conv(last.outHeight, last.outWidth, in: planes, out: out, kernel: 1, stride: 1)
                }
                if stride != 1 || channels != out { _ = conv(inH, inW, in: channels, out: out, kernel: 1, stride: stride) }
                (h, w) = (last.outHeight, last.outWidth)
                channels = out
            }
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

// libFuzzer target: the JPEG shim as Imaging calls it (header, pixel limit, decode at full and 1/4 scale).
#include "cjpeg.h"
#include <stdlib.h>

static void decode(const uint8_t *data, size_t size, int scale) {
    cjpeg_info info;
    char error[CJPEG_ERROR_SIZE];
    if (cjpeg_read_info(data, size, scale, &info, error) != 0) return;
    unsigned long long pixels = (unsigned long long)info.width * info.height;
    if (pixels == 0 || pixels > 4000000ull) return;  // the pixel limit, as DecodeLimits
    int channels = info.components == 1 ? 1 : (info.components == 4 ? 4 : 3);
    int space = info.components == 1 ? 1 : (info.components == 4 ? 4 : 2);
    size_t bytes = (size_t)info.out_width * info.out_height * channels;
    uint8_t *out = malloc(bytes ? bytes : 1);
    if (!out) return;
    cjpeg_decode(data, size, scale, space, out, bytes, error);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    decode(data, size, 1);
    decode(data, size, 4);
    return 0;
}

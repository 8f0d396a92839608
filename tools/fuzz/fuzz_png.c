// libFuzzer target: the PNG shim as Imaging calls it (header, pixel limit, decode).
#include "cpng.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cpng_info info;
    char error[CPNG_ERROR_SIZE];
    if (cpng_read_info(data, size, &info, error) != 0) return 0;
    unsigned long long pixels = (unsigned long long)info.width * info.height;
    if (info.width == 0 || info.height == 0 || pixels > 4000000ull) return 0;  // the pixel limit, as DecodeLimits
    size_t bytes = (size_t)pixels * (size_t)info.out_channels * (size_t)(info.out_bit_depth / 8);
    uint8_t *out = malloc(bytes ? bytes : 1);
    if (!out) return 0;
    cpng_decode(data, size, out, bytes, error);
    free(out);
    return 0;
}

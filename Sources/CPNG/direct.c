// The common PNG straight from the file, without libpng's row-by-row zlib stream: the IDAT
// chunks (every chunk CRC-checked) are inflated in one call by libdeflate (2-3x zlib's speed; the
// zlib Adler-32 is checked too) into a buffer of filtered rows, which are unfiltered into the output.
// Memory: that buffer (the image plus a byte per row) on top of the output, and a copy of the
// compressed data when it is split over several IDAT chunks. Taken only for
// non-interlaced 8/16-bit gray, gray+alpha, RGB and RGBA; anything it does not expect makes it
// decline, and cpng_decode then decodes with libpng, which reports the error if there is one.
#include "cpng.h"
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

// Whether the four bytes are a valid chunk name (ASCII letters only).
static int valid_type(const uint8_t *type) {
    for (int k = 0; k < 4; k++) {
        uint8_t c = type[k] | 0x20;
        if (c < 'a' || c > 'z') return 0;
    }
    return 1;
}

// The IDAT data of a chunk sequence that libpng would read without complaint: IHDR first, then
// only IDAT (consecutive), ancillary chunks and IEND, every chunk's CRC right. One IDAT is
// returned in place (`*owned` 0); several are concatenated into a malloc'd buffer (`*owned` 1).
// NULL for anything else: the caller declines.
static const uint8_t *gather_idat(const uint8_t *data, size_t size, size_t *idat_size, int *owned) {
    if (size < 8) return NULL;
    size_t pos = 8, total = 0, first = 0, chunks = 0;
    int in_idat = 0, idat_done = 0;
    // Pass 1: check the chunk sequence and add up the IDAT lengths.
    for (;;) {
        if (size - pos < 12) return NULL;
        uint32_t length = be32(data + pos);
        if (length > 0x7fffffffu || length > size - pos - 12) return NULL;
        const uint8_t *type = data + pos + 4;
        if (!valid_type(type) || libdeflate_crc32(0, type, (size_t)length + 4) != be32(type + 4 + length)) return NULL;
        if (memcmp(type, "IHDR", 4) == 0) {
            if (pos != 8) return NULL;
        } else if (pos == 8) {
            return NULL;
        }
        if (memcmp(type, "IDAT", 4) == 0) {
            if (idat_done) return NULL;
            if (!in_idat) first = pos;
            in_idat = 1;
            total += length;
            chunks++;
        } else {
            if (in_idat) idat_done = 1, in_idat = 0;
            if (memcmp(type, "IEND", 4) == 0) break;
            // Another critical chunk (PLTE, unknown ones): libpng's judgement is needed.
            if ((type[0] & 0x20) == 0 && memcmp(type, "IHDR", 4) != 0) return NULL;
        }
        pos += 12 + (size_t)length;
    }
    if (total == 0) return NULL;
    *idat_size = total;
    if (chunks == 1) {
        *owned = 0;
        return data + first + 8;
    }
    uint8_t *idat = malloc(total);
    if (!idat) return NULL;
    // Pass 2: copy the IDAT data, chunk after chunk from the first one (bounds checked again).
    size_t at = 0;
    for (pos = first; at < total;) {
        uint32_t length = be32(data + pos);
        if (length > total - at || length > size - pos - 12) { free(idat); return NULL; }
        memcpy(idat + at, data + pos + 8, length);
        at += length;
        pos += 12 + (size_t)length;
    }
    *owned = 1;
    return idat;
}

static inline uint8_t paeth(uint8_t a, uint8_t b, uint8_t c) {
    int p = (int)a + (int)b - (int)c;
    int pa = abs(p - (int)a), pb = abs(p - (int)b), pc = abs(p - (int)c);
    return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

// Up: `dst = src + up`. Separate so that the three rows are known not to overlap, which lets
// the compiler vectorise the loop (most rows of a radiograph use this filter).
static void add_rows(uint8_t *restrict dst, const uint8_t *restrict src, const uint8_t *restrict up, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(src[i] + up[i]);
}

// Sub, Average and Paeth of one-byte pixels (8-bit gray), the left byte carried in a register:
// read back from `dst`, each byte would wait for the store of the one before it.
static void sub_row1(uint8_t *restrict dst, const uint8_t *restrict src, size_t n) {
    uint8_t left = 0;
    for (size_t i = 0; i < n; i++) dst[i] = left = (uint8_t)(src[i] + left);
}

static void average_row1(uint8_t *restrict dst, const uint8_t *restrict src, const uint8_t *restrict up, size_t n) {
    unsigned left = 0;
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(left = (uint8_t)(src[i] + ((left + (up ? up[i] : 0u)) >> 1)));
}

static void paeth_row1(uint8_t *restrict dst, const uint8_t *restrict src, const uint8_t *restrict up, size_t n) {
    uint8_t left = 0, upper_left = 0;
    for (size_t i = 0; i < n; i++) {
        left = (uint8_t)(src[i] + paeth(left, up[i], upper_left));
        upper_left = up[i];
        dst[i] = left;
    }
}

// Reverses the filter of every row of `raw` (each row: filter byte + row_bytes) into `out`.
static int unfilter(const uint8_t *raw, uint8_t *out, size_t row_bytes, uint32_t height, size_t bpp) {
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *src = raw + (size_t)y * (row_bytes + 1) + 1;
        uint8_t *dst = out + (size_t)y * row_bytes;
        const uint8_t *up = y > 0 ? dst - row_bytes : NULL;
        size_t i;
        switch (src[-1]) {
        case 0:
            memcpy(dst, src, row_bytes);
            break;
        case 1:
            if (bpp == 1) { sub_row1(dst, src, row_bytes); break; }
            for (i = 0; i < bpp && i < row_bytes; i++) dst[i] = src[i];
            for (; i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + dst[i - bpp]);
            break;
        case 2:
            if (up) {
                add_rows(dst, src, up, row_bytes);
            } else {
                memcpy(dst, src, row_bytes);
            }
            break;
        case 3:
            if (bpp == 1) { average_row1(dst, src, up, row_bytes); break; }
            for (i = 0; i < bpp && i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + ((up ? up[i] : 0) >> 1));
            for (; i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + (((unsigned)dst[i - bpp] + (up ? up[i] : 0)) >> 1));
            break;
        case 4:
            if (!up) {  // above the first row is zero: Paeth picks the left byte, as Sub does
                if (bpp == 1) { sub_row1(dst, src, row_bytes); break; }
                for (i = 0; i < bpp && i < row_bytes; i++) dst[i] = src[i];
                for (; i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + dst[i - bpp]);
                break;
            }
            if (bpp == 1) { paeth_row1(dst, src, up, row_bytes); break; }
            for (i = 0; i < bpp && i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + up[i]);
            for (; i < row_bytes; i++) dst[i] = (uint8_t)(src[i] + paeth(dst[i - bpp], up[i], up[i - bpp]));
            break;
        default:
            return -1;
        }
    }
    return 0;
}

int cpng_decode_direct(const uint8_t *data, size_t size, uint32_t width, uint32_t height, int channels,
                       int bit_depth, uint8_t *out, size_t out_size) {
    if ((bit_depth != 8 && bit_depth != 16) || channels < 1 || channels > 4 || width == 0 || height == 0) return -1;
    size_t bpp = (size_t)channels * (size_t)(bit_depth / 8);
    if (width > SIZE_MAX / bpp) return -1;
    size_t row_bytes = (size_t)width * bpp;
    if (row_bytes + 1 > SIZE_MAX / height || row_bytes * height != out_size) return -1;
    size_t idat_size = 0;
    int owned = 0;
    const uint8_t *idat = gather_idat(data, size, &idat_size, &owned);
    if (!idat) return -1;
    size_t raw_size = (row_bytes + 1) * height;
    // libdeflate ignores the window size of the zlib header; zlib (libpng) enforces it, so a
    // stream declaring less than 32 KiB goes to libpng (its own writer only does that for small images).
    int full_window = idat_size >= 2 && (idat[0] >> 4) == 7;
    uint8_t *raw = full_window ? malloc(raw_size) : NULL;
    struct libdeflate_decompressor *inflater = raw ? libdeflate_alloc_decompressor() : NULL;
    int status = -1;
    // NULL for the output length: the stream must fill the buffer exactly.
    if (inflater && libdeflate_zlib_decompress(inflater, idat, idat_size, raw, raw_size, NULL) == LIBDEFLATE_SUCCESS) {
        status = unfilter(raw, out, row_bytes, height, bpp);
    }
    if (inflater) libdeflate_free_decompressor(inflater);
    free(raw);
    if (owned) free((void *)idat);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (status == 0 && bit_depth == 16) {  // PNG stores big-endian samples
        for (size_t i = 0; i + 1 < out_size; i += 2) {
            uint8_t t = out[i];
            out[i] = out[i + 1];
            out[i + 1] = t;
        }
    }
#endif
    return status;
}

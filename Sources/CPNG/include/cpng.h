// libpng (and libdeflate for the common case) behind a few C calls. libpng reports errors by longjmp; every setjmp stays in
// cpng.c so Swift frames are never unwound. Each call returns 0 on success or -1 with a
// NUL-terminated message in `error` (at most CPNG_ERROR_SIZE bytes).
#ifndef CPNG_H
#define CPNG_H
#include <stddef.h>
#include <stdint.h>

#define CPNG_ERROR_SIZE 200

/// What IHDR declares, and what cpng_decode will deliver.
typedef struct {
    uint32_t width, height;
    int bit_depth;      // as stored: 1, 2, 4, 8, 16
    int color_type;     // PNG_COLOR_TYPE_*: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
    int interlaced;     // 1 for Adam7
    int has_trns;       // a tRNS chunk is present
    int out_channels;   // channels cpng_decode writes (palette -> 3, or 4 with tRNS)
    int out_bit_depth;  // 8 or 16 (16-bit samples in host byte order)
} cpng_info;

/// Reads the signature and the chunks up to the first IDAT (no pixel memory is allocated).
/// Reason for a wrapper: png_read_info longjmps on malformed headers.
int cpng_read_info(const uint8_t *data, size_t size, cpng_info *info, char *error);

/// Decodes the whole image into `out` (`out_size` must be width*height*out_channels*out_bit_depth/8).
/// Gray below 8 bits is scaled to 8 bits; palette expands to RGB(A); 16-bit stays 16-bit;
/// gamma is not applied. Reason for a wrapper: png_read_image longjmps on corrupt data.
int cpng_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error);

/// The direct path of cpng_decode (direct.c): a non-interlaced 8- or 16-bit PNG of `channels`
/// samples per pixel into `out` (16-bit samples in host order), as libpng would decode it.
/// Returns 0, or -1 when it declines (an unexpected or damaged chunk sequence, a bad IDAT CRC, a
/// zlib stream of the wrong length or checksum, a bad filter byte): cpng_decode then decodes with
/// libpng, which reports the error if there is one. `out` may be partly written on -1.
int cpng_decode_direct(const uint8_t *data, size_t size, uint32_t width, uint32_t height, int channels,
                       int bit_depth, uint8_t *out, size_t out_size);

/// cpng_decode through libpng alone: the reference the direct path (non-interlaced 8/16-bit
/// gray, gray+alpha, RGB, RGBA: IDAT inflated by libdeflate in one call, see direct.c) is
/// tested against.
int cpng_decode_libpng(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error);

/// Receives row `y` (top to bottom, once each) of cpng_decode_rows: the samples cpng_decode
/// would write for it. Must not longjmp or unwind.
typedef void (*cpng_row_fn)(void *context, uint32_t y, const uint8_t *row);

/// cpng_decode through libpng one row at a time, for images too large to hold: one row buffer
/// and zlib's window are the only pixel memory. Non-interlaced files only (Adam7 needs the whole
/// image: -1). Reason for a wrapper: png_read_row longjmps on corrupt data.
int cpng_decode_rows(const uint8_t *data, size_t size, cpng_row_fn row, void *context, char *error);

/// Growable output buffer for cpng_encode; free `bytes` with cpng_free.
typedef struct { uint8_t *bytes; size_t size, capacity; } cpng_buffer;

/// Encodes interleaved samples (`bit_depth` 8: 1, 2, 3 or 4 channels; 16: host-order samples)
/// as a non-interlaced PNG. Reason for a wrapper: png_write_* longjmps on errors.
int cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                int compression_level, cpng_buffer *out, char *error);

void cpng_free(cpng_buffer *buffer);

#endif

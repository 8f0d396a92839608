// libjpeg behind two C calls. libjpeg reports fatal errors through error_exit, which must not
// return; the longjmp that implements it stays in cjpeg.c so Swift frames are never unwound.
// Each call returns 0 on success or -1 with a NUL-terminated message in `error`
// (at most CJPEG_ERROR_SIZE bytes).
#ifndef CJPEG_H
#define CJPEG_H
#include <stddef.h>
#include <stdint.h>

#define CJPEG_ERROR_SIZE 200

/// Colour spaces, numbered as libjpeg's J_COLOR_SPACE (JCS_GRAYSCALE 1, JCS_RGB 2,
/// JCS_YCbCr 3, JCS_CMYK 4, JCS_YCCK 5); 0 for unknown.
typedef struct {
    uint32_t width, height;          // as stored
    uint32_t out_width, out_height;  // after DCT scaling by 1/scale_denom
    int components;                  // 1, 3 or 4
    int color_space;                 // jpeg_color_space as libjpeg guessed it
    int progressive;                 // 1 for progressive (SOF2)
    int precision;                   // data precision (8; 12 is refused by cjpeg_decode)
    int saw_adobe;                   // an Adobe APP14 marker is present
    int adobe_transform;             // its transform flag (0 none, 1 YCbCr, 2 YCCK)
    size_t exif_offset, exif_size;   // the first APP1 "Exif\0\0" payload (after the 6-byte id), 0 if none
} cjpeg_info;

/// Reads the markers up to the first scan and the output size for `scale_denom`
/// (1, 2, 4 or 8). Reason for a wrapper: jpeg_read_header exits through error_exit.
int cjpeg_read_info(const uint8_t *data, size_t size, int scale_denom, cjpeg_info *info, char *error);

/// Decodes into `out` (out_width*out_height*channels bytes) with `out_color_space`
/// 1 gray, 2 RGB, 4 CMYK (Adobe-inverted CMYK is returned as stored), or 0 to keep the stored
/// colour space without conversion. A file that ends early is an error, not a grey-filled image.
/// Reason for a wrapper: jpeg_start/read_scanlines exit through error_exit.
int cjpeg_decode(const uint8_t *data, size_t size, int scale_denom, int out_color_space,
                 uint8_t *out, size_t out_size, char *error);

#endif

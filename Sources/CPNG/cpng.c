// libpng shim: keeps setjmp/longjmp in C (see include/cpng.h).
#include "cpng.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size, offset;
    char *error;
} reader;

static void on_error(png_structp png, png_const_charp message) {
    reader *r = (reader *)png_get_error_ptr(png);
    if (r && r->error) snprintf(r->error, CPNG_ERROR_SIZE, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static void read_bytes(png_structp png, png_bytep out, png_size_t length) {
    reader *r = (reader *)png_get_io_ptr(png);
    if (length > r->size - r->offset) {
        png_error(png, "file ends early (truncated)");
    }
    memcpy(out, r->data + r->offset, length);
    r->offset += length;
}

// Shared setup: signature check, error hooks, limits. Returns NULL with `error` set.
static png_structp open_reader(reader *r, png_infop *info) {
    if (r->size < 8 || png_sig_cmp(r->data, 0, 8) != 0) {
        snprintf(r->error, CPNG_ERROR_SIZE, "not a PNG file (bad signature)");
        return NULL;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, on_error, on_warning);
    if (!png) { snprintf(r->error, CPNG_ERROR_SIZE, "out of memory"); return NULL; }
    *info = png_create_info_struct(png);
    if (!*info) { png_destroy_read_struct(&png, NULL, NULL); snprintf(r->error, CPNG_ERROR_SIZE, "out of memory"); return NULL; }
    png_set_read_fn(png, r, read_bytes);
    // Ancillary chunks (text, ICC...) are bounded so a hostile file cannot ask for huge buffers.
    png_set_chunk_malloc_max(png, 16u << 20);
    png_set_user_limits(png, 1u << 20, 1u << 20);
    return png;
}

static void describe(png_structp png, png_infop info, cpng_info *out) {
    out->width = png_get_image_width(png, info);
    out->height = png_get_image_height(png, info);
    out->bit_depth = png_get_bit_depth(png, info);
    out->color_type = png_get_color_type(png, info);
    out->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    out->has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    switch (out->color_type) {
    case PNG_COLOR_TYPE_GRAY: out->out_channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: out->out_channels = 2; break;
    case PNG_COLOR_TYPE_RGB: out->out_channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: out->out_channels = 4; break;
    case PNG_COLOR_TYPE_PALETTE: out->out_channels = out->has_trns ? 4 : 3; break;
    default: out->out_channels = 0;
    }
    out->out_bit_depth = out->bit_depth == 16 ? 16 : 8;
}

int cpng_read_info(const uint8_t *data, size_t size, cpng_info *out, char *error) {
    reader r = {data, size, 0, error};
    png_infop info = NULL;
    png_structp png = open_reader(&r, &info);
    if (!png) return -1;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_read_info(png, info);
    describe(png, info, out);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

// The transforms that give cpng_decode's samples (palette and low-bit gray expanded, 16-bit
// in host order); -1 with `error` set when libpng's row size is not `row_bytes`.
static int set_transforms(png_structp png, png_infop info, const cpng_info *d, size_t row_bytes, char *error) {
    if (d->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
        if (d->has_trns) png_set_tRNS_to_alpha(png);
    } else if (d->bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (d->bit_depth == 16) png_set_swap(png);
#endif
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != row_bytes) {
        snprintf(error, CPNG_ERROR_SIZE, "unexpected row size %zu (expected %zu)", (size_t)png_get_rowbytes(png, info), row_bytes);
        return -1;
    }
    return 0;
}

// libpng for everything, or first `cpng_decode_direct` for the common case when `direct`.
static int decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error, int direct);

int cpng_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error) {
    return decode(data, size, out, out_size, error, 1);
}

int cpng_decode_libpng(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error) {
    return decode(data, size, out, out_size, error, 0);
}

static int decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *error, int direct) {
    reader r = {data, size, 0, error};
    png_infop info = NULL;
    png_structp png = open_reader(&r, &info);
    if (!png) return -1;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_read_info(png, info);
    cpng_info d;
    describe(png, info, &d);
    size_t row_bytes = (size_t)d.width * (size_t)d.out_channels * (size_t)(d.out_bit_depth / 8);
    if (d.out_channels == 0 || row_bytes * d.height != out_size) {
        snprintf(error, CPNG_ERROR_SIZE, "output buffer of %zu bytes does not fit the image", out_size);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    // The common case (non-interlaced 8/16-bit, no palette) straight from the file (direct.c).
    if (direct && !d.interlaced && d.color_type != PNG_COLOR_TYPE_PALETTE && d.bit_depth >= 8 &&
        cpng_decode_direct(data, size, d.width, d.height, d.out_channels, d.bit_depth, out, out_size) == 0) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    if (set_transforms(png, info, &d, row_bytes, error) != 0) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    rows = malloc(sizeof(png_bytep) * (d.height ? d.height : 1));
    if (!rows) { snprintf(error, CPNG_ERROR_SIZE, "out of memory"); png_destroy_read_struct(&png, &info, NULL); return -1; }
    for (uint32_t y = 0; y < d.height; y++) rows[y] = out + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int cpng_decode_rows(const uint8_t *data, size_t size, cpng_row_fn row, void *context, char *error) {
    reader r = {data, size, 0, error};
    png_infop info = NULL;
    png_structp png = open_reader(&r, &info);
    if (!png) return -1;
    uint8_t *volatile buffer = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(buffer);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_read_info(png, info);
    cpng_info d;
    describe(png, info, &d);
    if (d.out_channels == 0 || d.interlaced) {
        snprintf(error, CPNG_ERROR_SIZE, d.interlaced ? "an interlaced PNG cannot be read row by row" : "colour type %d", d.color_type);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    size_t row_bytes = (size_t)d.width * (size_t)d.out_channels * (size_t)(d.out_bit_depth / 8);
    if (set_transforms(png, info, &d, row_bytes, error) != 0 || !(buffer = malloc(row_bytes))) {
        if (!buffer) snprintf(error, CPNG_ERROR_SIZE, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    for (uint32_t y = 0; y < d.height; y++) {
        png_read_row(png, buffer, NULL);
        row(context, y, buffer);
    }
    png_read_end(png, NULL);
    free(buffer);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

static void write_bytes(png_structp png, png_bytep data, png_size_t length) {
    cpng_buffer *b = (cpng_buffer *)png_get_io_ptr(png);
    if (b->size + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + length) capacity *= 2;
        uint8_t *grown = realloc(b->bytes, capacity);
        if (!grown) png_error(png, "out of memory");
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->size, data, length);
    b->size += length;
}

static void flush_bytes(png_structp png) { (void)png; }

int cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                int compression_level, cpng_buffer *out, char *error) {
    static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
        snprintf(error, CPNG_ERROR_SIZE, "cannot encode %d channels at %d bits, %ux%u", channels, bit_depth, width, height);
        return -1;
    }
    reader r = {NULL, 0, 0, error};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &r, on_error, on_warning);
    if (!png) { snprintf(error, CPNG_ERROR_SIZE, "out of memory"); return -1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); snprintf(error, CPNG_ERROR_SIZE, "out of memory"); return -1; }
    out->bytes = NULL; out->size = 0; out->capacity = 0;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        cpng_free(out);
        return -1;
    }
    png_set_write_fn(png, out, write_bytes, flush_bytes);
    png_set_compression_level(png, compression_level);
    png_set_IHDR(png, info, width, height, bit_depth, types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(png);
#endif
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

void cpng_free(cpng_buffer *buffer) {
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->size = buffer->capacity = 0;
}

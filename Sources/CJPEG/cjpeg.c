// libjpeg shim: keeps setjmp/longjmp in C (see include/cjpeg.h).
#include "cjpeg.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *error;
} error_manager;

static void on_error_exit(j_common_ptr cinfo) {
    error_manager *m = (error_manager *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, message);
    snprintf(m->error, CJPEG_ERROR_SIZE, "%s", message);
    longjmp(m->jump, 1);
}

// Warnings are ignored except a premature end of data, which libjpeg would otherwise hide by
// filling the rest of the image with grey: that is a truncated file and an error here.
static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        on_error_exit(cinfo);
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void setup(struct jpeg_decompress_struct *cinfo, error_manager *m, char *error) {
    cinfo->err = jpeg_std_error(&m->base);
    m->base.error_exit = on_error_exit;
    m->base.emit_message = on_emit_message;
    m->base.output_message = on_output_message;
    m->error = error;
}

static int valid_scale(int d) { return d == 1 || d == 2 || d == 4 || d == 8; }

// Parses the header and fills `info`; expects setjmp to be armed by the caller.
static void read_header(struct jpeg_decompress_struct *cinfo, const uint8_t *data, size_t size, int scale_denom,
                        cjpeg_info *info) {
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(cinfo, TRUE);
    cinfo->scale_num = 1;
    cinfo->scale_denom = (unsigned)scale_denom;
    jpeg_calc_output_dimensions(cinfo);
    memset(info, 0, sizeof *info);
    info->width = cinfo->image_width;
    info->height = cinfo->image_height;
    info->out_width = cinfo->output_width;
    info->out_height = cinfo->output_height;
    info->components = cinfo->num_components;
    info->color_space = (int)cinfo->jpeg_color_space;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
    info->precision = cinfo->data_precision;
    info->saw_adobe = cinfo->saw_Adobe_marker ? 1 : 0;
    info->adobe_transform = cinfo->Adobe_transform;
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            // Saved markers are copies; find the payload in the caller's buffer by content.
            for (size_t i = 0; i + m->data_length <= size; i++) {
                if (data[i] == 0xFF && data[i + 1] == 0xE1 && i + 4 + m->data_length <= size &&
                    memcmp(data + i + 4, m->data, m->data_length) == 0) {
                    info->exif_offset = i + 4 + 6;
                    info->exif_size = m->data_length - 6;
                    break;
                }
            }
            break;
        }
    }
}

int cjpeg_read_info(const uint8_t *data, size_t size, int scale_denom, cjpeg_info *info, char *error) {
    if (!valid_scale(scale_denom)) { snprintf(error, CJPEG_ERROR_SIZE, "scale 1/%d is not 1, 1/2, 1/4 or 1/8", scale_denom); return -1; }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) { snprintf(error, CJPEG_ERROR_SIZE, "not a JPEG file (no SOI marker)"); return -1; }
    struct jpeg_decompress_struct cinfo;
    error_manager m;
    setup(&cinfo, &m, error);
    jpeg_create_decompress(&cinfo);
    if (setjmp(m.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    read_header(&cinfo, data, size, scale_denom, info);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int cjpeg_decode(const uint8_t *data, size_t size, int scale_denom, int out_color_space,
                 uint8_t *out, size_t out_size, char *error) {
    if (!valid_scale(scale_denom)) { snprintf(error, CJPEG_ERROR_SIZE, "scale 1/%d is not 1, 1/2, 1/4 or 1/8", scale_denom); return -1; }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) { snprintf(error, CJPEG_ERROR_SIZE, "not a JPEG file (no SOI marker)"); return -1; }
    struct jpeg_decompress_struct cinfo;
    error_manager m;
    setup(&cinfo, &m, error);
    jpeg_create_decompress(&cinfo);
    if (setjmp(m.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    cjpeg_info info;
    read_header(&cinfo, data, size, scale_denom, &info);
    if (cinfo.data_precision != 8) {
        snprintf(error, CJPEG_ERROR_SIZE, "%d-bit JPEG data is not supported (8-bit only)", cinfo.data_precision);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    switch (out_color_space) {
    case 0: cinfo.out_color_space = cinfo.jpeg_color_space == JCS_YCCK ? JCS_CMYK : cinfo.jpeg_color_space;
            if (cinfo.jpeg_color_space == JCS_YCCK) cinfo.out_color_space = JCS_YCCK;
            break;
    case 1: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case 2: cinfo.out_color_space = JCS_RGB; break;
    case 4: cinfo.out_color_space = JCS_CMYK; break;
    default:
        snprintf(error, CJPEG_ERROR_SIZE, "unknown output colour space %d", out_color_space);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_start_decompress(&cinfo);
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (row_bytes * cinfo.output_height != out_size) {
        snprintf(error, CJPEG_ERROR_SIZE, "output buffer of %zu bytes does not fit %ux%u×%d", out_size,
                 cinfo.output_width, cinfo.output_height, cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

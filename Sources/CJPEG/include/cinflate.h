// zlib raw inflate for Deflated Explicit VR Little Endian DICOM files. It lives in this C
// target because CJPEG is the DICOM module's only C dependency (Package.swift).
#ifndef CINFLATE_H
#define CINFLATE_H
#include <stddef.h>
#include <stdint.h>

/// Inflates a raw deflate stream (no zlib header). `*out` is malloc'ed (free with cinflate_free).
/// Stops with an error past `max_out` bytes (zip bombs). Returns 0, or -1 with a message in
/// `error` (200 bytes). Reason for a wrapper: z_stream handling stays in C.
int cinflate_raw(const uint8_t *in, size_t in_size, size_t max_out, uint8_t **out, size_t *out_size, char *error);

/// Deflates raw (no zlib header) at the default level. Same conventions as cinflate_raw.
int cdeflate_raw(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size, char *error);

void cinflate_free(uint8_t *buffer);

#endif

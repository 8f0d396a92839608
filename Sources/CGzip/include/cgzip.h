// Streaming gzip inflate for .tar.gz archives (triage batch). A wrapper because zlib's
// `inflateInit2` is a macro Swift cannot call and z_stream handling stays in C.
#ifndef CGZIP_H
#define CGZIP_H
#include <stddef.h>
#include <stdint.h>

typedef struct cgzip_stream cgzip_stream;

/// A gzip decoder (RFC 1952; concatenated members are read one after another).
/// Returns NULL with a message in `error` (200 bytes) when zlib cannot start.
cgzip_stream *cgzip_open(char *error);

/// Inflates from `in` into `out`. `*consumed` and `*produced` are the bytes used on each side.
/// Returns 1 when a member ended (the next call with input starts the next member), 0 when more
/// input or output room is needed, -1 with a message in `error` for a corrupt stream.
int cgzip_inflate(cgzip_stream *stream, const uint8_t *in, size_t in_size, size_t *consumed,
                  uint8_t *out, size_t out_capacity, size_t *produced, char *error);

void cgzip_close(cgzip_stream *stream);

#endif

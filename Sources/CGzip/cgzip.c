// Streaming gzip inflate (see include/cgzip.h).
#include "cgzip.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cgzip_stream {
    z_stream z;
    int member_ended;  // the current member ended; the next input byte starts another one
};

cgzip_stream *cgzip_open(char *error) {
    cgzip_stream *s = calloc(1, sizeof *s);
    if (!s) { snprintf(error, 200, "out of memory"); return NULL; }
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
        free(s); snprintf(error, 200, "zlib: cannot initialise inflate"); return NULL;
    }
    return s;
}

int cgzip_inflate(cgzip_stream *s, const uint8_t *in, size_t in_size, size_t *consumed,
                  uint8_t *out, size_t out_capacity, size_t *produced, char *error) {
    *consumed = 0; *produced = 0;
    uInt in_chunk = (uInt)(in_size > 0x40000000u ? 0x40000000u : in_size);
    uInt out_chunk = (uInt)(out_capacity > 0x40000000u ? 0x40000000u : out_capacity);
    if (s->member_ended) {
        if (in_chunk == 0) return 1;
        if (inflateReset(&s->z) != Z_OK) { snprintf(error, 200, "zlib: cannot reset inflate"); return -1; }
        s->member_ended = 0;
    }
    s->z.next_in = (Bytef *)in; s->z.avail_in = in_chunk;
    s->z.next_out = out; s->z.avail_out = out_chunk;
    int rc = inflate(&s->z, Z_NO_FLUSH);
    *consumed = in_chunk - s->z.avail_in;
    *produced = out_chunk - s->z.avail_out;
    if (rc == Z_STREAM_END) { s->member_ended = 1; return 1; }
    if (rc == Z_OK || rc == Z_BUF_ERROR) return 0;
    snprintf(error, 200, "gzip: %s", s->z.msg ? s->z.msg : "corrupt stream");
    return -1;
}

void cgzip_close(cgzip_stream *s) {
    if (!s) return;
    inflateEnd(&s->z);
    free(s);
}

// zlib raw inflate/deflate (see include/cinflate.h).
#include "cinflate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int cinflate_raw(const uint8_t *in, size_t in_size, size_t max_out, uint8_t **out, size_t *out_size, char *error) {
    z_stream s;
    memset(&s, 0, sizeof s);
    *out = NULL; *out_size = 0;
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) { snprintf(error, 200, "zlib: cannot initialise inflate"); return -1; }
    size_t capacity = in_size * 4 + 1024;
    if (capacity > max_out + 1) capacity = max_out + 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&s); snprintf(error, 200, "out of memory"); return -1; }
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)(in_size > 0xFFFFFFFFu ? 0xFFFFFFFFu : in_size);
    size_t produced = 0;
    for (;;) {
        if (produced == capacity) {
            if (capacity > max_out) { free(buffer); inflateEnd(&s); snprintf(error, 200, "deflated data expands past %zu bytes", max_out); return -1; }
            size_t grown = capacity * 2;
            if (grown > max_out + 1) grown = max_out + 1;
            uint8_t *b = realloc(buffer, grown);
            if (!b) { free(buffer); inflateEnd(&s); snprintf(error, 200, "out of memory"); return -1; }
            buffer = b; capacity = grown;
        }
        s.next_out = buffer + produced;
        size_t room = capacity - produced;
        s.avail_out = (uInt)(room > 0xFFFFFFFFu ? 0xFFFFFFFFu : room);
        int rc = inflate(&s, Z_NO_FLUSH);
        produced += room - s.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc == Z_BUF_ERROR && s.avail_in == 0) {
            // Input exhausted without an end marker: accept what was produced (DICOM
            // writers pad or omit the final block inconsistently); the parser checks lengths.
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(error, 200, "zlib: %s", s.msg ? s.msg : "corrupt deflate stream");
            free(buffer); inflateEnd(&s); return -1;
        }
        if (rc == Z_OK && s.avail_in == 0 && s.avail_out != 0) break;
    }
    inflateEnd(&s);
    if (produced > max_out) { free(buffer); snprintf(error, 200, "deflated data expands past %zu bytes", max_out); return -1; }
    *out = buffer; *out_size = produced;
    return 0;
}

int cdeflate_raw(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size, char *error) {
    z_stream s;
    memset(&s, 0, sizeof s);
    *out = NULL; *out_size = 0;
    if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        snprintf(error, 200, "zlib: cannot initialise deflate"); return -1;
    }
    size_t capacity = deflateBound(&s, (uLong)in_size);
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    if (!buffer) { deflateEnd(&s); snprintf(error, 200, "out of memory"); return -1; }
    s.next_in = (Bytef *)in; s.avail_in = (uInt)in_size;
    s.next_out = buffer; s.avail_out = (uInt)capacity;
    int rc = deflate(&s, Z_FINISH);
    if (rc != Z_STREAM_END) { free(buffer); deflateEnd(&s); snprintf(error, 200, "zlib: deflate failed"); return -1; }
    *out_size = capacity - s.avail_out;
    *out = buffer;
    deflateEnd(&s);
    return 0;
}

void cinflate_free(uint8_t *buffer) { free(buffer); }

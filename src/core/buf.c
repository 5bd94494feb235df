/* buf.c - serialisation helpers. Integers are written little-endian
 * whatever the host, so a state file moves between machines. */
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

void ob_buf_put(struct ob_buf *b, const void *data, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n)
            c *= 2;
        unsigned char *q = realloc(b->p, c);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

void ob_buf_u32(struct ob_buf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    ob_buf_put(b, le, 4);
}

void ob_buf_u64(struct ob_buf *b, uint64_t v)
{
    ob_buf_u32(b, (uint32_t)v);
    ob_buf_u32(b, (uint32_t)(v >> 32));
}

const void *ob_read_view(struct ob_reader *r, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    const void *v = r->p + r->pos;
    r->pos += n;
    return v;
}

int ob_read(struct ob_reader *r, void *out, size_t n)
{
    const void *v = ob_read_view(r, n);
    if (!v) {
        memset(out, 0, n);
        return 0;
    }
    if (n)
        memcpy(out, v, n);
    return 1;
}

uint32_t ob_read_u32(struct ob_reader *r)
{
    unsigned char le[4];
    ob_read(r, le, 4);
    return (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
}

uint64_t ob_read_u64(struct ob_reader *r)
{
    uint64_t lo = ob_read_u32(r);
    return lo | (uint64_t)ob_read_u32(r) << 32;
}

int ob_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

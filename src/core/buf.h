/* buf.h - a growable byte buffer to serialise into, and a bounds-checked
 * reader to parse back, for the versioned state blobs of capabilities. */
#ifndef OB_BUF_H
#define OB_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ob_buf {
    unsigned char *p;
    size_t len, cap;
    int failed; /* an allocation failed: the content is incomplete */
};

void ob_buf_put(struct ob_buf *b, const void *data, size_t n);
void ob_buf_u32(struct ob_buf *b, uint32_t v);
void ob_buf_u64(struct ob_buf *b, uint64_t v);

/* Makes room in *p (an array of elem-byte items, *cap of them) for need
 * items, doubling; 0, or -1 when memory ran out (the array unchanged). */
int ob_grow(void **p, size_t *cap, size_t need, size_t elem);

struct ob_reader {
    const unsigned char *p;
    size_t len, pos;
    int failed; /* read past the end, or a value out of range */
};

/* Each returns 0 and a zero value once the input is exhausted, setting
 * failed; callers check failed once at the end. */
int ob_read(struct ob_reader *r, void *out, size_t n);
uint32_t ob_read_u32(struct ob_reader *r);
uint64_t ob_read_u64(struct ob_reader *r);
/* A pointer to the next n bytes (borrowed), or NULL. */
const void *ob_read_view(struct ob_reader *r, size_t n);

#endif

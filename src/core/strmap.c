/* strmap.c - string-keyed hash map with linear probing.
 *
 * Why hand-written: it is the inner loop of the log miner (one lookup per
 * token), and the keys are short byte strings that are not NUL-terminated.
 * Slots hold the hash, so most probes compare 8 bytes, not the key. */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t hash; /* 0: empty */
    char *key;
    uint32_t len, value;
};

struct ob_strmap {
    struct slot *slots;
    size_t cap, size; /* cap is a power of two */
};

/* FNV-1a, 64 bit, then a final mix so low bits are usable for indexing. */
uint64_t ob_hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

struct ob_strmap *ob_strmap_new(void)
{
    struct ob_strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void ob_strmap_free(struct ob_strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static struct slot *find(const struct ob_strmap *m, uint64_t h, const void *key, size_t len)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct slot *s = &m->slots[i];
        if (s->hash == 0)
            return s;
        if (s->hash == h && s->len == len && (len == 0 || memcmp(s->key, key, len) == 0))
            return s;
    }
}

int ob_strmap_get(const struct ob_strmap *m, const void *key, size_t len, uint32_t *value)
{
    struct slot *s = find(m, ob_hash_bytes(key, len), key, len);
    if (s->hash == 0)
        return 0;
    *value = s->value;
    return 1;
}

static int grow(struct ob_strmap *m)
{
    struct ob_strmap bigger = {calloc(m->cap * 2, sizeof(struct slot)), m->cap * 2, m->size};
    if (!bigger.slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash)
            *find(&bigger, m->slots[i].hash, m->slots[i].key, m->slots[i].len) = m->slots[i];
    free(m->slots);
    *m = bigger;
    return 0;
}

int ob_strmap_put(struct ob_strmap *m, const void *key, size_t len, uint32_t value)
{
    if (len > UINT32_MAX)
        return -1;
    if ((m->size + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t h = ob_hash_bytes(key, len);
    struct slot *s = find(m, h, key, len);
    if (s->hash == 0) {
        char *copy = malloc(len ? len : 1);
        if (!copy)
            return -1;
        if (len)
            memcpy(copy, key, len);
        *s = (struct slot){h, copy, (uint32_t)len, value};
        m->size++;
    }
    s->value = value;
    return 0;
}

size_t ob_strmap_size(const struct ob_strmap *m)
{
    return m->size;
}

void ob_strmap_each(const struct ob_strmap *m,
                    void (*fn)(void *arg, const void *key, size_t len, uint32_t value),
                    void *arg)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash)
            fn(arg, m->slots[i].key, m->slots[i].len, m->slots[i].value);
}

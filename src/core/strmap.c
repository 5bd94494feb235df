/* strmap.c - string-keyed hash map with linear probing.
 *
 * Why hand-written: it is the inner loop of the log miner (one lookup per
 * token), and the keys are short byte strings that are not NUL-terminated.
 * Slots hold the hash, so most probes compare 8 bytes, not the key. Keys
 * live in large chunks freed together rather than one malloc each; when
 * removed keys come to outweigh the live ones, the live ones move to a new
 * chunk (a daemon's incidents come and go for months). A map whose keys
 * the caller keeps anyway (the registry's) borrows them (ob_strmap_put_ref). */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "core/strmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct slot {
    uint64_t hash; /* 0: empty */
    char *key;
    uint32_t len, value; /* len's top bit: the key is a copy in the chunks */
};

#define KEY_COPIED 0x80000000u
#define KEY_LEN(s) ((s)->len & ~KEY_COPIED)

#define CHUNK_SIZE 65536

struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct ob_strmap {
    struct slot *slots;
    size_t cap, size; /* cap is a power of two */
    struct chunk *chunks; /* key storage, newest first */
    size_t live, dead;    /* bytes in the chunks of present and removed keys */
};

/* Arrays of this size or more are asked for in huge pages where the
 * system offers them on request (Linux's transparent huge pages in
 * "madvise" mode, Debian's default): one fault per 2 MiB instead of 512.
 * A map of 50k templates' sibling keys is tens of MiB, and on a
 * virtual machine each 4 KiB fault costs microseconds: they were half of
 * such a run. Only a hint: without it the array is an ordinary one. */
#define HUGE_PAGE ((size_t)2 << 20)

/* bytes of memory, in huge pages when it is that large; NULL on failure. */
static void *alloc_big(size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE) {
        void *p;
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
            return NULL;
        (void)madvise(p, bytes, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes);
}

/* An empty chunk of cap bytes in front of next; NULL on allocation failure. */
static struct chunk *new_chunk(size_t cap, struct chunk *next)
{
    struct chunk *c = alloc_big(sizeof *c + cap);
    if (c) {
        c->next = next;
        c->used = 0;
        c->cap = cap;
    }
    return c;
}

/* Room for n bytes of key; NULL on allocation failure. */
static char *key_space(struct ob_strmap *m, size_t n)
{
    struct chunk *c = m->chunks;
    if (!c || c->cap - c->used < n) {
        /* Once a map holds megabytes of keys, a chunk is a huge page. */
        size_t size = m->live >= HUGE_PAGE / 2 ? HUGE_PAGE - sizeof *c : CHUNK_SIZE;
        if (!(c = new_chunk(n > size ? n : size, m->chunks)))
            return NULL;
        m->chunks = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Eight bytes at a time (keys are mostly arrays of 32-bit token ids), each
 * word folded in with a multiply and a rotation, then a final mix so the
 * low bits are usable for indexing. Not for adversarial keys. */
uint64_t ob_hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    for (; n >= 8; b += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h = (h << 31) | (h >> 33);
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)b[i] << (8 * i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

/* n empty slots. Not calloc: a large calloc is fresh zero pages that the
 * probes of the first inserts read (mapping the shared zero page) and then
 * write, so every page faults twice, the second time flushing the TLB of
 * every CPU the process ran on; writing the zeros first faults once. With
 * 50k templates that was half the run. memset through a volatile
 * pointer, or the compiler turns malloc and memset back into calloc. */
static void *(*volatile zero_fill)(void *, int, size_t) = memset;

void *ob_big_zeroed(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *s = alloc_big(n * size);
    if (s)
        zero_fill(s, 0, n * size);
    return s;
}

static struct slot *zeroed_slots(size_t n)
{
    return ob_big_zeroed(n, sizeof(struct slot));
}

static void free_chunks(struct ob_strmap *m)
{
    while (m->chunks) {
        struct chunk *next = m->chunks->next;
        free(m->chunks);
        m->chunks = next;
    }
}

struct ob_strmap *ob_strmap_new(void)
{
    struct ob_strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 64;
    m->slots = zeroed_slots(m->cap);
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
    free_chunks(m);
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
        if (s->hash == h && KEY_LEN(s) == len && (len == 0 || memcmp(s->key, key, len) == 0))
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
    struct ob_strmap bigger = {zeroed_slots(m->cap * 2), m->cap * 2, m->size,
                               m->chunks, m->live, m->dead};
    if (!bigger.slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash)
            *find(&bigger, m->slots[i].hash, m->slots[i].key, KEY_LEN(&m->slots[i])) = m->slots[i];
    free(m->slots);
    *m = bigger;
    return 0;
}

/* Inserts key, copying it into the chunks unless the caller keeps it. */
static int put(struct ob_strmap *m, const void *key, size_t len, uint32_t value, bool copy)
{
    if (len >= KEY_COPIED)
        return -1;
    if ((m->size + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t h = ob_hash_bytes(key, len);
    struct slot *s = find(m, h, key, len);
    if (s->hash == 0) {
        char *stored = copy ? key_space(m, len) : (char *)key;
        if (!stored)
            return -1;
        if (copy && len)
            memcpy(stored, key, len);
        *s = (struct slot){h, stored, (uint32_t)len | (copy ? KEY_COPIED : 0), value};
        m->size++;
        m->live += copy ? len : 0;
    }
    s->value = value;
    return 0;
}

int ob_strmap_put(struct ob_strmap *m, const void *key, size_t len, uint32_t value)
{
    return put(m, key, len, value, true);
}

int ob_strmap_put_ref(struct ob_strmap *m, const void *key, size_t len, uint32_t value)
{
    return put(m, key, len, value, false);
}

/* Moves the present copied keys into one new chunk and frees the old
 * ones; on allocation failure nothing changes (it is tried again later). */
static void compact(struct ob_strmap *m)
{
    struct chunk *c = new_chunk(m->live ? m->live : 1, NULL);
    if (!c)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        struct slot *s = &m->slots[i];
        if (s->hash && (s->len & KEY_COPIED)) {
            memcpy(c->data + c->used, s->key, KEY_LEN(s));
            s->key = c->data + c->used;
            c->used += KEY_LEN(s);
        }
    }
    free_chunks(m);
    m->chunks = c;
    m->dead = 0;
}

size_t ob_strmap_key_bytes(const struct ob_strmap *m)
{
    return m->live + m->dead;
}

/* Linear probing without tombstones: after emptying a slot, later entries
 * of the same probe run move back so every lookup still finds them. */
int ob_strmap_del(struct ob_strmap *m, const void *key, size_t len)
{
    struct slot *s = find(m, ob_hash_bytes(key, len), key, len);
    if (s->hash == 0)
        return 0;
    if (s->len & KEY_COPIED) {
        m->live -= len;
        m->dead += len;
    }
    size_t mask = m->cap - 1, hole = (size_t)(s - m->slots);
    s->hash = 0;
    for (size_t i = (hole + 1) & mask; m->slots[i].hash; i = (i + 1) & mask) {
        size_t home = m->slots[i].hash & mask;
        /* Move i into the hole unless its home lies cyclically in (hole, i]. */
        int stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            m->slots[hole] = m->slots[i];
            m->slots[i].hash = 0;
            hole = i;
        }
    }
    m->size--;
    if (m->dead > m->live && m->dead >= CHUNK_SIZE)
        compact(m);
    return 1;
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
            fn(arg, m->slots[i].key, KEY_LEN(&m->slots[i]), m->slots[i].value);
}

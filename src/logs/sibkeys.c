/* sibkeys.c - the sibling-key map (see sibkeys.h).
 *
 * Why not the general string map: a template of n tokens has up to n - 1
 * sibling keys, each the whole sequence; copied, 50k templates' keys were
 * 18 MB plus 12 MB of slots, and hashing each key whole made a template
 * cost O(n^2). Here the sequence is stored once in an array of token ids
 * and a slot (16 bytes) holds its offset, the position and the length; a
 * lookup compares the probe's tokens with the stored ones but at p. The
 * hash is a sum of one term per (position, token) minus the term at p, so
 * all keys of a sequence cost one pass over it. Keys are never removed
 * (sibling groups only grow), so the store only grows. */
#include "logs/sibkeys.h"

#include "core/strmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sslot {
    uint32_t hash;  /* low bits of the key's hash, which index it */
    uint32_t off;   /* where its sequence starts in the store; 0: empty */
    uint32_t value;
    uint8_t p, n;
};

struct ob_sibkeys {
    struct sslot *slots;
    size_t cap, size; /* cap is a power of two */
    uint32_t *store;  /* sequences; [0] unused so an offset is never 0 */
    size_t used, cap_store;
    uint64_t mask;
};


struct ob_sibseq ob__sibkeys_seq(const uint32_t *seq, uint32_t n)
{
    uint64_t sum = ob__mix64((uint64_t)n + 0x632be59bd9b4e019ull);
    for (uint32_t i = 0; i < n; i++)
        sum += ob__pos_term(i, seq[i]);
    return (struct ob_sibseq){seq, n, sum, 0};
}

static uint32_t key_hash(const struct ob_sibkeys *k, const struct ob_sibseq *s, uint32_t p)
{
    return (uint32_t)(ob__mix64(s->sum - ob__pos_term(p, s->seq[p]) + ob__mix64(p)) & k->mask);
}

struct ob_sibkeys *ob__sibkeys_new(uint64_t hash_mask)
{
    struct ob_sibkeys *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->cap = 64;
    k->slots = ob_big_zeroed(k->cap, sizeof *k->slots);
    k->mask = hash_mask;
    k->used = 1;
    if (!k->slots) {
        free(k);
        return NULL;
    }
    return k;
}

void ob__sibkeys_free(struct ob_sibkeys *k)
{
    if (!k)
        return;
    free(k->slots);
    free(k->store);
    free(k);
}

static bool same(const struct ob_sibkeys *k, const struct sslot *sl, const struct ob_sibseq *s, uint32_t p,
                 uint32_t h)
{
    if (sl->hash != h || sl->p != p || sl->n != s->n)
        return false;
    const uint32_t *t = k->store + sl->off;
    for (uint32_t i = 0; i < s->n; i++)
        if (i != p && t[i] != s->seq[i])
            return false;
    return true;
}

static struct sslot *find(const struct ob_sibkeys *k, const struct ob_sibseq *s, uint32_t p, uint32_t h)
{
    size_t m = k->cap - 1;
    for (size_t i = h & m;; i = (i + 1) & m) {
        struct sslot *sl = &k->slots[i];
        if (sl->off == 0 || same(k, sl, s, p, h))
            return sl;
    }
}

int ob__sibkeys_get(const struct ob_sibkeys *k, const struct ob_sibseq *s, uint32_t p, uint32_t *value)
{
    if (s->n > OB_SIBKEY_MAX_TOKENS || p >= s->n)
        return 0;
    const struct sslot *sl = find(k, s, p, key_hash(k, s, p));
    if (sl->off == 0)
        return 0;
    *value = sl->value;
    return 1;
}

/* Doubles the slots; placing an entry needs only its stored hash (keys
 * are distinct), never its tokens. */
static int grow(struct ob_sibkeys *k)
{
    size_t cap = k->cap * 2, m = cap - 1;
    struct sslot *slots = ob_big_zeroed(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < k->cap; i++) {
        if (k->slots[i].off == 0)
            continue;
        size_t j = k->slots[i].hash & m;
        while (slots[j].off)
            j = (j + 1) & m;
        slots[j] = k->slots[i];
    }
    free(k->slots);
    k->slots = slots;
    k->cap = cap;
    return 0;
}

/* Stores s's tokens once for all its keys; 0 or -1. */
static int store(struct ob_sibkeys *k, struct ob_sibseq *s)
{
    if (s->stored)
        return 0;
    if (k->used + s->n > UINT32_MAX)
        return -1;
    if (k->used + s->n > k->cap_store) {
        size_t c = k->cap_store ? k->cap_store : 1024;
        while (c < k->used + s->n)
            c *= 2;
        uint32_t *q = realloc(k->store, c * sizeof *q);
        if (!q)
            return -1;
        k->store = q;
        k->cap_store = c;
    }
    memcpy(k->store + k->used, s->seq, s->n * sizeof *s->seq);
    s->stored = (uint32_t)k->used;
    k->used += s->n;
    return 0;
}

int ob__sibkeys_put(struct ob_sibkeys *k, struct ob_sibseq *s, uint32_t p, uint32_t value)
{
    if (s->n > OB_SIBKEY_MAX_TOKENS || p >= s->n)
        return -1;
    if ((k->size + 1) * 4 > k->cap * 3 && grow(k) < 0)
        return -1;
    uint32_t h = key_hash(k, s, p);
    struct sslot *sl = find(k, s, p, h);
    if (sl->off == 0) {
        if (store(k, s) < 0)
            return -1;
        *sl = (struct sslot){h, s->stored, value, (uint8_t)p, (uint8_t)s->n};
        k->size++;
    }
    sl->value = value;
    return 0;
}

size_t ob__sibkeys_size(const struct ob_sibkeys *k)
{
    return k->size;
}

void ob__sibkeys_each(const struct ob_sibkeys *k,
                      void (*fn)(void *arg, uint32_t p, const uint32_t *seq, uint32_t n, uint32_t value),
                      void *arg)
{
    for (size_t i = 0; i < k->cap; i++)
        if (k->slots[i].off)
            fn(arg, k->slots[i].p, k->store + k->slots[i].off, k->slots[i].n, k->slots[i].value);
}

/* sibkeys.h - (private to src/logs) the sibling-key map: (position p, a
 * token sequence less its token at p) -> 32-bit value. Each sequence is
 * stored once and every key of it refers to it, instead of a copy of the
 * whole sequence per key (see sibkeys.c). */
#ifndef OB_LOGS_SIBKEYS_H
#define OB_LOGS_SIBKEYS_H

#include <stddef.h>
#include <stdint.h>

#define OB_SIBKEY_MAX_TOKENS 255 /* a key's length fits a byte */

/* A 64-bit finaliser, and the hash term of one (position, token); a
 * sequence's hash is a sum of terms, so a key less one token is that sum
 * minus one term. The miner's near index and this map share them. */
static inline uint64_t ob__mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline uint64_t ob__pos_term(uint32_t pos, uint32_t tok)
{
    return ob__mix64(((uint64_t)pos << 32 | tok) ^ 0x9e3779b97f4a7c15ull);
}

struct ob_sibkeys;

/* hash_mask keeps only those bits of every hash: all ones in use; a tiny
 * mask makes keys collide, for tests. NULL on OOM. */
struct ob_sibkeys *ob__sibkeys_new(uint64_t hash_mask);
void ob__sibkeys_free(struct ob_sibkeys *k);

/* One sequence's keys, as built by ob__sibkeys_seq: the hash of all its
 * tokens, so each position's key costs O(1), and where the sequence is
 * stored once a key of it is (0: not yet). */
struct ob_sibseq {
    const uint32_t *seq;
    uint32_t n;
    uint64_t sum;
    uint32_t stored;
};
struct ob_sibseq ob__sibkeys_seq(const uint32_t *seq, uint32_t n);

/* 1 and *value when (p, s less p) is present, else 0. */
int ob__sibkeys_get(const struct ob_sibkeys *k, const struct ob_sibseq *s, uint32_t p, uint32_t *value);
/* Inserts or replaces; 0, or -1 on OOM or a sequence longer than
 * OB_SIBKEY_MAX_TOKENS (map unchanged). */
int ob__sibkeys_put(struct ob_sibkeys *k, struct ob_sibseq *s, uint32_t p, uint32_t value);
size_t ob__sibkeys_size(const struct ob_sibkeys *k);
/* Calls fn on every key (order unspecified); seq[p] is not part of it. */
void ob__sibkeys_each(const struct ob_sibkeys *k,
                      void (*fn)(void *arg, uint32_t p, const uint32_t *seq, uint32_t n, uint32_t value),
                      void *arg);

#endif

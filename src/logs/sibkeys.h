/* sibkeys.h - (private to src/logs) the sibling-key map: (position p, a
 * token sequence less its token at p) -> 32-bit value. Each sequence is
 * stored once and every key of it refers to it, instead of a copy of the
 * whole sequence per key (see sibkeys.c). */
#ifndef OB_LOGS_SIBKEYS_H
#define OB_LOGS_SIBKEYS_H

#include <stddef.h>
#include <stdint.h>

#define OB_SIBKEY_MAX_TOKENS 255 /* a key's length fits a byte */

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

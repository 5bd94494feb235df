/* miner_int.h - (private to src/logs) the miner's state, shared by
 * miner.c (mining) and miner_state.c (saving and loading it). */
#ifndef OB_LOGS_MINER_INT_H
#define OB_LOGS_MINER_INT_H

#include "core/strmap.h"
#include "logs/logs.h"
#include "logs/sibkeys.h"

#include <stdbool.h>
#include <stdint.h>

struct template {
    uint32_t *tok;
    uint32_t n, nvar;
    uint32_t shape;  /* id of its parameter positions, see shape_of() */
    uint32_t bucket;
    uint32_t next;   /* next tolerant template in the bucket, 0 for none */
    uint32_t parent; /* itself, or the template it merged into */
    uint64_t count;
    uint64_t first;  /* number of the message that created it, from 1 */
};

/* A sibling key's value: a group index, or with this bit one template. */
#define SIB_SINGLE (1u << 31)

/* Templates equal but at one position: see step 4 above. */
struct siblings {
    uint32_t *ids;
    uint32_t n, cap;
    uint32_t root; /* once merged: the template that took them in, else 0 */
};

/* Templates of one length and first token. */
struct bucket {
    uint32_t tolerant; /* first template that may match with mismatches */
    uint32_t *shapes;  /* distinct shapes of its templates */
    uint32_t nshapes, cap;
};

struct token_text {
    char *s;
    uint32_t len;
    bool partial; /* "key=<*>": a constant key with a parameter value */
};

struct span {
    size_t off, len;
};

struct ob_miner {
    struct ob_miner_params params;
    uint64_t messages;         /* added so far */
    struct ob_strmap *tokens;  /* token text -> token id */
    struct token_text *texts;  /* token id -> text; [0] is "<*>" */
    uint32_t ntexts, cap_texts;
    struct template *tpl;      /* template id -> template; [0] unused */
    uint32_t ntpl, cap_tpl;
    struct ob_strmap *buckets; /* (length, first token) -> bucket */
    struct bucket *bk;
    uint32_t nbk, cap_bk;
    struct ob_strmap *shapes;  /* (length, parameter positions) -> shape id */
    uint8_t **shape_var;       /* shape id -> 1 per parameter position */
    uint32_t *shape_len;       /* shape id -> template length */
    uint32_t cap_shape_len;
    uint32_t nshape, cap_shape;
    struct ob_strmap *proj;    /* (shape, constant tokens) -> template */
    struct ob_strmap *near;    /* hash of (shape, constants less one) -> template */
    struct ob_strmap *exact;   /* token id sequence -> template */
    struct ob_sibkeys *sibling_keys; /* (position, sequence less it) -> siblings */
    struct siblings *sib;
    uint32_t nsib, cap_sib;
    uint32_t *key;             /* scratch for hash keys */
    uint32_t cap_key;
    uint32_t *seq;             /* scratch: the message as token ids */
    struct span *spans;        /* scratch: where each token is */
    size_t cap_seq;
    char *buf;                 /* scratch for "key=<*>" texts */
    size_t cap_buf;
};

/* Files template id in m->near if a line may miss one of its constants
 * (see miner.c); the loader rebuilds that index with it. */
void ob__index_near(struct ob_miner *m, uint32_t id);

/* Grows the array *p of elements of size elem to hold need; 0 or -1. */
int ob__grow(void **p, size_t elem, uint32_t *cap, uint32_t need);

#endif

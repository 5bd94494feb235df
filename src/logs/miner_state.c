/* miner_state.c - saving and loading a miner, so a restart resumes with the
 * same template ids and makes the same choices for the lines that follow.
 *
 * Everything is saved, the derived indexes included: which template a hash
 * slot names after two templates grew alike depends on history, and
 * rebuilding the indexes would not repeat it. Layout (integers
 * little-endian; hash keys are the host's 32-bit words, so a state file
 * belongs to machines of one byte order):
 *
 *   "OBLM" u32 version, u64 similarity bits, u64 messages
 *   tokens     u32 count, then per token: u32 len, u32 partial, bytes
 *   templates  u32 count, then per template: u32 n, nvar, shape, bucket,
 *              next, parent, u64 count, u64 first, n x u32 tokens
 *   buckets    u32 count, then per bucket: u32 tolerant, nshapes, shapes
 *   shapes     u32 count, then per shape: u32 n, n x u8 as u32 flags
 *   siblings   u32 count, then per group: u32 root, n, ids
 *   maps       buckets, shapes, proj, sibling keys, exact: u32 count, then
 *              per entry: u32 key bytes, key, u32 value (a sibling key's
 *              value: a group, or with the top bit one template id)
 *
 * Version 1 is read too: the same layout, never a one-template key. */
#include "logs/miner_int.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC "OBLM"
#define STATE_VERSION 3u /* 2: a sibling key may hold one template (SIB_SINGLE); 3: the
                             * scanned list holds only templates that tolerate
                             * two mismatches or more (one: the near index) */

static void save_map_entry(void *arg, const void *key, size_t len, uint32_t value)
{
    struct ob_buf *b = arg;
    ob_buf_u32(b, (uint32_t)len);
    ob_buf_put(b, key, len);
    ob_buf_u32(b, value);
}

static void save_map(struct ob_buf *b, const struct ob_strmap *m)
{
    ob_buf_u32(b, (uint32_t)ob_strmap_size(m));
    ob_strmap_each(m, save_map_entry, b);
}

/* A sibling key as it is saved: the position, then the sequence with
 * UINT32_MAX at it (the layout of the copied keys before sibkeys.c). */
static void save_sibling_entry(void *arg, uint32_t p, const uint32_t *seq, uint32_t n, uint32_t value)
{
    struct ob_buf *b = arg;
    ob_buf_u32(b, (n + 1) * 4);
    ob_buf_u32(b, p);
    for (uint32_t i = 0; i < n; i++)
        ob_buf_u32(b, i == p ? UINT32_MAX : seq[i]);
    ob_buf_u32(b, value);
}

static void save_templates(struct ob_buf *b, const struct ob_miner *m)
{
    ob_buf_u32(b, m->ntpl - 1);
    for (uint32_t i = 1; i < m->ntpl; i++) {
        const struct template *t = &m->tpl[i];
        uint32_t head[6] = {t->n, t->nvar, t->shape, t->bucket, t->next, t->parent};
        for (int k = 0; k < 6; k++)
            ob_buf_u32(b, head[k]);
        ob_buf_u64(b, t->count);
        ob_buf_u64(b, t->first);
        for (uint32_t k = 0; k < t->n; k++)
            ob_buf_u32(b, t->tok[k]);
    }
}

static void save_indexes(struct ob_buf *b, const struct ob_miner *m)
{
    ob_buf_u32(b, m->nbk);
    for (uint32_t i = 0; i < m->nbk; i++) {
        ob_buf_u32(b, m->bk[i].tolerant);
        ob_buf_u32(b, m->bk[i].nshapes);
        for (uint32_t k = 0; k < m->bk[i].nshapes; k++)
            ob_buf_u32(b, m->bk[i].shapes[k]);
    }
    ob_buf_u32(b, m->nshape);
    for (uint32_t i = 0; i < m->nshape; i++) {
        ob_buf_u32(b, m->shape_len[i]);
        for (uint32_t k = 0; k < m->shape_len[i]; k++)
            ob_buf_u32(b, m->shape_var[i][k]);
    }
    ob_buf_u32(b, m->nsib);
    for (uint32_t i = 0; i < m->nsib; i++) {
        ob_buf_u32(b, m->sib[i].root);
        ob_buf_u32(b, m->sib[i].n);
        for (uint32_t k = 0; k < m->sib[i].n; k++)
            ob_buf_u32(b, m->sib[i].ids[k]);
    }
    save_map(b, m->buckets);
    save_map(b, m->shapes);
    save_map(b, m->proj);
    ob_buf_u32(b, (uint32_t)ob__sibkeys_size(m->sibling_keys));
    ob__sibkeys_each(m->sibling_keys, save_sibling_entry, b);
    save_map(b, m->exact);
}

size_t ob_miner_save(const struct ob_miner *m, void **out)
{
    struct ob_buf b = {0};
    uint64_t sim;
    memcpy(&sim, &m->params.similarity, sizeof sim);
    ob_buf_put(&b, STATE_MAGIC, 4);
    ob_buf_u32(&b, STATE_VERSION);
    ob_buf_u64(&b, sim);
    ob_buf_u64(&b, m->messages);
    ob_buf_u32(&b, m->ntexts - 1);
    for (uint32_t i = 1; i < m->ntexts; i++) {
        ob_buf_u32(&b, m->texts[i].len);
        ob_buf_u32(&b, m->texts[i].partial);
        ob_buf_put(&b, m->texts[i].s, m->texts[i].len);
    }
    save_templates(&b, m);
    save_indexes(&b, m);
    if (b.failed) {
        free(b.p);
        *out = NULL;
        return 0;
    }
    *out = b.p;
    return b.len;
}

/* A count that the rest of the input could hold at min_bytes each. */
static uint32_t read_count(struct ob_reader *r, size_t min_bytes)
{
    uint32_t n = ob_read_u32(r);
    if ((uint64_t)n * min_bytes > r->len - r->pos)
        r->failed = 1;
    return r->failed ? 0 : n;
}

static int load_map(struct ob_reader *r, struct ob_strmap *map)
{
    uint32_t n = read_count(r, 8);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint32_t len = ob_read_u32(r);
        const void *key = ob_read_view(r, len);
        uint32_t value = ob_read_u32(r);
        if (!r->failed && ob_strmap_put(map, key, len, value) < 0)
            return -1;
    }
    return r->failed ? -1 : 0;
}

/* A sibling key is a position inside a sequence of n tokens; its group's
 * templates must have that length. Groups and templates are read before
 * the keys. 0 or -1. */
static int check_sibling(const struct ob_miner *m, uint32_t p, uint32_t n, uint32_t value)
{
    if (p >= n)
        return -1;
    if (value & SIB_SINGLE) {
        uint32_t id = value & ~SIB_SINGLE;
        return id == 0 || id >= m->ntpl || m->tpl[id].n != n ? -1 : 0;
    }
    if (value >= m->nsib)
        return -1;
    const struct siblings *g = &m->sib[value];
    if (g->root >= m->ntpl || (g->root && m->tpl[g->root].n != n))
        return -1;
    for (uint32_t i = 0; i < g->n; i++)
        if (m->tpl[g->ids[i]].n != n)
            return -1;
    return 0;
}

/* Sibling keys, checked as they are read (see check_sibling). */
static int load_siblings(struct ob_reader *r, struct ob_miner *m)
{
    uint32_t n = read_count(r, 8);
    uint32_t *seq = NULL;
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint32_t len = ob_read_u32(r);
        if (len % 4 || len < 8 || len / 4 - 1 > OB_SIBKEY_MAX_TOKENS) {
            r->failed = 1;
            break;
        }
        uint32_t k = len / 4 - 1, p = ob_read_u32(r);
        uint32_t *q = realloc(seq, k * sizeof *q);
        if (!q) {
            free(seq);
            return -1;
        }
        seq = q;
        for (uint32_t j = 0; j < k; j++)
            seq[j] = ob_read_u32(r);
        uint32_t value = ob_read_u32(r);
        if (r->failed || check_sibling(m, p, k, value) < 0) {
            r->failed = 1;
            break;
        }
        struct ob_sibseq s = ob__sibkeys_seq(seq, k);
        if (ob__sibkeys_put(m->sibling_keys, &s, p, value) < 0) {
            free(seq);
            return -1;
        }
    }
    free(seq);
    return r->failed ? -1 : 0;
}

static int load_tokens(struct ob_reader *r, struct ob_miner *m)
{
    uint32_t n = read_count(r, 8);
    if (ob__grow((void **)&m->texts, sizeof *m->texts, &m->cap_texts, n + 1) < 0)
        return -1;
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint32_t len = ob_read_u32(r), partial = ob_read_u32(r);
        const char *s = ob_read_view(r, len);
        char *copy = s ? malloc((size_t)len + 1) : NULL;
        if (!copy || ob_strmap_put(m->tokens, s, len, m->ntexts) < 0) {
            free(copy);
            return -1;
        }
        memcpy(copy, s, len);
        copy[len] = '\0';
        m->texts[m->ntexts++] = (struct token_text){copy, len, partial != 0};
    }
    return r->failed ? -1 : 0;
}

/* Every id a template holds must name something that exists. */
static int check_template(const struct ob_miner *m, const struct template *t, uint32_t ntpl_total)
{
    for (uint32_t k = 0; k < t->n; k++)
        if (t->tok[k] >= m->ntexts)
            return -1;
    return t->parent == 0 || t->parent >= ntpl_total || t->next >= ntpl_total || t->nvar > t->n
               ? -1 : 0;
}

static int load_templates(struct ob_reader *r, struct ob_miner *m)
{
    uint32_t n = read_count(r, 40);
    if (ob__grow((void **)&m->tpl, sizeof *m->tpl, &m->cap_tpl, n + 1) < 0)
        return -1;
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        struct template t = {0};
        t.n = read_count(r, 12);
        t.nvar = ob_read_u32(r);
        t.shape = ob_read_u32(r);
        t.bucket = ob_read_u32(r);
        t.next = ob_read_u32(r);
        t.parent = ob_read_u32(r);
        t.count = ob_read_u64(r);
        t.first = ob_read_u64(r);
        t.tok = malloc((t.n ? t.n : 1) * sizeof *t.tok);
        if (!t.tok)
            return -1;
        for (uint32_t k = 0; k < t.n; k++)
            t.tok[k] = ob_read_u32(r);
        m->tpl[m->ntpl++] = t;
        if (r->failed || check_template(m, &t, n + 1) < 0)
            return -1;
    }
    return r->failed ? -1 : 0;
}

static int load_uints(struct ob_reader *r, uint32_t **out, uint32_t *cap, uint32_t *count, uint32_t limit)
{
    uint32_t n = read_count(r, 4);
    if (ob__grow((void **)out, sizeof **out, cap, n) < 0)
        return -1;
    for (uint32_t k = 0; k < n; k++)
        if (((*out)[k] = ob_read_u32(r)) >= limit)
            r->failed = 1;
    *count = n;
    return r->failed ? -1 : 0;
}

static int load_indexes(struct ob_reader *r, struct ob_miner *m)
{
    uint32_t n = read_count(r, 8);
    if (ob__grow((void **)&m->bk, sizeof *m->bk, &m->cap_bk, n) < 0)
        return -1;
    for (; m->nbk < n; m->nbk++) {
        m->bk[m->nbk] = (struct bucket){0};
        m->bk[m->nbk].tolerant = ob_read_u32(r);
        if (load_uints(r, &m->bk[m->nbk].shapes, &m->bk[m->nbk].cap, &m->bk[m->nbk].nshapes, UINT32_MAX) < 0) {
            m->nbk++;
            return -1;
        }
    }
    n = read_count(r, 4);
    if (ob__grow((void **)&m->shape_var, sizeof *m->shape_var, &m->cap_shape, n) < 0 ||
        ob__grow((void **)&m->shape_len, sizeof *m->shape_len, &m->cap_shape_len, n) < 0)
        return -1;
    for (; m->nshape < n && !r->failed; m->nshape++) {
        uint32_t len = read_count(r, 4);
        uint8_t *var = calloc(len ? len : 1, 1);
        if (!var)
            return -1;
        for (uint32_t k = 0; k < len; k++)
            var[k] = ob_read_u32(r) != 0;
        m->shape_var[m->nshape] = var;
        m->shape_len[m->nshape] = len;
    }
    n = read_count(r, 8);
    if (ob__grow((void **)&m->sib, sizeof *m->sib, &m->cap_sib, n) < 0)
        return -1;
    for (; m->nsib < n && !r->failed; m->nsib++) {
        m->sib[m->nsib] = (struct siblings){0};
        m->sib[m->nsib].root = ob_read_u32(r);
        if (load_uints(r, &m->sib[m->nsib].ids, &m->sib[m->nsib].cap, &m->sib[m->nsib].n, m->ntpl) < 0) {
            m->nsib++;
            return -1;
        }
    }
    if (load_map(r, m->buckets) < 0 || load_map(r, m->shapes) < 0 || load_map(r, m->proj) < 0 ||
        load_siblings(r, m) < 0 || load_map(r, m->exact) < 0)
        return -1;
    return r->failed ? -1 : 0;
}

struct bucket_check {
    const struct ob_miner *m;
    int bad;
};

/* A bucket's key starts with its length; its shapes must have that length,
 * or a lookup would read past a shape's flags. */
static void check_bucket(void *arg, const void *key, size_t len, uint32_t value)
{
    struct bucket_check *c = arg;
    uint32_t n;
    if (len != 2 * sizeof n || value >= c->m->nbk) {
        c->bad = 1;
        return;
    }
    memcpy(&n, key, sizeof n);
    const struct bucket *b = &c->m->bk[value];
    for (uint32_t k = 0; k < b->nshapes; k++)
        c->bad |= b->shapes[k] >= c->m->nshape || c->m->shape_len[b->shapes[k]] != n;
}

/* A shape's key is its length then its parameter positions: it must say
 * what the shape's flags say, or shape_of() would hand out a wrong one. */
static void check_shape(void *arg, const void *key, size_t len, uint32_t value)
{
    struct bucket_check *c = arg;
    uint32_t words[2];
    if (len % 4 || len < 4 || value >= c->m->nshape) {
        c->bad = 1;
        return;
    }
    memcpy(words, key, 4);
    uint32_t n = words[0], k = 1, nwords = (uint32_t)(len / 4);
    if (n != c->m->shape_len[value]) {
        c->bad = 1;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!c->m->shape_var[value][i])
            continue;
        if (k >= nwords) {
            c->bad = 1;
            return;
        }
        memcpy(&words[1], (const char *)key + 4 * k++, 4);
        c->bad |= words[1] != i;
    }
    c->bad |= k != nwords;
}

/* A projection key starts with a shape id; it must name a template of that
 * shape's length, which lookups compare against the message. */
static void check_proj(void *arg, const void *key, size_t len, uint32_t value)
{
    struct bucket_check *c = arg;
    uint32_t shape;
    if (len < 4 || value == 0 || value >= c->m->ntpl) {
        c->bad = 1;
        return;
    }
    memcpy(&shape, key, 4);
    c->bad |= shape >= c->m->nshape || c->m->tpl[value].n != c->m->shape_len[shape];
}

/* An exact key is a whole token sequence: its template has that length. */
static void check_exact(void *arg, const void *key, size_t len, uint32_t value)
{
    struct bucket_check *c = arg;
    (void)key;
    c->bad |= len % 4 || value == 0 || value >= c->m->ntpl || c->m->tpl[value].n != len / 4;
}

/* Cross-references between the parts, checked once all are in: a bad file
 * must fail here, not send a lookup out of bounds or round a parent cycle. */
static int check_indexes(const struct ob_miner *m)
{
    struct bucket_check bc = {m, 0};
    ob_strmap_each(m->buckets, check_bucket, &bc);
    ob_strmap_each(m->shapes, check_shape, &bc);
    for (uint32_t i = 0; i < m->nsib; i++)
        if (m->sib[i].root >= m->ntpl)
            return -1;
    ob_strmap_each(m->proj, check_proj, &bc);
    ob_strmap_each(m->exact, check_exact, &bc);
    if (bc.bad)
        return -1;
    for (uint32_t i = 1; i < m->ntpl; i++) {
        uint32_t id = i, steps = 0;
        while (m->tpl[id].parent != id && steps++ < m->ntpl)
            id = m->tpl[id].parent;
        if (m->tpl[id].parent != id)
            return -1;
    }
    for (uint32_t i = 0; i < m->nbk; i++) {
        for (uint32_t k = 0; k < m->bk[i].nshapes; k++)
            if (m->bk[i].shapes[k] >= m->nshape)
                return -1;
        uint32_t steps = 0;
        for (uint32_t id = m->bk[i].tolerant; id; id = m->tpl[id].next)
            if (id >= m->ntpl || steps++ > m->ntpl)
                return -1;
    }
    for (uint32_t i = 1; i < m->ntpl; i++) {
        const struct template *t = &m->tpl[i];
        if (t->bucket >= m->nbk || t->shape >= m->nshape || m->shape_len[t->shape] != t->n ||
            m->tpl[t->parent].n != t->n)
            return -1;
        for (uint32_t k = 0; k < m->bk[t->bucket].nshapes; k++)
            if (m->shape_len[m->bk[t->bucket].shapes[k]] != t->n)
                return -1;
    }
    for (uint32_t i = 0; i < m->nsib; i++)
        if (m->sib[i].root >= m->ntpl)
            return -1;
    return 0;
}

struct ob_miner *ob_miner_load(const void *buf, size_t len)
{
    struct ob_reader r = {buf, len, 0, 0};
    char magic[4];
    uint64_t sim_bits;
    ob_read(&r, magic, 4);
    uint32_t version = ob_read_u32(&r);
    sim_bits = ob_read_u64(&r);
    uint64_t messages = ob_read_u64(&r);
    struct ob_miner_params p;
    memcpy(&p.similarity, &sim_bits, sizeof sim_bits);
    if (r.failed || memcmp(magic, STATE_MAGIC, 4) != 0 || (version != STATE_VERSION && version != 2 && version != 1))
        return NULL;
    struct ob_miner *m = ob_miner_new(&p);
    if (!m)
        return NULL;
    m->messages = messages;
    if (load_tokens(&r, m) < 0 || load_templates(&r, m) < 0 || load_indexes(&r, m) < 0 ||
        check_indexes(m) < 0 || r.pos != r.len) {
        ob_miner_free(m);
        return NULL;
    }
    for (uint32_t id = 1; id < m->ntpl; id++) /* derived, so not saved */
        if (m->tpl[id].parent == id)
            ob__index_near(m, id);
    return m;
}

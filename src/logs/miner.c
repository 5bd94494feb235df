/* miner.c - the online template miner.
 *
 * A message becomes a sequence of token ids: split on blanks, each token
 * masked (mask.c) and interned, 0 standing for a parameter ("<*>"). Then:
 *
 *   1. exact path: a sequence seen before goes straight to its template
 *      (one hash lookup; most lines of a real log take this path, which is
 *      why speed does not fall as templates grow);
 *   2. search: among templates of the same length and first token (Drain's
 *      idea of a shallow tree, here one hash bucket), the one whose constant
 *      tokens the message matches best; if it matches at least
 *      params.similarity of them, the template takes the message and every
 *      position where they differ becomes a parameter. Most templates are
 *      too short to allow any mismatch, so they are found by hashing the
 *      message's tokens at each template shape's constant positions (a
 *      bucket holds few shapes); only templates long enough to tolerate a
 *      mismatch are compared one by one. Scanning every template, as Drain
 *      does, makes each new line cost O(templates);
 *   3. otherwise the message starts a new template;
 *   4. and then, siblings: templates of three tokens or more that are equal
 *      but at one position (not the first) are counted per position; when
 *      MERGE_SIBLINGS of them exist, that position is a parameter whose
 *      values carry no digit (user names, host names) and they merge into
 *      the oldest. Two values ("client SPP" / "client WindowsUpdateAgent")
 *      stay two events: a handful of values is how constants look, and a
 *      similarity threshold alone cannot tell the two cases apart. Only
 *      lower-case words count as values (see sibling_value): "VM Started"
 *      / "VM Paused" / "VM Stopped" are three events, "user cyrus" / "user
 *      news" / "user test" one. A line that joins a template by search with
 *      a word where the template has a parameter counts as a value too, so
 *      a template made before the parameter was known ("invalid user
 *      webmaster") joins the general one.
 *
 * Templates only generalise; merged ones point to the template that took
 * them in (ob_miner_resolve), so ids a caller holds stay meaningful. */
#include "logs/miner_int.h"

#include "logs/mask.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_LIMIT (1u << 20) /* sequences remembered for the exact path */
#define MERGE_SIBLINGS 3       /* distinct values that make a position a parameter */
#define SIBLING_MIN_TOKENS 3
#define SIBLING_MAX_TOKENS 64   /* keys cost O(length) per position: bound it */

struct ob_miner_params ob_miner_params_default(void)
{
    return (struct ob_miner_params){.similarity = 0.9};
}

int ob__grow(void **p, size_t elem, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return 0;
    uint32_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

struct ob_miner *ob_miner_new(const struct ob_miner_params *params)
{
    struct ob_miner_params p = params ? *params : ob_miner_params_default();
    if (!(p.similarity > 0 && p.similarity <= 1))
        return NULL;
    struct ob_miner *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->params = p;
    m->tokens = ob_strmap_new();
    m->buckets = ob_strmap_new();
    m->shapes = ob_strmap_new();
    m->proj = ob_strmap_new();
    m->near = ob_strmap_new();
    m->exact = ob_strmap_new();
    m->sibling_keys = ob__sibkeys_new(UINT64_MAX);
    if (!m->tokens || !m->buckets || !m->exact || !m->sibling_keys || !m->shapes || !m->proj || !m->near ||
        ob__grow((void **)&m->texts, sizeof *m->texts, &m->cap_texts, 1) < 0 ||
        ob__grow((void **)&m->tpl, sizeof *m->tpl, &m->cap_tpl, 1) < 0) {
        ob_miner_free(m);
        return NULL;
    }
    m->texts[0] = (struct token_text){NULL, 0, false};
    m->ntexts = 1;
    m->tpl[0] = (struct template){0};
    m->ntpl = 1;
    return m;
}

void ob_miner_free(struct ob_miner *m)
{
    if (!m)
        return;
    for (uint32_t i = 1; i < m->ntexts; i++)
        free(m->texts[i].s);
    for (uint32_t i = 1; i < m->ntpl; i++)
        free(m->tpl[i].tok);
    free(m->texts);
    free(m->tpl);
    ob_strmap_free(m->tokens);
    ob_strmap_free(m->buckets);
    ob_strmap_free(m->shapes);
    ob_strmap_free(m->proj);
    ob_strmap_free(m->near);
    for (uint32_t i = 0; i < m->nbk; i++)
        free(m->bk[i].shapes);
    free(m->bk);
    for (uint32_t i = 0; i < m->nshape; i++)
        free(m->shape_var[i]);
    free(m->shape_var);
    free(m->shape_len);
    ob_strmap_free(m->exact);
    ob__sibkeys_free(m->sibling_keys);
    for (uint32_t i = 0; i < m->nsib; i++)
        free(m->sib[i].ids);
    free(m->sib);
    free(m->key);
    free(m->seq);
    free(m->spans);
    free(m->buf);
    free(m);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Splits msg on blanks into m->spans; returns the count, or -1 on OOM. */
static long split(struct ob_miner *m, const char *msg, size_t len)
{
    size_t n = 0, i = 0;
    for (;;) {
        while (i < len && is_blank(msg[i]))
            i++;
        if (i == len)
            return (long)n;
        size_t start = i;
        while (i < len && !is_blank(msg[i]))
            i++;
        if (n == m->cap_seq) {
            size_t c = m->cap_seq ? m->cap_seq * 2 : 64;
            struct span *s = realloc(m->spans, c * sizeof *s);
            if (!s)
                return -1;
            m->spans = s;
            uint32_t *q = realloc(m->seq, c * sizeof *q);
            if (!q)
                return -1;
            m->seq = q;
            m->cap_seq = c;
        }
        m->spans[n++] = (struct span){start, i - start};
    }
}

/* The id of token text t[0..n), interning it when new; 0 on OOM. */
static uint32_t intern(struct ob_miner *m, const char *t, size_t n, bool partial)
{
    uint32_t id;
    if (ob_strmap_get(m->tokens, t, n, &id))
        return id;
    if (n > UINT32_MAX || ob__grow((void **)&m->texts, sizeof *m->texts, &m->cap_texts, m->ntexts + 1) < 0)
        return 0;
    char *s = malloc(n + 1);
    if (!s)
        return 0;
    memcpy(s, t, n);
    s[n] = '\0';
    id = m->ntexts;
    if (ob_strmap_put(m->tokens, t, n, id) < 0) {
        free(s);
        return 0;
    }
    m->texts[m->ntexts++] = (struct token_text){s, (uint32_t)n, partial};
    return id;
}

/* Masks and interns one token; returns its id (0 for a parameter), or
 * UINT32_MAX on OOM. */
static uint32_t token_id(struct ob_miner *m, const char *t, size_t n, size_t keep)
{
    if (keep == 0)
        return 0;
    uint32_t id;
    if (keep == n) {
        id = intern(m, t, n, false);
    } else {
        if (keep + 4 > m->cap_buf) {
            char *b = realloc(m->buf, keep + 4);
            if (!b)
                return UINT32_MAX;
            m->buf = b;
            m->cap_buf = keep + 4;
        }
        memcpy(m->buf, t, keep);
        memcpy(m->buf + keep, "<*>", 3);
        id = intern(m, m->buf, keep + 3, true);
    }
    return id ? id : UINT32_MAX;
}

uint32_t ob_miner_resolve(const struct ob_miner *m, uint32_t id)
{
    if (id == 0 || id >= m->ntpl)
        return 0;
    while (m->tpl[id].parent != id)
        id = m->tpl[id].parent;
    return id;
}

static double similarity(const struct template *t, const uint32_t *seq)
{
    uint32_t same = 0;
    for (uint32_t i = 0; i < t->n; i++)
        same += t->tok[i] != 0 && t->tok[i] == seq[i];
    uint32_t constants = t->n - t->nvar;
    return constants ? (double)same / constants : 1.0;
}

/* Room for n + 1 key words in m->key. */
static int key_room(struct ob_miner *m, uint32_t n)
{
    if (n + 1 <= m->cap_key)
        return 0;
    uint32_t *k = realloc(m->key, (n + 1) * sizeof *k);
    if (!k)
        return -1;
    m->key = k;
    m->cap_key = n + 1;
    return 0;
}

/* The shape id of template t (its length and parameter positions),
 * interning it; UINT32_MAX on OOM. */
static uint32_t shape_of(struct ob_miner *m, const struct template *t)
{
    if (key_room(m, t->n) < 0)
        return UINT32_MAX;
    uint32_t k = 0, id;
    m->key[k++] = t->n;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->tok[i] == 0)
            m->key[k++] = i;
    if (ob_strmap_get(m->shapes, m->key, k * sizeof *m->key, &id))
        return id;
    uint8_t *var = calloc(t->n ? t->n : 1, 1);
    if (!var || ob__grow((void **)&m->shape_var, sizeof *m->shape_var, &m->cap_shape, m->nshape + 1) < 0 ||
        ob__grow((void **)&m->shape_len, sizeof *m->shape_len, &m->cap_shape_len, m->nshape + 1) < 0 ||
        ob_strmap_put(m->shapes, m->key, k * sizeof *m->key, m->nshape) < 0) {
        free(var);
        return UINT32_MAX;
    }
    for (uint32_t i = 0; i < t->n; i++)
        var[i] = t->tok[i] == 0;
    m->shape_var[m->nshape] = var;
    m->shape_len[m->nshape] = t->n;
    return m->nshape++;
}

/* Builds in m->key the projection of seq (length n) on shape: the shape id
 * and the tokens at its constant positions. Returns its size in bytes. */
static size_t projection(struct ob_miner *m, uint32_t shape, const uint32_t *seq, uint32_t n)
{
    const uint8_t *var = m->shape_var[shape];
    uint32_t k = 0;
    m->key[k++] = shape;
    for (uint32_t i = 0; i < n; i++)
        if (!var[i])
            m->key[k++] = seq[i];
    return k * sizeof *m->key;
}

/* How many of its constants tokens a line may miss and still join a
 * template with that many: at most slack() mismatches keep the
 * similarity at params.similarity or above. */
static uint32_t slack(const struct ob_miner *m, uint32_t constants)
{
    return (uint32_t)((double)constants * (1.0 - m->params.similarity) + 1e-9);
}

/* The near index. A template that tolerates exactly one mismatch (10 to 19
 * constants at the default 0.9: most long templates) is filed once per
 * constant position p under a hash of its shape and its constants but p;
 * a line missing it at p has the same hash there, so a new line probes
 * one key per constant position of each shape of its bucket, whatever
 * the number of templates, where scanning them made 50k long templates
 * cost 17 s instead of 0.3. The hash is a sum of one term per (position,
 * token), so every key of a template or line costs O(1) after one pass.
 * Candidates are verified (similarity), so a collision costs nothing but
 * a probe; templates tolerating more mismatches are still scanned. */

/* The hash of seq's tokens at shape's constant positions; their count in
 * *constants. */
static uint64_t near_sum(const struct ob_miner *m, uint32_t shape, const uint32_t *seq, uint32_t *constants)
{
    const uint8_t *var = m->shape_var[shape];
    uint64_t h = ob__mix64((uint64_t)shape + 0x632be59bd9b4e019ull);
    uint32_t c = 0;
    for (uint32_t i = 0; i < m->shape_len[shape]; i++)
        if (!var[i]) {
            h += ob__pos_term(i, seq[i]);
            c++;
        }
    *constants = c;
    return h;
}

/* Whether a and b have the same tokens at shape's constant positions but
 * skip. */
static bool same_but(const struct ob_miner *m, uint32_t shape, const uint32_t *a, const uint32_t *b, uint32_t skip)
{
    const uint8_t *var = m->shape_var[shape];
    for (uint32_t i = 0; i < m->shape_len[shape]; i++)
        if (!var[i] && i != skip && a[i] != b[i])
            return false;
    return true;
}

void ob__index_near(struct ob_miner *m, uint32_t id)
{
    const struct template *t = &m->tpl[id];
    uint32_t c;
    uint64_t sum = near_sum(m, t->shape, t->tok, &c);
    if (slack(m, c) != 1)
        return;
    const uint8_t *var = m->shape_var[t->shape];
    for (uint32_t i = 0; i < t->n; i++) {
        if (var[i])
            continue;
        uint64_t key = sum - ob__pos_term(i, t->tok[i]);
        uint32_t old;
        /* Two live templates under one key: keep the newer, as the scan
         * this replaces preferred it on a tie. Failing costs the line a
         * new template, as running out of memory may. */
        if (ob_strmap_get(m->near, &key, sizeof key, &old)) {
            old = ob_miner_resolve(m, old);
            if (old > id && m->tpl[old].shape == t->shape && same_but(m, t->shape, m->tpl[old].tok, t->tok, i))
                continue;
        }
        (void)ob_strmap_put(m->near, &key, sizeof key, id);
    }
}

/* Files template id under its current shape. Failing only costs the hash
 * path for it (the scan below still finds tolerant ones). */
static void index_template(struct ob_miner *m, uint32_t id)
{
    struct template *t = &m->tpl[id];
    uint32_t shape = shape_of(m, t);
    if (shape == UINT32_MAX)
        return;
    t->shape = shape;
    struct bucket *b = &m->bk[t->bucket];
    uint32_t i = 0;
    while (i < b->nshapes && b->shapes[i] != shape)
        i++;
    if (i == b->nshapes) {
        if (ob__grow((void **)&b->shapes, sizeof *b->shapes, &b->cap, b->nshapes + 1) < 0)
            return;
        b->shapes[b->nshapes++] = shape;
    }
    if (key_room(m, t->n) == 0)
        (void)ob_strmap_put(m->proj, m->key, projection(m, shape, t->tok, t->n), id);
    ob__index_near(m, id);
}

/* The best template in bucket b for seq, or 0. */
static uint32_t best_match(struct ob_miner *m, const struct bucket *b, const uint32_t *seq, uint32_t n)
{
    uint32_t best = 0, id;
    if (key_room(m, n) < 0)
        return 0;
    for (uint32_t i = 0; i < b->nshapes; i++) {
        size_t kb = projection(m, b->shapes[i], seq, n);
        if (!ob_strmap_get(m->proj, m->key, kb, &id))
            continue;
        id = ob_miner_resolve(m, id);
        /* An entry may be stale: its template generalised or merged since. */
        if (similarity(&m->tpl[id], seq) == 1.0 && (!best || m->tpl[id].nvar > m->tpl[best].nvar))
            best = id;
    }
    if (best)
        return best;
    /* The best by similarity, then parameters, then the newest. */
    double best_sim = -1;
    for (uint32_t i = 0; i < b->nshapes; i++) {
        uint32_t shape = b->shapes[i], c;
        uint64_t sum = near_sum(m, shape, seq, &c);
        if (slack(m, c) != 1)
            continue;
        const uint8_t *var = m->shape_var[shape];
        for (uint32_t p = 0; p < n; p++) {
            uint64_t key = sum - ob__pos_term(p, seq[p]);
            if (var[p] || !ob_strmap_get(m->near, &key, sizeof key, &id))
                continue;
            id = ob_miner_resolve(m, id);
            if (m->tpl[id].n != n)
                continue;
            double s = similarity(&m->tpl[id], seq);
            if (s > best_sim || (s == best_sim && (m->tpl[id].nvar > m->tpl[best].nvar ||
                                                   (m->tpl[id].nvar == m->tpl[best].nvar && id > best)))) {
                best_sim = s;
                best = id;
            }
        }
    }
    /* Templates that tolerate more than one mismatch, newest first. */
    for (id = b->tolerant; id; id = m->tpl[id].next) {
        if (m->tpl[id].parent != id || m->tpl[id].n != n)
            continue;
        double s = similarity(&m->tpl[id], seq);
        if (s > best_sim || (s == best_sim && (m->tpl[id].nvar > m->tpl[best].nvar ||
                                               (m->tpl[id].nvar == m->tpl[best].nvar && id > best)))) {
            best_sim = s;
            best = id;
        }
    }
    return best_sim >= m->params.similarity ? best : 0;
}

/* Returns 1 when the template gained a parameter. */
static int generalise(struct template *t, const uint32_t *seq)
{
    int changed = 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->tok[i] != seq[i] && t->tok[i] != 0) {
            t->tok[i] = 0;
            t->nvar++;
            changed = 1;
        }
    return changed;
}

/* The bucket for key, creating it; NULL on OOM. */
static struct bucket *bucket_of(struct ob_miner *m, const uint32_t key[2], uint32_t *index)
{
    if (ob_strmap_get(m->buckets, key, 2 * sizeof *key, index))
        return &m->bk[*index];
    if (ob__grow((void **)&m->bk, sizeof *m->bk, &m->cap_bk, m->nbk + 1) < 0 ||
        ob_strmap_put(m->buckets, key, 2 * sizeof *key, m->nbk) < 0)
        return NULL;
    m->bk[m->nbk] = (struct bucket){0};
    *index = m->nbk;
    return &m->bk[m->nbk++];
}

static uint32_t new_template(struct ob_miner *m, const uint32_t *seq, uint32_t n, uint32_t bucket)
{
    if (ob__grow((void **)&m->tpl, sizeof *m->tpl, &m->cap_tpl, m->ntpl + 1) < 0)
        return 0;
    uint32_t *tok = malloc((n ? n : 1) * sizeof *tok);
    if (!tok)
        return 0;
    if (n)
        memcpy(tok, seq, n * sizeof *tok);
    uint32_t id = m->ntpl, nvar = 0;
    for (uint32_t i = 0; i < n; i++)
        nvar += tok[i] == 0;
    m->tpl[m->ntpl++] = (struct template){tok, n, nvar, 0, bucket, 0, id, 0, m->messages};
    struct template *t = &m->tpl[id];
    if (slack(m, n - nvar) >= 2) { /* one mismatch: the near index finds it */
        t->next = m->bk[bucket].tolerant;
        m->bk[bucket].tolerant = id;
    }
    index_template(m, id);
    return id;
}

/* Folds template from into root, which takes a parameter at position p. */
static void merge_into(struct ob_miner *m, uint32_t root, uint32_t from, uint32_t p)
{
    struct template *r = &m->tpl[root];
    from = ob_miner_resolve(m, from);
    if (from == root)
        return;
    r->count += m->tpl[from].count;
    m->tpl[from].parent = root;
    if (r->tok[p] != 0) {
        r->tok[p] = 0;
        r->nvar++;
        index_template(m, root);
    }
}

/* The siblings sharing seq less position p, template id among them. A key
 * with one template holds that template itself (SIB_SINGLE), not a group:
 * most keys never see a second one, and a group each would be most of the
 * memory of a log with many templates. Returns NULL when id is the first
 * (now recorded) or on OOM (*oom set); else the group, which the caller
 * adds id to. */
static struct siblings *sibling_group(struct ob_miner *m, struct ob_sibseq *s, uint32_t p, uint32_t id,
                                      bool *oom)
{
    *oom = false;
    if (id & SIB_SINGLE)
        return NULL; /* past 2^31 templates a key cannot hold one: unmerged */
    uint32_t idx;
    if (!ob__sibkeys_get(m->sibling_keys, s, p, &idx)) {
        *oom = ob__sibkeys_put(m->sibling_keys, s, p, id | SIB_SINGLE) < 0;
        return NULL;
    }
    if (!(idx & SIB_SINGLE))
        return &m->sib[idx];
    struct siblings g = {0};
    if (ob__grow((void **)&m->sib, sizeof *m->sib, &m->cap_sib, m->nsib + 1) < 0 ||
        ob__grow((void **)&g.ids, sizeof *g.ids, &g.cap, 2) < 0 ||
        ob__sibkeys_put(m->sibling_keys, s, p, m->nsib) < 0) {
        free(g.ids);
        *oom = true;
        return NULL;
    }
    g.ids[g.n++] = idx & ~SIB_SINGLE;
    m->sib[m->nsib] = g;
    return &m->sib[m->nsib++];
}

/* Whether token id may be a sibling value: a name (user, host, service,
 * driver) is written in lower case; a word that starts with a capital
 * ("VM Started", "\"GET", "Evaluating") names the event, and a word after
 * "key=" is a setting (user=guest, tty=ssh), so neither merges. */
static bool sibling_value(const struct ob_miner *m, uint32_t id)
{
    const struct token_text *tt = &m->texts[id];
    if (tt->partial || memchr(tt->s, '=', tt->len))
        return false;
    uint32_t i = 0;
    while (i < tt->len && !((tt->s[i] >= 'a' && tt->s[i] <= 'z') || (tt->s[i] >= 'A' && tt->s[i] <= 'Z')))
        i++;
    return !(i < tt->len && tt->s[i] >= 'A' && tt->s[i] <= 'Z');
}

/* Counts id as one more value of position p among the templates equal to
 * seq but there, merging the group once it has MERGE_SIBLINGS values.
 * Returns 1 when that position is settled (id merged into a group or the
 * group merged now), 0 when it is not, -1 on OOM (which only leaves
 * templates unmerged). */
static int count_sibling(struct ob_miner *m, uint32_t id, struct ob_sibseq *s, uint32_t p)
{
    bool oom;
    struct siblings *g = sibling_group(m, s, p, id, &oom);
    if (oom)
        return -1;
    if (!g)
        return 0;
    if (g->root) {
        merge_into(m, ob_miner_resolve(m, g->root), id, p);
        return 1;
    }
    if (ob__grow((void **)&g->ids, sizeof *g->ids, &g->cap, g->n + 1) < 0)
        return -1;
    g->ids[g->n++] = id;
    if (g->n < MERGE_SIBLINGS)
        return 0;
    g->root = ob_miner_resolve(m, g->ids[0]);
    for (uint32_t i = 1; i < g->n; i++)
        merge_into(m, g->root, g->ids[i], p);
    return 1;
}

/* Step 4 for a template just created from seq: it merges at the first
 * position that settles (it is no longer its own template after). */
static void note_siblings(struct ob_miner *m, uint32_t id, const uint32_t *seq, uint32_t n)
{
    if (n < SIBLING_MIN_TOKENS || n > SIBLING_MAX_TOKENS)
        return;
    struct ob_sibseq s = ob__sibkeys_seq(seq, n);
    for (uint32_t p = 1; p < n; p++)
        if (seq[p] != 0 && sibling_value(m, seq[p]) && count_sibling(m, id, &s, p) != 0)
            return;
}

/* A message joined template id by search: where id has a parameter and the
 * message a word, that word is one more value of that position, as a
 * sibling would be; templates equal to the message but there (created
 * before id generalised) join id once MERGE_SIBLINGS values are seen.
 * Every such position counts, not only the first. */
static void note_absorbed(struct ob_miner *m, uint32_t id, const uint32_t *seq, uint32_t n)
{
    if (n < SIBLING_MIN_TOKENS || n > SIBLING_MAX_TOKENS)
        return;
    const uint32_t *tok = m->tpl[id].tok;
    struct ob_sibseq s = ob__sibkeys_seq(seq, n);
    for (uint32_t p = 1; p < n; p++)
        if (tok[p] == 0 && seq[p] != 0 && sibling_value(m, seq[p]) && count_sibling(m, id, &s, p) < 0)
            return;
}

uint32_t ob_miner_add(struct ob_miner *m, const char *msg, size_t len)
{
    long n = split(m, msg, len);
    if (n < 0 || n > (long)UINT32_MAX / 2)
        return 0;
    m->messages++; /* numbered before a template may be created for it */
    /* A value with its unit is one position: "0 bytes", "1190 bytes (1.16
     * KB)", "<1 sec" (see also ob_miner_params, which must agree). */
    long k = 0;
    bool prev_var = false;
    for (long i = 0; i < n; i++) {
        const char *t = msg + m->spans[i].off;
        size_t tl = m->spans[i].len;
        if (prev_var && ob_mask_is_unit(t, tl))
            continue;
        size_t keep = ob_mask_constant_prefix(t, tl);
        if (prev_var && keep == 0 && t[0] == '(' && i + 1 < n &&
            ob_mask_is_unit(msg + m->spans[i + 1].off, m->spans[i + 1].len)) {
            i++;
            continue;
        }
        uint32_t id = token_id(m, t, tl, keep);
        if (id == UINT32_MAX)
            return 0;
        m->seq[k++] = id;
        prev_var = id == 0;
    }
    n = k;
    uint32_t id;
    size_t seq_bytes = (size_t)n * sizeof *m->seq;
    if (ob_strmap_get(m->exact, m->seq, seq_bytes, &id)) {
        id = ob_miner_resolve(m, id);
        m->tpl[id].count++;
        return id;
    }
    uint32_t key[2] = {(uint32_t)n, n ? m->seq[0] : 0}, bi;
    struct bucket *b = bucket_of(m, key, &bi);
    if (!b)
        return 0;
    id = best_match(m, b, m->seq, (uint32_t)n);
    if (id) {
        if (generalise(&m->tpl[id], m->seq))
            index_template(m, id);
        note_absorbed(m, id, m->seq, (uint32_t)n);
        id = ob_miner_resolve(m, id);
    } else {
        if (!(id = new_template(m, m->seq, (uint32_t)n, bi)))
            return 0;
        note_siblings(m, id, m->seq, (uint32_t)n);
        id = ob_miner_resolve(m, id);
    }
    m->tpl[id].count++;
    /* Failing to remember the shortcut only costs speed. */
    if (ob_strmap_size(m->exact) < EXACT_LIMIT)
        (void)ob_strmap_put(m->exact, m->seq, seq_bytes, id);
    return id;
}

uint64_t ob_miner_template_first(const struct ob_miner *m, uint32_t id)
{
    return id && id < m->ntpl ? m->tpl[id].first : 0;
}

uint64_t ob_miner_messages(const struct ob_miner *m)
{
    return m->messages;
}

uint32_t ob_miner_templates(const struct ob_miner *m)
{
    return m->ntpl - 1;
}

uint64_t ob_miner_template_count(const struct ob_miner *m, uint32_t id)
{
    return id && id < m->ntpl ? m->tpl[id].count : 0;
}

/* Appends s[0..l) at *w, writing only what fits before the final NUL. */
static void append(char *buf, size_t cap, size_t *w, const char *s, size_t l)
{
    for (size_t k = 0; k < l; k++, (*w)++)
        if (*w + 1 < cap)
            buf[*w] = s[k];
}

size_t ob_miner_template_text(const struct ob_miner *m, uint32_t id, char *buf, size_t cap)
{
    size_t w = 0;
    if (id > 0 && id < m->ntpl) {
        const struct template *t = &m->tpl[id];
        for (uint32_t i = 0; i < t->n; i++) {
            if (i > 0)
                append(buf, cap, &w, " ", 1);
            if (t->tok[i] == 0)
                append(buf, cap, &w, "<*>", 3);
            else
                append(buf, cap, &w, m->texts[t->tok[i]].s, m->texts[t->tok[i]].len);
        }
    }
    if (cap)
        buf[w < cap ? w : cap - 1] = '\0';
    return w;
}

int ob_miner_params(const struct ob_miner *m, uint32_t id, const char *msg, size_t len,
                    void (*fn)(void *arg, const char *value, size_t len), void *arg)
{
    if (id == 0 || id >= m->ntpl)
        return 0;
    const struct template *t = &m->tpl[id];
    int count = 0;
    size_t i = 0;
    for (uint32_t k = 0; k < t->n; k++) {
        while (i < len && is_blank(msg[i]))
            i++;
        size_t start = i;
        while (i < len && !is_blank(msg[i]))
            i++;
        size_t keep = ob_mask_constant_prefix(msg + start, i - start);
        size_t end = i;
        if (keep == 0) {
            /* The value with its unit, as ob_miner_add took it. */
            for (;;) {
                size_t j = i;
                while (j < len && is_blank(msg[j]))
                    j++;
                size_t s2 = j;
                while (j < len && !is_blank(msg[j]))
                    j++;
                if (j == s2)
                    break;
                if (ob_mask_is_unit(msg + s2, j - s2)) {
                    i = end = j;
                    continue;
                }
                if (msg[s2] != '(' || ob_mask_constant_prefix(msg + s2, j - s2) != 0)
                    break;
                size_t j2 = j;
                while (j2 < len && is_blank(msg[j2]))
                    j2++;
                size_t s3 = j2;
                while (j2 < len && !is_blank(msg[j2]))
                    j2++;
                if (j2 == s3 || !ob_mask_is_unit(msg + s3, j2 - s3))
                    break;
                i = end = j2;
            }
        }
        size_t skip = 0;
        if (t->tok[k] == 0)
            skip = 0;
        else if (m->texts[t->tok[k]].partial)
            skip = m->texts[t->tok[k]].len - 3;
        else
            continue;
        if (skip > end - start)
            skip = end - start;
        fn(arg, msg + start + skip, end - start - skip);
        count++;
    }
    return count;
}

/* learn.c - builds the model from a corpus of one program's files.
 *
 * Per key it counts, over the files: the sections it lives in, the kinds of
 * its values (and units), their numeric range, and its enum of words while
 * that stays small. Across keys it counts, per scope (one [section] of an
 * INI file, one block of an Apache file), which keys appear together and how
 * two quantities of one scope compare; the rules "A present => B present"
 * and "a < b" come out of those counts at the end, with their support and
 * confidence. Thresholds here are only loose floors that keep the model
 * small; check.c decides what is strong enough to report. */
#include "config/config_int.h"
#include "core/strmap.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 24       /* distinct words kept per key: an enum, or not one */
#define MAX_SPELLINGS 4
#define RULE_MIN_SCOPES 5   /* a key in fewer scopes leads no rule */
#define RULE_MIN_CONF 0.8
#define REL_MIN_SCOPES 10
#define REL_MIN_CONF 0.95
#define MAX_SCOPE_KEYS 256  /* pairs are counted among the first keys of a scope only */

struct keyinfo {
    json_t *obj;        /* borrowed from keys */
    unsigned scopes;    /* scopes holding it */
    uint32_t lead_sec;  /* the section id it is seen in most, at the end */
};

struct numval {
    uint32_t id;
    double mag;
};

struct scope {
    uint32_t *ids;      /* distinct keys, in order */
    size_t n;
    struct numval *nums; /* keys with one known quantity in the scope */
    size_t nnums;
    uint32_t sec;       /* its leaf section's id */
};

struct ob_cfg_learner {
    json_t *root, *keys, *sections, *units;
    struct ob_strmap *ids;      /* key -> index in info */
    struct keyinfo *info;
    size_t ninfo, capinfo;
    struct ob_strmap *secids;   /* leaf section -> id */
    unsigned *sec_scopes;       /* per section id: scopes */
    size_t nsec, capsec;
    struct ob_strmap *seckey;   /* "secid:keyid" -> scopes holding the key in that section */
    struct scope *scopes;
    size_t nscopes, capscopes;
    size_t files, entries, quantities;
};

static int inc(json_t *obj, const char *name, json_int_t by)
{
    json_t *v = json_object_get(obj, name);
    if (v)
        return json_integer_set(v, json_integer_value(v) + by);
    return json_object_set_new(obj, name, json_integer(by));
}

static json_t *child(json_t *obj, const char *name)
{
    json_t *c = json_object_get(obj, name);
    if (!c) {
        c = json_object();
        if (json_object_set_new(obj, name, c) < 0)
            return NULL;
    }
    return c;
}

struct ob_cfg_learner *ob_cfg_learner_new(void)
{
    struct ob_cfg_learner *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->root = json_object();
    l->keys = json_object();
    l->sections = json_object();
    l->units = json_object();
    l->ids = ob_strmap_new();
    l->secids = ob_strmap_new();
    l->seckey = ob_strmap_new();
    if (!l->root || !l->keys || !l->sections || !l->units || !l->ids || !l->secids || !l->seckey) {
        json_decref(l->keys);
        json_decref(l->sections);
        json_decref(l->units);
        ob_cfg_learner_free(l);
        return NULL;
    }
    json_object_set_new(l->root, "keys", l->keys);
    json_object_set_new(l->root, "sections", l->sections);
    json_object_set_new(l->root, "units", l->units);
    return l;
}

void ob_cfg_learner_free(struct ob_cfg_learner *l)
{
    if (!l)
        return;
    json_decref(l->root);
    ob_strmap_free(l->ids);
    ob_strmap_free(l->secids);
    ob_strmap_free(l->seckey);
    for (size_t i = 0; i < l->nscopes; i++) {
        free(l->scopes[i].ids);
        free(l->scopes[i].nums);
    }
    free(l->scopes);
    free(l->info);
    free(l->sec_scopes);
    free(l);
}

static long key_id(struct ob_cfg_learner *l, const char *key)
{
    uint32_t id;
    size_t n = strlen(key);
    if (ob_strmap_get(l->ids, key, n, &id))
        return id;
    if (l->ninfo == l->capinfo) {
        size_t cap = l->capinfo ? l->capinfo * 2 : 256;
        struct keyinfo *p = realloc(l->info, cap * sizeof *p);
        if (!p)
            return -1;
        l->info = p;
        l->capinfo = cap;
    }
    json_t *o = json_object();
    if (!o || json_object_set_new(l->keys, key, o) < 0)
        return -1;
    l->info[l->ninfo] = (struct keyinfo){.obj = o};
    if (ob_strmap_put(l->ids, key, n, (uint32_t)l->ninfo) < 0)
        return -1;
    return (long)l->ninfo++;
}

static long sec_id(struct ob_cfg_learner *l, const char *sec)
{
    uint32_t id;
    size_t n = strlen(sec);
    if (ob_strmap_get(l->secids, sec, n, &id))
        return id;
    if (l->nsec == l->capsec) {
        size_t cap = l->capsec ? l->capsec * 2 : 32;
        unsigned *p = realloc(l->sec_scopes, cap * sizeof *p);
        if (!p)
            return -1;
        l->sec_scopes = p;
        l->capsec = cap;
    }
    l->sec_scopes[l->nsec] = 0;
    if (ob_strmap_put(l->secids, sec, n, (uint32_t)l->nsec) < 0)
        return -1;
    return (long)l->nsec++;
}

/* Once per file and name: the per-file counts. */
static int first_in_file(struct ob_strmap *seen, const char *a, const char *b, const char *c)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s\x01%s\x01%s", a, b, c ? c : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    uint32_t v;
    if (ob_strmap_get(seen, buf, (size_t)n, &v))
        return 0;
    return ob_strmap_put(seen, buf, (size_t)n, 1) < 0 ? -1 : 1;
}

static int learn_value(struct ob_cfg_learner *l, json_t *k, const char *value)
{
    struct ob_cfg_value v;
    ob__cfg_classify(value, &v);
    if (inc(child(k, "kinds"), ob__cfg_kind_name(v.kind), 1) < 0)
        return -1;
    if (v.kind == K_QUANTITY) {
        l->quantities++;
        if (inc(child(k, "units"), v.unit, 1) < 0 || inc(l->units, v.unit, 1) < 0)
            return -1;
    }
    if (v.mag_known && v.kind != K_FLAG) {
        json_t *num = child(k, "num");
        json_t *n = json_object_get(num, "n");
        if (!n) {
            json_object_set_new(num, "min", json_real(v.mag));
            json_object_set_new(num, "max", json_real(v.mag));
        } else {
            if (v.mag < json_number_value(json_object_get(num, "min")))
                json_object_set_new(num, "min", json_real(v.mag));
            if (v.mag > json_number_value(json_object_get(num, "max")))
                json_object_set_new(num, "max", json_real(v.mag));
        }
        inc(num, "n", 1);
        if (v.mag < 0)
            inc(num, "neg", 1);
        if (v.mag > 0) {
            /* half-octaves: enough to say how many values are near one */
            char b[16];
            snprintf(b, sizeof b, "%d", (int)floor(2 * log2(v.mag)));
            if (inc(child(num, "hist"), b, 1) < 0)
                return -1;
        }
    }
    if (v.token[0] && (v.kind == K_WORD || v.kind == K_BOOL || v.kind == K_INT01)) {
        json_t *vals = child(k, "values");
        if (json_object_get(vals, v.token) || json_object_size(vals) < MAX_VALUES)
            return inc(vals, v.token, 1);
        json_object_set_new(k, "values_more", json_true());
    } else if (v.kind != K_FLAG) {
        json_object_set_new(k, "values_more", json_true());
    }
    return 0;
}

static int spelling(json_t *k, const char *raw)
{
    json_t *sp = child(k, "spellings");
    if (json_object_get(sp, raw) || json_object_size(sp) < MAX_SPELLINGS)
        return inc(sp, raw, 1);
    return 0;
}

static struct scope *scope_new(struct ob_cfg_learner *l, uint32_t sec)
{
    if (l->nscopes == l->capscopes) {
        size_t cap = l->capscopes ? l->capscopes * 2 : 256;
        struct scope *p = realloc(l->scopes, cap * sizeof *p);
        if (!p)
            return NULL;
        l->scopes = p;
        l->capscopes = cap;
    }
    struct scope *s = &l->scopes[l->nscopes++];
    memset(s, 0, sizeof *s);
    s->sec = sec;
    l->sec_scopes[sec]++;
    return s;
}

static int scope_add(struct ob_cfg_learner *l, struct scope *s, uint32_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] == id)
            return 0;
    uint32_t *p = realloc(s->ids, (s->n + 1) * sizeof *p);
    if (!p)
        return -1;
    s->ids = p;
    s->ids[s->n++] = id;
    l->info[id].scopes++;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%u:%u", s->sec, id);
    uint32_t c = 0;
    ob_strmap_get(l->seckey, buf, (size_t)n, &c);
    return ob_strmap_put(l->seckey, buf, (size_t)n, c + 1);
}

/* A quantity for the a < b rules: one per key and scope, else none. */
static int scope_num(struct scope *s, uint32_t id, const char *value)
{
    struct ob_cfg_value v;
    ob__cfg_classify(value, &v);
    for (size_t i = 0; i < s->nnums; i++)
        if (s->nums[i].id == id) {
            s->nums[i].mag = NAN; /* twice in a scope: no comparison */
            return 0;
        }
    if (!v.mag_known || v.kind == K_FLAG || v.kind == K_BOOL)
        return 0;
    struct numval *p = realloc(s->nums, (s->nnums + 1) * sizeof *p);
    if (!p)
        return -1;
    s->nums = p;
    s->nums[s->nnums++] = (struct numval){id, v.mag};
    return 0;
}

/* Per key, in how many files each section is there too: a key never seen
 * in a section that its files usually have is strong evidence; one never
 * seen in a section its files rarely have is none. */
static int cosections(struct ob_cfg_learner *l, const struct ob_cfg_file *f)
{
    const char **keys = malloc((f->n + 1) * sizeof *keys), **secs = malloc((f->n + 1) * sizeof *secs);
    size_t nk = 0, ns = 0;
    int rc = keys && secs ? 0 : -1;
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const char *k = f->e[i].key, *s = ob__cfg_leaf_section(f->e[i].section);
        size_t j;
        for (j = 0; j < nk && strcmp(keys[j], k); j++)
            ;
        if (j == nk && k[0])
            keys[nk++] = k;
        for (j = 0; j < ns && strcmp(secs[j], s); j++)
            ;
        if (j == ns)
            secs[ns++] = s;
    }
    for (size_t i = 0; i < nk && rc == 0; i++) {
        uint32_t id;
        if (!ob_strmap_get(l->ids, keys[i], strlen(keys[i]), &id))
            continue;
        json_t *co = child(l->info[id].obj, "with_sections");
        for (size_t j = 0; j < ns && rc == 0; j++)
            rc = inc(co, secs[j], 1);
    }
    free(keys);
    free(secs);
    return rc;
}

int ob_cfg_learn(struct ob_cfg_learner *l, const struct ob_cfg_file *f)
{
    struct ob_strmap *seen = ob_strmap_new();
    if (!seen)
        return -1;
    int rc = 0;
    /* scopes of this file: entry scope number -> our scope index */
    size_t first_scope = l->nscopes;
    unsigned *scope_of = NULL;
    size_t nscope_of = 0;
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct ob_cfg_entry *e = &f->e[i];
        if (!e->key[0])
            continue;
        const char *leaf = ob__cfg_leaf_section(e->section);
        long id = key_id(l, e->key), sid = sec_id(l, leaf);
        if (id < 0 || sid < 0) {
            rc = -1;
            break;
        }
        json_t *k = l->info[id].obj;
        int fk = first_in_file(seen, "k", e->key, NULL);
        int fs = first_in_file(seen, "s", e->key, leaf);
        int fS = first_in_file(seen, "S", leaf, NULL);
        if (fk < 0 || fs < 0 || fS < 0) {
            rc = -1;
            break;
        }
        if ((fk && inc(k, "files", 1) < 0) || (fs && inc(child(k, "sections"), leaf, 1) < 0) ||
            (fS && inc(l->sections, leaf, 1) < 0) || inc(k, "entries", 1) < 0 ||
            spelling(k, e->raw_key) < 0 || learn_value(l, k, e->value) < 0) {
            rc = -1;
            break;
        }
        if (e->scope >= nscope_of) {
            size_t n = e->scope + 1;
            unsigned *p = realloc(scope_of, n * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            for (size_t j = nscope_of; j < n; j++)
                p[j] = UINT32_MAX;
            scope_of = p;
            nscope_of = n;
        }
        if (scope_of[e->scope] == UINT32_MAX) {
            if (!scope_new(l, (uint32_t)sid)) {
                rc = -1;
                break;
            }
            scope_of[e->scope] = (unsigned)(l->nscopes - 1);
        }
        struct scope *s = &l->scopes[scope_of[e->scope]];
        if (scope_add(l, s, (uint32_t)id) < 0 || scope_num(s, (uint32_t)id, e->value) < 0)
            rc = -1;
        l->entries++;
    }
    if (rc == 0)
        rc = cosections(l, f);
    (void)first_scope;
    free(scope_of);
    ob_strmap_free(seen);
    l->files++;
    return rc;
}

/* ---- the rules, from the scopes' counts ---- */

/* Counts per ordered pair of key ids, open addressing. */
struct pairmap {
    uint64_t *k;
    uint32_t *a, *b; /* co-occurrences; for relations: a < b count */
    size_t cap, n;
};

static int pm_grow(struct pairmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 4096;
    uint64_t *k = malloc(cap * sizeof *k);
    uint32_t *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
    if (!k || !a || !b) {
        free(k), free(a), free(b);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        k[i] = UINT64_MAX;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->k[i] == UINT64_MAX)
            continue;
        size_t h = (size_t)((m->k[i] * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
        while (k[h] != UINT64_MAX)
            h = (h + 1) & (cap - 1);
        k[h] = m->k[i], a[h] = m->a[i], b[h] = m->b[i];
    }
    free(m->k), free(m->a), free(m->b);
    m->k = k, m->a = a, m->b = b, m->cap = cap;
    return 0;
}

static long pm_slot(struct pairmap *m, uint32_t x, uint32_t y)
{
    if ((m->n + 1) * 2 > m->cap && pm_grow(m) < 0)
        return -1;
    uint64_t key = (uint64_t)x << 32 | y;
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (m->cap - 1);
    while (m->k[h] != UINT64_MAX && m->k[h] != key)
        h = (h + 1) & (m->cap - 1);
    if (m->k[h] == UINT64_MAX) {
        m->k[h] = key;
        m->n++;
    }
    return (long)h;
}

static void pm_free(struct pairmap *m)
{
    free(m->k), free(m->a), free(m->b);
}

/* The names of a map's ids, by id: every key of obj that ids numbers
 * (the keys, or the sections, of the model). */
static const char **names_by_id(json_t *obj, struct ob_strmap *ids, size_t n)
{
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        uint32_t id;
        if (ob_strmap_get(ids, k, strlen(k), &id))
            names[id] = k;
    }
    return names;
}

/* The share of scopes of section sec that hold key id. */
static double base_rate(struct ob_cfg_learner *l, uint32_t sec, uint32_t id)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%u:%u", sec, id);
    uint32_t c = 0;
    ob_strmap_get(l->seckey, buf, (size_t)n, &c);
    return l->sec_scopes[sec] ? (double)c / l->sec_scopes[sec] : 0;
}

static int cooccur_rules(struct ob_cfg_learner *l, const char **names, const char **secs)
{
    struct pairmap pm = {0};
    for (size_t s = 0; s < l->nscopes; s++) {
        const struct scope *sc = &l->scopes[s];
        size_t n = sc->n < MAX_SCOPE_KEYS ? sc->n : MAX_SCOPE_KEYS;
        for (size_t i = 0; i < n; i++) {
            if (l->info[sc->ids[i]].scopes < RULE_MIN_SCOPES)
                continue;
            for (size_t j = 0; j < n; j++) {
                if (i == j || l->info[sc->ids[j]].scopes < RULE_MIN_SCOPES)
                    continue;
                long h = pm_slot(&pm, sc->ids[i], sc->ids[j]);
                if (h < 0) {
                    pm_free(&pm);
                    return -1;
                }
                pm.a[h]++;
            }
        }
    }
    json_t *rules = json_array();
    json_object_set_new(l->root, "cooccur", rules);
    for (size_t h = 0; h < pm.cap; h++) {
        if (pm.k[h] == UINT64_MAX)
            continue;
        uint32_t x = (uint32_t)(pm.k[h] >> 32), y = (uint32_t)pm.k[h];
        unsigned sx = l->info[x].scopes;
        double conf = (double)pm.a[h] / sx;
        if (conf < RULE_MIN_CONF)
            continue;
        uint32_t sec = l->info[x].lead_sec;
        json_t *r = json_pack("{s:s, s:s, s:s, s:i, s:i, s:f}", "if", names[x], "then", names[y],
                              "section", secs[sec], "support", (json_int_t)sx, "holds",
                              (json_int_t)pm.a[h], "base", base_rate(l, sec, y));
        if (!r || json_array_append_new(rules, r) < 0) {
            pm_free(&pm);
            return -1;
        }
    }
    pm_free(&pm);
    return 0;
}

static int relation_rules(struct ob_cfg_learner *l, const char **names)
{
    struct pairmap pm = {0};
    for (size_t s = 0; s < l->nscopes; s++) {
        const struct scope *sc = &l->scopes[s];
        for (size_t i = 0; i < sc->nnums; i++)
            for (size_t j = 0; j < sc->nnums; j++) {
                const struct numval *a = &sc->nums[i], *b = &sc->nums[j];
                if (i == j || isnan(a->mag) || isnan(b->mag))
                    continue;
                long h = pm_slot(&pm, a->id, b->id);
                if (h < 0) {
                    pm_free(&pm);
                    return -1;
                }
                pm.a[h]++;
                pm.b[h] += a->mag < b->mag;
            }
    }
    json_t *rules = json_array();
    json_object_set_new(l->root, "relations", rules);
    for (size_t h = 0; h < pm.cap; h++) {
        if (pm.k[h] == UINT64_MAX || pm.a[h] < REL_MIN_SCOPES)
            continue;
        double conf = (double)pm.b[h] / pm.a[h];
        if (conf < REL_MIN_CONF)
            continue;
        uint32_t x = (uint32_t)(pm.k[h] >> 32), y = (uint32_t)pm.k[h];
        json_t *r = json_pack("{s:s, s:s, s:i, s:i}", "less", names[x], "than", names[y],
                              "support", (json_int_t)pm.a[h], "holds", (json_int_t)pm.b[h]);
        if (!r || json_array_append_new(rules, r) < 0) {
            pm_free(&pm);
            return -1;
        }
    }
    pm_free(&pm);
    return 0;
}

/* Each key's lead section (where most of its files have it), for the rules. */
static void lead_sections(struct ob_cfg_learner *l, const char **names)
{
    for (size_t i = 0; i < l->ninfo; i++) {
        json_t *secs = json_object_get(l->info[i].obj, "sections");
        const char *s, *best = NULL;
        json_t *v;
        json_int_t bn = -1;
        json_object_foreach(secs, s, v) if (json_integer_value(v) > bn) {
            bn = json_integer_value(v);
            best = s;
        }
        uint32_t id = 0;
        if (best)
            ob_strmap_get(l->secids, best, strlen(best), &id);
        l->info[i].lead_sec = id;
        (void)names;
    }
}

/* How many distinct keys each section holds: a broad one (the top level,
 * a wrapper such as an "if this module" block) takes nearly any key, so a
 * key never seen in it says little; a narrow one has its own vocabulary. */
static int section_breadth(struct ob_cfg_learner *l)
{
    json_t *breadth = json_object();
    if (!breadth || json_object_set_new(l->root, "section_keys", breadth) < 0)
        return -1;
    for (size_t i = 0; i < l->ninfo; i++) {
        const char *s;
        json_t *v;
        json_object_foreach(json_object_get(l->info[i].obj, "sections"), s, v)
            if (inc(breadth, s, 1) < 0)
                return -1;
    }
    return 0;
}

struct ob_cfg_model *ob_cfg_learner_model(struct ob_cfg_learner *l)
{
    const char **names = names_by_id(l->keys, l->ids, l->ninfo),
                **secs = names_by_id(l->sections, l->secids, l->nsec);
    int rc = names && secs ? 0 : -1;
    if (rc == 0) {
        lead_sections(l, names);
        for (size_t i = 0; i < l->ninfo; i++)
            json_object_set_new(l->info[i].obj, "scopes", json_integer(l->info[i].scopes));
        json_object_set_new(l->root, "format", json_string(OB_CFG_MODEL_FORMAT));
        json_object_set_new(l->root, "version", json_integer(OB_CFG_MODEL_VERSION));
        json_object_set_new(l->root, "files", json_integer((json_int_t)l->files));
        json_object_set_new(l->root, "entries", json_integer((json_int_t)l->entries));
        json_object_set_new(l->root, "scopes", json_integer((json_int_t)l->nscopes));
        json_object_set_new(l->root, "quantities", json_integer((json_int_t)l->quantities));
        rc = section_breadth(l);
        if (rc == 0)
            rc = cooccur_rules(l, names, secs);
        if (rc == 0)
            rc = relation_rules(l, names);
    }
    json_t *copy = rc == 0 ? json_deep_copy(l->root) : NULL;
    free(names);
    free(secs);
    if (!copy)
        return NULL;
    char err[128];
    return ob__cfg_model_wrap(copy, err, sizeof err);
}

/* check.c - holds one file to a model: every entry against its key's
 * learned sections, value kind, units and range, unknown keys against the
 * spelling of known ones, and each scope against the co-occurrence and
 * ordering rules. At most one finding per entry (the most certain), all of
 * them ranked by confidence then support, each with its evidence in words.
 *
 * A key the corpus never saw is reported only when it is one edit away from
 * a key that several files use: being rare is not an error. */
#include "config/config_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ob_cfg_class_name(enum ob_cfg_class c)
{
    static const char *const names[] = {"typo", "type", "range", "misplaced", "missing", "relation"};
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "other";
}

static unsigned ival(json_t *obj, const char *name)
{
    json_int_t v = json_integer_value(json_object_get(obj, name));
    return v < 0 ? 0 : v > 0x7fffffff ? 0x7fffffff : (unsigned)v;
}

/* A candidate finding for one entry, before the best is kept. */
struct cand {
    int set;
    enum ob_cfg_class cls;
    double conf;
    unsigned support;
    char evidence[512];
};

static void propose(struct cand *c, enum ob_cfg_class cls, double conf, unsigned support,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void propose(struct cand *c, enum ob_cfg_class cls, double conf, unsigned support,
                    const char *fmt, ...)
{
    if (c->set && (c->conf > conf || (c->conf == conf && c->support >= support)))
        return;
    c->set = 1;
    c->cls = cls;
    c->conf = conf;
    c->support = support;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->evidence, sizeof c->evidence, fmt, ap);
    va_end(ap);
}

/* How sure a rule is that n observations of which agree agree: the lower
 * end of the Wilson score interval (95 %) of the share, so a rule that 3
 * files agree on counts for less than one that 300 do, and findings rank
 * by what the corpus can show, not by a bare ratio. */
static double certainty(unsigned agree, unsigned n)
{
    if (!n)
        return 0;
    const double z = 1.96, z2 = z * z;
    double p = (double)agree / n;
    double c = p + z2 / (2.0 * n), d = z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return (c - d) / (1 + z2 / n);
}

static int add_finding(struct ob_cfg_findings *out, enum ob_cfg_class cls, unsigned line,
                       const char *section, const char *key, double conf, unsigned support,
                       const char *evidence)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        struct ob_cfg_finding *p = realloc(out->f, cap * sizeof *p);
        if (!p)
            return -1;
        out->f = p;
        out->cap = cap;
    }
    struct ob_cfg_finding *f = &out->f[out->n];
    f->cls = cls;
    f->line = line;
    f->confidence = conf;
    f->support = support;
    f->section = strdup(section);
    f->key = strdup(key);
    f->evidence = strdup(evidence);
    if (!f->section || !f->key || !f->evidence) {
        free(f->section), free(f->key), free(f->evidence);
        return -1;
    }
    out->n++;
    return 0;
}

void ob_cfg_findings_clear(struct ob_cfg_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->f[i].section);
        free(fs->f[i].key);
        free(fs->f[i].evidence);
    }
    free(fs->f);
    memset(fs, 0, sizeof *fs);
}

/* The spelling a key is usually written with. */
static const char *usual_spelling(json_t *k, const char *key)
{
    json_t *sp = json_object_get(k, "spellings");
    const char *best = key, *s;
    json_t *v;
    json_int_t bn = 0;
    json_object_foreach(sp, s, v) if (json_integer_value(v) > bn) {
        bn = json_integer_value(v);
        best = s;
    }
    return best;
}

static const char *shown_section(const char *s)
{
    return s[0] ? s : "top level";
}

/* ---- type ---- */

/* Whether a value of kind vk fits a key whose training values were of
 * kind lk. Numbers do not fit words nor words numbers; a switch fits 0/1. */
static int admits(int lk, int vk)
{
    switch (vk) {
    case K_FLAG:
    case K_EMPTY:
        return 1;
    case K_INT:
    case K_FLOAT:
        return lk == K_INT || lk == K_FLOAT || lk == K_QUANTITY || lk == K_ADDR;
    case K_INT01:
        return lk != K_PATH && lk != K_WORD && lk != K_TEXT && lk != K_IP && lk != K_EMPTY;
    case K_QUANTITY:
        return lk == K_INT || lk == K_FLOAT || lk == K_QUANTITY;
    case K_BOOL:
        return lk == K_BOOL || lk == K_INT01 || lk == K_FLAG || lk == K_WORD;
    case K_IP:
        return lk == K_IP || lk == K_ADDR || lk == K_WORD || lk == K_TEXT;
    case K_ADDR:
        return lk == K_ADDR || lk == K_IP || lk == K_INT || lk == K_WORD || lk == K_TEXT;
        /* (an address fits a word key, a hostname; a word does not fit an
         * address key: "high" is no place to listen on) */
    case K_PATH:
        return lk == K_PATH || lk == K_TEXT || lk == K_WORD;
    case K_WORD:
        return lk == K_WORD || lk == K_TEXT || lk == K_PATH || lk == K_IP;
    case K_TEXT:
        return lk == K_TEXT || lk == K_WORD || lk == K_PATH || lk == K_IP || lk == K_ADDR;
    }
    return 1;
}

static void check_type(json_t *k, const struct ob_cfg_entry *e, const struct ob_cfg_value *v,
                       json_t *model, struct cand *c)
{
    json_t *kinds = json_object_get(k, "kinds");
    unsigned n = 0, ok = 0, lead_n = 0, numeric = 0;
    const char *name, *lead = "?";
    json_t *cnt;
    json_object_foreach(kinds, name, cnt) {
        int lk = ob__cfg_kind_from_name(name);
        if (lk == K_INT || lk == K_FLOAT || lk == K_QUANTITY)
            numeric += (unsigned)json_integer_value(cnt);
    }
    json_object_foreach(kinds, name, cnt) {
        unsigned x = (unsigned)json_integer_value(cnt);
        int lk = ob__cfg_kind_from_name(name);
        if (lk == K_FLAG || lk == K_EMPTY)
            continue;
        /* 0 and 1 of a key that takes other numbers too are numbers */
        if (lk == K_INT01 && numeric * 10 >= x)
            lk = K_INT;
        n += x;
        if (lk >= 0 && admits(lk, (int)v->kind))
            ok += x;
        if (x > lead_n)
            lead_n = x, lead = name;
    }
    /* one odd value in the corpus (a real file's own mistake) must not
     * make a kind acceptable: the kind must be a tenth of the values */
    if (n >= OB_CFG_TYPE_MIN && ok * 10 < n) {
        propose(c, OB_CFG_TYPE, certainty(n, n), n,
                "%s=%s is %s %s: %s in %u of %u values in the corpus", e->raw_key, e->value,
                v->kind == K_INT || v->kind == K_INT01 ? "a" : v->kind == K_IP ? "an" : "a",
                ob__cfg_kind_name(v->kind), lead, lead_n, n);
        return;
    }
    if (v->kind != K_QUANTITY)
        return;
    /* A unit this key never had, and that is rare across the corpus. */
    json_t *units = json_object_get(k, "units");
    unsigned nq = 0, mine = 0;
    json_object_foreach(units, name, cnt) {
        nq += (unsigned)json_integer_value(cnt);
        if (!strcasecmp(name, v->unit))
            mine += (unsigned)json_integer_value(cnt);
    }
    unsigned all = ival(model, "quantities"), here = 0;
    json_object_foreach(json_object_get(model, "units"), name, cnt)
        if (!strcasecmp(name, v->unit))
            here += (unsigned)json_integer_value(cnt);
    /* units compared without case: most programs read 64m as 64M */
    if (nq >= OB_CFG_TYPE_MIN && !mine && all && here * 100 < all) {
        propose(c, OB_CFG_TYPE, certainty(all - here, all) * 0.95, nq,
                "%s=%s: unit '%s' in %u of %u sizes and durations in the corpus, never for %s",
                e->raw_key, e->value, v->unit, here, all, e->raw_key);
    }
}

/* ---- range ---- */

static void check_range(json_t *k, const struct ob_cfg_entry *e, const struct ob_cfg_value *v,
                        struct cand *c)
{
    if (!v->mag_known || !(v->kind == K_INT || v->kind == K_FLOAT || v->kind == K_QUANTITY ||
                           v->kind == K_INT01))
        return;
    json_t *num = json_object_get(k, "num");
    unsigned n = ival(num, "n");
    if (n < OB_CFG_RANGE_MIN)
        return;
    double lo = json_number_value(json_object_get(num, "min"));
    double hi = json_number_value(json_object_get(num, "max"));
    unsigned neg = ival(num, "neg");
    if (v->mag < 0 && neg == 0) {
        propose(c, OB_CFG_RANGE, certainty(n, n), n,
                "%s=%s is negative: %u values in the corpus, all from %g to %g", e->raw_key,
                e->value, n, lo, hi);
        return;
    }
    if (v->mag <= 0)
        return;
    /* How many of the corpus's values are within a factor F of this one,
     * on the side it lies: none (or one in fifty, a real file's own odd
     * value) means it is out of the range files use. */
    double f = OB_CFG_RANGE_FACTOR;
    int lo_b = (int)floor(2 * log2(v->mag / f)), hi_b = (int)floor(2 * log2(v->mag * f));
    int vb = (int)floor(2 * log2(v->mag));
    unsigned pos = 0, near_up = 0, near_down = 0, close = 0;
    const char *b;
    json_t *cnt;
    json_object_foreach(json_object_get(num, "hist"), b, cnt) {
        int bi = atoi(b);
        unsigned c2 = (unsigned)json_integer_value(cnt);
        pos += c2;
        near_up += bi >= lo_b ? c2 : 0;   /* values not far below v */
        near_down += bi <= hi_b ? c2 : 0; /* values not far above v */
        close += abs(bi - vb) <= 2 ? c2 : 0; /* within 2x: the same value */
    }
    unsigned allowed = (pos + OB_CFG_RANGE_OUTLIERS / 2) / OB_CFG_RANGE_OUTLIERS;
    if (pos < OB_CFG_RANGE_MIN)
        return;
    /* beyond all values but the allowed odd ones; those may lie further
     * out still (a real file's own slip must not widen the range), but
     * not near this one: a file that wrote the same is a witness for it */
    int above = near_up <= allowed && v->mag > lo && (v->mag > hi || !close);
    int below = near_down <= allowed && v->mag < hi && (v->mag < lo || !close);
    if (above || below)
        propose(c, OB_CFG_RANGE, certainty(pos - (above ? near_up : near_down), pos) * 0.97, n,
                "%s=%s is %s: %u of %u values in the corpus are within %gx of it (all from %g to %g)",
                e->raw_key, e->value, above ? "far above what files use" : "far below what files use",
                above ? near_up : near_down, pos, f, lo, hi);
}

/* ---- misplaced ---- */

/* Whether a section has a vocabulary of its own: it holds at most a third
 * as many distinct keys as the broadest one. */
static int narrow_section(json_t *model, const char *leaf)
{
    json_t *breadth = json_object_get(model, "section_keys");
    unsigned most = 0, here = ival(breadth, leaf);
    const char *s;
    json_t *v;
    json_object_foreach(breadth, s, v) if ((unsigned)json_integer_value(v) > most)
        most = (unsigned)json_integer_value(v);
    return here * 3 <= most;
}

static void check_place(const struct ob_cfg_model *m, json_t *k, const struct ob_cfg_entry *e,
                        struct cand *c)
{
    const char *leaf = ob__cfg_leaf_section(e->section);
    json_t *secs = json_object_get(k, "sections");
    if (json_object_get(secs, leaf) || !narrow_section(m->root, leaf))
        return;
    unsigned both = ival(json_object_get(k, "with_sections"), leaf);
    if (both < OB_CFG_PLACE_MIN)
        return;
    unsigned lead_n = 0;
    const char *lead = ob__cfg_lead_section(k, &lead_n);
    if (!lead)
        return;
    /* how often the lead section's keys stray into this one (Laplace):
     * into a section that shares its vocabulary, one more is no mistake */
    char name[512];
    snprintf(name, sizeof name, "%s\x01%s", lead, leaf);
    json_t *lk = json_object_get(m->leak, name);
    unsigned lkeys = (unsigned)json_integer_value(json_array_get(lk, 0));
    unsigned lseen = (unsigned)json_integer_value(json_array_get(lk, 1));
    double stray = (lseen + 1.0) / (lkeys + 2.0);
    if (stray > OB_CFG_PLACE_LEAK)
        return;
    propose(c, OB_CFG_MISPLACED, certainty(both, both) * (1 - stray), both,
            "%s in [%s]: in [%s] in %u of %u files, never in [%s] (%u files have both; "
            "%u of %u keys of [%s] are ever in [%s])",
            e->raw_key, shown_section(e->section), shown_section(lead), lead_n, ival(k, "files"),
            shown_section(leaf), both, lseen, lkeys, shown_section(lead), shown_section(leaf));
}

/* ---- typo ---- */

static int in_scope(const struct ob_cfg_file *f, unsigned scope, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].scope == scope && !strcmp(f->e[i].key, key))
            return 1;
    return 0;
}

static void check_typo(const struct ob_cfg_model *m, const struct ob_cfg_file *f,
                       const struct ob_cfg_entry *e, struct cand *c)
{
    if (strlen(e->key) < 4)
        return;
    for (size_t i = 0; i < m->nnames; i++) {
        if (m->files[i] < OB_CFG_TYPO_MIN)
            break;
        if (ob__cfg_distance(e->key, m->names[i], 1) > 1)
            continue;
        /* the key is there as well: perhaps a different setting */
        double doubt = in_scope(f, e->scope, m->names[i]) ? 0.8 : 1;
        json_t *k = json_object_get(m->keys, m->names[i]);
        unsigned files = m->files[i], total = ival(m->root, "files");
        propose(c, OB_CFG_TYPO, certainty(files, files) * doubt, files,
                "%s: in no file of the corpus; %s is in %u of %u files", e->raw_key,
                usual_spelling(k, m->names[i]), files, total);
        return;
    }
}

/* ---- missing and relation, per scope ---- */

static const struct ob_cfg_entry *find_in_scope(const struct ob_cfg_file *f, unsigned scope,
                                                const char *key, int *count)
{
    const struct ob_cfg_entry *found = NULL;
    *count = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].scope == scope && !strcmp(f->e[i].key, key)) {
            found = &f->e[i];
            ++*count;
        }
    return found;
}

static int in_file(const struct ob_cfg_file *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->e[i].key, key))
            return 1;
    return 0;
}

/* The co-occurrence rules strong enough to hold a file to: Laplace's
 * confidence, lift over the key's rate in its section, and specific: a key
 * that "implies" many others marks a sample file copied around (its keys
 * come as a bundle), not a dependency, so its rules are not used. */
static int usable_rule(json_t *r, double *conf)
{
    unsigned sup = ival(r, "support"), holds = ival(r, "holds");
    double base = json_number_value(json_object_get(r, "base"));
    *conf = (holds + 1.0) / (sup + 2.0);
    return sup >= OB_CFG_MISS_SUPPORT && *conf >= OB_CFG_MISS_CONF &&
           *conf >= base * OB_CFG_MISS_LIFT;
}

static int check_missing(const struct ob_cfg_model *m, const struct ob_cfg_file *f,
                         struct ob_cfg_findings *out)
{
    json_t *rules = json_object_get(m->root, "cooccur");
    size_t i, j;
    json_t *r, *r2;
    json_t *best = NULL;
    const struct ob_cfg_entry *best_e = NULL;
    double best_conf = 0;
    unsigned best_agree = 0;
    json_array_foreach(rules, i, r) {
        double conf, c2;
        if (!usable_rule(r, &conf))
            continue;
        const char *a = json_string_value(json_object_get(r, "if"));
        const char *b = json_string_value(json_object_get(r, "then"));
        if (!a || !b || in_file(f, b) || !in_file(f, a))
            continue;
        unsigned implied = 0, agree = 0;
        json_array_foreach(rules, j, r2) {
            const char *a2 = json_string_value(json_object_get(r2, "if"));
            const char *b2 = json_string_value(json_object_get(r2, "then"));
            if (!a2 || !b2 || !usable_rule(r2, &c2))
                continue;
            implied += !strcmp(a2, a);
            agree += !strcmp(b2, b) && in_file(f, a2);
        }
        if (implied > OB_CFG_MISS_SPECIFIC)
            continue;
        if (agree < OB_CFG_MISS_AGREE)
            continue;
        if (conf <= best_conf)
            continue;
        for (size_t k = 0; k < f->n; k++)
            if (!strcmp(f->e[k].key, a)) {
                best = r;
                best_e = &f->e[k];
                best_conf = conf;
                best_agree = agree;
                break;
            }
    }
    if (!best)
        return 0; /* at most one per file: the most certain */
    const char *b = json_string_value(json_object_get(best, "then"));
    json_t *kb = json_object_get(m->keys, b);
    char ev[512];
    snprintf(ev, sizeof ev,
             "%s missing from [%s]: %u of the %u scopes in the corpus that have %s have it "
             "(%.0f%% of [%s] scopes overall); %u keys here call for it",
             usual_spelling(kb, b), shown_section(best_e->section), ival(best, "holds"),
             ival(best, "support"), best_e->raw_key,
             100 * json_number_value(json_object_get(best, "base")),
             shown_section(json_string_value(json_object_get(best, "section"))), best_agree);
    return add_finding(out, OB_CFG_MISSING, 0, best_e->section, usual_spelling(kb, b), best_conf,
                       ival(best, "support"), ev);
}

/* Orderings are kept between amounts written with their unit (sizes,
 * durations), not between any two numbers that happen to compare. */
static int mostly_quantity(json_t *k)
{
    json_t *kinds = json_object_get(k, "kinds");
    unsigned q = ival(kinds, "quantity"), n = 0;
    const char *name;
    json_t *cnt;
    json_object_foreach(kinds, name, cnt) n += (unsigned)json_integer_value(cnt);
    return n && q * 2 >= n;
}

/* The share of a key's corpus magnitudes at least as far out as mag, above
 * it (upper) or below it; 1 when the key has none. */
static double tail_share(json_t *k, double mag, int upper)
{
    json_t *hist = json_object_get(json_object_get(k, "num"), "hist");
    if (!hist || mag <= 0)
        return 1;
    int vb = (int)floor(2 * log2(mag));
    unsigned pos = 0, out = 0;
    const char *b;
    json_t *cnt;
    json_object_foreach(hist, b, cnt) {
        int bi = atoi(b);
        unsigned c2 = (unsigned)json_integer_value(cnt);
        pos += c2;
        out += (upper ? bi >= vb : bi <= vb) ? c2 : 0;
    }
    return pos ? (double)out / pos : 1;
}

static int check_relations(const struct ob_cfg_model *m, const struct ob_cfg_file *f,
                           struct cand *cands)
{
    json_t *rules = json_object_get(m->root, "relations");
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) {
        unsigned sup = ival(r, "support"), holds = ival(r, "holds");
        if (sup < OB_CFG_REL_SUPPORT || (holds + 1.0) / (sup + 2.0) < OB_CFG_REL_CONF)
            continue;
        const char *a = json_string_value(json_object_get(r, "less"));
        const char *b = json_string_value(json_object_get(r, "than"));
        if (!a || !b || !mostly_quantity(json_object_get(m->keys, a)) ||
            !mostly_quantity(json_object_get(m->keys, b)))
            continue;
        for (size_t j = 0; j < f->n; j++) {
            const struct ob_cfg_entry *ea = &f->e[j];
            int na, nb;
            if (strcmp(ea->key, a) || find_in_scope(f, ea->scope, a, &na) != ea)
                continue;
            const struct ob_cfg_entry *eb = find_in_scope(f, ea->scope, b, &nb);
            if (!eb || na != 1 || nb != 1)
                continue;
            struct ob_cfg_value va, vb;
            ob__cfg_classify(ea->value, &va);
            ob__cfg_classify(eb->value, &vb);
            /* four times the other at least: near is a choice, not a slip */
            if (!va.mag_known || !vb.mag_known || va.kind == K_FLAG || vb.kind == K_FLAG ||
                vb.mag <= 0 || va.mag < 4 * vb.mag)
                continue;
            /* a broken ordering is a mistake of one of the two: the one
             * whose value lies in its own key's tail (at most one corpus
             * value in twenty as far out); neither there, a choice */
            double ta = tail_share(json_object_get(m->keys, a), va.mag, 1);
            double tb = tail_share(json_object_get(m->keys, b), vb.mag, 0);
            if (ta > OB_CFG_REL_TAIL && tb > OB_CFG_REL_TAIL)
                continue;
            size_t at = ta <= tb ? j : (size_t)(eb - f->e);
            propose(&cands[at], OB_CFG_RELATION, certainty(holds, sup) * 0.9, sup,
                    "%s=%s is not below %s=%s: below it in %u of %u scopes in the corpus; "
                    "%s=%s is beyond %.0f%% of its values in the corpus",
                    ea->raw_key, ea->value, eb->raw_key, eb->value, holds, sup,
                    f->e[at].raw_key, f->e[at].value, 100 * (1 - (ta <= tb ? ta : tb)));
        }
    }
    return 0;
}

static int by_certainty(const void *a, const void *b)
{
    const struct ob_cfg_finding *x = a, *y = b;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    if (x->support != y->support)
        return x->support > y->support ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

int ob_cfg_check(const struct ob_cfg_model *m, const struct ob_cfg_file *f,
                 struct ob_cfg_findings *out)
{
    size_t first = out->n;
    struct cand *cands = calloc(f->n + 1, sizeof *cands);
    if (!cands)
        return -1;
    for (size_t i = 0; i < f->n; i++) {
        const struct ob_cfg_entry *e = &f->e[i];
        if (!e->key[0])
            continue;
        json_t *k = json_object_get(m->keys, e->key);
        if (!k) {
            check_typo(m, f, e, &cands[i]);
            continue;
        }
        struct ob_cfg_value v;
        ob__cfg_classify(e->value, &v);
        check_place(m, k, e, &cands[i]);
        check_type(k, e, &v, m->root, &cands[i]);
        if (!(cands[i].set && cands[i].cls == OB_CFG_TYPE))
            check_range(k, e, &v, &cands[i]);
    }
    int rc = check_relations(m, f, cands);
    for (size_t i = 0; i < f->n && rc == 0; i++)
        if (cands[i].set)
            rc = add_finding(out, cands[i].cls, f->e[i].line, f->e[i].section, f->e[i].raw_key,
                             cands[i].conf, cands[i].support, cands[i].evidence);
    free(cands);
    if (rc == 0)
        rc = check_missing(m, f, out);
    if (rc == 0 && out->n > first)
        qsort(out->f + first, out->n - first, sizeof *out->f, by_certainty);
    return rc;
}

/* cfgmap.c - the config-map engine (see cfgmap.h): one walk of a table
 * for defaults, one for filling from YAML, one for freeing, one for the
 * reference. A mapping is read in two passes: every key must be in the
 * table (else "unknown key", with the nearest one), then the table's
 * entries in their order, so that a key a later one depends on (global
 * before scrape_configs) is read first whatever the file's order. */
#include "io/cfgmap.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ctx {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
};

#define FIELD(obj, off, type) ((type *)((char *)(obj) + (off)))

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    int k = snprintf(c->err, c->errlen, "%s:%lu: ", c->file,
                     n ? (unsigned long)n->start_mark.line + 1 : 1ul);
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < c->errlen)
        vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *node(struct ctx *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

static const char *scalar(struct ctx *c, const yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        fail(c, n, "%s: expected a single value", what);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static bool empty_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE && !n->data.scalar.length;
}

static int grow(void **p, size_t elem, size_t n)
{
    void *q = realloc(*p, (n + 1) * elem);
    if (!q)
        return -1;
    *p = q;
    memset((char *)q + n * elem, 0, elem);
    return 0;
}

double ob_parse_duration(const char *s)
{
    static const struct { const char *unit; double seconds; } units[] = {
        {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}, {"y", 31536000},
    };
    double total = 0;
    bool any = false;
    while (*s) {
        if (!isdigit((unsigned char)*s))
            return -1;
        double v = 0;
        while (isdigit((unsigned char)*s) && v < 1e12)
            v = v * 10 + (*s++ - '0');
        size_t i = 0;
        while (i < sizeof units / sizeof units[0] &&
               strncmp(s, units[i].unit, strlen(units[i].unit)) != 0)
            i++;
        if (i == sizeof units / sizeof units[0])
            return -1;
        s += strlen(units[i].unit);
        total += v * units[i].seconds;
        any = true;
    }
    return any ? total : -1;
}

/* "32G", "32GiB", "512M", "1T", "16": GiB; -1 if bad. */
static double parse_memory(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    double mult = *end == 'M' ? 1.0 / 1024 : *end == 'T' ? 1024 : 1;
    if (*end == 'G' || *end == 'M' || *end == 'T')
        end++;
    if (*end == 'i')
        end++;
    if (*end == 'B')
        end++;
    return end == s || *end || !(v >= 0) || v > 1e9 ? -1 : v * mult;
}

/* ---- one scalar value: the same rules for a default and for the file ---- */

/* Sets the scalar field of e from s; NULL, or what is wrong with s. */
static const char *set_scalar(const struct ob_cfgmap_entry *e, void *obj, const char *s, char *why,
                              size_t cap)
{
    char *end;
    switch (e->type) {
    case OB_CFG_STRING: {
        const char *bad = e->check ? e->check(s) : NULL;
        if (bad)
            return bad;
        char *copy = strdup(s);
        if (!copy)
            return "out of memory";
        free(*FIELD(obj, e->offset, char *));
        *FIELD(obj, e->offset, char *) = copy;
        return NULL;
    }
    case OB_CFG_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "yes"))
            *FIELD(obj, e->offset, int) = 1;
        else if (!strcmp(s, "false") || !strcmp(s, "no"))
            *FIELD(obj, e->offset, int) = 0;
        else
            return "is neither true nor false";
        return NULL;
    case OB_CFG_COUNT: {
        long v = strtol(s, &end, 10);
        if (!*s || *end || v < 0 || v > e->max) {
            snprintf(why, cap, "is not a whole number from 0 to %ld", e->max);
            return why;
        }
        if (v == 0 && (e->flags & OB_CFG_ZERO_DEFAULT) && e->def)
            v = strtol(e->def, NULL, 10);
        *FIELD(obj, e->offset, long) = v;
        return NULL;
    }
    case OB_CFG_DURATION: {
        double d = (e->flags & OB_CFG_ZERO) && !strcmp(s, "0") ? 0 : ob_parse_duration(s);
        if (d < 0 || (d == 0 && !(e->flags & OB_CFG_ZERO)))
            return "is not a duration such as 15s, 1m or 500ms";
        *FIELD(obj, e->offset, double) = d;
        return NULL;
    }
    case OB_CFG_FRACTION: {
        double v = strtod(s, &end);
        bool open = e->flags & OB_CFG_OPEN;
        if (!*s || *end || !(open ? v > 0 && v < 1 : v >= 0 && v <= 1))
            return open ? "is not a number between 0 and 1 (both excluded)" : "is not a number from 0 to 1";
        *FIELD(obj, e->offset, double) = v;
        return NULL;
    }
    case OB_CFG_MEMORY: {
        double v = parse_memory(s);
        if (v < 0)
            return "is not a size (32G, 512M)";
        *FIELD(obj, e->offset, double) = v;
        return NULL;
    }
    default:
        return "is not a single value";
    }
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int add_string(char ***v, size_t *n, const char *s, size_t len)
{
    char *copy = strndup(s, len);
    if (!copy || grow((void **)v, sizeof **v, *n) < 0) {
        free(copy);
        return -1;
    }
    (*v)[(*n)++] = copy;
    return 0;
}

/* A STRINGS default as written in YAML's flow style: "[a, b, c]". */
static int strings_default(const struct ob_cfgmap_entry *e, void *obj)
{
    char ***v = FIELD(obj, e->offset, char **);
    size_t *n = FIELD(obj, e->count, size_t);
    const char *s = e->def + (*e->def == '[');
    while (*s && *s != ']') {
        while (*s == ' ' || *s == ',')
            s++;
        size_t len = strcspn(s, ",]");
        while (len && s[len - 1] == ' ')
            len--;
        if (len && add_string(v, n, s, len) < 0)
            return -1;
        s += len;
        while (*s == ' ')
            s++;
    }
    return 0;
}

int ob_cfgmap_defaults(const struct ob_cfgmap *m, void *obj)
{
    if (m->base && ob_cfgmap_defaults(m->base, obj) < 0)
        return -1;
    char why[96];
    for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++) {
        if (e->type == OB_CFG_SECTION && ob_cfgmap_defaults(e->sub, FIELD(obj, e->offset, char)) < 0)
            return -1;
        if (e->type == OB_CFG_FRACTION && (e->flags & OB_CFG_UNSET))
            *FIELD(obj, e->offset, double) = NAN;
        if (!e->def || (e->flags & OB_CFG_DEF_NOTE))
            continue;
        if (e->type == OB_CFG_STRINGS) {
            if (strings_default(e, obj) < 0)
                return -1;
        } else if (set_scalar(e, obj, e->def, why, sizeof why)) {
            return -1; /* a table's own default is wrong: a bug, found by the unit test */
        }
    }
    return 0;
}

/* ---- filling from YAML ---- */

static const struct ob_cfgmap_entry *lookup(const struct ob_cfgmap *m, const char *key)
{
    for (; m; m = m->base)
        for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++)
            if (!(e->flags & OB_CFG_DERIVED) && !strcmp(e->key, key))
                return e;
    return NULL;
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[129];
    if (la > 128 || lb > 128)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ob_cfgmap_nearest(const struct ob_cfgmap *m, const char *key)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (; m; m = m->base)
        for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++) {
            size_t d = e->flags & OB_CFG_DERIVED ? (size_t)-1 : distance(key, e->key);
            if (d < bestd) {
                bestd = d;
                best = e->key;
            }
        }
    return best;
}

static int fill(struct ctx *c, const struct ob_cfgmap *m, void *obj, void *root, yaml_node_t *n,
                const char *path, const char *prefix);

static int set_labels(struct ctx *c, const struct ob_cfgmap_entry *e, void *obj, yaml_node_t *v,
                      const char *what)
{
    struct ob_label_pair **l = FIELD(obj, e->offset, struct ob_label_pair *);
    size_t *nl = FIELD(obj, e->count, size_t);
    if (!v || v->type != YAML_MAPPING_NODE)
        return fail(c, v, "%s: expected a mapping of keys", what);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const char *name = scalar(c, node(c, p->key), what), *value = scalar(c, node(c, p->value), what);
        if (!name || !value)
            return -1;
        if (grow((void **)l, sizeof **l, *nl) < 0)
            return fail(c, v, "out of memory");
        struct ob_label_pair *lp = &(*l)[(*nl)++];
        if (!(lp->name = strdup(name)) || !(lp->value = strdup(value)))
            return fail(c, v, "out of memory");
    }
    return 0;
}

static int set_strings(struct ctx *c, const struct ob_cfgmap_entry *e, void *obj, yaml_node_t *v,
                       const char *what)
{
    char ***out = FIELD(obj, e->offset, char **);
    size_t *nout = FIELD(obj, e->count, size_t);
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "%s: expected a list", what);
    free_strings(*out, *nout);
    *out = NULL;
    *nout = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = node(c, *it);
        const char *s = scalar(c, item, what);
        const char *bad = s && e->check ? e->check(s) : NULL;
        if (!s)
            return -1;
        if (bad)
            return fail(c, item, "%s: '%s' %s", what, s, bad);
        if (add_string(out, nout, s, strlen(s)) < 0)
            return fail(c, item, "out of memory");
    }
    return 0;
}

static int set_list(struct ctx *c, const struct ob_cfgmap_entry *e, void *obj, void *root, yaml_node_t *v,
                    const char *what, const char *prefix)
{
    void **items = FIELD(obj, e->offset, void *);
    size_t *n = FIELD(obj, e->count, size_t);
    if (!v || v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "%s: expected a list", what);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = node(c, *it);
        if (grow(items, e->sub->size, *n) < 0)
            return fail(c, item, "out of memory");
        void *elem = (char *)*items + e->sub->size * (*n)++; /* counted now: freed if half filled */
        if (ob_cfgmap_defaults(e->sub, elem) < 0)
            return fail(c, item, "out of memory");
        if (fill(c, e->sub, elem, root, item, what, prefix) < 0)
            return -1;
    }
    return 0;
}

static int set_entry(struct ctx *c, const struct ob_cfgmap_entry *e, void *obj, void *root, yaml_node_t *v,
                     const char *prefix)
{
    char what[256], why[96];
    snprintf(what, sizeof what, "%s%s%s", prefix, *prefix ? "." : "", e->key);
    /* A BARE section's keys are named by themselves in errors. */
    const char *inner = e->flags & OB_CFG_BARE ? "" : what;
    switch (e->type) {
    case OB_CFG_STRINGS:
        return set_strings(c, e, obj, v, what);
    case OB_CFG_LABELS:
        return set_labels(c, e, obj, v, what);
    case OB_CFG_LIST:
        return set_list(c, e, obj, root, v, what, inner);
    case OB_CFG_SECTION:
        if (e->flags & OB_CFG_PRESENT)
            *FIELD(obj, e->count, int) = 1;
        if ((e->flags & OB_CFG_EMPTY) && empty_scalar(v))
            return 0;
        return fill(c, e->sub, FIELD(obj, e->offset, char), root, v, what, inner);
    default: {
        const char *s = scalar(c, v, what);
        if (!s)
            return -1;
        const char *bad = set_scalar(e, obj, s, why, sizeof why);
        return bad ? fail(c, v, "%s: '%s' %s", what, s, bad) : 0;
    }
    }
}

/* The entries of m (its base's first) with their values in mapping n. */
static int fill_entries(struct ctx *c, const struct ob_cfgmap *m, void *obj, void *root, yaml_node_t *n,
                        const char *prefix)
{
    if (m->base && fill_entries(c, m->base, obj, root, n, prefix) < 0)
        return -1;
    for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++) {
        if (e->flags & OB_CFG_DERIVED)
            continue;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node(c, p->key);
            if (!strcmp((const char *)k->data.scalar.value, e->key) &&
                set_entry(c, e, obj, root, node(c, p->value), prefix) < 0)
                return -1;
        }
    }
    return 0;
}

static int finish(struct ctx *c, const struct ob_cfgmap *m, void *obj, void *root, yaml_node_t *n,
                  const char *path)
{
    if (m->base && finish(c, m->base, obj, root, n, path) < 0)
        return -1;
    char why[256] = "";
    if (!m->finish || m->finish(obj, root, why, sizeof why) == 0)
        return 0;
    return *path ? fail(c, n, "%s: %s", path, why) : fail(c, n, "%s", why);
}

static int fill(struct ctx *c, const struct ob_cfgmap *m, void *obj, void *root, yaml_node_t *n,
                const char *path, const char *prefix)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(c, n, "%s: expected a mapping of keys", *path ? path : "config");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key);
        const char *key = scalar(c, k, *path ? path : "config");
        if (!key)
            return -1;
        if (lookup(m, key))
            continue;
        const char *near = ob_cfgmap_nearest(m, key);
        char hint[160] = "";
        if (near)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", near);
        return *path ? fail(c, k, "%s: unknown key '%s'%s", path, key, hint)
                     : fail(c, k, "unknown key '%s'%s", key, hint);
    }
    if (fill_entries(c, m, obj, root, n, prefix) < 0)
        return -1;
    return finish(c, m, obj, root, n, path);
}

int ob_cfgmap_fill(const struct ob_cfgmap *m, void *obj, void *root, struct yaml_document_s *doc,
                   struct yaml_node_s *n, const char *file, const char *path, char *err, size_t errlen)
{
    struct ctx c = {doc, file ? file : "config", err, errlen};
    path = path ? path : "";
    return fill(&c, m, obj, root ? root : obj, n, path, path);
}

/* ---- freeing ---- */

void ob_cfgmap_free(const struct ob_cfgmap *m, void *obj)
{
    for (; m && obj; m = m->base)
        for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++) {
            switch (e->type) {
            case OB_CFG_STRING:
                free(*FIELD(obj, e->offset, char *));
                *FIELD(obj, e->offset, char *) = NULL;
                break;
            case OB_CFG_STRINGS:
                free_strings(*FIELD(obj, e->offset, char **), *FIELD(obj, e->count, size_t));
                *FIELD(obj, e->offset, char **) = NULL;
                *FIELD(obj, e->count, size_t) = 0;
                break;
            case OB_CFG_LABELS: {
                struct ob_label_pair *l = *FIELD(obj, e->offset, struct ob_label_pair *);
                for (size_t i = 0; l && i < *FIELD(obj, e->count, size_t); i++) {
                    free(l[i].name);
                    free(l[i].value);
                }
                free(l);
                *FIELD(obj, e->offset, struct ob_label_pair *) = NULL;
                *FIELD(obj, e->count, size_t) = 0;
                break;
            }
            case OB_CFG_SECTION:
                ob_cfgmap_free(e->sub, FIELD(obj, e->offset, char));
                break;
            case OB_CFG_LIST: {
                char *items = *FIELD(obj, e->offset, char *);
                for (size_t i = 0; items && i < *FIELD(obj, e->count, size_t); i++)
                    ob_cfgmap_free(e->sub, items + i * e->sub->size);
                free(items);
                *FIELD(obj, e->offset, char *) = NULL;
                *FIELD(obj, e->count, size_t) = 0;
                break;
            }
            default:
                break;
            }
        }
}

/* ---- the reference ---- */

static void put(struct ob_buf *b, const char *s)
{
    ob_buf_put(b, s, strlen(s));
}

static const char *type_name(const struct ob_cfgmap_entry *e, char *buf, size_t cap)
{
    static const char *const names[] = {"", "string", "strings", "bool", "count", "duration",
                                        "fraction", "memory", "labels", "section", "list"};
    if (e->type == OB_CFG_COUNT) {
        snprintf(buf, cap, "count<=%ld", e->max);
        return buf;
    }
    return names[e->type];
}

static void help_entries(const struct ob_cfgmap *m, const char *path, struct ob_buf *out)
{
    if (m->base)
        help_entries(m->base, path, out);
    for (const struct ob_cfgmap_entry *e = m->entries; e->type != OB_CFG_END; e++) {
        if (e->flags & OB_CFG_DERIVED)
            continue;
        char key[256], line[1024], tbuf[32];
        snprintf(key, sizeof key, "%s%s%s%s", path, *path ? "." : "", e->key,
                 e->type == OB_CFG_LIST ? "[]" : "");
        const char *def = e->def ? e->def : e->flags & OB_CFG_UNSET ? "unset" : "-";
        snprintf(line, sizeof line, "%-42s %-14s %-16s %s\n", key, type_name(e, tbuf, sizeof tbuf), def,
                 e->help ? e->help : "");
        put(out, line);
        if (e->type == OB_CFG_SECTION || e->type == OB_CFG_LIST)
            help_entries(e->sub, key, out);
    }
}

void ob_cfgmap_help(const struct ob_cfgmap *m, const char *path, struct ob_buf *out)
{
    help_entries(m, path ? path : "", out);
}

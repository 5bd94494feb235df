/* changes.c - what changed between two snapshots of a price list.
 *
 * A snapshot's price for a (SKU, region) is its latest observation in that
 * source (a spot history file holds many). The two sides are sorted by key
 * and merged: a key on one side only is added or removed, on both with
 * different prices repriced. Any difference counts: prices are compared as
 * published, and equal text parses to equal doubles. */
#include "prices/prices.h"
#include "prices/prices_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct side {
    const struct ob_price_obs **o;
    size_t n;
};

/* The latest observation per key of one source, sorted by key. */
static int latest(const struct ob_prices *t, unsigned src, struct side *s)
{
    size_t total = ob_prices_count(t), n = 0;
    s->o = malloc((total ? total : 1) * sizeof *s->o);
    if (!s->o)
        return -1;
    for (size_t i = 0; i < total; i++) {
        const struct ob_price_obs *o = ob_prices_get(t, i);
        if (o->source == src)
            s->o[n++] = o;
    }
    qsort(s->o, n, sizeof *s->o, ob__prices_by_series_then_time); /* later in the file wins a tie */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && s->o[i + 1]->sku == s->o[i]->sku &&
            s->o[i + 1]->region == s->o[i]->region)
            continue;
        s->o[k++] = s->o[i];
    }
    s->n = k;
    return 0;
}

static int cmp_key(const struct ob_price_obs *a, const struct ob_price_obs *b)
{
    if (a->sku != b->sku)
        return a->sku < b->sku ? -1 : 1;
    if (a->region != b->region)
        return a->region < b->region ? -1 : 1;
    return 0;
}

/* A change with its strings at hand, for sorting (qsort has no context). */
struct keyed {
    const char *family, *region, *sku;
    struct ob_price_change c;
};

static int by_report_order(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    if (!c)
        c = strcmp(x->region, y->region);
    if (!c)
        c = x->c.kind - y->c.kind;
    if (!c)
        c = strcmp(x->sku, y->sku);
    return c;
}

/* Sorts ch[0..n) by family, region, kind, SKU; -1 when memory runs out. */
static int sort_report(const struct ob_prices *t, struct ob_price_change *ch, size_t n)
{
    struct keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){ob_prices_str(t, ch[i].family), ob_prices_str(t, ch[i].region),
                              ob_prices_str(t, ch[i].sku), ch[i]};
    qsort(k, n, sizeof *k, by_report_order);
    for (size_t i = 0; i < n; i++)
        ch[i] = k[i].c;
    free(k);
    return 0;
}

static struct ob_price_change make(const struct ob_price_obs *o, int kind)
{
    return (struct ob_price_change){.sku = o->sku, .region = o->region, .family = o->family,
                                    .label = o->label, .unit = o->unit, .kind = kind,
                                    .old_price = NAN, .new_price = NAN, .pct = NAN};
}

int ob_prices_changes(const struct ob_prices *t, unsigned old_src, unsigned new_src,
                      struct ob_price_change **out, size_t *n)
{
    struct side a = {0}, b = {0};
    struct ob_price_change *ch = NULL;
    *out = NULL;
    *n = 0;
    if (latest(t, old_src, &a) < 0 || latest(t, new_src, &b) < 0)
        goto fail;
    ch = malloc((a.n + b.n + 1) * sizeof *ch);
    if (!ch)
        goto fail;
    size_t i = 0, j = 0, k = 0;
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : cmp_key(a.o[i], b.o[j]);
        if (c < 0) {
            ch[k] = make(a.o[i], OB_CHANGE_REMOVED);
            ch[k++].old_price = a.o[i++]->price;
        } else if (c > 0) {
            ch[k] = make(b.o[j], OB_CHANGE_ADDED);
            ch[k++].new_price = b.o[j++]->price;
        } else {
            if (a.o[i]->price != b.o[j]->price) {
                ch[k] = make(b.o[j], OB_CHANGE_REPRICED);
                ch[k].old_price = a.o[i]->price;
                ch[k].new_price = b.o[j]->price;
                if (a.o[i]->price > 0)
                    ch[k].pct = (b.o[j]->price - a.o[i]->price) / a.o[i]->price * 100;
                k++;
            }
            i++;
            j++;
        }
    }
    if (sort_report(t, ch, k) < 0)
        goto fail;
    free(a.o);
    free(b.o);
    *out = ch;
    *n = k;
    return 0;
fail:
    free(a.o);
    free(b.o);
    free(ch);
    return -1;
}

/* table.c - the price table: observations and their interned strings.
 *
 * Why interning: a price list repeats a few hundred regions, families and
 * units over hundreds of thousands of SKUs, so an observation keeps ids.
 * String bytes live in chunks that never move, so the map can borrow its
 * keys (ob_strmap_put_ref) and ids map back to strings in O(1). */
#include "prices/prices.h"
#include "prices/prices_int.h"

#include "core/buf.h"
#include "core/strmap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 65536

struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct ob_prices {
    struct ob_strmap *ids;
    const char **strs; /* id -> NUL-terminated bytes in a chunk */
    size_t nstrs, strs_cap;
    struct chunk *chunks;
    struct ob_price_obs *obs;
    size_t nobs, obs_cap;
};

static char *store_bytes(struct ob_prices *t, const char *s, size_t len)
{
    struct chunk *c = t->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = t->chunks;
        c->used = 0;
        c->cap = cap;
        t->chunks = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, len);
    p[len] = '\0';
    c->used += len + 1;
    return p;
}

struct ob_prices *ob_prices_new(void)
{
    struct ob_prices *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ids = ob_strmap_new();
    if (!t->ids || ob_prices_intern(t, "", 0) != 0) {
        ob_prices_free(t);
        return NULL;
    }
    return t;
}

void ob_prices_free(struct ob_prices *t)
{
    if (!t)
        return;
    ob_strmap_free(t->ids);
    while (t->chunks) {
        struct chunk *next = t->chunks->next;
        free(t->chunks);
        t->chunks = next;
    }
    free(t->strs);
    free(t->obs);
    free(t);
}

uint32_t ob_prices_lookup(const struct ob_prices *t, const char *s, size_t len)
{
    uint32_t id;
    return ob_strmap_get(t->ids, s, len, &id) ? id : OB_PRICES_NONE;
}

uint32_t ob_prices_intern(struct ob_prices *t, const char *s, size_t len)
{
    uint32_t id;
    if (ob_strmap_get(t->ids, s, len, &id))
        return id;
    if (t->nstrs >= OB_PRICES_NONE - 1 ||
        ob_grow((void **)&t->strs, &t->strs_cap, t->nstrs + 1, sizeof *t->strs) < 0)
        return OB_PRICES_NONE;
    char *p = store_bytes(t, s, len);
    if (!p || ob_strmap_put_ref(t->ids, p, len, (uint32_t)t->nstrs) < 0)
        return OB_PRICES_NONE; /* the bytes stay in the chunk, unused */
    t->strs[t->nstrs] = p;
    return (uint32_t)t->nstrs++;
}

const char *ob_prices_str(const struct ob_prices *t, uint32_t id)
{
    return id < t->nstrs ? t->strs[id] : "";
}

size_t ob_prices_nstrings(const struct ob_prices *t)
{
    return t->nstrs;
}

int ob_prices_add(struct ob_prices *t, const struct ob_price_obs *o)
{
    if (ob_grow((void **)&t->obs, &t->obs_cap, t->nobs + 1, sizeof *t->obs) < 0)
        return -1;
    t->obs[t->nobs++] = *o;
    return 0;
}

size_t ob_prices_count(const struct ob_prices *t)
{
    return t->nobs;
}

struct ob_price_obs *ob_prices_at(struct ob_prices *t, size_t i)
{
    return i < t->nobs ? &t->obs[i] : NULL;
}

const struct ob_price_obs *ob_prices_get(const struct ob_prices *t, size_t i)
{
    return i < t->nobs ? &t->obs[i] : NULL;
}

/* Providers spell it "Hrs" (AWS), "1 Hour" (Azure), "Hours", "hour", "h". */
int ob_prices_unit_hourly(const char *unit)
{
    while (*unit == '1' || *unit == ' ')
        unit++;
    char low[16];
    size_t n = 0;
    for (; unit[n] && n < sizeof low - 1; n++)
        low[n] = (char)tolower((unsigned char)unit[n]);
    low[n] = '\0';
    if (unit[n])
        return 0;
    return !strcmp(low, "hrs") || !strcmp(low, "hr") || !strcmp(low, "hour") ||
           !strcmp(low, "hours") || !strcmp(low, "h");
}

int ob__prices_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int ob__prices_by_series_then_time(const void *a, const void *b)
{
    const struct ob_price_obs *x = *(const struct ob_price_obs *const *)a;
    const struct ob_price_obs *y = *(const struct ob_price_obs *const *)b;
    if (x->sku != y->sku)
        return x->sku < y->sku ? -1 : 1;
    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* prices_read.c - price lists and price histories into a price table.
 *
 * JSON goes through yajl's event parser, so a multi-gigabyte AWS offer file
 * streams: each container gets a role from its parent's role and key (the
 * products map, a product, its attributes, the on-demand terms, a price
 * dimension, a list of records, a record ...) and everything else is
 * skipped as it passes. AWS puts products before terms, so a product
 * becomes a compact record (interned ids and three sizes) that the
 * on-demand prices are joined to when the file ends; the join at the end
 * also makes terms-before-products files work. Spot history entries and
 * Azure items are flat records: their fields are kept in small buffers
 * until the record closes.
 *
 * CSV goes line by line through ob_csv_split; the AWS CSV form is told by
 * its first field ("FormatVersion") and keeps its OnDemand rows. */
#include "io/prices_read.h"

#include "core/buf.h"
#include "core/csv.h"
#include "core/timeparse.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_parse.h>
#include <zlib.h>

#define MAX_DEPTH 64     /* deeper containers are skipped, not tracked */
#define KEY_MAX 128      /* longer keys are kept truncated (for the path only) */
#define FIELD_MAX 256    /* a record's field values beyond this are an error */
#define MAX_LINE (1u << 20)
#define MAX_COLS 256

enum fmt { F_UNKNOWN, F_JSON, F_CSV };

enum role {
    R_SKIP, R_ROOT, R_PRODUCTS, R_PRODUCT, R_ATTRS, R_TERMS, R_ONDEMAND, R_TERM_SKU, R_TERM,
    R_DIMS, R_DIM, R_PPU, R_RECLIST, R_RECORD
};

/* Fields of flat records (spot history entries, Azure items). */
enum rfield {
    RF_SPOTPRICE, RF_INSTANCETYPE, RF_PRODUCTDESC, RF_AZ, RF_TIMESTAMP, RF_RETAILPRICE,
    RF_UNITPRICE, RF_ARMREGION, RF_LOCATION, RF_SKUNAME, RF_PRODUCTNAME, RF_SERVICENAME,
    RF_SERVICEFAMILY, RF_UOM, RF_EFFECTIVESTART, RF_METERID, RF_METERNAME, RF_SKUID, RF_TYPE,
    RF_RESERVATIONTERM, RF_TIERMIN, RF_ARMSKUNAME, N_RFIELDS
};
static const char *const rfield_names[N_RFIELDS] = {
    "SpotPrice", "InstanceType", "ProductDescription", "AvailabilityZone", "Timestamp",
    "retailPrice", "unitPrice", "armRegionName", "location", "skuName", "productName",
    "serviceName", "serviceFamily", "unitOfMeasure", "effectiveStartDate", "meterId",
    "meterName", "skuId", "type", "reservationTerm", "tierMinimumUnits", "armSkuName"};

/* Product attributes of AWS offers. */
enum pattr {
    PA_REGIONCODE, PA_LOCATION, PA_INSTANCETYPE, PA_USAGETYPE, PA_VCPU, PA_MEMORY, PA_GPU,
    PA_OS, PA_TENANCY, PA_PREINSTALLED, PA_LICENSE, PA_CAPACITY, N_PATTRS
};
static const char *const pattr_names[N_PATTRS] = {
    "regionCode", "location", "instanceType", "usagetype", "vcpu", "memory", "gpu",
    "operatingSystem", "tenancy", "preInstalledSw", "licenseModel", "capacitystatus"};

struct frame {
    char key[KEY_MAX];
    size_t klen;
    size_t index;   /* arrays: the next element's index */
    int is_array;
    enum role role;
};

struct product {
    uint32_t family, region, label, variant;
    float vcpu, mem, gpu;
};

struct field {
    char v[FIELD_MAX];
    size_t len;
    int set;
};

struct ob_prices_reader {
    struct ob_prices *t;
    unsigned source;
    char *name;
    enum fmt fmt;
    const char *format;
    char err[512];
    int failed;
    size_t first_obs; /* this input's observations start here */

    /* JSON */
    yajl_handle y;
    size_t consumed;  /* bytes given to yajl before the current piece */
    struct frame st[MAX_DEPTH];
    size_t depth;     /* containers open; frames for the first MAX_DEPTH */
    double pub_ts;    /* the offer's publicationDate, NAN if none */
    int is_offer;
    /* the product being read */
    struct field pa[N_PATTRS];
    struct field family;
    /* products by sku id */
    struct product *prods;
    size_t nprods, prods_cap;
    uint32_t *prod_of; /* string id -> product index + 1 (0: none) */
    size_t prod_of_cap;
    /* the term and dimension being read */
    uint32_t term_sku;
    double term_ts;
    struct field unit, begin, price, currency;
    /* the flat record being read */
    struct field rf[N_RFIELDS];
    size_t nrecords;

    /* CSV */
    char *line;
    size_t line_len, line_cap;
    unsigned long lineno;
    int csv_aws, csv_header_done;
    int col[32]; /* column index per csv_col, -1 when absent */
};

/* ---------------------------------------------------------------- errors */

static void path_of(const struct ob_prices_reader *r, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "$");
    size_t d = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;
    for (size_t i = 0; i < d && n < cap; i++) {
        const struct frame *f = &r->st[i];
        if (f->is_array)
            n += (size_t)snprintf(out + n, cap - n, "[%zu]", f->index ? f->index - 1 : 0);
        else if (f->klen)
            n += (size_t)snprintf(out + n, cap - n, ".%.*s", (int)(f->klen > 60 ? 60 : f->klen),
                                  f->key);
    }
    if (r->depth > MAX_DEPTH && n < cap)
        snprintf(out + n, cap - n, "...");
}

static int json_fail(struct ob_prices_reader *r, const char *fmt, ...)
{
    char what[200], path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    path_of(r, path, sizeof path);
    size_t off = r->consumed + (r->y ? yajl_get_bytes_consumed(r->y) : 0);
    snprintf(r->err, sizeof r->err, "%s: byte %zu, at %s: %s", r->name, off, path, what);
    r->failed = 1;
    return 0; /* tells yajl to stop */
}

static int csv_fail(struct ob_prices_reader *r, size_t col, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col)
        snprintf(r->err, sizeof r->err, "%s:%lu:%zu: %s", r->name, r->lineno, col, what);
    else
        snprintf(r->err, sizeof r->err, "%s:%lu: %s", r->name, r->lineno, what);
    r->failed = 1;
    return -1;
}

/* ---------------------------------------------------------------- values */

/* A finite number, all of s[0..len) (blanks around allowed). */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[128];
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* A timestamp as ob_time_parse takes it, or a bare date YYYY-MM-DD, or
 * RFC 3339 with a blank for the T (Python's str() of a datetime). */
static int parse_time(const char *s, size_t len, double *out)
{
    if (ob_time_parse(s, len, out) == 0)
        return 0;
    if (len > 19 && len < 64 && s[10] == ' ') {
        char buf[64];
        memcpy(buf, s, len);
        buf[10] = 'T';
        return ob_time_parse(buf, len, out);
    }
    if (len == 10 && s[4] == '-' && s[7] == '-') {
        char buf[24];
        memcpy(buf, s, 10);
        memcpy(buf + 10, " 00:00:00", 9);
        return ob_time_parse(buf, 19, out);
    }
    return -1;
}

/* "8 GiB", "1,952 GiB", "512 MiB", "32G", "0.5": GiB. */
static float parse_memory(const char *s, size_t len)
{
    char num[64];
    size_t n = 0, i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    for (; i < len && n < sizeof num - 1 && (isdigit((unsigned char)s[i]) || s[i] == '.' ||
                                             s[i] == ','); i++)
        if (s[i] != ',')
            num[n++] = s[i];
    num[n] = '\0';
    double v;
    if (!n || parse_number(num, n, &v) < 0)
        return -1;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    char u = i < len ? (char)toupper((unsigned char)s[i]) : 'G';
    if (u == 'M')
        v /= 1024;
    else if (u == 'T')
        v *= 1024;
    else if (u == 'K')
        v /= 1024 * 1024;
    return (float)v;
}

static float parse_count(const char *s, size_t len)
{
    double v;
    return parse_number(s, len, &v) == 0 && v >= 0 ? (float)v : -1;
}

static int set_field(struct field *f, const char *s, size_t len)
{
    if (len >= FIELD_MAX)
        return -1;
    memcpy(f->v, s, len);
    f->v[len] = '\0';
    f->len = len;
    f->set = 1;
    return 0;
}

static uint32_t intern(struct ob_prices_reader *r, const char *s, size_t len)
{
    uint32_t id = ob_prices_intern(r->t, s, len);
    if (id == OB_PRICES_NONE) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->name);
        r->failed = 1;
    }
    return id;
}

static uint32_t intern_field(struct ob_prices_reader *r, const struct field *f)
{
    return f->set ? intern(r, f->v, f->len) : 0;
}

/* "a, b, c" of the fields that are set and not "NA". */
static uint32_t intern_joined(struct ob_prices_reader *r, const struct field *const *fs, size_t n)
{
    char buf[4 * FIELD_MAX];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fs[i]->set || !fs[i]->len || !strcmp(fs[i]->v, "NA"))
            continue;
        if (len + fs[i]->len + 2 >= sizeof buf)
            break;
        if (len)
            buf[len++] = ',', buf[len++] = ' ';
        memcpy(buf + len, fs[i]->v, fs[i]->len);
        len += fs[i]->len;
    }
    return intern(r, buf, len);
}

static int add_obs(struct ob_prices_reader *r, struct ob_price_obs *o)
{
    o->source = (uint16_t)r->source;
    if (r->failed)
        return -1;
    if (ob_prices_add(r->t, o) < 0) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->name);
        r->failed = 1;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------- AWS offer (JSON) */

static struct product product_from_attrs(struct ob_prices_reader *r, const struct field *pa,
                                         const struct field *family)
{
    struct product p = {.vcpu = -1, .mem = -1, .gpu = -1};
    p.family = intern_field(r, family);
    p.region = intern_field(r, pa[PA_REGIONCODE].set ? &pa[PA_REGIONCODE] : &pa[PA_LOCATION]);
    p.label = intern_field(r, pa[PA_INSTANCETYPE].set ? &pa[PA_INSTANCETYPE] : &pa[PA_USAGETYPE]);
    const struct field *v[] = {&pa[PA_OS], &pa[PA_TENANCY], &pa[PA_PREINSTALLED],
                               &pa[PA_LICENSE], &pa[PA_CAPACITY]};
    p.variant = intern_joined(r, v, sizeof v / sizeof v[0]);
    if (pa[PA_VCPU].set)
        p.vcpu = parse_count(pa[PA_VCPU].v, pa[PA_VCPU].len);
    if (pa[PA_MEMORY].set)
        p.mem = parse_memory(pa[PA_MEMORY].v, pa[PA_MEMORY].len);
    if (pa[PA_GPU].set)
        p.gpu = parse_count(pa[PA_GPU].v, pa[PA_GPU].len);
    if (p.vcpu >= 0 && p.gpu < 0)
        p.gpu = 0; /* a sized instance that names no GPU has none */
    return p;
}

static int store_product(struct ob_prices_reader *r, uint32_t sku, const struct product *p)
{
    if (ob_grow((void **)&r->prods, &r->prods_cap, r->nprods + 1, sizeof *r->prods) < 0)
        return json_fail(r, "out of memory");
    r->prods[r->nprods++] = *p;
    r->prod_of[sku] = (uint32_t)r->nprods;
    return 1;
}

/* ob_grow does not zero; keep prod_of zeroed up to its capacity. */
static int grow_prod_of(struct ob_prices_reader *r, size_t need)
{
    size_t old = r->prod_of_cap;
    if (ob_grow((void **)&r->prod_of, &r->prod_of_cap, need, sizeof *r->prod_of) < 0)
        return -1;
    if (r->prod_of_cap > old)
        memset(r->prod_of + old, 0, (r->prod_of_cap - old) * sizeof *r->prod_of);
    return 0;
}

static int end_product(struct ob_prices_reader *r, const struct frame *f)
{
    uint32_t sku = intern(r, f->key, f->klen);
    if (sku == OB_PRICES_NONE)
        return 0;
    struct product p = product_from_attrs(r, r->pa, &r->family);
    if (r->failed)
        return 0;
    if (grow_prod_of(r, ob_prices_nstrings(r->t)) < 0)
        return json_fail(r, "out of memory");
    return store_product(r, sku, &p);
}

static int end_dimension(struct ob_prices_reader *r)
{
    if (!r->price.set)
        return json_fail(r, "a price dimension without pricePerUnit");
    double price;
    if (parse_number(r->price.v, r->price.len, &price) < 0)
        return json_fail(r, "pricePerUnit '%s' is not a finite number", r->price.v);
    struct ob_price_obs o = {.ts = r->term_ts, .price = price, .vcpu = -1, .mem_gib = -1,
                             .gpu = -1, .label = r->term_sku};
    const char *base = ob_prices_str(r->t, r->term_sku);
    if (r->begin.set && strcmp(r->begin.v, "0") != 0) {
        /* a tier above the first is priced apart: SKU:BEGIN */
        char key[KEY_MAX + FIELD_MAX + 2];
        int n = snprintf(key, sizeof key, "%s:%s", base, r->begin.v);
        o.sku = intern(r, key, (size_t)n);
    } else {
        o.sku = r->term_sku;
    }
    o.unit = intern_field(r, &r->unit);
    return add_obs(r, &o) == 0;
}

/* At the end of an offer file: products joined to their prices, and the
 * publication date as every price's time. */
static void join_products(struct ob_prices_reader *r)
{
    for (size_t i = r->first_obs; i < ob_prices_count(r->t); i++) {
        struct ob_price_obs *o = ob_prices_at(r->t, i);
        uint32_t base = o->label; /* end_dimension parked the base SKU here */
        o->label = 0;
        if (base < r->prod_of_cap && r->prod_of[base]) {
            const struct product *p = &r->prods[r->prod_of[base] - 1];
            o->family = p->family;
            o->region = p->region;
            o->label = p->label;
            o->variant = p->variant;
            o->vcpu = p->vcpu;
            o->mem_gib = p->mem;
            o->gpu = p->gpu;
        }
        if (!isnan(r->pub_ts))
            o->ts = r->pub_ts;
        else if (isnan(o->ts))
            o->ts = 0;
    }
}

/* ------------------------------------------------- flat records (JSON) */

static int has(const struct field *f)
{
    return f->set && f->len;
}

static int end_spot(struct ob_prices_reader *r)
{
    struct field *f = r->rf;
    double price, ts;
    if (parse_number(f[RF_SPOTPRICE].v, f[RF_SPOTPRICE].len, &price) < 0)
        return json_fail(r, "SpotPrice '%s' is not a finite number", f[RF_SPOTPRICE].v);
    if (!has(&f[RF_TIMESTAMP]) || parse_time(f[RF_TIMESTAMP].v, f[RF_TIMESTAMP].len, &ts) < 0)
        return json_fail(r, "a spot price without a valid Timestamp");
    if (!has(&f[RF_INSTANCETYPE]))
        return json_fail(r, "a spot price without InstanceType");
    char sku[2 * FIELD_MAX + 2];
    int n = snprintf(sku, sizeof sku, "%s %s", f[RF_INSTANCETYPE].v, f[RF_PRODUCTDESC].v);
    struct ob_price_obs o = {.ts = ts, .price = price, .vcpu = -1, .mem_gib = -1, .gpu = -1,
                             .spot = 1};
    o.sku = intern(r, sku, (size_t)n);
    o.region = intern_field(r, &f[RF_AZ]);
    o.family = intern(r, "Spot Instance", 13);
    o.label = intern_field(r, &f[RF_INSTANCETYPE]);
    o.variant = intern_field(r, &f[RF_PRODUCTDESC]);
    o.unit = intern(r, "Hrs", 3);
    return add_obs(r, &o) == 0;
}

static int contains(const struct field *f, const char *what)
{
    return f->set && strstr(f->v, what) != NULL;
}

static int end_azure(struct ob_prices_reader *r)
{
    struct field *f = r->rf;
    const struct field *pf = f[RF_RETAILPRICE].set ? &f[RF_RETAILPRICE] : &f[RF_UNITPRICE];
    double price, ts = 0, tier = 0;
    if (parse_number(pf->v, pf->len, &price) < 0)
        return json_fail(r, "%s '%s' is not a finite number", rfield_names[pf == &f[RF_RETAILPRICE]
                         ? RF_RETAILPRICE : RF_UNITPRICE], pf->v);
    if (has(&f[RF_EFFECTIVESTART]) &&
        parse_time(f[RF_EFFECTIVESTART].v, f[RF_EFFECTIVESTART].len, &ts) < 0)
        return json_fail(r, "effectiveStartDate '%s' is not a time", f[RF_EFFECTIVESTART].v);
    if (f[RF_TIERMIN].set && parse_number(f[RF_TIERMIN].v, f[RF_TIERMIN].len, &tier) < 0)
        return json_fail(r, "tierMinimumUnits '%s' is not a finite number", f[RF_TIERMIN].v);
    const struct field *id = has(&f[RF_METERID]) ? &f[RF_METERID] : &f[RF_SKUID];
    if (!has(id))
        return json_fail(r, "an Azure price without meterId or skuId");
    int consumption = !has(&f[RF_TYPE]) || !strcmp(f[RF_TYPE].v, "Consumption");
    char sku[4 * FIELD_MAX], unit[2 * FIELD_MAX + 4];
    int n = snprintf(sku, sizeof sku, "%s", id->v);
    if (!consumption)
        n += snprintf(sku + n, sizeof sku - (size_t)n, "/%s%s%s", f[RF_TYPE].v,
                      has(&f[RF_RESERVATIONTERM]) ? "/" : "", f[RF_RESERVATIONTERM].v);
    if (tier > 0)
        n += snprintf(sku + n, sizeof sku - (size_t)n, "@%s", f[RF_TIERMIN].v);
    /* Reservation prices are for the whole term, dev/test ones restricted:
     * their unit says so, so that they are never taken for hourly offers. */
    int un = snprintf(unit, sizeof unit, "%s", f[RF_UOM].v);
    if (!consumption)
        snprintf(unit + un, sizeof unit - (size_t)un, " (%s%s%s)", f[RF_TYPE].v,
                 has(&f[RF_RESERVATIONTERM]) ? " " : "", f[RF_RESERVATIONTERM].v);
    struct ob_price_obs o = {.ts = ts, .price = price, .vcpu = -1, .mem_gib = -1, .gpu = -1};
    o.sku = intern(r, sku, strlen(sku));
    o.region = intern_field(r, has(&f[RF_ARMREGION]) ? &f[RF_ARMREGION] : &f[RF_LOCATION]);
    o.family = intern_field(r, has(&f[RF_SERVICENAME]) ? &f[RF_SERVICENAME] : &f[RF_SERVICEFAMILY]);
    o.label = intern_field(r, has(&f[RF_ARMSKUNAME]) ? &f[RF_ARMSKUNAME]
                              : has(&f[RF_SKUNAME]) ? &f[RF_SKUNAME] : &f[RF_METERNAME]);
    o.variant = intern_field(r, &f[RF_PRODUCTNAME]);
    o.unit = intern(r, unit, strlen(unit));
    o.spot = contains(&f[RF_SKUNAME], "Spot") || contains(&f[RF_METERNAME], "Spot") ||
             contains(&f[RF_SKUNAME], "Low Priority");
    return add_obs(r, &o) == 0;
}

static int end_record(struct ob_prices_reader *r)
{
    int rc = 1;
    if (r->rf[RF_SPOTPRICE].set) {
        r->format = "aws-spot";
        rc = end_spot(r);
    } else if (r->rf[RF_RETAILPRICE].set || r->rf[RF_UNITPRICE].set) {
        r->format = "azure";
        rc = end_azure(r);
    } else {
        return rc; /* not a price record: an offer's top level, or unknown */
    }
    r->nrecords++;
    for (int i = 0; i < N_RFIELDS; i++)
        r->rf[i].set = 0, r->rf[i].len = 0, r->rf[i].v[0] = '\0';
    return rc;
}

/* ------------------------------------------------------ yajl callbacks */

static struct frame *top(struct ob_prices_reader *r)
{
    return r->depth && r->depth <= MAX_DEPTH ? &r->st[r->depth - 1] : NULL;
}

static int keyis(const struct frame *f, const char *k)
{
    size_t n = strlen(k);
    return f && f->klen == n && !memcmp(f->key, k, n);
}

/* The role of a container opening under the current top frame. */
static enum role child_role(struct ob_prices_reader *r, int is_array)
{
    struct frame *p = top(r);
    if (!r->depth) {
        if (is_array)
            r->nrecords++; /* a list of records, maybe empty */
        return is_array ? R_RECLIST : R_ROOT;
    }
    if (!p)
        return R_SKIP;
    switch (p->role) {
    case R_ROOT:
        if (keyis(p, "products") || keyis(p, "terms")) {
            if (is_array)
                return json_fail(r, "expected an object, found an array"), R_SKIP;
            r->is_offer = 1;
            r->format = "aws-offer";
            return keyis(p, "products") ? R_PRODUCTS : R_TERMS;
        }
        if (keyis(p, "SpotPriceHistory") || keyis(p, "Items")) {
            if (!is_array)
                return json_fail(r, "expected an array, found an object"), R_SKIP;
            r->nrecords++; /* a page of records, maybe empty, is a price file */
            return R_RECLIST;
        }
        return R_SKIP;
    case R_PRODUCTS:
        return is_array ? R_SKIP : R_PRODUCT;
    case R_PRODUCT:
        return keyis(p, "attributes") && !is_array ? R_ATTRS : R_SKIP;
    case R_TERMS:
        return keyis(p, "OnDemand") && !is_array ? R_ONDEMAND : R_SKIP;
    case R_ONDEMAND:
        return is_array ? R_SKIP : R_TERM_SKU;
    case R_TERM_SKU:
        return is_array ? R_SKIP : R_TERM;
    case R_TERM:
        return keyis(p, "priceDimensions") && !is_array ? R_DIMS : R_SKIP;
    case R_DIMS:
        return is_array ? R_SKIP : R_DIM;
    case R_DIM:
        return keyis(p, "pricePerUnit") && !is_array ? R_PPU : R_SKIP;
    case R_RECLIST:
        return is_array ? R_SKIP : R_RECORD;
    default:
        return R_SKIP;
    }
}

static void clear_fields(struct field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        f[i].set = 0, f[i].len = 0, f[i].v[0] = '\0';
}

static int open_container(struct ob_prices_reader *r, int is_array)
{
    struct frame *p = top(r);
    if (p && p->is_array)
        p->index++;
    /* a record's field that is a container is of the wrong type */
    if (p && (p->role == R_RECORD || p->role == R_ROOT)) {
        for (int i = 0; i < N_RFIELDS; i++)
            if (keyis(p, rfield_names[i]))
                return json_fail(r, "%s: expected a string or number, found an %s",
                                 rfield_names[i], is_array ? "array" : "object");
    }
    if (p && p->role == R_PPU)
        return json_fail(r, "expected a price string, found an %s", is_array ? "array" : "object");
    enum role role = child_role(r, is_array);
    if (r->failed)
        return 0;
    if (r->depth < MAX_DEPTH) {
        struct frame *f = &r->st[r->depth];
        f->klen = 0;
        f->index = 0;
        f->is_array = is_array;
        f->role = role;
        if (role == R_PRODUCT)
            clear_fields(r->pa, N_PATTRS), clear_fields(&r->family, 1);
        else if (role == R_TERM_SKU) {
            r->term_sku = intern(r, p->key, p->klen);
            if (r->failed)
                return 0;
        } else if (role == R_TERM)
            r->term_ts = NAN;
        else if (role == R_DIM)
            clear_fields(&r->unit, 1), clear_fields(&r->begin, 1), clear_fields(&r->price, 1),
                clear_fields(&r->currency, 1);
        else if (role == R_RECORD || role == R_ROOT)
            clear_fields(r->rf, N_RFIELDS);
    }
    r->depth++;
    return 1;
}

static int close_container(struct ob_prices_reader *r)
{
    struct frame *f = top(r);
    int rc = 1;
    if (f) {
        if (f->role == R_PRODUCT) {
            /* the product's own key is the parent's current key */
            rc = end_product(r, &r->st[r->depth - 2]);
        } else if (f->role == R_DIM) {
            rc = end_dimension(r);
        } else if (f->role == R_RECORD || f->role == R_ROOT) {
            rc = end_record(r);
        }
    }
    r->depth--;
    return rc;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, 0);
}

static int cb_end_map(void *ctx)
{
    return close_container(ctx);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, 1);
}

static int cb_end_array(void *ctx)
{
    return close_container(ctx);
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
    struct ob_prices_reader *r = ctx;
    struct frame *f = top(r);
    if (f) {
        f->klen = len < KEY_MAX ? len : KEY_MAX - 1;
        memcpy(f->key, k, f->klen);
        if (len >= KEY_MAX && (f->role == R_PRODUCTS || f->role == R_ONDEMAND))
            return json_fail(r, "a SKU of %zu bytes (at most %d)", len, KEY_MAX - 1);
    }
    return 1;
}

/* A scalar: s[0..len) as written; kind 's' string, 'n' number, 'b' bool, '0' null. */
static int scalar(struct ob_prices_reader *r, const char *s, size_t len, char kind)
{
    struct frame *f = top(r);
    if (f && f->is_array)
        f->index++;
    if (!f || f->is_array)
        return 1;
    struct field *dst = NULL;
    const char *what = NULL;
    int numeric = 0;
    switch (f->role) {
    case R_ROOT:
        if (keyis(f, "publicationDate")) {
            if (kind != 's' || parse_time(s, len, &r->pub_ts) < 0)
                return json_fail(r, "publicationDate is not a time");
            return 1;
        }
        /* a record at the top level (one JSON object a line) */
        __attribute__((fallthrough));
    case R_RECORD:
        for (int i = 0; i < N_RFIELDS; i++)
            if (keyis(f, rfield_names[i])) {
                dst = &r->rf[i];
                what = rfield_names[i];
                numeric = i == RF_SPOTPRICE || i == RF_RETAILPRICE || i == RF_UNITPRICE ||
                          i == RF_TIERMIN;
            }
        break;
    case R_PRODUCT:
        if (keyis(f, "productFamily"))
            dst = &r->family, what = "productFamily";
        break;
    case R_ATTRS:
        for (int i = 0; i < N_PATTRS; i++)
            if (keyis(f, pattr_names[i]))
                dst = &r->pa[i], what = pattr_names[i];
        break;
    case R_TERM:
        if (keyis(f, "effectiveDate")) {
            if (kind != 's' || parse_time(s, len, &r->term_ts) < 0)
                return json_fail(r, "effectiveDate is not a time");
        }
        return 1;
    case R_DIM:
        if (keyis(f, "unit"))
            dst = &r->unit, what = "unit";
        else if (keyis(f, "beginRange"))
            dst = &r->begin, what = "beginRange";
        break;
    case R_PPU:
        if (kind != 's' && kind != 'n')
            return json_fail(r, "expected a price string or number");
        /* USD when there is one (AWS China offers price in CNY only) */
        if (r->price.set && !(keyis(f, "USD") && strcmp(r->currency.v, "USD")))
            return 1;
        if (set_field(&r->currency, f->key, f->klen) < 0 || set_field(&r->price, s, len) < 0)
            return json_fail(r, "a price of %zu bytes", len);
        return 1;
    default:
        return 1;
    }
    if (!dst)
        return 1;
    if (kind == '0' && !numeric)
        return 1; /* null: as if absent */
    if (kind == 'b' || kind == '0')
        return json_fail(r, "%s: expected a %s", what, numeric ? "number" : "string");
    double v;
    if (numeric && parse_number(s, len, &v) < 0)
        return json_fail(r, "%s: '%.*s%s' is not a finite number", what, (int)(len > 40 ? 40 : len),
                         s, len > 40 ? "..." : "");
    if (set_field(dst, s, len) < 0)
        return json_fail(r, "%s: a value of %zu bytes (at most %d)", what, len, FIELD_MAX - 1);
    return 1;
}

static int cb_null(void *ctx)
{
    return scalar(ctx, "", 0, '0');
}

static int cb_boolean(void *ctx, int b)
{
    return scalar(ctx, b ? "true" : "false", b ? 4 : 5, 'b');
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    return scalar(ctx, s, len, 'n');
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    return scalar(ctx, (const char *)s, len, 's');
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end_array,
};

static int json_status(struct ob_prices_reader *r, yajl_status s, const unsigned char *buf,
                       size_t len)
{
    if (s == yajl_status_ok)
        return 0;
    if (!r->failed) {
        unsigned char *msg = yajl_get_error(r->y, 0, buf, len);
        char path[256];
        path_of(r, path, sizeof path);
        size_t off = r->consumed + yajl_get_bytes_consumed(r->y);
        /* yajl's message ends in a newline */
        char *m = (char *)msg;
        size_t ml = m ? strlen(m) : 0;
        while (ml && (m[ml - 1] == '\n' || m[ml - 1] == ' '))
            ml--;
        snprintf(r->err, sizeof r->err, "%s: byte %zu, at %s: invalid JSON: %.*s", r->name, off,
                 path, (int)ml, m ? m : "");
        yajl_free_error(r->y, msg);
        r->failed = 1;
    }
    return -1;
}

/* ------------------------------------------------------------------ CSV */

enum csv_col {
    C_TIME, C_SKU, C_REGION, C_PRICE, C_UNIT, C_VCPU, C_MEMORY, C_GPU, C_FAMILY, C_LABEL,
    C_VARIANT, C_SPOT,
    /* AWS CSV only */
    C_TERMTYPE, C_BEGIN, C_LOCATION, C_USAGETYPE, C_TENANCY, C_PREINSTALLED, C_LICENSE,
    C_CAPACITY, C_CURRENCY, N_CSV_COLS
};

/* Header names, lower-cased, per column; the first match wins. */
static const char *const csv_names[N_CSV_COLS][4] = {
    [C_TIME] = {"time", "timestamp", "date", "effectivedate"},
    [C_SKU] = {"sku", "id"},
    [C_REGION] = {"region code", "region", "zone", "availabilityzone"},
    [C_PRICE] = {"price", "priceperunit", "spotprice"},
    [C_UNIT] = {"unit"},
    [C_VCPU] = {"vcpu", "vcpus", "cpu", "cpus"},
    [C_MEMORY] = {"memory", "mem", "memory_gib", "ram"},
    [C_GPU] = {"gpu", "gpus"},
    [C_FAMILY] = {"product family", "family", "service"},
    [C_LABEL] = {"instance type", "instance_type", "instancetype", "type"},
    [C_VARIANT] = {"operating system", "os", "variant", "productdescription"},
    [C_SPOT] = {"spot", "market"},
    [C_TERMTYPE] = {"termtype"},
    [C_BEGIN] = {"startingrange"},
    [C_LOCATION] = {"location"},
    [C_USAGETYPE] = {"usagetype"},
    [C_TENANCY] = {"tenancy"},
    [C_PREINSTALLED] = {"pre installed s/w"},
    [C_LICENSE] = {"license model"},
    [C_CAPACITY] = {"capacitystatus"},
    [C_CURRENCY] = {"currency"},
};

static int lower_eq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != b[i])
            return 0;
    return 1;
}

static int csv_header(struct ob_prices_reader *r, struct ob_csv_field *fs, int n)
{
    for (int c = 0; c < N_CSV_COLS; c++) {
        r->col[c] = -1;
        for (int k = 0; k < 4 && csv_names[c][k] && r->col[c] < 0; k++)
            for (int i = 0; i < n && i < MAX_COLS; i++)
                if (lower_eq(fs[i].ptr, fs[i].len, csv_names[c][k])) {
                    r->col[c] = i;
                    break;
                }
    }
    if (r->col[C_SKU] < 0 || r->col[C_PRICE] < 0 || (!r->csv_aws && r->col[C_TIME] < 0))
        return csv_fail(r, 0, "the header names no %s column (want time,sku,region,price,unit)",
                        r->col[C_SKU] < 0 ? "sku" : r->col[C_PRICE] < 0 ? "price" : "time");
    r->csv_header_done = 1;
    return 0;
}

static const struct ob_csv_field *col(const struct ob_prices_reader *r, const struct ob_csv_field *fs,
                                      int n, int c)
{
    static const struct ob_csv_field empty = {(char *)"", 0, 0};
    return r->col[c] >= 0 && r->col[c] < n ? &fs[r->col[c]] : &empty;
}

static uint32_t intern_csv(struct ob_prices_reader *r, const struct ob_csv_field *f)
{
    return intern(r, f->ptr, f->len);
}

static int truthy(const struct ob_csv_field *f)
{
    return lower_eq(f->ptr, f->len, "1") || lower_eq(f->ptr, f->len, "true") ||
           lower_eq(f->ptr, f->len, "yes") || lower_eq(f->ptr, f->len, "spot");
}

/* key=value attributes of a header-less plain CSV, from column 6 on. */
static void csv_kv(struct ob_prices_reader *r, const struct ob_csv_field *f,
                   struct ob_price_obs *o)
{
    const char *eq = memchr(f->ptr, '=', f->len);
    if (!eq)
        return;
    size_t kl = (size_t)(eq - f->ptr), vl = f->len - kl - 1;
    const char *v = eq + 1;
    struct ob_csv_field val = {(char *)v, vl, 0};
    if (lower_eq(f->ptr, kl, "vcpu"))
        o->vcpu = parse_count(v, vl);
    else if (lower_eq(f->ptr, kl, "memory"))
        o->mem_gib = parse_memory(v, vl);
    else if (lower_eq(f->ptr, kl, "gpu"))
        o->gpu = parse_count(v, vl);
    else if (lower_eq(f->ptr, kl, "family"))
        o->family = intern_csv(r, &val);
    else if (lower_eq(f->ptr, kl, "type") || lower_eq(f->ptr, kl, "instance_type"))
        o->label = intern_csv(r, &val);
    else if (lower_eq(f->ptr, kl, "os") || lower_eq(f->ptr, kl, "variant"))
        o->variant = intern_csv(r, &val);
    else if (lower_eq(f->ptr, kl, "spot"))
        o->spot = (uint8_t)truthy(&val);
}

static int csv_row(struct ob_prices_reader *r, struct ob_csv_field *fs, int n)
{
    struct ob_price_obs o = {.vcpu = -1, .mem_gib = -1, .gpu = -1};
    if (r->csv_aws) {
        const struct ob_csv_field *tt = col(r, fs, n, C_TERMTYPE);
        if (r->col[C_TERMTYPE] >= 0 && !lower_eq(tt->ptr, tt->len, "ondemand"))
            return 0;
    }
    const struct ob_csv_field *p = col(r, fs, n, C_PRICE), *t = col(r, fs, n, C_TIME);
    if (parse_number(p->ptr, p->len, &o.price) < 0)
        return csv_fail(r, p->col, "price '%.*s' is not a finite number", (int)(p->len > 40 ? 40 : p->len), p->ptr);
    if (t->len && parse_time(t->ptr, t->len, &o.ts) < 0)
        return csv_fail(r, t->col, "'%.*s' is not a time", (int)(t->len > 40 ? 40 : t->len), t->ptr);
    if (!t->len)
        o.ts = r->csv_aws ? 0 : NAN;
    if (isnan(o.ts))
        return csv_fail(r, 0, "no time");
    if (r->csv_aws && !isnan(r->pub_ts))
        o.ts = r->pub_ts;
    const struct ob_csv_field *sku = col(r, fs, n, C_SKU), *b = col(r, fs, n, C_BEGIN);
    if (!sku->len)
        return csv_fail(r, sku->col, "an empty sku");
    if (b->len && !lower_eq(b->ptr, b->len, "0")) {
        char key[2 * FIELD_MAX];
        int k = snprintf(key, sizeof key, "%.*s:%.*s", (int)(sku->len > 200 ? 200 : sku->len),
                         sku->ptr, (int)(b->len > 40 ? 40 : b->len), b->ptr);
        o.sku = intern(r, key, (size_t)k);
    } else {
        o.sku = intern_csv(r, sku);
    }
    const struct ob_csv_field *reg = col(r, fs, n, C_REGION);
    if (!reg->len || lower_eq(reg->ptr, reg->len, "na")) /* older offers: Location only */
        reg = col(r, fs, n, C_LOCATION);
    o.region = intern_csv(r, reg);
    o.unit = intern_csv(r, col(r, fs, n, C_UNIT));
    o.family = intern_csv(r, col(r, fs, n, C_FAMILY));
    const struct ob_csv_field *lab = col(r, fs, n, C_LABEL);
    o.label = intern_csv(r, lab->len ? lab : col(r, fs, n, C_USAGETYPE));
    if (r->csv_aws) {
        struct field v[5];
        const int cs[5] = {C_VARIANT, C_TENANCY, C_PREINSTALLED, C_LICENSE, C_CAPACITY};
        const struct field *vp[5];
        for (int i = 0; i < 5; i++) {
            const struct ob_csv_field *c = col(r, fs, n, cs[i]);
            v[i].set = set_field(&v[i], c->ptr, c->len < FIELD_MAX ? c->len : FIELD_MAX - 1) == 0;
            vp[i] = &v[i];
        }
        o.variant = intern_joined(r, vp, 5);
    } else {
        o.variant = intern_csv(r, col(r, fs, n, C_VARIANT));
    }
    const struct ob_csv_field *c;
    if ((c = col(r, fs, n, C_VCPU))->len)
        o.vcpu = parse_count(c->ptr, c->len);
    if ((c = col(r, fs, n, C_MEMORY))->len)
        o.mem_gib = parse_memory(c->ptr, c->len);
    if ((c = col(r, fs, n, C_GPU))->len)
        o.gpu = parse_count(c->ptr, c->len);
    o.spot = (uint8_t)truthy(col(r, fs, n, C_SPOT));
    if (!r->csv_header_done || r->col[C_VCPU] < 0)
        for (int i = 5; i < n; i++)
            csv_kv(r, &fs[i], &o);
    if (o.vcpu >= 0 && o.gpu < 0)
        o.gpu = 0;
    return add_obs(r, &o);
}

/* The first line of a plain CSV: a header, or already a row. */
static int csv_first(struct ob_prices_reader *r, struct ob_csv_field *fs, int n)
{
    double ts;
    if (n >= 4 && parse_time(fs[0].ptr, fs[0].len, &ts) == 0) {
        static const int pos[5] = {C_TIME, C_SKU, C_REGION, C_PRICE, C_UNIT};
        for (int c = 0; c < N_CSV_COLS; c++)
            r->col[c] = -1;
        for (int i = 0; i < 5; i++)
            r->col[pos[i]] = i;
        return csv_row(r, fs, n);
    }
    return csv_header(r, fs, n);
}

static int csv_line(struct ob_prices_reader *r, char *s, size_t len)
{
    struct ob_csv_field fs[MAX_COLS];
    size_t errcol;
    r->lineno++;
    if (len && s[len - 1] == '\r')
        len--;
    if (r->lineno == 1 && len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
        s += 3, len -= 3;
    if (!len)
        return 0;
    int n = ob_csv_split(s, len, fs, MAX_COLS, &errcol);
    if (n < 0)
        return csv_fail(r, errcol, "unterminated or misplaced quote");
    if (n > MAX_COLS)
        n = MAX_COLS;
    if (r->lineno == 1 && lower_eq(fs[0].ptr, fs[0].len, "formatversion")) {
        r->csv_aws = 1;
        r->format = "aws-offer-csv";
        return 0;
    }
    if (r->csv_aws && !r->csv_header_done) {
        if (lower_eq(fs[0].ptr, fs[0].len, "publication date") && n > 1) {
            if (parse_time(fs[1].ptr, fs[1].len, &r->pub_ts) < 0)
                return csv_fail(r, fs[1].col, "Publication Date is not a time");
            return 0;
        }
        if (lower_eq(fs[0].ptr, fs[0].len, "sku"))
            return csv_header(r, fs, n);
        return 0; /* the other metadata lines */
    }
    if (r->lineno == 1) {
        r->format = "csv";
        return csv_first(r, fs, n);
    }
    if (!r->csv_header_done && !r->csv_aws && r->col[C_TIME] < 0)
        return csv_fail(r, 0, "no header");
    return csv_row(r, fs, n);
}

static int csv_feed(struct ob_prices_reader *r, const char *p, size_t len)
{
    while (len) {
        const char *nl = memchr(p, '\n', len);
        size_t take = nl ? (size_t)(nl - p) : len;
        if (r->line_len + take > MAX_LINE)
            return csv_fail(r, 0, "a line longer than %u bytes", MAX_LINE);
        if (ob_grow((void **)&r->line, &r->line_cap, r->line_len + take + 1, 1) < 0)
            return csv_fail(r, 0, "out of memory");
        memcpy(r->line + r->line_len, p, take);
        r->line_len += take;
        if (!nl)
            break;
        if (csv_line(r, r->line, r->line_len) < 0)
            return -1;
        r->line_len = 0;
        p = nl + 1;
        len -= take + 1;
    }
    return 0;
}

/* --------------------------------------------------------------- public */

struct ob_prices_reader *ob_prices_reader_new(struct ob_prices *t, unsigned source,
                                              const char *name)
{
    struct ob_prices_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->t = t;
    r->source = source;
    r->name = strdup(name ? name : "<input>");
    r->pub_ts = NAN;
    r->format = "";
    r->first_obs = ob_prices_count(t);
    if (!r->name) {
        free(r);
        return NULL;
    }
    return r;
}

void ob_prices_reader_free(struct ob_prices_reader *r)
{
    if (!r)
        return;
    if (r->y)
        yajl_free(r->y);
    free(r->prods);
    free(r->prod_of);
    free(r->line);
    free(r->name);
    free(r);
}

const char *ob_prices_reader_error(const struct ob_prices_reader *r)
{
    return r->err;
}

const char *ob_prices_reader_format(const struct ob_prices_reader *r)
{
    return r->format;
}

/* JSON or CSV, from the first byte that is not a blank or a UTF-8 BOM. */
static int detect(struct ob_prices_reader *r, const unsigned char **p, size_t *len)
{
    while (*len && (isspace(**p) || **p == 0xef || **p == 0xbb || **p == 0xbf)) {
        (*p)++;
        (*len)--;
        r->consumed++;
    }
    if (!*len)
        return 0;
    if (**p == '{' || **p == '[') {
        r->fmt = F_JSON;
        r->y = yajl_alloc(&callbacks, NULL, r);
        if (!r->y) {
            snprintf(r->err, sizeof r->err, "%s: out of memory", r->name);
            r->failed = 1;
            return -1;
        }
        yajl_config(r->y, yajl_allow_multiple_values, 1);
    } else {
        r->fmt = F_CSV;
    }
    return 0;
}

int ob_prices_reader_feed(struct ob_prices_reader *r, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    if (r->failed)
        return -1;
    if (r->fmt == F_UNKNOWN && detect(r, &p, &len) < 0)
        return -1;
    if (!len)
        return 0;
    if (r->fmt == F_CSV)
        return csv_feed(r, (const char *)p, len);
    yajl_status s = yajl_parse(r->y, p, len);
    int rc = json_status(r, s, p, len);
    r->consumed += len;
    return rc;
}

int ob_prices_reader_finish(struct ob_prices_reader *r)
{
    if (r->failed)
        return -1;
    if (r->fmt == F_UNKNOWN) {
        snprintf(r->err, sizeof r->err, "%s: empty input", r->name);
        r->failed = 1;
        return -1;
    }
    if (r->fmt == F_CSV) {
        if (r->line_len && csv_line(r, r->line, r->line_len) < 0)
            return -1;
        if (r->csv_aws && !r->csv_header_done)
            return csv_fail(r, 0, "an AWS offer CSV without its header row (SKU,...)");
        return 0;
    }
    yajl_status s = yajl_complete_parse(r->y);
    if (json_status(r, s, NULL, 0) < 0)
        return -1;
    if (r->is_offer)
        join_products(r);
    if (!r->is_offer && !r->nrecords && ob_prices_count(r->t) == r->first_obs) {
        snprintf(r->err, sizeof r->err,
                 "%s: no prices: not an AWS offer file, spot price history or Azure price page",
                 r->name);
        r->failed = 1;
        return -1;
    }
    return 0;
}

int ob_prices_read_file(struct ob_prices *t, unsigned source, const char *path, char *err,
                        size_t errlen)
{
    int is_stdin = !strcmp(path, "-");
    gzFile gz = is_stdin ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
        return -1;
    }
    gzbuffer(gz, 1 << 17);
    struct ob_prices_reader *r = ob_prices_reader_new(t, source, is_stdin ? "<stdin>" : path);
    unsigned char *buf = malloc(1 << 18);
    int rc = -1;
    if (!r || !buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    for (;;) {
        int n = gzread(gz, buf, 1 << 18);
        if (n < 0) {
            int e;
            const char *m = gzerror(gz, &e);
            snprintf(err, errlen, "%s: %s", path, e == Z_ERRNO ? strerror(errno) : m);
            goto out;
        }
        if (n == 0)
            break;
        if (ob_prices_reader_feed(r, buf, (size_t)n) < 0) {
            snprintf(err, errlen, "%s", ob_prices_reader_error(r));
            goto out;
        }
    }
    if (ob_prices_reader_finish(r) < 0) {
        snprintf(err, errlen, "%s", ob_prices_reader_error(r));
        goto out;
    }
    rc = 0;
out:
    free(buf);
    ob_prices_reader_free(r);
    gzclose(gz);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted (new, each and the array free()). */
static char **list_dir(const char *dir, size_t *n, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.' ||
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (ob_grow((void **)&names, &cap, *n + 1, sizeof *names) < 0 ||
            !(names[*n] = strdup(path))) {
            snprintf(err, errlen, "%s: out of memory", dir);
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (e) { /* stopped early: memory */
        for (size_t i = 0; i < *n; i++)
            free(names[i]);
        free(names);
        *n = 0;
        return NULL;
    }
    if (!*n) {
        snprintf(err, errlen, "%s: no files in the folder", dir);
        free(names);
        return NULL;
    }
    qsort(names, *n, sizeof *names, by_name);
    return names;
}

int ob_prices_read_path(struct ob_prices *t, unsigned source, const char *path, char *err,
                        size_t errlen)
{
    struct stat st;
    if (!strcmp(path, "-") || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return ob_prices_read_file(t, source, path, err, errlen);
    size_t n;
    char **names = list_dir(path, &n, err, errlen);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc && ob_prices_read_file(t, source, names[i], err, errlen) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

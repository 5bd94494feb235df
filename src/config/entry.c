/* entry.c - the parsed-entries model every dialect's reader fills in, the
 * normal form of keys, and what a value looks like from its text alone
 * (kind, number, unit). Generic on purpose: no program's names here. */
#include "config/config_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ob_cfg_file_init(struct ob_cfg_file *f, const char *name)
{
    memset(f, 0, sizeof *f);
    f->name = name ? strdup(name) : NULL;
}

void ob_cfg_norm_key(const char *raw, size_t len, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 1 < outlen; i++) {
        unsigned char c = (unsigned char)raw[i];
        out[j++] = c == '-' ? '_' : (char)tolower(c);
    }
    if (outlen)
        out[j] = '\0';
}

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int ob_cfg_file_add(struct ob_cfg_file *f, unsigned line, unsigned scope, const char *section,
                    const char *raw_key, size_t klen, const char *value, size_t vlen)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        struct ob_cfg_entry *e = realloc(f->e, cap * sizeof *e);
        if (!e)
            return -1;
        f->e = e;
        f->cap = cap;
    }
    struct ob_cfg_entry *e = &f->e[f->n];
    memset(e, 0, sizeof *e);
    e->line = line;
    e->scope = scope;
    e->section = strdup(section ? section : "");
    e->raw_key = dupn(raw_key, klen);
    e->key = malloc(klen + 1);
    e->value = value ? dupn(value, vlen) : NULL;
    if (!e->section || !e->raw_key || !e->key || (value && !e->value)) {
        free(e->section);
        free(e->raw_key);
        free(e->key);
        free(e->value);
        return -1;
    }
    ob_cfg_norm_key(raw_key, klen, e->key, klen + 1);
    f->n++;
    return 0;
}

void ob_cfg_file_clear(struct ob_cfg_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->e[i].section);
        free(f->e[i].key);
        free(f->e[i].raw_key);
        free(f->e[i].value);
    }
    free(f->e);
    free(f->name);
    free(f->warning);
    memset(f, 0, sizeof *f);
}

void ob_cfg_file_warn(struct ob_cfg_file *f, const char *msg)
{
    if (!f->warning)
        f->warning = strdup(msg);
    f->nwarnings++;
}

static const char *const kind_names[K_NKINDS] = {
    "flag", "empty", "int01", "int", "float", "quantity", "bool",
    "ip", "addr", "path", "word", "text",
};

const char *ob__cfg_kind_name(enum ob_cfg_kind k)
{
    return k < K_NKINDS ? kind_names[k] : "?";
}

int ob__cfg_kind_from_name(const char *s)
{
    for (int k = 0; k < K_NKINDS; k++)
        if (!strcmp(s, kind_names[k]))
            return k;
    return -1;
}

const char *ob__cfg_leaf_section(const char *section)
{
    const char *slash = strrchr(section, '/');
    return slash ? slash + 1 : section;
}

/* Words that mean a switch in nearly every program's files. */
static int is_bool_word(const char *s)
{
    static const char *const words[] = {"on", "off", "true", "false", "yes", "no",
                                        "enable", "enabled", "disable", "disabled"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i]))
            return 1;
    return 0;
}

/* The base-unit factor of a unit as sizes and durations are written;
 * 0 when the unit is not one of these. */
static double unit_factor(const char *u)
{
    char l[8];
    size_t n = strlen(u);
    if (n >= sizeof l)
        return 0;
    for (size_t i = 0; i <= n; i++)
        l[i] = (char)tolower((unsigned char)u[i]);
    static const struct { const char *u; double f; } units[] = {
        {"b", 1}, {"k", 1024.0}, {"kb", 1024.0}, {"kib", 1024.0},
        {"m", 1048576.0}, {"mb", 1048576.0}, {"mib", 1048576.0},
        {"g", 1073741824.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0},
        {"t", 1099511627776.0}, {"tb", 1099511627776.0}, {"tib", 1099511627776.0},
        {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"sec", 1}, {"min", 60}, {"h", 3600},
        {"d", 86400}, {"w", 604800},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(l, units[i].u))
            return units[i].f;
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int is_ipv4(const char *s)
{
    int parts = 0;
    while (*s) {
        size_t n = 0;
        while (isdigit((unsigned char)s[n]))
            n++;
        if (n < 1 || n > 3)
            return 0;
        parts++;
        s += n;
        if (*s == '.')
            s++;
        else if (*s)
            return 0;
    }
    return parts == 4;
}

static int is_addr(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !all_digits(colon + 1, strlen(colon + 1)))
        return 0;
    for (const char *p = s; p < colon; p++)
        if (isspace((unsigned char)*p) || *p == '/')
            return 0;
    return 1;
}

/* A number: [+-]digits[.digits][e[+-]digits]; returns its length or 0. */
static size_t number_len(const char *s, int *is_int)
{
    size_t i = 0, d = 0;
    *is_int = 1;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (isdigit((unsigned char)s[i]))
        i++, d++;
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        *is_int = 0;
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, d++;
    }
    if (!d)
        return 0;
    if ((s[i] == 'e' || s[i] == 'E') && (isdigit((unsigned char)s[i + 1]) ||
        ((s[i + 1] == '-' || s[i + 1] == '+') && isdigit((unsigned char)s[i + 2])))) {
        size_t j = i + 1;
        if (s[j] == '-' || s[j] == '+')
            j++;
        while (isdigit((unsigned char)s[j]))
            j++;
        if (!s[j]) {
            *is_int = 0;
            return j;
        }
    }
    return i;
}

void ob__cfg_classify(const char *value, struct ob_cfg_value *v)
{
    memset(v, 0, sizeof *v);
    if (!value) {
        v->kind = K_FLAG;
        return;
    }
    char buf[256];
    size_t n = strlen(value);
    while (n && isspace((unsigned char)value[n - 1]))
        n--;
    while (n && isspace((unsigned char)*value))
        value++, n--;
    if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0])
        value++, n -= 2;
    if (n >= sizeof buf) {
        v->kind = K_TEXT;
        return;
    }
    memcpy(buf, value, n);
    buf[n] = '\0';
    if (!n) {
        v->kind = K_EMPTY;
        return;
    }
    if (n < sizeof v->token)
        for (size_t i = 0; i <= n; i++)
            v->token[i] = (char)tolower((unsigned char)buf[i]);
    int is_int;
    size_t nl = number_len(buf, &is_int);
    if (nl == n) {
        v->num = v->mag = strtod(buf, NULL);
        v->mag_known = isfinite(v->mag); /* 1e999 is a number, not a magnitude */
        v->kind = !is_int ? K_FLOAT : (!strcmp(buf, "0") || !strcmp(buf, "1")) ? K_INT01 : K_INT;
        return;
    }
    if (nl) {
        size_t u = nl;
        if (buf[u] == ' ')
            u++;
        size_t ul = n - u;
        int letters = ul > 0 && ul < sizeof v->unit;
        for (size_t i = u; letters && i < n; i++)
            letters = isalpha((unsigned char)buf[i]) != 0;
        if (letters) {
            v->kind = K_QUANTITY;
            v->num = strtod(buf, NULL);
            memcpy(v->unit, buf + u, ul);
            v->unit[ul] = '\0';
            double f = unit_factor(v->unit);
            v->mag = v->num * f;
            v->mag_known = f > 0 && isfinite(v->mag);
            return;
        }
    }
    if (v->token[0] && is_bool_word(v->token)) {
        v->kind = K_BOOL;
        return;
    }
    if (is_ipv4(buf)) {
        v->kind = K_IP;
        return;
    }
    int space = 0, slash = 0;
    for (size_t i = 0; i < n; i++) {
        space |= isspace((unsigned char)buf[i]) != 0;
        slash |= buf[i] == '/' || buf[i] == '\\';
    }
    if (!space && is_addr(buf))
        v->kind = K_ADDR;
    else if (!space && (slash || buf[0] == '~'))
        v->kind = K_PATH;
    else if (!space)
        v->kind = K_WORD;
    else if (buf[0] == '/' && !strchr(buf, ' '))
        v->kind = K_PATH;
    else
        v->kind = K_TEXT;
}

int ob__cfg_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > (size_t)cap)
        return cap + 1;
    if (la > 62 || lb > 62)
        return cap + 1;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int rowmin = cap + 1;
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < c)
                c = d[i - 2][j - 2] + 1;
            d[i][j] = c;
            if (c < rowmin)
                rowmin = c;
        }
        if (rowmin > cap)
            return cap + 1;
    }
    return d[la][lb];
}

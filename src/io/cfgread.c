/* cfgread.c - configuration files into entries: the line-based dialects
 * (INI, Apache httpd, flat key=value / key value) read here, YAML and XML
 * through libyaml and libxml2 (cfgread_yaml.c, cfgread_xml.c), and the
 * dialect told from the content.
 *
 * Line numbers are the file's own (1-based; a line continued with a
 * backslash counts as the line it starts on) so a finding points where an
 * editor shows it. Keys are normalised by src/config (case, '-' = '_') the
 * same way in every dialect; nothing here knows a program. */
#include "io/cfgread.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64    /* nested blocks */
#define MAX_SECTIONS 256 /* distinct [sections] in one INI file, for scopes */

static const char *const format_names[] = {"auto", "ini", "apache", "keyvalue", "yaml", "xml"};

int ob_cfg_format_from_name(const char *name)
{
    for (int i = 0; i < (int)(sizeof format_names / sizeof format_names[0]); i++)
        if (!strcmp(name, format_names[i]))
            return i;
    return -1;
}

const char *ob_cfg_format_name(enum ob_cfg_format f)
{
    return (unsigned)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "?";
}

/* ---- lines ---- */

struct lines {
    const char *p, *end;
    unsigned no; /* the number of the line last returned */
};

/* The next line (without its end) into *s and *n; 0 at the end. */
static int next_line(struct lines *l, const char **s, size_t *n)
{
    if (l->p >= l->end)
        return 0;
    const char *b = l->p, *q = b;
    while (q < l->end && *q != '\n' && *q != '\r')
        q++;
    *s = b;
    *n = (size_t)(q - b);
    if (q < l->end && *q == '\r' && q + 1 < l->end && q[1] == '\n')
        q++;
    l->p = q < l->end ? q + 1 : q;
    l->no++;
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* The line up to a comment that starts with one of marks after a blank
 * (or at the start), outside quotes. */
static size_t before_comment(const char *s, size_t n, const char *marks)
{
    char q = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (strchr(marks, c) && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            return i;
        }
    }
    return n;
}

static void lower_copy(char *out, size_t outlen, const char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < outlen; i++)
        out[j++] = (char)tolower((unsigned char)s[i]);
    out[j] = '\0';
}

/* key then value: "key = value", "key=value", "key value", "key". */
static int add_pair(struct ob_cfg_file *out, unsigned line, unsigned scope, const char *section,
                    const char *s, size_t n, int equals_only)
{
    size_t k = 0;
    if (equals_only) {
        const char *eq = memchr(s, '=', n);
        k = eq ? (size_t)(eq - s) : n;
        size_t kn = k;
        while (kn && isspace((unsigned char)s[kn - 1]))
            kn--;
        if (!eq) {
            /* a bare flag; anything after a blank is its value */
            size_t t = 0;
            while (t < n && !isspace((unsigned char)s[t]))
                t++;
            const char *v = s + t;
            size_t vn = n - t;
            trim(&v, &vn);
            return ob_cfg_file_add(out, line, scope, section, s, t, vn ? v : NULL, vn);
        }
        const char *v = eq + 1;
        size_t vn = n - k - 1;
        trim(&v, &vn);
        return ob_cfg_file_add(out, line, scope, section, s, kn, v, vn);
    }
    while (k < n && !isspace((unsigned char)s[k]) && s[k] != '=')
        k++;
    size_t i = k;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '=')
        i++;
    const char *v = s + i;
    size_t vn = n - i;
    trim(&v, &vn);
    return ob_cfg_file_add(out, line, scope, section, s, k, vn ? v : NULL, vn);
}

/* ---- INI: [section], key=value, bare flags, !include ---- */

static int parse_ini(const char *buf, size_t len, struct ob_cfg_file *out, char *err, size_t errlen)
{
    struct lines l = {buf, buf + len, 0};
    const char *s;
    size_t n;
    char section[256] = "";
    char *names[MAX_SECTIONS];
    size_t nnames = 0;
    unsigned scope = 0;
    int rc = 0;
    while (rc == 0 && next_line(&l, &s, &n)) {
        trim(&s, &n);
        if (!n || *s == '#' || *s == ';' || *s == '!')
            continue; /* comments; !include and !includedir name other files */
        if (*s == '[') {
            const char *close = memchr(s, ']', n);
            if (!close) {
                snprintf(err, errlen, "%u: section header without ']'", l.no);
                rc = -1;
                break;
            }
            const char *name = s + 1;
            size_t nn = (size_t)(close - name);
            trim(&name, &nn);
            lower_copy(section, sizeof section, name, nn);
            /* one scope per section name: a section written twice is one */
            size_t i;
            for (i = 0; i < nnames && strcmp(names[i], section); i++)
                ;
            if (i == nnames && nnames < MAX_SECTIONS && (names[nnames] = strdup(section)))
                nnames++;
            scope = (unsigned)i + 1;
            continue;
        }
        n = before_comment(s, n, "#;");
        trim(&s, &n);
        if (!n)
            continue;
        if (*s == '=') {
            snprintf(err, errlen, "%u: '=' without a key before it", l.no);
            rc = -1;
            break;
        }
        if (add_pair(out, l.no, scope, section, s, n, 1) < 0) {
            snprintf(err, errlen, "%u: out of memory", l.no);
            rc = -1;
        }
    }
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    return rc;
}

/* ---- Apache httpd and flat key=value / key value ---- */

/* "<Name args>" or "</Name>": the name's span; 0 when the line is neither.
 * A missing '>' is read past, as httpd's users' files often have it. */
static int block_tag(const char *s, size_t n, int *closing, const char **name, size_t *nn)
{
    if (n < 2 || s[0] != '<')
        return 0;
    size_t i = 1;
    *closing = s[i] == '/';
    if (*closing)
        i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    size_t b = i;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.' ||
                     s[i] == ':'))
        i++;
    if (i == b || !isalpha((unsigned char)s[b]))
        return 0;
    if (i < n && !isspace((unsigned char)s[i]) && s[i] != '>')
        return 0;
    *name = s + b;
    *nn = i - b;
    return 1;
}

struct block {
    char name[64];
    unsigned line;
};

static void section_path(char *out, size_t outlen, const struct block *st, int depth)
{
    size_t j = 0;
    out[0] = '\0';
    for (int i = 0; i < depth; i++) {
        int w = snprintf(out + j, outlen - j, "%s%s", i ? "/" : "", st[i].name);
        if (w < 0 || (size_t)w >= outlen - j)
            break;
        j += (size_t)w;
    }
}

/* A line and the ones it continues onto with a trailing backslash, joined
 * (into *joined when there is more than one; caller frees). */
static int logical_line(struct lines *l, const char **s, size_t *n, char **joined)
{
    *joined = NULL;
    if (!next_line(l, s, n))
        return 0;
    const char *t = *s;
    size_t tn = *n;
    while (tn && isspace((unsigned char)t[tn - 1]))
        tn--;
    if (!tn || t[tn - 1] != '\\')
        return 1;
    size_t cap = 0, len = 0;
    char *j = NULL;
    for (;;) {
        size_t part = tn - 1;
        while (part && isspace((unsigned char)t[part - 1]))
            part--;
        if (len + part + 2 > cap) {
            cap = (len + part + 2) * 2;
            char *p = realloc(j, cap);
            if (!p) {
                free(j);
                return -1;
            }
            j = p;
        }
        memcpy(j + len, t, part);
        len += part;
        j[len++] = ' ';
        const char *u;
        size_t un;
        if (!next_line(l, &u, &un))
            break;
        while (un && isspace((unsigned char)*u))
            u++, un--; /* the continuation's indent is not part of the value */
        t = u;
        tn = un;
        while (tn && isspace((unsigned char)t[tn - 1]))
            tn--;
        if (!tn || t[tn - 1] != '\\') {
            if (len + tn + 1 > cap) {
                char *p = realloc(j, len + tn + 1);
                if (!p) {
                    free(j);
                    return -1;
                }
                j = p;
            }
            memcpy(j + len, t, tn);
            len += tn;
            break;
        }
    }
    *joined = j;
    *s = j;
    *n = len;
    return 1;
}

static int parse_lines(const char *buf, size_t len, int apache, struct ob_cfg_file *out, char *err,
                       size_t errlen)
{
    struct lines l = {buf, buf + len, 0};
    struct block st[MAX_DEPTH];
    int depth = 0, r;
    unsigned scopes[MAX_DEPTH + 1] = {0}, next_scope = 1;
    char section[MAX_DEPTH * 16] = "";
    const char *s;
    size_t n;
    char *joined;
    unsigned line = 1; /* the line a (continued) entry starts on */
    while ((r = logical_line(&l, &s, &n, &joined)) > 0) {
        trim(&s, &n);
        int closing;
        const char *name;
        size_t nn;
        int rc = 0;
        if (!n || *s == '#') {
            ;
        } else if (apache && block_tag(s, n, &closing, &name, &nn)) {
            char lname[64];
            lower_copy(lname, sizeof lname, name, nn);
            if (!closing) {
                if (depth == MAX_DEPTH) {
                    snprintf(err, errlen, "%u: blocks nested deeper than %d", line, MAX_DEPTH);
                    rc = -1;
                } else {
                    snprintf(st[depth].name, sizeof st[depth].name, "%s", lname);
                    st[depth].line = line;
                    scopes[++depth] = next_scope++;
                    section_path(section, sizeof section, st, depth);
                }
            } else {
                /* a mismatched or stray closing tag is read past as httpd's
                 * users' files have them (pasted halves): noted, the
                 * innermost block closed as the scorer of findings does */
                char msg[256];
                if (!depth) {
                    snprintf(msg, sizeof msg, "%u: </%.*s> without an opening <%.*s>", line,
                             (int)nn, name, (int)nn, name);
                    ob_cfg_file_warn(out, msg);
                } else {
                    if (strcmp(st[depth - 1].name, lname)) {
                        snprintf(msg, sizeof msg, "%u: </%.*s> closes <%s> opened on line %u",
                                 line, (int)nn, name, st[depth - 1].name, st[depth - 1].line);
                        ob_cfg_file_warn(out, msg);
                    }
                    depth--;
                    section_path(section, sizeof section, st, depth);
                }
            }
        } else {
            if (!apache)
                n = before_comment(s, n, "#");
            trim(&s, &n);
            if (n && *s == '=') {
                snprintf(err, errlen, "%u: '=' without a key before it", line);
                rc = -1;
            } else if (n && add_pair(out, line, scopes[depth], section, s, n, 0) < 0) {
                snprintf(err, errlen, "%u: out of memory", line);
                rc = -1;
            }
        }
        free(joined);
        if (rc < 0)
            return -1;
        line = l.no + 1;
    }
    if (r < 0) {
        snprintf(err, errlen, "%u: out of memory", l.no);
        return -1;
    }
    if (depth) {
        char msg[256];
        snprintf(msg, sizeof msg, "%u: <%s> is never closed", st[depth - 1].line, st[depth - 1].name);
        ob_cfg_file_warn(out, msg);
    }
    return 0;
}

/* ---- which dialect ---- */

static int yaml_key_line(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 2 && s[0] == '-' && s[1] == ' ')
        i = 2;
    size_t b = i;
    while (i < n && (isalnum((unsigned char)s[i]) || strchr("_.-\"'/$", s[i])))
        i++;
    return i > b && i < n && s[i] == ':' && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t');
}

enum ob_cfg_format ob_cfg_detect(const char *buf, size_t len)
{
    struct lines l = {buf, buf + len, 0};
    const char *s;
    size_t n;
    unsigned sig = 0, ini = 0, open = 0, close = 0, yaml = 0, items = 0, eq = 0, first_lt = 0;
    int first = 1;
    while (next_line(&l, &s, &n)) {
        trim(&s, &n);
        if (!n || *s == '#' || *s == ';')
            continue;
        if (first && *s == '<')
            first_lt = 1;
        first = 0;
        sig++;
        int closing;
        const char *name;
        size_t nn;
        if (*s == '[')
            ini++; /* a header, closed or not (then the INI reader says so) */
        else if (block_tag(s, n, &closing, &name, &nn))
            closing ? close++ : open++;
        else if (yaml_key_line(s, n))
            yaml++;
        else if (n >= 2 && s[0] == '-' && s[1] == ' ')
            items++;
        else if (n >= 3 && !memcmp(s, "---", 3))
            yaml++;
        if (memchr(s, '=', n))
            eq++;
    }
    const char *b = buf;
    while (b < buf + len && isspace((unsigned char)*b))
        b++;
    if ((size_t)(buf + len - b) >= 5 && !memcmp(b, "<?xml", 5))
        return OB_CFG_XML; /* declared: its errors are XML's */
    if (first_lt) {
        char err[8];
        struct ob_cfg_file probe;
        ob_cfg_file_init(&probe, NULL);
        int ok = ob__cfg_parse_xml(buf, len, &probe, err, sizeof err, 1) == 0;
        ob_cfg_file_clear(&probe);
        if (ok)
            return OB_CFG_XML;
    }
    if (open || close)
        return OB_CFG_APACHE;
    if (ini)
        return OB_CFG_INI;
    if (yaml && (yaml + items) * 2 >= sig && yaml >= eq)
        return OB_CFG_YAML;
    return OB_CFG_KEYVALUE;
}

int ob_cfg_parse(const char *buf, size_t len, const char *name, enum ob_cfg_format format,
                 struct ob_cfg_file *out, char *err, size_t errlen)
{
    ob_cfg_file_init(out, name);
    char msg[400] = "";
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        buf += 3, len -= 3;
    const char *nul = memchr(buf, '\0', len);
    int rc;
    if (nul) {
        unsigned line = 1;
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        snprintf(msg, sizeof msg, "%u: a NUL byte: not a text file", line);
        rc = -1;
    } else {
        if (format == OB_CFG_AUTO)
            format = ob_cfg_detect(buf, len);
        switch (format) {
        case OB_CFG_INI:
            rc = parse_ini(buf, len, out, msg, sizeof msg);
            break;
        case OB_CFG_APACHE:
            rc = parse_lines(buf, len, 1, out, msg, sizeof msg);
            break;
        case OB_CFG_YAML:
            rc = ob__cfg_parse_yaml(buf, len, out, msg, sizeof msg);
            break;
        case OB_CFG_XML:
            rc = ob__cfg_parse_xml(buf, len, out, msg, sizeof msg, 0);
            break;
        default:
            rc = parse_lines(buf, len, 0, out, msg, sizeof msg);
            break;
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s:%s", name ? name : "-", msg);
        ob_cfg_file_clear(out);
        return -1;
    }
    return 0;
}

int ob_cfg_read_file(const char *path, enum ob_cfg_format format, struct ob_cfg_file *out,
                     char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        ob_cfg_file_init(out, path);
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!buf || bad) {
        snprintf(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
        free(buf);
        ob_cfg_file_init(out, path);
        return -1;
    }
    int rc = ob_cfg_parse(buf, len, path, format, out, err, errlen);
    free(buf);
    return rc;
}

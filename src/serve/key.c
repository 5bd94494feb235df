/* key.c - a series key, "name{a=\"1\",b=\"x\\\"y\"}", the registry's name
 * for a series: its label values escaped as the exposition format wants
 * them, and the key split back into name and labels. Pure: no state, no
 * I/O, so the unit tests call it directly (tests/unit/test_serve_key.c). */
#include "serve/serve_int.h"

#include <stddef.h>

/* A label value escaped as the exposition format wants it. */
void ob__put_label_value(struct ob_buf *b, const char *v, size_t n)
{
    size_t start = 0; /* runs without anything to escape go in one copy */
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\\' && v[i] != '"' && v[i] != '\n')
            continue;
        ob_buf_put(b, v + start, i - start);
        ob_buf_put(b, v[i] == '\n' ? "\\n" : v[i] == '"' ? "\\\"" : "\\\\", 2);
        start = i + 1;
    }
    ob_buf_put(b, v + start, n - start);
}

int ob__split_key(const char *key, char *buf, size_t cap, const char **name, struct ob_rw_label *l, int max)
{
    size_t k = 0;
    const char *p = key;
    int n = 0;
    *name = buf;
    while (*p && *p != '{' && k + 1 < cap)
        buf[k++] = *p++;
    buf[k++] = '\0';
    if (*p++ != '{')
        return -1;
    while (*p && *p != '}' && n < max) {
        l[n].name = buf + k;
        while (*p && *p != '=' && k + 1 < cap)
            buf[k++] = *p++;
        buf[k++] = '\0';
        if (p[0] != '=' || p[1] != '"')
            return -1;
        p += 2;
        l[n].value = buf + k;
        while (*p && *p != '"' && k + 1 < cap) {
            if (*p == '\\' && p[1])
                p++, buf[k++] = *p == 'n' ? '\n' : *p, p++;
            else
                buf[k++] = *p++;
        }
        buf[k++] = '\0';
        if (*p++ != '"')
            return -1;
        n++;
        if (*p == ',')
            p++;
    }
    return k < cap ? n : -1;
}

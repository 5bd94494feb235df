/* fuzz_key.c - libFuzzer target: series keys (src/core/label.c), whose
 * names and label values come from scrapes and remote write. Any bytes as
 * a key: ob_key_split stays inside the key and its buffer; a key it reads,
 * built again from its parts, reads back to the same parts, and the
 * exposition writer writes those labels as the key holds them. The first
 * 8 bytes as a double: ob_expo_format writes what strtod reads back. The
 * name and UTF-8 checks stay inside the bytes given; the name a clashing
 * value_type takes is none of the key's. */
#include "core/expo.h"
#include "core/label.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 8

static void same_parts(const char *na, const struct ob_label *a, const char *nb, const struct ob_label *b, int n)
{
    if (strcmp(na, nb))
        abort();
    for (int i = 0; i < n; i++)
        if (a[i].name_len != b[i].name_len || a[i].value_len != b[i].value_len ||
            memcmp(a[i].name, b[i].name, a[i].name_len) || memcmp(a[i].value, b[i].value, a[i].value_len))
            abort();
}

static void check_value(const uint8_t *data)
{
    double v;
    memcpy(&v, data, sizeof v);
    char num[OB_EXPO_NUM_MAX];
    size_t n = ob_expo_format(num, v);
    if (n >= sizeof num || num[n] != '\0')
        abort();
    double back = strtod(num, NULL);
    if (isnan(v) ? !isnan(back) : back != v)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= sizeof(double))
        check_value(data);
    char *key = malloc(size ? size : 1), *buf = malloc(size + 1); /* exactly: ASan sees overreads */
    memcpy(key, data, size);
    int utf8 = ob_utf8_ok(key, size), metric = ob_metric_name_ok(key, size), label = ob_label_name_ok(key, size);
    if ((label && !metric) || ((metric || label) && !utf8)) /* label names are metric names, all ASCII */
        abort();
    const char *name;
    struct ob_label l[MAX];
    int n = ob_key_split(key, size, buf, size + 1, &name, l, MAX);
    if (n < -1 || n > MAX)
        abort();
    if (n >= 0) {
        struct ob_buf again = {0};
        ob_key_build(&again, name, strlen(name), l, (size_t)n);
        char *buf2 = malloc(again.len + 1);
        const char *name2;
        struct ob_label l2[MAX];
        if (again.failed || ob_key_split((const char *)again.p, again.len, buf2, again.len + 1, &name2, l2, MAX) != n)
            abort();
        same_parts(name, l, name2, l2, n);
        const char *exported = ob_label_exported_value_type(l, (size_t)n);
        for (int i = 0; exported && i < n; i++)
            if (l[i].name_len == strlen(exported) && !memcmp(l[i].name, exported, l[i].name_len))
                abort();
        if (!exported)
            abort(); /* MAX labels cannot take 256 names */
        if (n > 0) { /* the writer's labels: the key's, as built */
            struct ob_buf m = {0};
            struct ob_expo e = ob_expo_on(&m);
            ob_expo_family(&e, name, NULL, NULL);
            ob_expo_sample(&e, l, (size_t)n, 0);
            ob_expo_done(&e);
            ob_buf_put(&again, " 0\n", 3);
            if (m.failed || m.len != again.len || memcmp(m.p, again.p, m.len))
                abort();
            free(m.p);
        }
        free(buf2);
        free(again.p);
    }
    free(buf);
    free(key);
    return 0;
}

/* label.h - a label (name="value") and the series key built from labels,
 * "name{a=\"1\",b=\"x\\\"y\"}": the registry's and the store's name for a
 * series, in the exposition format's own syntax (text format 0.0.4), so
 * /metrics writes a key's labels as they are. Built, split and escaped
 * here only; every reader of a key (the incidents, the metrics: section,
 * remote write out) splits it with ob_key_split. Pure: no I/O. */
#ifndef OB_CORE_LABEL_H
#define OB_CORE_LABEL_H

#include "core/buf.h"

#include <stddef.h>
#include <string.h>

/* One label. name and value are name_len and value_len bytes, borrowed
 * (whoever fills an array of them says from what, and for how long); they
 * need not end in a NUL, but do where the producer says so (remote write,
 * ob_key_split). */
struct ob_label {
    const char *name, *value;
    size_t name_len, value_len;
};

/* A label of two C strings (borrowed). */
static inline struct ob_label ob_label_of(const char *name, const char *value)
{
    return (struct ob_label){name, value, strlen(name), strlen(value)};
}

/* Orders labels by name, bytewise (a qsort comparator over struct ob_label):
 * the order of a key's labels. */
int ob_label_by_name(const void *a, const void *b);

/* Names as the text format 0.0.4 can carry them: a metric name matches
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a label name the same without ':'. A name with
 * a quote, '=', ',' or a newline would break every reader of /metrics. */
int ob_metric_name_ok(const char *s, size_t n);
int ob_label_name_ok(const char *s, size_t n);

/* 1 when s[0..n) is well-formed UTF-8 (as Go's utf8.ValidString: no
 * overlong forms, no surrogates, nothing past U+10FFFF), which the text
 * format requires of label values. */
int ob_utf8_ok(const char *s, size_t n);

/* The name a series' own value_type label takes when opsbox adds its
 * outputs' value_type: exported_value_type, or with "exported_" again
 * while l[0..n) already has that name, as Prometheus renames a target's
 * label that clashes. A static string; NULL past 256 prefixes (more than
 * a key's labels). */
const char *ob_label_exported_value_type(const struct ob_label *l, size_t n);

/* Appends v[0..n) escaped as a label value of the exposition format:
 * backslash, double quote and newline as \\, \" and \n. */
void ob_label_escape(struct ob_buf *b, const char *v, size_t n);

/* Appends l[0..n) as the exposition format writes them inside braces:
 * a="1",b="x\"y" (names as they are, values escaped). */
void ob_labels_put(struct ob_buf *b, const struct ob_label *l, size_t n);

/* Appends a series' key: name{l[0],l[1],...} (give the labels sorted by
 * name: the key is the series' identity). b->failed says memory ran out. */
void ob_key_build(struct ob_buf *b, const char *name, size_t name_len, const struct ob_label *l, size_t n);

/* Room enough for the labels of any key the daemon builds: a scrape's
 * (OB_EXPFMT_MAX_LABELS and the target's) and remote write's (up to 255
 * besides __name__, as many as the model keeps). */
#define OB_KEY_MAX_LABELS 256

/* Splits key[0..len) into its name and at most max labels, unescaped into
 * buf (cap >= len + 1 is enough), each string NUL-terminated there; *name
 * and l[] point into buf. Returns the label count, or -1 if the key is not
 * of the form ob_key_build writes or buf is too small; a key with more
 * than max labels gives its first max. Any bytes are safe: names and
 * values come from scrapes and remote write. */
int ob_key_split(const char *key, size_t len, char *buf, size_t cap, const char **name, struct ob_label *l, int max);

#endif

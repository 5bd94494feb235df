/* clean.c - one CI log line made comparable across runs, and read for
 * the words that say something went wrong.
 *
 * Two runs of one build print the same lines with other timestamps, other
 * colours and, on GitHub Actions, a "job<TAB>step<TAB>" column and an ISO
 * timestamp in front of every line. Those go first; numbers, ids, hashes
 * and durations inside the message are left to the log miner's masks
 * (a token with a digit is a parameter), so that there is one masking rule
 * for every log opsbox reads.
 *
 * Error words are matched per word, not per substring, so "errors: 0" in
 * a passing summary and "-Werror" do not weigh like "error:", and one pass
 * over the line does for every word. The lists are the vocabulary of build
 * tools and test runners in general (Maven, Gradle, make, compilers, pytest,
 * go test, git, shells); none names a project. */
#include "ci/ci.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static size_t digits(const char *s, size_t n, size_t i, size_t want)
{
    size_t k = 0;
    while (i + k < n && is_digit(s[i + k]) && (want == 0 || k < want))
        k++;
    return k;
}

/* Length of an ISO 8601 timestamp at s[0..n) with the blank after it
 * (2024-05-01T12:34:56.1234567Z, also with a space for T and an offset),
 * or 0. */
static size_t timestamp_len(const char *s, size_t n)
{
    if (n < 19 || digits(s, n, 0, 4) != 4 || s[4] != '-' || digits(s, n, 5, 2) != 2 ||
        s[7] != '-' || digits(s, n, 8, 2) != 2 || (s[10] != 'T' && s[10] != ' ') ||
        digits(s, n, 11, 2) != 2 || s[13] != ':' || digits(s, n, 14, 2) != 2 || s[16] != ':' ||
        digits(s, n, 17, 2) != 2)
        return 0;
    size_t i = 19;
    if (i < n && (s[i] == '.' || s[i] == ','))
        i += 1 + digits(s, n, i + 1, 0);
    if (i < n && s[i] == 'Z')
        i++;
    else if (i + 5 <= n && (s[i] == '+' || s[i] == '-') && digits(s, n, i + 1, 2) == 2) {
        i += 3;
        if (i < n && s[i] == ':')
            i++;
        i += digits(s, n, i, 2);
    }
    if (i < n && s[i] != ' ' && s[i] != '\t')
        return 0;
    return i < n ? i + 1 : i;
}

/* GitHub's downloaded logs: "job<TAB>step<TAB>timestamp message". Returns
 * how much of the line is that prefix (or a bare timestamp), 0 if none. */
static size_t prefix_len(const char *s, size_t n)
{
    size_t total = 0;
    for (int round = 0; round < 3; round++) {
        size_t t = timestamp_len(s + total, n - total);
        if (!t) {
            /* up to two tab-ended columns, then a timestamp */
            size_t i = total, tabs = 0;
            while (i < n && i - total < 256 && tabs < 2) {
                if (s[i] == '\t')
                    tabs++;
                i++;
            }
            if (tabs == 0 || !(t = timestamp_len(s + i, n - i))) {
                const char *tab = tabs ? memchr(s + total, '\t', n - total) : NULL;
                if (tab && (t = timestamp_len(tab + 1, n - (size_t)(tab + 1 - s))))
                    i = (size_t)(tab + 1 - s);
                else
                    return total;
            }
            total = i;
        }
        total += t;
    }
    return total;
}

/* Skips an ANSI escape at s[i] (ESC): returns the index after it. */
static size_t skip_escape(const char *s, size_t n, size_t i)
{
    i++;
    if (i >= n)
        return i;
    if (s[i] == '[') { /* CSI: parameters, then a final byte @..~ */
        i++;
        while (i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
            i++;
        return i < n ? i + 1 : i;
    }
    if (s[i] == ']') { /* OSC: up to BEL or ESC \ */
        while (i < n && s[i] != '\a' && !(s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\'))
            i++;
        return i < n ? i + (s[i] == '\a' ? 1 : 2) : i;
    }
    return i + 1;
}

/* "##[name]" GitHub Actions markers and "::name ...::" workflow commands. */
static size_t marker(const char *s, size_t n, unsigned *flags)
{
    if (n >= 4 && s[0] == '#' && s[1] == '#' && s[2] == '[') {
        const char *close = memchr(s + 3, ']', n - 3 < 32 ? n - 3 : 32);
        if (!close)
            return 0;
        size_t w = (size_t)(close - (s + 3));
        if (w == 5 && !memcmp(s + 3, "group", 5))
            *flags |= OB_CI_GROUP;
        else if (w == 8 && !memcmp(s + 3, "endgroup", 8))
            *flags |= OB_CI_ENDGROUP;
        else if (w == 5 && !memcmp(s + 3, "error", 5))
            *flags |= OB_CI_GH_ERROR;
        return (size_t)(close - s) + 1;
    }
    if (n >= 4 && s[0] == ':' && s[1] == ':') {
        if (n >= 8 && !memcmp(s + 2, "error", 5) && (s[7] == ' ' || s[7] == ':'))
            *flags |= OB_CI_GH_ERROR;
        else if (n >= 9 && !memcmp(s + 2, "group::", 7))
            *flags |= OB_CI_GROUP;
        else if (n >= 12 && !memcmp(s + 2, "endgroup::", 10))
            *flags |= OB_CI_ENDGROUP;
    }
    return 0;
}

size_t ob_ci_clean(const char *line, size_t len, char *out, size_t cap, unsigned *flags)
{
    *flags = 0;
    /* a UTF-8 byte order mark, as GitHub's downloaded logs start */
    if (len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
        line += 3;
        len -= 3;
    }
    size_t i = prefix_len(line, len), o = 0;
    /* markers can follow the prefix, after escapes */
    while (i < len && line[i] == 0x1b)
        i = skip_escape(line, len, i);
    i += marker(line + i, len - i, flags);
    for (; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == 0x1b) {
            i = skip_escape(line, len, i) - 1;
            continue;
        }
        if (c < 0x20 && c != '\t')
            continue;
        if (c == 0x7f)
            continue;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return o;
}

/* ---- error words ---- */

struct word {
    const char *w;
    float weight;
};

/* Lower-cased words and their weight as evidence of a failure. */
static const struct word words[] = {
    {"error", 0.8f},      {"errors", 0.5f},     {"fatal", 0.9f},      {"failed", 0.8f},
    {"failure", 0.8f},    {"failures", 0.5f},   {"fail", 0.7f},       {"failing", 0.6f},
    {"fails", 0.6f},      {"exception", 0.6f},  {"panic", 0.8f},      {"traceback", 0.9f},
    {"cannot", 0.6f},     {"unable", 0.6f},     {"unsuccessful", 0.8f}, {"denied", 0.6f},
    {"refused", 0.6f},    {"unreachable", 0.5f}, {"invalid", 0.4f},   {"missing", 0.4f},
    {"undefined", 0.5f},  {"unresolved", 0.5f}, {"incompatible", 0.6f}, {"violation", 0.5f},
    {"violations", 0.5f}, {"crash", 0.6f},      {"crashed", 0.7f},    {"aborted", 0.6f},
    {"abort", 0.5f},      {"killed", 0.6f},     {"timeout", 0.5f},    {"segmentation", 0.8f},
    {"assertion", 0.6f},  {"assert", 0.4f},     {"mismatch", 0.5f},   {"broken", 0.4f},
    {"wrong", 0.5f},      {"forbidden", 0.5f},  {"rejected", 0.5f},   {"exceeded", 0.5f},
    {"unavailable", 0.5f}, {"bad", 0.4f},       {"warning", 0.25f},   {"warn", 0.2f},
    {"deprecated", 0.1f}, {"expected", 0.3f},   {"unexpected", 0.5f}, {"problem", 0.3f},
    {"problems", 0.3f},   {"conflict", 0.4f},   {"oom", 0.6f},        {"severe", 0.6f},
    {"critical", 0.6f},   {"erroneous", 0.5f},  {"illegal", 0.5f},
};

/* Two-word phrases: the second word after the first. */
static const struct {
    const char *a, *b;
    float weight;
} pairs[] = {
    {"could", "not", 0.7f},   {"couldn", "t", 0.7f},    {"can", "t", 0.6f},
    {"not", "found", 0.6f},   {"no", "such", 0.6f},     {"no", "space", 0.8f},
    {"does", "not", 0.4f},    {"not", "exist", 0.6f},   {"timed", "out", 0.6f},
    {"exit", "code", 0.5f},   {"exit", "status", 0.5f}, {"returned", "status", 0.5f},
    {"non", "zero", 0.5f},    {"but", "was", 0.6f},     {"caused", "by", 0.7f},
    {"out", "of", 0.2f},      {"core", "dumped", 0.8f}, {"permission", "denied", 0.7f},
    {"not", "allowed", 0.5f}, {"did", "not", 0.3f},     {"build", "failed", 1.0f},
};

/* Both lists in one open-addressing table keyed by the word ("a b" for a
 * pair), built once: a lookup per word of every line of a 100 MB log has
 * to cost a hash and at most a compare or two. */
#define SLOTS 512
struct slot {
    char key[24];
    unsigned char len;
    float weight;
};
static struct slot table[SLOTS];
/* first[c] has bit n set when some key of length n starts with letter c:
 * most words of a log are no key, and this says so without hashing them */
static uint32_t first[26];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static unsigned hash_word(const char *w, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h & (SLOTS - 1);
}

static void put(const char *key, float weight)
{
    size_t n = strlen(key);
    for (unsigned h = hash_word(key, n);; h = (h + 1) & (SLOTS - 1))
        if (!table[h].len) {
            memcpy(table[h].key, key, n);
            table[h].len = (unsigned char)n;
            table[h].weight = weight;
            if (key[0] >= 'a' && key[0] <= 'z' && n < 32)
                first[key[0] - 'a'] |= 1u << n;
            return;
        }
}

static void build_table(void)
{
    char key[24];
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        put(words[i].w, words[i].weight);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        snprintf(key, sizeof key, "%s %s", pairs[i].a, pairs[i].b);
        put(key, pairs[i].weight);
    }
}

static float lookup(const char *w, size_t n)
{
    if (n >= 32 || w[0] < 'a' || w[0] > 'z' || !(first[w[0] - 'a'] & (1u << n)))
        return 0;
    for (unsigned h = hash_word(w, n); table[h].len; h = (h + 1) & (SLOTS - 1))
        if (table[h].len == n && !memcmp(table[h].key, w, n))
            return table[h].weight;
    return 0;
}

static float word_weight(const char *w, size_t n) { return lookup(w, n); }

static float pair_weight(const char *a, size_t an, const char *b, size_t bn)
{
    char key[34];
    if (an + bn + 1 > 23)
        return 0;
    memcpy(key, a, an);
    key[an] = ' ';
    memcpy(key + an + 1, b, bn);
    return lookup(key, an + 1 + bn);
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool ends_with(const char *w, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && !memcmp(w + n - k, suffix, k);
}

double ob_ci_error_words(const char *s, size_t len)
{
    pthread_once(&table_once, build_table);
    float best = 0, sum = 0;
    char prev[16], cur[16];
    size_t prevn = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !is_alpha(s[i]))
            i++;
        size_t a = i;
        while (i < len && is_alpha(s[i]))
            i++;
        size_t n = i - a;
        if (n == 0)
            break;
        float w = 0;
        bool upper = n >= 4;
        for (size_t k = a; k < i && upper; k++)
            upper = s[k] >= 'A' && s[k] <= 'Z';
        /* an exception's or error's class name: IOException, AssertionError */
        if (n > 5 && s[a] >= 'A' && s[a] <= 'Z' &&
            (ends_with(s + a, n, "Exception") || ends_with(s + a, n, "Error")))
            w = 0.9f;
        if (n < sizeof cur) {
            for (size_t k = 0; k < n; k++)
                cur[k] = (char)tolower((unsigned char)s[a + k]);
            float ww = word_weight(cur, n);
            /* ERROR, FAILED, FATAL shouted are the tools' own verdicts */
            if (upper && ww >= 0.5f)
                ww = 1.0f;
            if (ww > w)
                w = ww;
            if (prevn) {
                float pw = pair_weight(prev, prevn, cur, n);
                if (pw > w)
                    w = pw;
            }
            memcpy(prev, cur, n);
            prevn = n;
        } else
            prevn = 0;
        if (w > best)
            best = w;
        sum += w;
    }
    /* several error words weigh a little more than the strongest alone */
    double v = best + 0.1 * (sum - best);
    return v > 1 ? 1 : v;
}

static bool contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == needle[0] && !memcmp(s + i, needle, k))
            return true;
    return false;
}

int ob_ci_trace_line(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    const char *p = s + i;
    size_t n = len - i;
    if (n >= 4 && !memcmp(p, "at ", 3) && i > 0)
        return 1; /* Java, JavaScript */
    if (n >= 8 && !memcmp(p, "... ", 4) && ends_with(p, n, " more"))
        return 1;
    if (n >= 6 && !memcmp(p, "File \"", 6) && i > 0)
        return 1; /* Python */
    if (i > 0 && n > 4 && p[0] == '/' && contains(p, n, ".go:"))
        return 1; /* Go */
    return 0;
}

/* mask.c - built-in masking: which tokens are variables on sight.
 *
 * Why "has a digit": numbers, hex ids, IPs with ports, UUIDs, sizes (10MB),
 * durations (5ms), versions, dates and block ids all contain a digit, and
 * words that name an event almost never do. One rule covers the list of
 * masks the issue names without a regex per kind, and it is what lets a
 * repeated line with new numbers land in the same template every time.
 * Month and weekday names are variables too: they are parts of dates.
 * A "key=value" token keeps its key, which says what the event is.
 *
 * Names without a digit: a token of three or more dotted parts is a host,
 * domain or package name (proxy.cse.example.edu, com.apple.x.daemon:)
 * unless its last part is an upper-case constant (intent.action.SCREEN_ON,
 * an enum value); after "key=" one inner dot is enough (rhost=example.org).
 * A unit after a number belongs to it (ob_mask_is_unit), so "0 bytes" and
 * "1190 bytes (1.16 KB)" are both one value. */
#include "logs/mask.h"

#include <stdbool.h>
#include <string.h>

static bool is_date_word(const char *t, size_t n)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDecMonTueWedThuFriSatSun";
    if (n != 3)
        return false;
    for (size_t i = 0; i + 3 <= sizeof names - 1; i += 3)
        if (memcmp(names + i, t, 3) == 0)
            return true;
    return false;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The last dotted component is an upper-case constant name
 * (android.intent.action.SCREEN_ON): an enum value, not a name. */
static bool constant_tail(const char *t, size_t n)
{
    size_t i = n, upper = 0;
    while (i > 0 && t[i - 1] != '.') {
        char c = t[i - 1];
        if (c >= 'a' && c <= 'z')
            return false;
        upper += c >= 'A' && c <= 'Z';
        i--;
    }
    return upper >= 2;
}

size_t ob_mask_constant_prefix(const char *t, size_t n)
{
    /* One pass (this runs for every token of every line): the first '=',
     * whether a digit comes before it or after, and the inner dots. */
    size_t eq = 0, dots = 0, dots_after_eq = 0; /* eq 0: no key ("=x" has none) */
    bool seen_eq = false, digit_key = false, digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c >= '0' && c <= '9') {
            digit = true;
            digit_key |= !seen_eq;
        } else if (c == '=' && !seen_eq) {
            seen_eq = true;
            eq = i;
        } else if (c == '.' && i > 0 && i + 1 < n && is_alnum(t[i - 1]) && is_alnum(t[i + 1])) {
            dots++;
            dots_after_eq += eq != 0;
        }
    }
    if (n == 3 && (is_date_word(t, n) || memcmp(t, "<*>", 3) == 0))
        return 0; /* a month or weekday, or already masked (a user's --mask) */
    if (!digit) {
        if (eq && dots_after_eq >= 1)
            return eq + 1; /* rhost=example.org */
        if (!eq && dots >= 2 && !constant_tail(t, n))
            return 0; /* proxy.example.org, com.apple.cloud.daemon: */
        return n;
    }
    if (eq && !digit_key)
        return eq + 1;
    return 0;
}

bool ob_mask_is_unit(const char *t, size_t n)
{
    /* A unit written after its number ("10 MB", "<1 sec", "(1.2 KB)"),
     * with the punctuation that closes the value around it. Units, NUL
     * separated, by length. */
    static const char *const by_len[6] = {
        NULL, "b\0s", "kb\0mb\0gb\0tb\0ms\0us\0ns", "kib\0mib\0gib\0tib\0sec\0min",
        "byte\0secs\0mins", "bytes"};
    static const unsigned count[6] = {0, 2, 7, 6, 3, 1};
    while (n > 0 && (t[n - 1] == ')' || t[n - 1] == ']' || t[n - 1] == ',' || t[n - 1] == ';'))
        n--;
    if (n == 0 || n > 5)
        return false;
    const char *u = by_len[n];
    for (unsigned i = 0; i < count[n]; i++, u += n + 1) {
        size_t j = 0;
        while (j < n && (t[j] | 0x20) == u[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

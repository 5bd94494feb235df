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

static bool has_digit(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] >= '0' && t[i] <= '9')
            return true;
    return false;
}

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

/* Dots with a letter or digit on both sides. */
static size_t inner_dots(const char *t, size_t n)
{
    size_t d = 0;
    for (size_t i = 1; i + 1 < n; i++)
        d += t[i] == '.' && is_alnum(t[i - 1]) && is_alnum(t[i + 1]);
    return d;
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
    if (is_date_word(t, n))
        return 0;
    if (n == 3 && memcmp(t, "<*>", 3) == 0)
        return 0; /* already masked (a user's --mask) */
    const char *eq = memchr(t, '=', n);
    size_t key = eq && eq > t ? (size_t)(eq - t) : 0;
    if (!has_digit(t, n)) {
        if (key && inner_dots(t + key + 1, n - key - 1) >= 1)
            return key + 1; /* rhost=example.org */
        if (!key && inner_dots(t, n) >= 2 && !constant_tail(t, n))
            return 0; /* proxy.example.org, com.apple.cloud.daemon: */
        return n;
    }
    if (key && !has_digit(t, key))
        return key + 1;
    return 0;
}

bool ob_mask_is_unit(const char *t, size_t n)
{
    /* A unit written after its number ("10 MB", "<1 sec", "(1.2 KB)"),
     * with the punctuation that closes the value around it. */
    static const char *const units[] = {"b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib",
                                        "byte", "bytes", "ms", "us", "ns", "sec", "secs", "s",
                                        "min", "mins", NULL};
    while (n > 0 && (t[n - 1] == ')' || t[n - 1] == ']' || t[n - 1] == ',' || t[n - 1] == ';'))
        n--;
    if (n == 0 || n > 5)
        return false;
    for (int i = 0; units[i]; i++) {
        size_t k = strlen(units[i]);
        if (k != n)
            continue;
        size_t j = 0;
        while (j < n && (t[j] | 0x20) == units[i][j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

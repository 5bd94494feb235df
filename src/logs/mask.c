/* mask.c - built-in masking: which tokens are variables on sight.
 *
 * Why "has a digit": numbers, hex ids, IPs with ports, UUIDs, sizes (10MB),
 * durations (5ms), versions, dates and block ids all contain a digit, and
 * words that name an event almost never do. One rule covers the list of
 * masks the issue names without a regex per kind, and it is what lets a
 * repeated line with new numbers land in the same template every time.
 * Month and weekday names are variables too: they are parts of dates.
 * A "key=value" token keeps its key, which says what the event is. */
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

size_t ob_mask_constant_prefix(const char *t, size_t n)
{
    if (is_date_word(t, n))
        return 0;
    if (!has_digit(t, n))
        return n;
    const char *eq = memchr(t, '=', n);
    if (eq && eq > t && !has_digit(t, (size_t)(eq - t)))
        return (size_t)(eq - t) + 1;
    return 0;
}

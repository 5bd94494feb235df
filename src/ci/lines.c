/* lines.c - where a line of a CI log ends, as Python's str.splitlines()
 * says: benchmarks and people number log lines that way, and progress
 * bars end their lines with a lone CR. The UTF-8 forms of U+0085, U+2028
 * and U+2029 end lines too; their lead bytes can never be the tail of
 * another character, so a byte scan agrees with a decoder that replaces
 * invalid bytes. */
#include "ci/ci.h"

#include <string.h>

/* Bytes that may end a line: the rest of the bytes are skipped by memchr-
 * like scanning over a table. */
static const unsigned char ends[256] = {
    ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
    [0xc2] = 2, [0xe2] = 3,
};

size_t ob_ci_line_end(const char *buf, size_t len, size_t pos, size_t *next)
{
    const unsigned char *s = (const unsigned char *)buf;
    for (size_t i = pos; i < len; i++) {
        unsigned e = ends[s[i]];
        if (!e)
            continue;
        if (e == 1) {
            *next = i + 1 + (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
            return i - pos;
        }
        if (e == 2 && i + 1 < len && s[i + 1] == 0x85) {
            *next = i + 2;
            return i - pos;
        }
        if (e == 3 && i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
            *next = i + 3;
            return i - pos;
        }
    }
    *next = len;
    return len - pos;
}

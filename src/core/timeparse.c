/* timeparse.c - timestamp parsing without the C library's locale and
 * time-zone state, so it is pure, thread-safe and fuzzable. */
#include "core/timeparse.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>

/* Howard Hinnant's days_from_civil algorithm (public domain description). */
long long ob_days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Reads exactly n digits at *p; advances *p. */
static bool read_digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || !isdigit((unsigned char)**p))
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return true;
}

static bool expect(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c)
        return false;
    (*p)++;
    return true;
}

static bool valid_date(int y, int mo, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

/* Time-zone suffix: nothing, Z, or +HH:MM / -HH:MM. */
static bool read_zone(const char **p, const char *end, int *offset_s)
{
    *offset_s = 0;
    if (*p == end)
        return true;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return true;
    }
    if (**p != '+' && **p != '-')
        return false;
    int sign = **p == '-' ? -1 : 1, hh, mm;
    (*p)++;
    if (!read_digits(p, end, 2, &hh) || !expect(p, end, ':') ||
        !read_digits(p, end, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *offset_s = sign * (hh * 3600 + mm * 60);
    return true;
}

static bool parse_datetime(const char *p, const char *end, double *out)
{
    int y, mo, d, h, mi, s, zone;
    if (!read_digits(&p, end, 4, &y) || !expect(&p, end, '-') ||
        !read_digits(&p, end, 2, &mo) || !expect(&p, end, '-') ||
        !read_digits(&p, end, 2, &d) || !valid_date(y, mo, d))
        return false;
    if (p == end || (*p != ' ' && *p != 'T' && *p != 't'))
        return false;
    p++;
    if (!read_digits(&p, end, 2, &h) || !expect(&p, end, ':') ||
        !read_digits(&p, end, 2, &mi) || !expect(&p, end, ':') ||
        !read_digits(&p, end, 2, &s) || h > 23 || mi > 59 || s > 60)
        return false;
    double frac = 0, scale = 0.1;
    if (p < end && *p == '.') {
        p++;
        if (p == end || !isdigit((unsigned char)*p))
            return false;
        while (p < end && isdigit((unsigned char)*p)) {
            frac += (*p++ - '0') * scale;
            scale *= 0.1;
        }
    }
    if (!read_zone(&p, end, &zone) || p != end)
        return false;
    long long days = ob_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = (double)(days * 86400 + h * 3600 + mi * 60 + s - zone) + frac;
    return true;
}

static bool parse_unix(const char *p, const char *end, double *out)
{
    double v = 0, scale = 0.1;
    bool neg = false, any = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < end && isdigit((unsigned char)*p); p++, any = true)
        v = v * 10 + (*p - '0');
    if (p < end && *p == '.') {
        for (p++; p < end && isdigit((unsigned char)*p); p++, any = true) {
            v += (*p - '0') * scale;
            scale *= 0.1;
        }
    }
    /* Beyond year 9999 (or more digits than a double holds) is not a time. */
    if (!any || p != end || v > 253402300799.0)
        return false;
    *out = neg ? -v : v;
    return true;
}

int ob_time_parse(const char *s, size_t len, double *out_seconds)
{
    const char *p = s, *end = s + len;
    while (p < end && isblank((unsigned char)*p))
        p++;
    while (end > p && isblank((unsigned char)end[-1]))
        end--;
    if (p == end)
        return -1;
    double v;
    bool ok = (end - p >= 10 && p[4] == '-') ? parse_datetime(p, end, &v)
                                             : parse_unix(p, end, &v);
    if (!ok || !isfinite(v))
        return -1;
    *out_seconds = v;
    return 0;
}

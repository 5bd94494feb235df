/* logmask.c - user masks with PCRE2 (JIT-compiled, byte mode: log lines
 * are not always valid UTF-8), applied by pcre2_substitute one after the
 * other. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "io/logmask.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ob_logmask {
    pcre2_code **code;
    size_t n;
    pcre2_match_data *md;
    char *buf[2];   /* results of alternate masks */
    size_t cap[2];
};

void ob_logmask_free(struct ob_logmask *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        pcre2_code_free(m->code[i]);
    free(m->code);
    pcre2_match_data_free(m->md);
    free(m->buf[0]);
    free(m->buf[1]);
    free(m);
}

struct ob_logmask *ob_logmask_new(char *const *patterns, size_t n, char *err, size_t errlen)
{
    struct ob_logmask *m = calloc(1, sizeof *m);
    if (!m || !(m->code = calloc(n + 1, sizeof *m->code)) || !(m->md = pcre2_match_data_create(1, NULL))) {
        ob_logmask_free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++, m->n++) {
        int code;
        PCRE2_SIZE at;
        m->code[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED, 0, &code, &at, NULL);
        if (!m->code[i]) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(code, msg, sizeof msg);
            snprintf(err, errlen, "mask '%s': %s at offset %zu", patterns[i], (const char *)msg, (size_t)at);
            ob_logmask_free(m);
            return NULL;
        }
        pcre2_jit_compile(m->code[i], PCRE2_JIT_COMPLETE); /* slower without, not wrong */
        if (pcre2_match(m->code[i], (PCRE2_SPTR) "", 0, 0, 0, m->md, NULL) >= 0) {
            snprintf(err, errlen, "mask '%s': matches the empty string (it would mask everywhere)", patterns[i]);
            m->n++;
            ob_logmask_free(m);
            return NULL;
        }
    }
    return m;
}

/* One mask over in[0..len) into buffer which; -1 on out of memory. */
static int substitute(struct ob_logmask *m, size_t i, const char *in, size_t len, int which, size_t *out_len)
{
    for (;;) {
        PCRE2_SIZE n = m->cap[which];
        int rc = pcre2_substitute(m->code[i], (PCRE2_SPTR)in, len, 0,
                                  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, m->md, NULL,
                                  (PCRE2_SPTR) "<*>", 3, (PCRE2_UCHAR *)m->buf[which], &n);
        if (rc >= 0) {
            *out_len = n;
            return rc;
        }
        if (rc != PCRE2_ERROR_NOMEMORY)
            return 0; /* e.g. a match limit: leave the message as it is */
        char *p = realloc(m->buf[which], n + 1);
        if (!p)
            return -1;
        m->buf[which] = p;
        m->cap[which] = n + 1;
    }
}

const char *ob_logmask_apply(struct ob_logmask *m, const char *msg, size_t len, size_t *out_len)
{
    const char *cur = msg;
    size_t cur_len = len;
    int which = 0;
    for (size_t i = 0; m && i < m->n; i++) {
        size_t n = 0;
        if (pcre2_match(m->code[i], (PCRE2_SPTR)cur, cur_len, 0, 0, m->md, NULL) < 0)
            continue; /* most lines: no copy at all */
        int rc = substitute(m, i, cur, cur_len, which, &n);
        if (rc > 0) { /* something was replaced: the next mask reads this */
            cur = m->buf[which];
            cur_len = n;
            which ^= 1;
        }
    }
    *out_len = cur_len;
    return cur;
}

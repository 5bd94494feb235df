/* journal_read.c - sd-journal behind io/journal_read.h: the daemon's
 * journal part decides what to mine and when to save the cursor; this
 * file only reads. */
#include "io/journal_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

struct ob_journal {
    sd_journal *j;
};

struct ob_journal *ob_journal_open(const char *directory, const char *const *matches, size_t nmatches,
                                   char *err, size_t errlen)
{
    struct ob_journal *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "journal: out of memory");
        return NULL;
    }
    int rc = directory ? sd_journal_open_directory(&r->j, directory, 0) : sd_journal_open(&r->j, SD_JOURNAL_LOCAL_ONLY);
    if (rc < 0) {
        snprintf(err, errlen, "journal %s: cannot open: %s", directory ? directory : "(system)", strerror(-rc));
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < nmatches; i++)
        if (sd_journal_add_match(r->j, matches[i], 0) < 0) {
            snprintf(err, errlen, "journal.matches: '%s' is not FIELD=value", matches[i]);
            ob_journal_close(r);
            return NULL;
        }
    return r;
}

void ob_journal_close(struct ob_journal *r)
{
    if (!r)
        return;
    sd_journal_close(r->j);
    free(r);
}

/* Seeking puts the reader on the cursor's entry, which was read already:
 * next steps onto it, and the reading goes on after it. */
int ob_journal_resume(struct ob_journal *r, const char *cursor)
{
    if (cursor && sd_journal_seek_cursor(r->j, cursor) >= 0 && sd_journal_next(r->j) > 0 &&
        sd_journal_test_cursor(r->j, cursor) > 0)
        return 1;
    sd_journal_seek_head(r->j);
    return cursor ? -1 : 0;
}

int ob_journal_next(struct ob_journal *r)
{
    return sd_journal_next(r->j);
}

char *ob_journal_field(struct ob_journal *r, const char *name)
{
    const void *data;
    size_t len, n = strlen(name);
    if (sd_journal_get_data(r->j, name, &data, &len) < 0 || len <= n)
        return NULL;
    return strndup((const char *)data + n + 1, len - n - 1);
}

double ob_journal_time(struct ob_journal *r)
{
    uint64_t usec = 0;
    sd_journal_get_realtime_usec(r->j, &usec);
    return (double)usec / 1e6;
}

char *ob_journal_cursor(struct ob_journal *r)
{
    char *cursor = NULL;
    return sd_journal_get_cursor(r->j, &cursor) < 0 ? NULL : cursor;
}

void ob_journal_wait(struct ob_journal *r, uint64_t usec)
{
    sd_journal_wait(r->j, usec);
}

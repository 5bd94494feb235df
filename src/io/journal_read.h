/* journal_read.h - the systemd journal read entry by entry (libsystemd's
 * sd-journal), for the daemon's journal: section (src/serve/journal.c):
 * open with matches, resume after a saved cursor, next, fields, wait. */
#ifndef OB_IO_JOURNAL_READ_H
#define OB_IO_JOURNAL_READ_H

#include <stddef.h>
#include <stdint.h>

struct ob_journal;

/* The journal files in directory, or the local system's when NULL, with
 * FIELD=value matches (ORed per field, as journalctl does). new, or NULL
 * with "journal DIR: cannot open: why" or "journal.matches: 'M' is not
 * FIELD=value" in err. */
struct ob_journal *ob_journal_open(const char *directory, const char *const *matches, size_t nmatches,
                                   char *err, size_t errlen);
void ob_journal_close(struct ob_journal *j);

/* Puts the reader just after the entry of cursor (which was read before):
 * 1. Without a cursor (NULL) at the head: 0; when the cursor is no longer
 * in the journal, at the head too: -1. */
int ob_journal_resume(struct ob_journal *j, const char *cursor);
/* The next entry: 1, 0 when caught up, negative on an error. */
int ob_journal_next(struct ob_journal *j);
/* Of the current entry: a field's value without "NAME=" (new, NULL if
 * absent), its time (seconds since 1970) and its cursor (new, or NULL). */
char *ob_journal_field(struct ob_journal *j, const char *name);
double ob_journal_time(struct ob_journal *j);
char *ob_journal_cursor(struct ob_journal *j);
/* Waits for new entries at most usec microseconds. */
void ob_journal_wait(struct ob_journal *j, uint64_t usec);

#endif

/* linediff.h - a line diff of two texts (Myers' O(ND) shortest edit
 * script), as hunks: where a run of lines of the old text was replaced by a
 * run of the new. For saying which edit of a file brought something new
 * (a config finding, a changed rule), and printing that edit. No I/O. */
#ifndef OB_LINEDIFF_H
#define OB_LINEDIFF_H

#include <stddef.h>

/* Old lines old_start .. old_start+old_n-1 became new lines new_start ..
 * new_start+new_n-1 (1-based). old_n == 0: lines inserted before old line
 * old_start; new_n == 0: lines deleted, before new line new_start. */
struct ob_hunk {
    size_t old_start, old_n;
    size_t new_start, new_n;
};

struct ob_hunks {
    struct ob_hunk *h;
    size_t n, cap;
};

/* The hunks that turn a (alen bytes) into b, in order; lines end at '\n'
 * ("\r\n" counts as "\n"; a last line without one is a line). Identical
 * texts give none. Past OB_LINEDIFF_MAX_EDITS differences the middle that
 * differs is one hunk (a rewrite, not an edit). 0, or -1 when memory ran
 * out (out is then empty). */
#define OB_LINEDIFF_MAX_EDITS 2000
int ob_linediff(const char *a, size_t alen, const char *b, size_t blen, struct ob_hunks *out);
void ob_hunks_clear(struct ob_hunks *hs);

/* One hunk as unified-diff text ("@@ -3,1 +3,2 @@\n-old\n+new\n"), new,
 * free(); NULL when memory ran out. a and b as given to ob_linediff. */
char *ob_hunk_text(const char *a, size_t alen, const char *b, size_t blen, const struct ob_hunk *h);

#endif

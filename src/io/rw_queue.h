/* rw_queue.h - remote-write batches queued on disk, and their sender: the
 * daemon's remote_write: outputs (src/serve/rw.c) go through it, so a
 * receiver that is down costs disk, bounded, and a restart resends what
 * was queued. One file per batch, named by a zero-padded number, so the
 * oldest sorts first; each is written whole (io/statefile.c). */
#ifndef OB_IO_RW_QUEUE_H
#define OB_IO_RW_QUEUE_H

#include <stddef.h>

struct ob_rwq;

/* Opens (creating, mode 0700) the queue folder dir, numbering on after
 * the files already there. new, or NULL with "queue DIR: why" in err.
 * push may run on one thread while list/read/remove run on another. */
struct ob_rwq *ob_rwq_open(const char *dir, size_t max_files, char *err, size_t errlen);
void ob_rwq_close(struct ob_rwq *q);
const char *ob_rwq_dir(const struct ob_rwq *q);
/* Files there were at open (batches from before a restart). */
size_t ob_rwq_resumed(const struct ob_rwq *q);

/* Queues a batch as the newest file, then drops the oldest beyond
 * max_files. Returns how many were dropped, or -1 (errno set) when the
 * batch could not be written; *queued: the files waiting after it. */
long ob_rwq_push(struct ob_rwq *q, const void *data, size_t len, size_t *queued);

/* The files waiting, oldest first (new, free with ob_rwq_free_list). */
char **ob_rwq_list(struct ob_rwq *q, size_t *n);
void ob_rwq_free_list(char **names, size_t n);
/* One listed batch (*data new) : 0, or -1 when it vanished or cannot be
 * read; and its removal once sent. */
int ob_rwq_read(struct ob_rwq *q, const char *name, void **data, size_t *len);
void ob_rwq_remove(struct ob_rwq *q, const char *name);

/* POSTs one batch to a remote-write receiver (remote write 1.0 headers).
 * Returns 1 when it took it (2xx), -1 when it refused it for good (a 4xx
 * other than 429: the batch's fault), 0 to retry later; *status is the
 * HTTP status (0 without an answer) and why says what went wrong. */
struct ob_rw_sender;
struct ob_rw_sender *ob_rw_sender_new(const char *url);
void ob_rw_sender_free(struct ob_rw_sender *s);
int ob_rw_send(struct ob_rw_sender *s, const void *data, size_t len, long *status, char *why, size_t whylen);

#endif

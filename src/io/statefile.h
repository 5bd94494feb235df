/* statefile.h - whole-file reads and crash-safe whole-file writes, for the
 * state blobs that capabilities save (a miner, a detector). */
#ifndef OB_STATEFILE_H
#define OB_STATEFILE_H

#include <stddef.h>

/* Reads path into a new buffer (*out, to free()). Returns 0, 1 when the file
 * does not exist, or -1 with errno set. Refuses files over max bytes. */
int ob_statefile_read(const char *path, size_t max, void **out, size_t *len);

/* Maps path read-only (a large log, read once without a copy): returns 0,
 * 1 when it does not exist, -1 with errno set, or 2 when it is not a
 * regular file and was read into memory instead. Give the return value to
 * ob_statefile_unmap. An empty file maps to (NULL, 0). */
int ob_statefile_map(const char *path, const void **out, size_t *len);
void ob_statefile_unmap(const void *p, size_t len, int how);

/* Writes data to path.tmp, flushes it to disk, and renames it over path, so
 * a crash leaves either the old state or the new one, never half. Returns 0
 * or -1 with errno set. */
int ob_statefile_write(const char *path, const void *data, size_t len);

/* A secret kept in a file (a token, a password): its first line without
 * the line break, "" for an empty file; new, NULL when it cannot be read. */
char *ob_statefile_secret(const char *path);

#endif

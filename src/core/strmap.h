/* strmap.h - a hash map from byte strings to 32-bit values, open addressing.
 * Keys are copied into the map; lookups never allocate. */
#ifndef OB_STRMAP_H
#define OB_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct ob_strmap;

struct ob_strmap *ob_strmap_new(void);
void ob_strmap_free(struct ob_strmap *m);
/* Returns 1 and sets *value when key is present, else 0. */
int ob_strmap_get(const struct ob_strmap *m, const void *key, size_t len, uint32_t *value);
/* Inserts or replaces; returns 0, or -1 on allocation failure (map unchanged). */
int ob_strmap_put(struct ob_strmap *m, const void *key, size_t len, uint32_t value);
/* The same without the copy: key must stay valid and unchanged until it is
 * removed or the map freed. For maps whose entries come and go, since
 * removal does not give back copied keys' bytes. */
int ob_strmap_put_ref(struct ob_strmap *m, const void *key, size_t len, uint32_t value);
/* Removes key; returns 1 if it was there, else 0. Copied keys' bytes are
 * given back once removed ones outweigh present ones (present keys then
 * move: pointers from ob_strmap_each do not outlive a removal). */
int ob_strmap_del(struct ob_strmap *m, const void *key, size_t len);
size_t ob_strmap_size(const struct ob_strmap *m);
/* Bytes of copied keys held, present and removed (not yet given back). */
size_t ob_strmap_key_bytes(const struct ob_strmap *m);
/* The key stored for a value, for maps used to intern strings: calls fn on
 * every entry (order unspecified). */
void ob_strmap_each(const struct ob_strmap *m,
                    void (*fn)(void *arg, const void *key, size_t len, uint32_t value),
                    void *arg);

/* n zeroed elements of size bytes, for other hash tables' slots: in huge
 * pages when large, written once rather than calloc'd (see strmap.c);
 * free() them. NULL on failure. */
void *ob_big_zeroed(size_t n, size_t size);

uint64_t ob_hash_bytes(const void *p, size_t n);

#endif

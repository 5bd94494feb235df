/* shard.h - which of N replicas owns a series, by Prometheus hashmod's
 * arithmetic: the MD5 of the series identity, its last 8 bytes read
 * big-endian, modulo N. */
#ifndef OB_SHARD_H
#define OB_SHARD_H

#include <stddef.h>
#include <stdint.h>

uint64_t ob_shard_of(const char *key, size_t len, uint64_t n);

/* Parses "i/N" (0 <= i < N); returns 0, or -1. */
int ob_shard_parse(const char *s, uint64_t *i, uint64_t *n);

#endif

/* shard.c - hashmod sharding of series over replicas (OpenSSL's MD5: the
 * digest Prometheus's relabel hashmod uses, so shards line up with it). */
#include "io/shard.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t ob_shard_of(const char *key, size_t len, uint64_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (n <= 1 || !EVP_Digest(key, len, md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
        return 0;
    uint64_t v = 0;
    for (int i = 8; i < 16; i++)
        v = v << 8 | md[i];
    return v % n;
}

int ob_shard_parse(const char *s, uint64_t *i, uint64_t *n)
{
    char *end;
    unsigned long long a = strtoull(s, &end, 10);
    if (end == s || *end != '/' || s[0] == '-')
        return -1;
    const char *t = end + 1;
    unsigned long long b = strtoull(t, &end, 10);
    if (end == t || *end || t[0] == '-' || b == 0 || a >= b)
        return -1;
    *i = a;
    *n = b;
    return 0;
}

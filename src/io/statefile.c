/* statefile.c - state files: read whole, write by temp file and rename. */
#include "io/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int ob_statefile_read(const char *path, size_t max, void **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 1 : -1;
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (size_t)st.st_size > max) {
        if (errno == 0)
            errno = EFBIG;
        fclose(f);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    void *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        int e = buf ? EIO : ENOMEM;
        free(buf);
        fclose(f);
        errno = e;
        return -1;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
}

int ob_statefile_map(const char *path, const void **out, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        /* a pipe or a terminal: read it to the end instead */
        size_t cap = 1 << 16, n = 0;
        char *buf = malloc(cap);
        ssize_t got = 0;
        while (buf && (got = read(fd, buf + n, cap - n)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break;
            n += (size_t)got;
            if (n == cap) {
                char *q = realloc(buf, cap * 2);
                if (!q)
                    break;
                buf = q;
                cap *= 2;
            }
        }
        close(fd);
        if (!buf || got != 0) {
            free(buf);
            return -1;
        }
        *out = buf;
        *len = n;
        return 2;
    }
    size_t n = (size_t)st.st_size;
    void *p = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (n && p == MAP_FAILED)
        return -1;
    *out = p;
    *len = n;
    return 0;
}

void ob_statefile_unmap(const void *p, size_t len, int how)
{
    if (how == 2)
        free((void *)p);
    else if (p && len)
        munmap((void *)p, len);
}

int ob_statefile_write(const char *path, const void *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp)
        return -1;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 ? -1 : 0;
    for (size_t done = 0; rc == 0 && done < len;) {
        ssize_t w = write(fd, (const char *)data + done, len - done);
        if (w < 0 && errno != EINTR)
            rc = -1;
        else if (w > 0)
            done += (size_t)w;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = -1;
    if (fd >= 0 && close(fd) < 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc < 0 && fd >= 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(tmp);
    return rc;
}

char *ob_statefile_secret(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[4096];
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got)
        return strdup("");
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

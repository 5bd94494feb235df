/* fuzz_mbox.c - libFuzzer target for the mbox reader: the input is an mbox
 * file (plain, or gzip when its bytes say so), read through a memfd since
 * the reader opens paths. Each message's header block is parsed too. Checks
 * what the reader promises: messages lie within the input, line numbers
 * only grow, a refusal says why, header values are NUL-terminated. */
#define _GNU_SOURCE /* memfd_create */
#include "io/mbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_mbox", 0);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct ob_mbox *mb = ob_mbox_open(path, err, sizeof err);
    if (!mb) {
        close(fd);
        return 0;
    }
    struct ob_mail_head h = {0};
    struct ob_mbox_msg m;
    unsigned long last = 0;
    size_t total = 0;
    int rc;
    while ((rc = ob_mbox_next(mb, &m)) == 1) {
        if (m.line <= last)
            abort(); /* messages come in file order */
        last = m.line;
        total += m.len;
        if (m.len > OB_MBOX_MAX_MESSAGE)
            abort();
        if (ob_mail_head_parse(&h, m.data, m.len) == 0) {
            if (h.body > m.len)
                abort();
            const struct ob_mail_field *f[] = {&h.message_id, &h.in_reply_to, &h.references,
                                               &h.subject, &h.from, &h.date, &h.list_id};
            for (size_t i = 0; i < sizeof f / sizeof *f; i++)
                if (f[i]->p[f[i]->n] != 0 || f[i]->n > m.len)
                    abort();
        }
    }
    /* plain input: the messages are parts of it (unquoting only shrinks) */
    if (size >= 2 && !(data[0] == 0x1f && data[1] == 0x8b) && total > size)
        abort();
    if (rc < 0 && !ob_mbox_error(mb)[0])
        abort(); /* a refusal always says why */
    ob_mail_head_free(&h);
    ob_mbox_close(mb);
    close(fd);
    return 0;
}

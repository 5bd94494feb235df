/* mbox.h - mail archives in, one raw message at a time: mbox files (mboxo
 * and mboxrd, as Mailman/pipermail and HyperKitty export them; plain or
 * gzip) and Maildir folders (cur/ and new/). Streaming: memory holds one
 * message, whatever the archive's size. Also the header block of a raw
 * message, unfolded (RFC 5322 2.2.3), for the few fields mail analysis
 * reads. The edge between files and src/mail. */
#ifndef OB_MBOX_H
#define OB_MBOX_H

#include <stddef.h>

/* Largest message accepted; a larger one is an error, never a giant buffer. */
#define OB_MBOX_MAX_MESSAGE (64u << 20)

struct ob_mbox;

struct ob_mbox_msg {
    const char *data;     /* borrowed until the next call: the message, ">From " unquoted */
    size_t len;
    const char *envelope; /* the "From " line's rest (mbox), "" for Maildir */
    size_t envelope_len;
    unsigned long line;   /* 1-based line of the message's first header in its file */
    const char *file;     /* borrowed: the file it came from (Maildir: the message's) */
};

/* new: opens path ("-": stdin), an mbox file (gzip or not, told by its
 * bytes) or a Maildir folder. NULL with a message in err when it cannot. */
struct ob_mbox *ob_mbox_open(const char *path, char *err, size_t errcap);
void ob_mbox_close(struct ob_mbox *mb);

/* Returns 1 with *m filled, 0 at the end, -1 when the input is broken
 * (not an mbox, a truncated gzip, a read error, a message too large); then
 * ob_mbox_error() holds "FILE:LINE: what is wrong". */
int ob_mbox_next(struct ob_mbox *mb, struct ob_mbox_msg *m);
const char *ob_mbox_error(const struct ob_mbox *mb);

/* The fields of one message's header that mail analysis reads, unfolded,
 * first occurrence of each; values raw (RFC 2047 words still encoded). */
struct ob_mail_head {
    struct ob_mail_field {
        const char *p; /* borrowed from the ob_mail_head: NUL-terminated */
        size_t n;
    } message_id, in_reply_to, references, subject, from, date, list_id;
    size_t body; /* offset of the body in the message (its length: no body) */
    char *buf;   /* owned: the unfolded values */
    size_t cap;
};

/* Parses the header block of msg[0..len) into h (reused across messages;
 * zero it once, ob_mail_head_free at the end). 0, or -1 when memory ran
 * out. Any bytes are fine: what is not a header line ends the block. */
int ob_mail_head_parse(struct ob_mail_head *h, const char *msg, size_t len);
void ob_mail_head_free(struct ob_mail_head *h);

#endif

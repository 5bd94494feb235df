/* mime.h - MIME decoding of mail, by GMime: header text with RFC 2047
 * encoded words (B and Q, any charset iconv knows), dates (RFC 5322 and
 * the variants found in archives), and a message's text: its first
 * text/plain part, transfer-decoded (quoted-printable, base64) and
 * converted to UTF-8. Whatever comes in, what comes out is valid UTF-8:
 * bytes of an unknown charset or broken encoding become U+FFFD and the
 * result says so. */
#ifndef OB_MIME_H
#define OB_MIME_H

#include <stddef.h>

/* Once per process before any other call, and at the end. */
void ob_mime_init(void);
void ob_mime_shutdown(void);

/* What decoding found wrong (bits); 0 when nothing. */
enum {
    OB_MIME_BAD_CHARSET = 1,  /* an unknown charset: its bytes were replaced */
    OB_MIME_BAD_BYTES = 2,    /* bytes that are not UTF-8 where UTF-8 was due */
    OB_MIME_NO_TEXT = 4,      /* no text/plain part */
    OB_MIME_BROKEN = 8,       /* the MIME structure is broken (the parser said so) */
};

/* new: the header value s[0..n) decoded to UTF-8 (NUL-terminated, to
 * free()), its length in *len; *flags gets OB_MIME_* bits. NULL only when
 * memory ran out. */
char *ob_mime_header_text(const char *s, size_t n, size_t *len, int *flags);

/* The same for an address header (From): each address as "Name <addr>",
 * the name decoded and quoted only where it must be (as RFC 5322 and
 * Python's email print it); text that is no address list stays text. */
char *ob_mime_address_text(const char *s, size_t n, size_t *len, int *flags);

/* Unix seconds of a Date header's value, or NaN when it is no date. */
double ob_mime_date(const char *s, size_t n);

/* new: the text of the message msg[0..n) (the first text/plain part, or
 * the body when the message has no MIME structure), UTF-8, NUL-terminated,
 * to free(); NULL only when memory ran out. */
char *ob_mime_body_text(const char *msg, size_t n, size_t *len, int *flags);

/* new: s[0..n) as valid UTF-8 (NUL-terminated, to free()): each bad byte
 * and each NUL becomes U+FFFD, *bad says whether any did; NULL when memory
 * ran out. */
char *ob_utf8_clean(const char *s, size_t n, size_t *len, int *bad);

#endif

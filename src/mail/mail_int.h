/* mail_int.h - what the files of src/mail share: the message store and the
 * threads that ob_mail_finish builds from it. */
#ifndef OB_MAIL_INT_H
#define OB_MAIL_INT_H

#include "mail/mail.h"

#include "core/strmap.h"

#include <stdbool.h>
#include <stdint.h>

#define OB_NONE UINT32_MAX
#define OB_DAY 86400.0

/* Strings kept once: each gets an index, its bytes live in the arena. */
struct ob__intern {
    struct ob_strmap *map;
    const char **p;
    uint32_t *n;
    size_t count, cap;
};

struct ob__arena {
    char **chunks;
    size_t nchunks, cap, used, size; /* used/size: of the last chunk */
};

/* A node of the JWZ thread tree: a message, or a Message-ID others name. */
struct ob__cont {
    uint32_t parent, child, next; /* OB_NONE when none */
    uint32_t msg;                 /* OB_NONE: empty (only referenced) */
    const char *id;               /* in the arena; NULL for a subject dummy */
    uint32_t id_len;
};

struct ob__msg {
    double date;
    uint32_t cont, sender, subject, list, thread;
    uint32_t term_off, nterms; /* into ob_mail.terms */
    bool reply;
};

struct ob__thread {
    uint32_t root, first_msg, list, messages, participants;
    double start, first_reply;
    const char *id;
    uint32_t id_len;
};

struct ob_mail {
    struct ob__arena arena;
    struct ob__cont *c;
    size_t nc, capc;
    struct ob__msg *msgs;
    size_t nm, capm;
    struct ob_strmap *ids; /* Message-ID -> container */
    struct ob__intern senders, subjects, lists, words;
    const char **subject_shown; /* per subject: how its first message wrote it */
    uint32_t *shown_len;
    size_t shown_cap;
    uint32_t *terms;
    size_t nterms, capterms;
    uint64_t anon; /* Message-IDs made up for messages without one */
    bool finished;
    struct ob__thread *threads;
    size_t nt;
    uint32_t *by_list;   /* dated messages by list, then date */
    size_t nby_list;
    size_t *list_start;  /* per list: its range in by_list (nlists + 1) */
    struct ob_strmap *df; /* (list, word) -> index into df_days */
    uint32_t *df_days;
    size_t ndf, capdf;
    uint32_t *list_active_days;
};

long long ob__day(double t);

#endif

/* mail.h - mailing list analysis (public interface).
 *
 * Feed messages (header fields already decoded to UTF-8 by the edge, the
 * body's text optional); ob_mail_finish() threads them with JWZ's
 * algorithm (Message-ID, In-Reply-To, References; subjects, with their
 * Re:/Fwd: prefixes stripped, join threads whose links are missing) and
 * measures each thread: participants, replies, time to first reply,
 * answered or not. Then per list and day, series the metric detector
 * scores (messages, new threads, active senders, unanswered threads,
 * median hours to first reply), and the topics of any span of days:
 * keywords by TF-IDF against the list's own history and templates of the
 * thread subjects (the log miner's), each with the threads behind it.
 * Memory grows with messages (about 100 bytes each, and their distinct
 * words when text is given). No I/O. */
#ifndef OB_MAIL_H
#define OB_MAIL_H

#include "metrics/metrics.h"

#include <stddef.h>
#include <stdint.h>

struct ob_mail;

/* One message; every string is borrowed for the call and may be empty. */
struct ob_mail_input {
    const char *message_id;  /* header values, raw: "<a@b>" */
    size_t message_id_len;
    const char *in_reply_to;
    size_t in_reply_to_len;
    const char *references;
    size_t references_len;
    const char *subject;     /* decoded, UTF-8 */
    size_t subject_len;
    const char *from;        /* decoded: "Name <addr>", "addr (Name)", "a at b" */
    size_t from_len;
    const char *list;        /* the list it belongs to (List-Id, or the file) */
    size_t list_len;
    const char *text;        /* the body's text (decoded) for topics, or NULL */
    size_t text_len;
    double date;             /* unix seconds; NaN when unknown */
};

struct ob_mail *ob_mail_new(void);
void ob_mail_free(struct ob_mail *m);

/* Adds a message (before ob_mail_finish); 0, or -1 when memory ran out. */
int ob_mail_add(struct ob_mail *m, const struct ob_mail_input *in);
/* Threads the messages and measures the threads; 0, or -1 (memory). */
int ob_mail_finish(struct ob_mail *m);

size_t ob_mail_messages(const struct ob_mail *m);
size_t ob_mail_threads(const struct ob_mail *m);

struct ob_mail_thread {
    const char *id;       /* borrowed: the Message-ID of the thread's root, no <> */
    size_t id_len;
    const char *subject;  /* borrowed: the first message's subject, prefixes off */
    size_t subject_len;
    uint32_t list;
    uint32_t messages;
    uint32_t participants; /* distinct senders */
    double start;          /* date of its first message (NaN: none dated) */
    double first_reply;    /* seconds from start to the first message by another
                            * sender; NaN when unanswered */
    int answered;
};

/* Threads are numbered 0.. in order of their start. */
void ob_mail_thread_get(const struct ob_mail *m, size_t thread, struct ob_mail_thread *out);
/* Message i (in the order added): its thread and its Message-ID (no <>). */
size_t ob_mail_message_thread(const struct ob_mail *m, size_t i);
const char *ob_mail_message_id(const struct ob_mail *m, size_t i, size_t *len);
/* Lists are numbered in order of appearance. */
size_t ob_mail_lists(const struct ob_mail *m);
const char *ob_mail_list_name(const struct ob_mail *m, size_t list, size_t *len);

/* ---- trends ---- */

enum ob_mail_kind {
    OB_MAIL_MESSAGES,
    OB_MAIL_NEW_THREADS,
    OB_MAIL_SENDERS,
    OB_MAIL_UNANSWERED,
    OB_MAIL_REPLY_HOURS, /* median hours to first reply of threads started that day */
    OB_MAIL_KINDS
};
const char *ob_mail_kind_name(int kind);

struct ob_mail_point {
    uint32_t list;
    int kind;
    long long day; /* days since 1970-01-01, UTC */
    double value;
    struct ob_detection det; /* the detector's verdict, from the days before */
};

/* new: every list's daily series from its first day to its last (days
 * without mail count as 0; OB_MAIL_REPLY_HOURS has points only on days with
 * answered threads), each scored by its own detector. NULL: memory. */
struct ob_mail_trends *ob_mail_trends_new(const struct ob_mail *m,
                                          const struct ob_detector_params *params);
void ob_mail_trends_free(struct ob_mail_trends *t);
size_t ob_mail_trends_size(const struct ob_mail_trends *t);
/* Points in order of list, kind, day. Borrowed. */
const struct ob_mail_point *ob_mail_trends_point(const struct ob_mail_trends *t, size_t i);
/* The first and last day of a list's mail. */
void ob_mail_list_days(const struct ob_mail *m, size_t list, long long *first, long long *last);

#define OB_MAIL_TOPIC_THREADS 3

struct ob_mail_topic {
    char text[160];   /* a keyword, or a subject template ("[VOTE] Release <*>") */
    double score;     /* TF-IDF, or the number of threads for a template */
    uint32_t threads[OB_MAIL_TOPIC_THREADS]; /* the threads most behind it */
    size_t nthreads;
};

/* The keywords of list's mail from day first to last, most distinctive
 * first, against the list's whole history; the number written (<= max). */
size_t ob_mail_keywords(const struct ob_mail *m, size_t list, long long first, long long last,
                        struct ob_mail_topic *out, size_t max);
/* Subject templates of the threads list started from first to last,
 * largest first (only templates of two threads or more). */
size_t ob_mail_templates(const struct ob_mail *m, size_t list, long long first, long long last,
                         struct ob_mail_topic *out, size_t max);

/* ---- text (used inside, exposed for tests and the edge) ---- */

/* The subject without its reply and forward prefixes ("Re:", "Fwd:",
 * "AW:", "Re[2]:", "[list]" tags before them); *reply is set when a reply
 * prefix was there. Borrowed from s. */
const char *ob_mail_subject_base(const char *s, size_t n, size_t *len, int *reply);
/* The address in a From value, lowercased into out (cap bytes); its length. */
size_t ob_mail_address(const char *from, size_t n, char *out, size_t cap);

struct ob_mail_text_lines {
    size_t fresh, quoted, attribution, signature;
};
/* Copies the new text of a body into out (n bytes suffice): lines quoted
 * with '>', the "On ... wrote:" lines that introduce them, forwarded or
 * "Original Message" blocks and the signature after "-- " left out. Returns
 * the length written; counts each kind of line in *lines. */
size_t ob_mail_new_text(const char *text, size_t n, char *out, struct ob_mail_text_lines *lines);

#endif

/* journal.c - the systemd journal as a log source (read by
 * io/journal_read.c): each entry's MESSAGE joins the miner, with _SYSTEMD_UNIT,
 * _HOSTNAME and PRIORITY as its stream's labels (unit, host, priority).
 *
 * Where it stopped is the journal's own cursor, saved in the store in the
 * same transaction as the miner: after a restart, reading resumes just
 * after the entry the saved miner had seen, so nothing is skipped and
 * nothing counted twice. Without a saved cursor it starts at the head of
 * what the journal holds. */
#include "serve/serve_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "io/journal_read.h"
#include "io/loki.h"
#include "io/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_NAME "journal.cursor"
#define BATCH 1024

struct journal {
    pthread_t thread;
    pthread_mutex_t mu;
    int stop;
    struct ob_journal *j;
    char *cursor;             /* after the last entry mined, under mu */
    uint64_t entries;
};

struct batch {
    struct ob_loki_stream st[BATCH];
    struct ob_loki_entry e[BATCH];
    char *lines[BATCH];
    size_t n;
};

static void add_label(struct ob_loki_stream *st, const char *name, char *value)
{
    if (!value)
        return;
    st->labels[st->nlabels].name = strdup(name);
    st->labels[st->nlabels++].value = value;
}

static void clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        ob_kv_free(b->st[i].labels, b->st[i].nlabels);
        free(b->lines[i]);
    }
    b->n = 0;
}

/* Mines the batch: one stream per entry, since their labels differ. */
static void flush(struct serve *s, struct journal *jr, struct batch *b)
{
    if (!b->n)
        return;
    struct ob_loki_push p = {.streams = b->st, .nstreams = b->n, .nentries = b->n};
    char *cursor = ob_journal_cursor(jr->j);
    /* The lines and the cursor move together, so a snapshot (which takes
     * this lock) never saves one without the other. */
    pthread_mutex_lock(&jr->mu);
    ob__serve_post_lines(s, &p);
    if (cursor) {
        free(jr->cursor);
        jr->cursor = cursor;
    }
    jr->entries += b->n;
    pthread_mutex_unlock(&jr->mu);
    clear(b);
}

static int read_entry(struct journal *jr, struct batch *b)
{
    char *msg = ob_journal_field(jr->j, "MESSAGE");
    if (!msg)
        return 0;
    struct ob_loki_stream *st = &b->st[b->n];
    memset(st, 0, sizeof *st);
    if (!(st->labels = calloc(3, sizeof *st->labels))) {
        free(msg);
        return -1;
    }
    add_label(st, "host", ob_journal_field(jr->j, "_HOSTNAME"));
    add_label(st, "priority", ob_journal_field(jr->j, "PRIORITY"));
    add_label(st, "unit", ob_journal_field(jr->j, "_SYSTEMD_UNIT"));
    b->lines[b->n] = msg;
    b->e[b->n] = (struct ob_loki_entry){ob_journal_time(jr->j), msg, strlen(msg)};
    st->entries = &b->e[b->n];
    st->nentries = 1;
    b->n++;
    return 0;
}

static int stopping(struct journal *jr)
{
    pthread_mutex_lock(&jr->mu);
    int stop = jr->stop;
    pthread_mutex_unlock(&jr->mu);
    return stop;
}

static void *run(void *arg)
{
    struct serve *s = arg;
    struct journal *jr = s->journal;
    struct batch *b = calloc(1, sizeof *b);
    while (b && !stopping(jr)) {
        int r = 0;
        while (b->n < BATCH && (r = ob_journal_next(jr->j)) > 0)
            if (read_entry(jr, b) < 0)
                break;
        flush(s, jr, b);
        if (r <= 0) /* caught up: wait for more, a bounded time */
            ob_journal_wait(jr->j, 500000);
    }
    if (b)
        clear(b);
    free(b);
    return NULL;
}

/* Resumes after the saved cursor: seeking puts the reader on that entry,
 * which the saved miner has already seen. */
static void resume(struct serve *s, struct journal *jr)
{
    void *blob = NULL;
    size_t len = 0;
    char *cursor = ob_store_get_blob(s->store, CURSOR_NAME, &blob, &len) == 1 ? strndup(blob, len) : NULL;
    free(blob);
    int rc = ob_journal_resume(jr->j, cursor);
    if (rc > 0) {
        ob_info("journal: resuming after the saved cursor");
        jr->cursor = cursor;
        return;
    }
    if (rc < 0)
        ob_warn("journal: the saved cursor is no longer in the journal; reading from its head");
    free(cursor);
}

int ob__journal_start(struct serve *s, char *err, size_t errlen)
{
    const struct ob_journal_config *c = &s->cfg->journal;
    if (!c->enabled)
        return 0;
    struct journal *jr = calloc(1, sizeof *jr);
    if (!jr) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    s->journal = jr;
    pthread_mutex_init(&jr->mu, NULL);
    if (!(jr->j = ob_journal_open(c->directory, (const char *const *)c->matches, c->nmatches, err, errlen)))
        return -1;
    resume(s, jr);
    if (pthread_create(&jr->thread, NULL, run, s) != 0) {
        snprintf(err, errlen, "journal: cannot start its thread");
        ob_journal_close(jr->j);
        jr->j = NULL;
        return -1;
    }
    ob_info("journal: reading %s", c->directory ? c->directory : "the system journal");
    return 0;
}

void ob__journal_stop(struct serve *s)
{
    struct journal *jr = s->journal;
    if (!jr || !jr->j)
        return;
    ob__worker_stop(&jr->mu, NULL, &jr->stop, jr->thread);
    ob_journal_close(jr->j);
    jr->j = NULL; /* the cursor stays, for the last snapshot */
}

void ob__journal_free(struct serve *s)
{
    struct journal *jr = s->journal;
    if (!jr)
        return;
    ob__journal_stop(s);
    free(jr->cursor);
    pthread_mutex_destroy(&jr->mu);
    free(jr);
    s->journal = NULL;
}

/* The snapshot holds the lines still from freeze(1) to freeze(0), so the
 * miner (saved by whoever mines them) and the cursor are of one moment:
 * a restart neither skips nor repeats. */
static void ob__journal_freeze(struct serve *s, int on)
{
    struct journal *jr = s->journal;
    if (jr && on)
        pthread_mutex_lock(&jr->mu);
    else if (jr)
        pthread_mutex_unlock(&jr->mu);
}

static int ob__journal_save(struct serve *s, double now)
{
    struct journal *jr = s->journal; /* frozen: jr->mu held */
    return jr && jr->cursor ? ob_store_put_blob(s->store, CURSOR_NAME, jr->cursor, strlen(jr->cursor), now) : 0;
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_journal = {
    .name = "journal",
    .start = ob__journal_start,
    .stop = ob__journal_free,
    .freeze = ob__journal_freeze,
    .save = ob__journal_save,
    .pause = ob__journal_stop,
};

/* trends.c - a list's life as daily series, and what it talked about.
 *
 * Series, per list and UTC day from its first mail to its last: messages,
 * threads started, distinct senders, threads started that never got an
 * answer, and the median hours to the first answer of the threads started
 * that day. Days without mail are zeros, not gaps, so a list going quiet is
 * a value the detector sees. Each series gets its own detector (the one
 * every metric gets, no tuning here) and each point its verdict from the
 * days before it.
 *
 * Topics of a span of days: words (subject and new text, one vote per
 * message) scored by TF-IDF, with a list's days as its documents, so a word
 * the list uses every day scores nothing and one that appears only now
 * scores most; and templates the log miner makes of the thread subjects
 * ("[VOTE] Release Apache Maven <*>"), counted over the threads started in
 * the span. Each topic comes with the threads most behind it. */
#include "mail_int.h"

#include "core/buf.h"
#include "logs/logs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[OB_MAIL_KINDS] = {
    "messages", "new_threads", "senders", "unanswered", "reply_hours"};

const char *ob_mail_kind_name(int kind)
{
    return kind >= 0 && kind < OB_MAIL_KINDS ? kind_names[kind] : "?";
}

static const struct ob_mail *sort_ctx; /* qsort has no argument: set just before */

static int cmp_by_list(const void *a, const void *b)
{
    const struct ob__msg *x = &sort_ctx->msgs[*(const uint32_t *)a];
    const struct ob__msg *y = &sort_ctx->msgs[*(const uint32_t *)b];
    if (x->list != y->list)
        return x->list < y->list ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Days each (list, word) was used on, for the IDF. */
static int count_df(struct ob_mail *m)
{
    size_t nl = m->lists.count;
    m->list_active_days = calloc(nl + 1, sizeof *m->list_active_days);
    if (!m->list_active_days)
        return -1;
    uint32_t *last_day = NULL;
    size_t cap = 0;
    for (size_t l = 0; l < nl; l++) {
        long long prev = 0;
        bool any = false;
        for (size_t k = m->list_start[l]; k < m->list_start[l + 1]; k++) {
            const struct ob__msg *msg = &m->msgs[m->by_list[k]];
            long long day = ob__day(msg->date);
            if (!any || day != prev)
                m->list_active_days[l]++;
            any = true;
            prev = day;
            for (uint32_t j = 0; j < msg->nterms; j++) {
                uint32_t key[2] = {(uint32_t)l, m->terms[msg->term_off + j]}, v;
                if (!ob_strmap_get(m->df, key, sizeof key, &v)) {
                    v = (uint32_t)m->ndf;
                    if (ob_grow((void **)&m->df_days, &m->capdf, m->ndf + 1,
                                sizeof *m->df_days) < 0 ||
                        ob_grow((void **)&last_day, &cap, m->ndf + 1, sizeof *last_day) < 0 ||
                        ob_strmap_put(m->df, key, sizeof key, v) < 0) {
                        free(last_day);
                        return -1;
                    }
                    m->df_days[v] = 0;
                    last_day[v] = UINT32_MAX;
                    m->ndf++;
                }
                if (last_day[v] != m->list_active_days[l]) {
                    last_day[v] = m->list_active_days[l];
                    m->df_days[v]++;
                }
            }
        }
    }
    free(last_day);
    return 0;
}

int ob__mail_index(struct ob_mail *m);

int ob__mail_index(struct ob_mail *m)
{
    size_t nl = m->lists.count;
    m->by_list = malloc((m->nm + 1) * sizeof *m->by_list);
    m->list_start = calloc(nl + 2, sizeof *m->list_start);
    if (!m->by_list || !m->list_start)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < m->nm; i++)
        if (!isnan(m->msgs[i].date))
            m->by_list[n++] = (uint32_t)i;
    m->nby_list = n;
    sort_ctx = m;
    qsort(m->by_list, n, sizeof *m->by_list, cmp_by_list);
    sort_ctx = NULL;
    for (size_t k = 0; k < n; k++)
        m->list_start[m->msgs[m->by_list[k]].list + 1]++;
    for (size_t l = 0; l < nl; l++)
        m->list_start[l + 1] += m->list_start[l];
    return m->nterms ? count_df(m) : 0;
}

void ob_mail_list_days(const struct ob_mail *m, size_t list, long long *first, long long *last)
{
    size_t a = m->list_start[list], b = m->list_start[list + 1];
    if (a == b) {
        *first = 0;
        *last = -1;
        return;
    }
    *first = ob__day(m->msgs[m->by_list[a]].date);
    *last = ob__day(m->msgs[m->by_list[b - 1]].date);
}

/* ---- series ---- */

struct ob_mail_trends {
    struct ob_mail_point *p;
    size_t n, cap;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The detector sees counts on the Anscombe scale, 2 sqrt(x + 3/8), where a
 * Poisson count's spread is about 1 whatever its mean: on the raw scale a
 * quiet list's band reaches below zero and a week of silence is "normal";
 * here zero after a busy stretch stands out as a burst does. Hours to a
 * first reply are heavy-tailed: they are seen as log(1 + h). Forecasts and
 * bands come back to the raw scale. */
static double to_scale(int kind, double v)
{
    return kind == OB_MAIL_REPLY_HOURS ? log1p(v) : 2 * sqrt(v + 0.375);
}

static double from_scale(int kind, double y)
{
    if (kind == OB_MAIL_REPLY_HOURS)
        return y > 0 ? expm1(y) : 0;
    double h = y > 0 ? y / 2 : 0;
    return h * h > 0.375 ? h * h - 0.375 : 0;
}

static int push(struct ob_mail_trends *t, uint32_t list, int kind, long long day, double v)
{
    if (ob_grow((void **)&t->p, &t->cap, t->n + 1, sizeof *t->p) < 0)
        return -1;
    t->p[t->n++] = (struct ob_mail_point){.list = list, .kind = kind, .day = day, .value = v};
    return 0;
}

/* The list's counts per day into vals[kind][day - first]. */
static int list_counts(const struct ob_mail *m, size_t l, long long first, size_t ndays,
                       double **vals, double *hours, size_t *nhours, long long *hour_day,
                       uint32_t *seen)
{
    uint32_t stamp = 0;
    long long prev = first - 1;
    for (size_t k = m->list_start[l]; k < m->list_start[l + 1]; k++) {
        const struct ob__msg *msg = &m->msgs[m->by_list[k]];
        size_t d = (size_t)(ob__day(msg->date) - first);
        if ((long long)d + first != prev) {
            stamp++;
            prev = (long long)d + first;
        }
        vals[OB_MAIL_MESSAGES][d]++;
        if (seen[msg->sender] != stamp) {
            seen[msg->sender] = stamp;
            vals[OB_MAIL_SENDERS][d]++;
        }
    }
    /* Sender stamps restart per list: a list's stamps never meet another's. */
    for (size_t s = 0; s < m->senders.count; s++)
        seen[s] = 0;
    *nhours = 0;
    for (size_t i = 0; i < m->nt; i++) { /* threads are in order of start */
        const struct ob__thread *t = &m->threads[i];
        if (t->list != l || isnan(t->start))
            continue;
        long long day = ob__day(t->start);
        if (day < first || day >= first + (long long)ndays)
            continue;
        vals[OB_MAIL_NEW_THREADS][day - first]++;
        if (isnan(t->first_reply)) {
            vals[OB_MAIL_UNANSWERED][day - first]++;
        } else {
            hours[*nhours] = t->first_reply / 3600;
            hour_day[(*nhours)++] = day;
        }
    }
    return 0;
}

/* Scores the points of one series. A finding's value is not learned: the
 * detector goes back to its state before the point and learns the
 * forecast instead, so one burst neither teaches it that bursts are normal
 * nor, through the detector's hold after a report (made for points minutes
 * apart, 50 of them), hides the next event weeks later. After a week of
 * findings in a row the new level is learned: it is the list's new normal. */
#define FINDINGS_KEPT_OUT 7

static int score_points(struct ob_detector **det, struct ob_mail_point *p, size_t n, int kind)
{
    size_t cap = ob_detector_blob_size();
    void *blob = malloc(cap);
    if (!blob)
        return -1;
    int run = 0, rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double ts = (double)p[i].day * OB_DAY;
        size_t len = ob_detector_save(*det, blob, cap);
        struct ob_detection r = ob_detector_step(*det, ts, to_scale(kind, p[i].value));
        if (r.anomaly && run < FINDINGS_KEPT_OUT && len) {
            struct ob_detector *back = ob_detector_load(blob, len);
            if (!back) {
                rc = -1;
                break;
            }
            ob_detector_free(*det);
            *det = back;
            ob_detector_step(*det, ts, r.yhat);
            run++;
        } else if (!r.anomaly) {
            run = 0;
        }
        r.yhat = from_scale(kind, r.yhat);
        r.yhat_lower = from_scale(kind, r.yhat_lower);
        r.yhat_upper = from_scale(kind, r.yhat_upper);
        p[i].det = r;
    }
    free(blob);
    return rc;
}

static int score_list(struct ob_mail_trends *t, const struct ob_mail *m, size_t l,
                      const struct ob_detector_params *params, uint32_t *seen, double *hours,
                      long long *hour_day)
{
    long long first, last;
    ob_mail_list_days(m, l, &first, &last);
    if (last < first)
        return 0;
    size_t ndays = (size_t)(last - first + 1);
    double *vals[OB_MAIL_KINDS] = {0};
    int rc = -1;
    for (int k = 0; k < OB_MAIL_KINDS; k++)
        if (!(vals[k] = calloc(ndays, sizeof **vals)))
            goto out;
    size_t nh;
    list_counts(m, l, first, ndays, vals, hours, &nh, hour_day, seen);
    for (int k = 0; k < OB_MAIL_KINDS; k++) {
        struct ob_detector *det = ob_detector_new(params);
        if (!det)
            goto out;
        size_t from = t->n;
        if (k != OB_MAIL_REPLY_HOURS) {
            for (size_t d = 0; d < ndays; d++)
                if (push(t, (uint32_t)l, k, first + (long long)d, vals[k][d]) < 0) {
                    ob_detector_free(det);
                    goto out;
                }
        } else { /* the median of each day's answered threads */
            for (size_t a = 0, b; a < nh; a = b) {
                for (b = a; b < nh && hour_day[b] == hour_day[a]; b++)
                    ;
                qsort(hours + a, b - a, sizeof *hours, cmp_double);
                size_t c = b - a;
                double med = c % 2 ? hours[a + c / 2] : (hours[a + c / 2 - 1] + hours[a + c / 2]) / 2;
                if (push(t, (uint32_t)l, k, hour_day[a], med) < 0) {
                    ob_detector_free(det);
                    goto out;
                }
            }
        }
        if (score_points(&det, t->p + from, t->n - from, k) < 0) {
            ob_detector_free(det);
            goto out;
        }
        ob_detector_free(det);
    }
    rc = 0;
out:
    for (int k = 0; k < OB_MAIL_KINDS; k++)
        free(vals[k]);
    return rc;
}

struct ob_mail_trends *ob_mail_trends_new(const struct ob_mail *m,
                                          const struct ob_detector_params *params)
{
    if (!m->finished)
        return NULL;
    struct ob_mail_trends *t = calloc(1, sizeof *t);
    uint32_t *seen = calloc(m->senders.count + 1, sizeof *seen);
    double *hours = malloc((m->nt + 1) * sizeof *hours);
    long long *hour_day = malloc((m->nt + 1) * sizeof *hour_day);
    bool ok = t && seen && hours && hour_day;
    for (size_t l = 0; ok && l < m->lists.count; l++)
        ok = score_list(t, m, l, params, seen, hours, hour_day) == 0;
    free(seen);
    free(hours);
    free(hour_day);
    if (!ok) {
        ob_mail_trends_free(t);
        return NULL;
    }
    return t;
}

void ob_mail_trends_free(struct ob_mail_trends *t)
{
    if (!t)
        return;
    free(t->p);
    free(t);
}

size_t ob_mail_trends_size(const struct ob_mail_trends *t)
{
    return t->n;
}

const struct ob_mail_point *ob_mail_trends_point(const struct ob_mail_trends *t, size_t i)
{
    return &t->p[i];
}

/* ---- topics ---- */

/* The range of list's messages (in by_list) dated from day first to last. */
static void span(const struct ob_mail *m, size_t list, long long first, long long last,
                 size_t *a, size_t *b)
{
    size_t lo = m->list_start[list], hi = m->list_start[list + 1];
    size_t x = lo, y = hi;
    while (x < y) { /* first message on or after first */
        size_t mid = x + (y - x) / 2;
        if (ob__day(m->msgs[m->by_list[mid]].date) < first)
            x = mid + 1;
        else
            y = mid;
    }
    *a = x;
    y = hi;
    while (x < y) {
        size_t mid = x + (y - x) / 2;
        if (ob__day(m->msgs[m->by_list[mid]].date) <= last)
            x = mid + 1;
        else
            y = mid;
    }
    *b = x;
}

struct tally {
    uint32_t key;
    double n;
};

static int cmp_tally(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The threads (most messages first) whose messages in [a, b) have word w
 * into top. */
static size_t top_threads(const struct ob_mail *m, size_t a, size_t b, uint32_t w,
                          uint32_t *top)
{
    struct tally best[OB_MAIL_TOPIC_THREADS + 1];
    size_t nb = 0;
    struct ob_strmap *count = ob_strmap_new();
    if (!count)
        return 0;
    struct tally *all = NULL;
    size_t nall = 0, cap = 0;
    for (size_t k = a; k < b; k++) {
        const struct ob__msg *msg = &m->msgs[m->by_list[k]];
        bool has = false;
        for (uint32_t j = 0; j < msg->nterms && !has; j++)
            has = m->terms[msg->term_off + j] == w;
        if (!has)
            continue;
        uint32_t v;
        if (!ob_strmap_get(count, &msg->thread, sizeof msg->thread, &v)) {
            if (ob_grow((void **)&all, &cap, nall + 1, sizeof *all) < 0 ||
                ob_strmap_put(count, &msg->thread, sizeof msg->thread, (uint32_t)nall) < 0)
                break;
            all[nall++] = (struct tally){msg->thread, 0};
            v = (uint32_t)nall - 1;
        }
        all[v].n++;
    }
    if (nall)
        qsort(all, nall, sizeof *all, cmp_tally);
    for (size_t i = 0; i < nall && nb < OB_MAIL_TOPIC_THREADS; i++)
        best[nb++] = all[i];
    for (size_t i = 0; i < nb; i++)
        top[i] = best[i].key;
    free(all);
    ob_strmap_free(count);
    return nb;
}

size_t ob_mail_keywords(const struct ob_mail *m, size_t list, long long first, long long last,
                        struct ob_mail_topic *out, size_t max)
{
    if (!m->finished || list >= m->lists.count || !m->nterms)
        return 0;
    size_t a, b;
    span(m, list, first, last, &a, &b);
    struct ob_strmap *tf = ob_strmap_new();
    struct tally *t = NULL;
    size_t nt = 0, cap = 0, written = 0;
    if (!tf)
        return 0;
    for (size_t k = a; k < b; k++) {
        const struct ob__msg *msg = &m->msgs[m->by_list[k]];
        for (uint32_t j = 0; j < msg->nterms; j++) {
            uint32_t w = m->terms[msg->term_off + j], v;
            if (!ob_strmap_get(tf, &w, sizeof w, &v)) {
                if (ob_grow((void **)&t, &cap, nt + 1, sizeof *t) < 0 ||
                    ob_strmap_put(tf, &w, sizeof w, (uint32_t)nt) < 0)
                    goto out;
                t[nt++] = (struct tally){w, 0};
                v = (uint32_t)nt - 1;
            }
            t[v].n++;
        }
    }
    double days = m->list_active_days[list];
    for (size_t i = 0; i < nt; i++) {
        uint32_t key[2] = {(uint32_t)list, t[i].key}, v;
        double df = ob_strmap_get(m->df, key, sizeof key, &v) ? m->df_days[v] : 0;
        /* A word of one message says nothing about a span. */
        t[i].n = t[i].n < 2 ? 0 : t[i].n * log((1 + days) / (1 + df));
    }
    if (nt)
        qsort(t, nt, sizeof *t, cmp_tally);
    for (size_t i = 0; i < nt && written < max && t[i].n > 0; i++) {
        struct ob_mail_topic *o = &out[written++];
        size_t wl = m->words.n[t[i].key];
        if (wl >= sizeof o->text)
            wl = sizeof o->text - 1;
        memcpy(o->text, m->words.p[t[i].key], wl);
        o->text[wl] = 0;
        o->score = t[i].n;
        o->nthreads = top_threads(m, a, b, t[i].key, o->threads);
    }
out:
    free(t);
    ob_strmap_free(tf);
    return written;
}

size_t ob_mail_templates(const struct ob_mail *m, size_t list, long long first, long long last,
                         struct ob_mail_topic *out, size_t max)
{
    if (!m->finished || list >= m->lists.count)
        return 0;
    struct ob_miner *mn = ob_miner_new(NULL);
    uint32_t *tmpl = malloc((m->nt + 1) * sizeof *tmpl);
    struct tally *c = NULL;
    size_t nc = 0, cap = 0, written = 0;
    struct ob_strmap *idx = ob_strmap_new();
    if (!mn || !tmpl || !idx)
        goto out;
    /* The whole history teaches the miner, so templates are the list's. */
    for (size_t i = 0; i < m->nt; i++) {
        const struct ob__thread *t = &m->threads[i];
        tmpl[i] = 0;
        if (t->list != list)
            continue;
        uint32_t s = m->msgs[t->first_msg].subject;
        tmpl[i] = ob_miner_add(mn, m->subject_shown[s], m->shown_len[s]);
    }
    for (size_t i = 0; i < m->nt; i++) {
        const struct ob__thread *t = &m->threads[i];
        if (t->list != list || !tmpl[i] || isnan(t->start) || ob__day(t->start) < first ||
            ob__day(t->start) > last)
            continue;
        uint32_t id = ob_miner_resolve(mn, tmpl[i]), v;
        if (!ob_strmap_get(idx, &id, sizeof id, &v)) {
            if (ob_grow((void **)&c, &cap, nc + 1, sizeof *c) < 0 ||
                ob_strmap_put(idx, &id, sizeof id, (uint32_t)nc) < 0)
                goto out;
            c[nc++] = (struct tally){id, 0};
            v = (uint32_t)nc - 1;
        }
        c[v].n++;
    }
    if (nc)
        qsort(c, nc, sizeof *c, cmp_tally);
    for (size_t k = 0; k < nc && written < max && c[k].n >= 2; k++) {
        struct ob_mail_topic *o = &out[written++];
        ob_miner_template_text(mn, c[k].key, o->text, sizeof o->text);
        o->score = c[k].n;
        o->nthreads = 0;
        /* Its threads with the most messages. */
        for (size_t i = 0; i < m->nt; i++) {
            const struct ob__thread *t = &m->threads[i];
            if (t->list != list || !tmpl[i] || ob_miner_resolve(mn, tmpl[i]) != c[k].key ||
                isnan(t->start) || ob__day(t->start) < first || ob__day(t->start) > last)
                continue;
            size_t pos = o->nthreads;
            while (pos > 0 && m->threads[o->threads[pos - 1]].messages < t->messages)
                pos--;
            if (pos >= OB_MAIL_TOPIC_THREADS)
                continue;
            size_t end = o->nthreads < OB_MAIL_TOPIC_THREADS ? o->nthreads : OB_MAIL_TOPIC_THREADS - 1;
            memmove(o->threads + pos + 1, o->threads + pos, (end - pos) * sizeof *o->threads);
            o->threads[pos] = (uint32_t)i;
            if (o->nthreads < OB_MAIL_TOPIC_THREADS)
                o->nthreads++;
        }
    }
out:
    ob_miner_free(mn);
    free(tmpl);
    free(c);
    ob_strmap_free(idx);
    return written;
}

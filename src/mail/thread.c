/* thread.c - the message store and JWZ threading.
 *
 * Jamie Zawinski's algorithm ("message threading", jwz.org), as mail
 * clients use it, in its published steps:
 *   1. every Message-ID named (by a message or in the References and
 *      In-Reply-To of one) is a container; a message's references link
 *      their containers parent to child in order, never making a loop and
 *      never undoing a link already made; its own container goes under the
 *      last reference, replacing a parent only presumed from others' lists;
 *   2. containers without a parent are the roots;
 *   3. empty containers (named but never seen) go: without children they
 *      vanish, with children those move up, except that an empty root
 *      with several children stays as their common root;
 *   4. roots with the same subject once "Re:"/"Fwd:" and list tags are off
 *      join: replies and empty roots go under the thread started with that
 *      subject, and two reply-only roots under a new common root. Unlike
 *      the description, two roots that both start a subject afresh stay
 *      apart: on a busy list "Help" or "[VOTE] ..." posts are different
 *      threads.
 * Done incrementally for step 1 (ob_mail_add), the rest in ob_mail_finish.
 * Walks are iterative: a hostile archive can make chains as long as it is. */
#include "mail_int.h"

#include "core/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (1u << 20)

long long ob__day(double t)
{
    return (long long)floor(t / OB_DAY);
}

static char *arena_alloc(struct ob__arena *a, size_t n)
{
    if (a->nchunks == 0 || a->size - a->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (ob_grow((void **)&a->chunks, &a->cap, a->nchunks + 1, sizeof *a->chunks) < 0)
            return NULL;
        char *c = malloc(size);
        if (!c)
            return NULL;
        a->chunks[a->nchunks++] = c;
        a->used = 0;
        a->size = size;
    }
    char *p = a->chunks[a->nchunks - 1] + a->used;
    a->used += n;
    return p;
}

static void arena_free(struct ob__arena *a)
{
    for (size_t i = 0; i < a->nchunks; i++)
        free(a->chunks[i]);
    free(a->chunks);
}

/* The index of s[0..n) in t, added when new; OB_NONE when memory ran out. */
static uint32_t intern(struct ob_mail *m, struct ob__intern *t, const char *s, size_t n,
                       bool *added)
{
    uint32_t v;
    if (added)
        *added = false;
    if (ob_strmap_get(t->map, s, n, &v))
        return v;
    if (t->count >= OB_NONE - 1 ||
        ob_grow((void **)&t->p, &t->cap, t->count + 1, sizeof *t->p) < 0)
        return OB_NONE;
    size_t cap = t->cap;
    void *nn = realloc(t->n, cap * sizeof *t->n);
    if (!nn)
        return OB_NONE;
    t->n = nn;
    char *copy = arena_alloc(&m->arena, n ? n : 1);
    if (!copy)
        return OB_NONE;
    memcpy(copy, s, n);
    if (ob_strmap_put_ref(t->map, copy, n, (uint32_t)t->count) < 0)
        return OB_NONE;
    t->p[t->count] = copy;
    t->n[t->count] = (uint32_t)n;
    if (added)
        *added = true;
    return (uint32_t)t->count++;
}

static void intern_free(struct ob__intern *t)
{
    ob_strmap_free(t->map);
    free(t->p);
    free(t->n);
}

struct ob_mail *ob_mail_new(void)
{
    struct ob_mail *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ids = ob_strmap_new();
    m->senders.map = ob_strmap_new();
    m->subjects.map = ob_strmap_new();
    m->lists.map = ob_strmap_new();
    m->words.map = ob_strmap_new();
    m->df = ob_strmap_new();
    if (!m->ids || !m->senders.map || !m->subjects.map || !m->lists.map || !m->words.map ||
        !m->df) {
        ob_mail_free(m);
        return NULL;
    }
    return m;
}

void ob_mail_free(struct ob_mail *m)
{
    if (!m)
        return;
    arena_free(&m->arena);
    free(m->c);
    free(m->msgs);
    ob_strmap_free(m->ids);
    intern_free(&m->senders);
    intern_free(&m->subjects);
    intern_free(&m->lists);
    intern_free(&m->words);
    free(m->subject_shown);
    free(m->shown_len);
    free(m->terms);
    free(m->threads);
    free(m->by_list);
    free(m->list_start);
    ob_strmap_free(m->df);
    free(m->df_days);
    free(m->list_active_days);
    free(m);
}

/* ---- containers ---- */

static uint32_t new_cont(struct ob_mail *m, const char *id, size_t n)
{
    if (m->nc >= OB_NONE - 1 || ob_grow((void **)&m->c, &m->capc, m->nc + 1, sizeof *m->c) < 0)
        return OB_NONE;
    const char *copy = NULL;
    if (id) {
        char *p = arena_alloc(&m->arena, n ? n : 1);
        if (!p)
            return OB_NONE;
        memcpy(p, id, n);
        copy = p;
        if (ob_strmap_put_ref(m->ids, copy, n, (uint32_t)m->nc) < 0)
            return OB_NONE;
    }
    m->c[m->nc] = (struct ob__cont){OB_NONE, OB_NONE, OB_NONE, OB_NONE, copy, (uint32_t)n};
    return (uint32_t)m->nc++;
}

static uint32_t cont_for(struct ob_mail *m, const char *id, size_t n)
{
    uint32_t v;
    if (ob_strmap_get(m->ids, id, n, &v))
        return v;
    return new_cont(m, id, n);
}

/* Is a an ancestor of b, or b itself? */
static bool is_ancestor(const struct ob_mail *m, uint32_t a, uint32_t b)
{
    for (uint32_t x = b; x != OB_NONE; x = m->c[x].parent)
        if (x == a)
            return true;
    return false;
}

static void unlink_child(struct ob_mail *m, uint32_t c)
{
    uint32_t p = m->c[c].parent;
    if (p == OB_NONE)
        return;
    uint32_t *link = &m->c[p].child;
    while (*link != OB_NONE && *link != c)
        link = &m->c[*link].next;
    if (*link == c)
        *link = m->c[c].next;
    m->c[c].parent = m->c[c].next = OB_NONE;
}

static void link_child(struct ob_mail *m, uint32_t p, uint32_t c)
{
    unlink_child(m, c);
    m->c[c].parent = p;
    m->c[c].next = m->c[p].child;
    m->c[p].child = c;
}

/* The ids "<...>" in a header value, in order, into ids (max of them). */
static size_t parse_ids(const char *s, size_t n, const char **ids, size_t *lens, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1;
        while (j < n && s[j] != '>' && s[j] != '<')
            j++;
        if (j < n && s[j] == '>') {
            size_t a = i + 1, b = j;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            if (b > a) {
                ids[k] = s + a;
                lens[k++] = b - a;
            }
            i = j;
        } else {
            i = j - 1;
        }
    }
    return k;
}

#define MAX_REFS 256

static int link_references(struct ob_mail *m, uint32_t self, const struct ob_mail_input *in)
{
    const char *ids[MAX_REFS + 1];
    size_t lens[MAX_REFS + 1];
    size_t k = parse_ids(in->references, in->references_len, ids, lens, MAX_REFS);
    const char *irt[1];
    size_t irt_len[1];
    /* In-Reply-To names the parent when References is missing or stops short. */
    if (parse_ids(in->in_reply_to, in->in_reply_to_len, irt, irt_len, 1) == 1 &&
        (k == 0 || lens[k - 1] != irt_len[0] || memcmp(ids[k - 1], irt[0], irt_len[0]))) {
        ids[k] = irt[0];
        lens[k++] = irt_len[0];
    }
    uint32_t prev = OB_NONE;
    for (size_t i = 0; i < k; i++) {
        uint32_t c = cont_for(m, ids[i], lens[i]);
        if (c == OB_NONE)
            return -1;
        if (prev != OB_NONE && prev != c && m->c[c].parent == OB_NONE &&
            !is_ancestor(m, c, prev))
            link_child(m, prev, c);
        prev = c;
    }
    if (prev != OB_NONE && prev != self && !is_ancestor(m, self, prev))
        link_child(m, prev, self);
    return 0;
}

static size_t trim(const char **s, size_t n)
{
    while (n && (**s == ' ' || **s == '\t'))
        (*s)++, n--;
    while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
        n--;
    return n;
}

/* The message's own container: a fresh one when its Message-ID is missing
 * or already taken by another message (JWZ: duplicates get unique ids). */
static uint32_t own_cont(struct ob_mail *m, const struct ob_mail_input *in)
{
    const char *id[1];
    size_t len[1];
    const char *s = in->message_id;
    size_t n = trim(&s, in->message_id_len);
    if (parse_ids(s, n, id, len, 1) == 1) {
        s = id[0];
        n = len[0];
    }
    if (n) {
        uint32_t c = cont_for(m, s, n);
        if (c == OB_NONE || m->c[c].msg == OB_NONE)
            return c;
    }
    char made[600];
    int k = snprintf(made, sizeof made, "%.*s#opsbox-%llu", n > 400 ? 400 : (int)n, s,
                     (unsigned long long)++m->anon);
    return new_cont(m, made, (size_t)k);
}

/* Tokens of subject and new text, once each, into m->terms. */
static int add_terms(struct ob_mail *m, struct ob__msg *msg, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                          (s[i] >= '0' && s[i] <= '9') || (unsigned char)s[i] >= 0x80))
            i++;
        size_t a = i;
        bool digits = true;
        char w[32];
        size_t wl = 0;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9') || (unsigned char)s[i] >= 0x80 ||
                         ((s[i] == '-' || s[i] == '_' || s[i] == '.') && i + 1 < n &&
                          s[i + 1] != ' ' && i > a))) {
            if (!(s[i] >= '0' && s[i] <= '9'))
                digits = false;
            if (wl < sizeof w)
                w[wl] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
            wl++;
            i++;
        }
        while (wl && wl <= sizeof w && (w[wl - 1] == '.' || w[wl - 1] == '-' || w[wl - 1] == '_'))
            wl--;
        if (wl < 3 || wl > sizeof w || digits)
            continue;
        uint32_t t = intern(m, &m->words, w, wl, NULL);
        if (t == OB_NONE)
            return -1;
        bool dup = false;
        for (uint32_t j = 0; j < msg->nterms && !dup; j++)
            dup = m->terms[msg->term_off + j] == t;
        if (dup)
            continue;
        if (ob_grow((void **)&m->terms, &m->capterms, m->nterms + 1, sizeof *m->terms) < 0)
            return -1;
        m->terms[m->nterms++] = t;
        msg->nterms++;
    }
    return 0;
}

static uint32_t subject_index(struct ob_mail *m, const struct ob_mail_input *in, bool *reply)
{
    size_t bn;
    int r;
    const char *base = ob_mail_subject_base(in->subject, in->subject_len, &bn, &r);
    *reply = r;
    char key[512];
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < bn && k < sizeof key; i++) { /* lowercase, blanks as one */
        char c = base[i];
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && k < sizeof key)
            key[k++] = ' ';
        space = false;
        if (k < sizeof key)
            key[k++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    bool added;
    uint32_t s = intern(m, &m->subjects, key, k, &added);
    if (s == OB_NONE || !added)
        return s;
    if (ob_grow((void **)&m->subject_shown, &m->shown_cap, s + 1, sizeof *m->subject_shown) < 0)
        return OB_NONE;
    void *nl = realloc(m->shown_len, m->shown_cap * sizeof *m->shown_len);
    if (!nl)
        return OB_NONE;
    m->shown_len = nl;
    char *shown = arena_alloc(&m->arena, bn ? bn : 1);
    if (!shown)
        return OB_NONE;
    memcpy(shown, base, bn);
    m->subject_shown[s] = shown;
    m->shown_len[s] = (uint32_t)bn;
    return s;
}

int ob_mail_add(struct ob_mail *m, const struct ob_mail_input *in)
{
    if (m->finished || m->nm >= OB_NONE - 1 ||
        ob_grow((void **)&m->msgs, &m->capm, m->nm + 1, sizeof *m->msgs) < 0)
        return -1;
    uint32_t self = own_cont(m, in);
    if (self == OB_NONE || link_references(m, self, in) < 0)
        return -1;
    char addr[320];
    size_t an = ob_mail_address(in->from, in->from_len, addr, sizeof addr);
    struct ob__msg *msg = &m->msgs[m->nm];
    *msg = (struct ob__msg){.date = in->date, .cont = self, .thread = OB_NONE,
                            .term_off = (uint32_t)m->nterms};
    msg->sender = intern(m, &m->senders, addr, an, NULL);
    msg->list = intern(m, &m->lists, in->list, in->list_len, NULL);
    msg->subject = subject_index(m, in, &msg->reply);
    if (msg->sender == OB_NONE || msg->list == OB_NONE || msg->subject == OB_NONE)
        return -1;
    if (in->text) {
        size_t bn;
        int r;
        const char *base = ob_mail_subject_base(in->subject, in->subject_len, &bn, &r);
        if (add_terms(m, msg, base, bn) < 0 || add_terms(m, msg, in->text, in->text_len) < 0)
            return -1;
    }
    m->c[self].msg = (uint32_t)m->nm;
    m->nm++;
    return 0;
}

/* ---- finishing: prune, subjects, threads ---- */

static size_t collect_roots(struct ob_mail *m, uint32_t *roots)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nc; i++)
        if (m->c[i].parent == OB_NONE && (m->c[i].msg != OB_NONE || m->c[i].child != OB_NONE))
            roots[n++] = (uint32_t)i;
    return n;
}

/* Rebuilds c's children: empty ones replaced by their (already pruned)
 * children, or dropped when they have none. */
static void prune_children(struct ob_mail *m, uint32_t c)
{
    uint32_t head = OB_NONE, *tail = &head;
    for (uint32_t ch = m->c[c].child, nx; ch != OB_NONE; ch = nx) {
        nx = m->c[ch].next;
        if (m->c[ch].msg != OB_NONE) {
            *tail = ch;
            tail = &m->c[ch].next;
            continue;
        }
        for (uint32_t g = m->c[ch].child; g != OB_NONE; g = m->c[g].next) {
            m->c[g].parent = c;
            *tail = g;
            tail = &m->c[g].next;
        }
        m->c[ch].child = OB_NONE;
        m->c[ch].parent = OB_NONE;
    }
    *tail = OB_NONE;
    m->c[c].child = head;
}

static int prune(struct ob_mail *m, uint32_t *roots, size_t *nroots)
{
    uint32_t *stack = malloc((m->nc + 1) * sizeof *stack);
    unsigned char *open = calloc(m->nc + 1, 1);
    if (!stack || !open) {
        free(stack);
        free(open);
        return -1;
    }
    size_t out = 0;
    for (size_t r = 0; r < *nroots; r++) {
        size_t sp = 0;
        stack[sp++] = roots[r];
        while (sp) {
            uint32_t top = stack[sp - 1];
            if (!open[top]) {
                open[top] = 1;
                for (uint32_t ch = m->c[top].child; ch != OB_NONE; ch = m->c[ch].next)
                    stack[sp++] = ch;
                continue;
            }
            sp--;
            prune_children(m, top);
        }
        uint32_t root = roots[r];
        if (m->c[root].msg == OB_NONE) {
            uint32_t only = m->c[root].child;
            if (only == OB_NONE)
                continue;                       /* nothing under it */
            if (m->c[only].next == OB_NONE) { /* one child: it is the root */
                m->c[only].parent = OB_NONE;
                m->c[root].child = OB_NONE;
                root = only;
            }
        }
        roots[out++] = root;
    }
    *nroots = out;
    free(stack);
    free(open);
    return 0;
}

/* The message that speaks for a root: its own, or its first child's. */
static uint32_t root_msg(const struct ob_mail *m, uint32_t r)
{
    if (m->c[r].msg != OB_NONE)
        return m->c[r].msg;
    uint32_t ch = m->c[r].child;
    return ch != OB_NONE ? m->c[ch].msg : OB_NONE;
}

/* Moves r (or, if r is empty, its children) under t. */
static void adopt(struct ob_mail *m, uint32_t t, uint32_t r)
{
    if (m->c[r].msg != OB_NONE) {
        link_child(m, t, r);
        return;
    }
    for (uint32_t ch = m->c[r].child, nx; ch != OB_NONE; ch = nx) {
        nx = m->c[ch].next;
        m->c[ch].parent = m->c[ch].next = OB_NONE;
        link_child(m, t, ch);
    }
    m->c[r].child = OB_NONE;
}

/* Rank of a root as the one others with its subject join: the thread's
 * original post first, then an empty root, then a reply. */
static int rank(const struct ob_mail *m, uint32_t r)
{
    if (m->c[r].msg == OB_NONE)
        return 1;
    return m->msgs[m->c[r].msg].reply ? 2 : 0;
}

static int group_subjects(struct ob_mail *m, uint32_t *roots, size_t *nroots)
{
    size_t ns = m->subjects.count;
    uint32_t *best = malloc((ns + 1) * sizeof *best);
    if (!best)
        return -1;
    for (size_t i = 0; i <= ns; i++)
        best[i] = OB_NONE;
    uint32_t empty_subject = OB_NONE;
    ob_strmap_get(m->subjects.map, "", 0, &empty_subject);
    for (size_t i = 0; i < *nroots; i++) {
        uint32_t r = roots[i], mi = root_msg(m, r);
        uint32_t s = mi == OB_NONE ? OB_NONE : m->msgs[mi].subject;
        if (s == OB_NONE || s == empty_subject)
            continue;
        if (best[s] == OB_NONE || rank(m, r) < rank(m, best[s]))
            best[s] = r;
    }
    size_t out = 0;
    for (size_t i = 0; i < *nroots; i++) {
        uint32_t r = roots[i], mi = root_msg(m, r);
        uint32_t s = mi == OB_NONE ? OB_NONE : m->msgs[mi].subject;
        uint32_t t = s == OB_NONE ? OB_NONE : best[s];
        if (m->c[r].parent != OB_NONE)
            continue; /* went under a common root made for it */
        if (t == OB_NONE || t == r || rank(m, r) == 0) {
            roots[out++] = r;
            continue;
        }
        if (rank(m, t) == 2) { /* two reply-only roots: a common one */
            uint32_t d = new_cont(m, NULL, 0);
            if (d == OB_NONE) {
                free(best);
                return -1;
            }
            link_child(m, d, t);
            bool kept = false;
            for (size_t j = 0; j < out && !kept; j++) /* t kept already: d replaces it */
                if (roots[j] == t)
                    roots[j] = d, kept = true;
            if (!kept) /* t comes later and will be skipped: d stands for it */
                roots[out++] = d;
            best[s] = t = d;
        }
        adopt(m, t, r);
    }
    *nroots = out;
    free(best);
    return 0;
}

static int cmp_thread(const void *a, const void *b)
{
    const struct ob__thread *x = a, *y = b;
    bool xn = isnan(x->start), yn = isnan(y->start);
    if (xn != yn)
        return xn ? 1 : -1;
    if (!xn && x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->first_msg < y->first_msg ? -1 : x->first_msg > y->first_msg;
}

/* Walks root's tree: its messages' thread, and the thread's measures. */
static void measure(struct ob_mail *m, struct ob__thread *t, uint32_t tid, uint32_t *stack,
                    uint32_t *seen_sender)
{
    size_t sp = 0;
    stack[sp++] = t->root;
    t->first_msg = OB_NONE;
    t->start = NAN;
    uint32_t count = 0, people = 0;
    uint32_t *members = stack + m->nc + 1; /* second half: the messages */
    while (sp) {
        uint32_t c = stack[--sp];
        for (uint32_t ch = m->c[c].child; ch != OB_NONE; ch = m->c[ch].next)
            stack[sp++] = ch;
        uint32_t mi = m->c[c].msg;
        if (mi == OB_NONE)
            continue;
        struct ob__msg *msg = &m->msgs[mi];
        msg->thread = tid;
        members[count++] = mi;
        if (seen_sender[msg->sender] != tid + 1) {
            seen_sender[msg->sender] = tid + 1;
            people++;
        }
        if (t->first_msg == OB_NONE ||
            (!isnan(msg->date) && (isnan(t->start) || msg->date < t->start ||
                                   (msg->date == t->start && mi < t->first_msg))) ||
            (isnan(msg->date) && isnan(t->start) && mi < t->first_msg)) {
            t->first_msg = mi;
            t->start = msg->date;
        }
    }
    t->messages = count;
    t->participants = people;
    t->first_reply = NAN;
    uint32_t starter = m->msgs[t->first_msg].sender;
    for (uint32_t i = 0; i < count; i++) {
        const struct ob__msg *msg = &m->msgs[members[i]];
        if (msg->sender == starter || isnan(msg->date) || isnan(t->start))
            continue;
        double d = msg->date - t->start;
        if (isnan(t->first_reply) || d < t->first_reply)
            t->first_reply = d;
    }
    t->list = m->msgs[t->first_msg].list;
    const struct ob__cont *rc = &m->c[t->root];
    if (rc->id) {
        t->id = rc->id;
        t->id_len = rc->id_len;
    } else { /* a subject's common root: named after its first message */
        const struct ob__cont *fc = &m->c[m->msgs[t->first_msg].cont];
        t->id = fc->id;
        t->id_len = fc->id_len;
    }
}

static int build_threads(struct ob_mail *m, const uint32_t *roots, size_t nroots)
{
    m->threads = calloc(nroots ? nroots : 1, sizeof *m->threads);
    uint32_t *stack = malloc((m->nc + 1 + m->nm + 1) * sizeof *stack);
    uint32_t *seen = calloc(m->senders.count + 1, sizeof *seen);
    uint32_t *order = malloc((nroots + 1) * sizeof *order);
    if (!m->threads || !stack || !seen || !order) {
        free(stack);
        free(seen);
        free(order);
        return -1;
    }
    size_t nt = 0;
    for (size_t i = 0; i < nroots; i++) {
        struct ob__thread *t = &m->threads[nt];
        t->root = roots[i];
        measure(m, t, (uint32_t)nt, stack, seen);
        if (t->messages)
            nt++;
    }
    m->nt = nt;
    qsort(m->threads, nt, sizeof *m->threads, cmp_thread);
    /* Messages still name their thread by its place before the sort. */
    for (size_t i = 0; i < nt; i++)
        order[m->msgs[m->threads[i].first_msg].thread] = (uint32_t)i;
    for (size_t i = 0; i < m->nm; i++)
        m->msgs[i].thread = order[m->msgs[i].thread];
    free(stack);
    free(seen);
    free(order);
    return 0;
}

int ob__mail_index(struct ob_mail *m);

int ob_mail_finish(struct ob_mail *m)
{
    if (m->finished)
        return 0;
    uint32_t *roots = malloc((m->nc + 1) * sizeof *roots);
    if (!roots)
        return -1;
    size_t nroots = collect_roots(m, roots);
    int rc = prune(m, roots, &nroots);
    if (!rc)
        rc = group_subjects(m, roots, &nroots);
    if (!rc)
        rc = build_threads(m, roots, nroots);
    free(roots);
    if (!rc)
        rc = ob__mail_index(m);
    if (!rc)
        m->finished = true;
    return rc;
}

size_t ob_mail_messages(const struct ob_mail *m)
{
    return m->nm;
}

size_t ob_mail_threads(const struct ob_mail *m)
{
    return m->finished ? m->nt : 0;
}

void ob_mail_thread_get(const struct ob_mail *m, size_t i, struct ob_mail_thread *out)
{
    const struct ob__thread *t = &m->threads[i];
    const struct ob__msg *first = &m->msgs[t->first_msg];
    *out = (struct ob_mail_thread){
        .id = t->id,
        .id_len = t->id_len,
        .subject = m->subject_shown[first->subject],
        .subject_len = m->shown_len[first->subject],
        .list = t->list,
        .messages = t->messages,
        .participants = t->participants,
        .start = t->start,
        .first_reply = t->first_reply,
        .answered = !isnan(t->first_reply),
    };
}

size_t ob_mail_message_thread(const struct ob_mail *m, size_t i)
{
    return m->msgs[i].thread;
}

const char *ob_mail_message_id(const struct ob_mail *m, size_t i, size_t *len)
{
    const struct ob__cont *c = &m->c[m->msgs[i].cont];
    *len = c->id_len;
    return c->id;
}

size_t ob_mail_lists(const struct ob_mail *m)
{
    return m->lists.count;
}

const char *ob_mail_list_name(const struct ob_mail *m, size_t list, size_t *len)
{
    *len = m->lists.n[list];
    return m->lists.p[list];
}

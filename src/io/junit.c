/* junit.c - JUnit XML into a test history, with libxml2's SAX2 parser.
 *
 * SAX rather than a tree: a suite of many thousand cases is read in one
 * pass without building it, and the reader only keeps the case it is in.
 * No network and no external entities (a results file is outside input);
 * libxml2's own limits on names, depth and text sizes stay on, so a
 * 10 MB attribute is refused with its line rather than read. */
#include "io/ciresults.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SUITE_DEPTH 64
#define CHUNK (1 << 24)

struct reader {
    struct ob_ci_history *h;
    long run, cases;
    int depth;                    /* of <testsuite> elements */
    char *suite[SUITE_DEPTH];     /* their names (innermost last) */
    bool in_case, junit;
    char *name, *classname;
    enum ob_ci_result result;
    int retried;
    bool failed; /* ob_ci_history_add ran out of memory */
    char err[256];
};

static char *attr(const xmlChar **a, int n, const char *want)
{
    for (int i = 0; i < n; i++, a += 5)
        if (!strcmp((const char *)a[0], want)) {
            size_t len = (size_t)(a[4] - a[3]);
            char *v = malloc(len + 1);
            if (v) {
                memcpy(v, a[3], len);
                v[len] = '\0';
            }
            return v;
        }
    return NULL;
}

static bool is(const xmlChar *name, const char *s) { return !strcmp((const char *)name, s); }

static void start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                  int nns, const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
    struct reader *r = ctx;
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)ndef;
    if (is(name, "testsuites")) {
        r->junit = true;
    } else if (is(name, "testsuite")) {
        r->junit = true;
        if (r->depth < SUITE_DEPTH)
            r->suite[r->depth] = attr(attrs, nattr, "name");
        r->depth++;
    } else if (is(name, "testcase")) {
        r->junit = true;
        free(r->name);
        free(r->classname);
        r->name = attr(attrs, nattr, "name");
        r->classname = attr(attrs, nattr, "classname");
        r->in_case = true;
        r->result = OB_CI_PASS;
        r->retried = 0;
    } else if (r->in_case) {
        if (is(name, "failure") || is(name, "error") || is(name, "rerunFailure") ||
            is(name, "rerunError"))
            r->result = OB_CI_FAIL;
        else if (is(name, "skipped") && r->result == OB_CI_PASS)
            r->result = OB_CI_SKIP;
        else if (is(name, "flakyFailure") || is(name, "flakyError"))
            r->retried = 1;
    }
}

static void end_case(struct reader *r)
{
    const char *suite = r->classname;
    if (!suite || !*suite) {
        suite = "";
        for (int d = (r->depth < SUITE_DEPTH ? r->depth : SUITE_DEPTH) - 1; d >= 0; d--)
            if (r->suite[d]) {
                suite = r->suite[d];
                break;
            }
    }
    const char *name = r->name ? r->name : "";
    if (ob_ci_history_add(r->h, r->run, suite, strlen(suite), name, strlen(name), r->result,
                          r->retried) < 0)
        r->failed = true;
    r->cases++;
    r->in_case = false;
}

static void end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
    struct reader *r = ctx;
    (void)prefix, (void)uri;
    if (is(name, "testcase") && r->in_case)
        end_case(r);
    else if (is(name, "testsuite") && r->depth > 0) {
        r->depth--;
        if (r->depth < SUITE_DEPTH) {
            free(r->suite[r->depth]);
            r->suite[r->depth] = NULL;
        }
    }
}

static void on_error(void *ctx, const xmlError *e)
{
    struct reader *r = ctx;
    if (r->err[0] || e->level < XML_ERR_ERROR)
        return;
    size_t n = strlen(e->message ? e->message : "");
    snprintf(r->err, sizeof r->err, "line %d: %.*s", e->line,
             (int)(n && e->message[n - 1] == '\n' ? n - 1 : n), e->message ? e->message : "");
}

/* libxml2 2.9's serror takes a non-const error. */
static void on_error_cb(void *ctx, xmlErrorPtr e) { on_error(ctx, e); }

long ob_junit_read(struct ob_ci_history *h, long run, const char *buf, size_t len, char *err,
                   size_t errlen)
{
    struct reader r = {.h = h, .run = run};
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = start;
    sax.endElementNs = end;
    sax.serror = on_error_cb;
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, &r, NULL, 0, NULL);
    if (!ctxt) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    size_t off = 0;
    do {
        size_t n = len - off > CHUNK ? CHUNK : len - off;
        bool last = off + n == len;
        if (xmlParseChunk(ctxt, buf + off, (int)n, last) != 0 && !r.err[0])
            snprintf(r.err, sizeof r.err, "not well-formed XML");
        off += n;
    } while (off < len && !r.err[0]);
    if (!r.err[0] && !ctxt->wellFormed)
        snprintf(r.err, sizeof r.err, "not well-formed XML");
    if (!r.err[0] && !r.junit)
        snprintf(r.err, sizeof r.err, "line 1: no <testsuites>, <testsuite> or <testcase>");
    if (!r.err[0] && r.failed)
        snprintf(r.err, sizeof r.err, "out of memory");
    xmlFreeParserCtxt(ctxt);
    for (int d = 0; d < SUITE_DEPTH; d++)
        free(r.suite[d]);
    free(r.name);
    free(r.classname);
    if (r.err[0]) {
        snprintf(err, errlen, "%s", r.err);
        return -1;
    }
    return r.cases;
}

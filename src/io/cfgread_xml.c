/* cfgread_xml.c - XML configuration files into entries, with libxml2.
 * Hadoop-style properties (an element holding <name> and <value>) are one
 * entry each; otherwise a leaf element with text, and an attribute, is an
 * entry keyed by its name. Sections are the element path below the root.
 * The network and external entities are never loaded. */
#include "io/cfgread.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

static xmlNode *child_named(xmlNode *n, const char *name)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

static int has_element_children(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

static int add_text(struct ob_cfg_file *out, unsigned line, unsigned scope, const char *sec,
                    const char *key, xmlNode *holder)
{
    xmlChar *t = holder ? xmlNodeGetContent(holder) : NULL;
    const char *v = (const char *)t;
    size_t vn = v ? strlen(v) : 0;
    while (vn && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
        v++, vn--;
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\n' || v[vn - 1] == '\r'))
        vn--;
    int rc = ob_cfg_file_add(out, line, scope, sec, key, strlen(key), t ? v : NULL, vn);
    xmlFree(t);
    return rc;
}

struct xw {
    struct ob_cfg_file *out;
    unsigned next_scope;
};

static int walk(struct xw *w, xmlNode *parent, const char *sec, int depth)
{
    if (depth > MAX_DEPTH)
        return 0;
    unsigned scope = w->next_scope++;
    for (xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        unsigned line = (unsigned)xmlGetLineNo(n);
        xmlNode *name = child_named(n, "name"), *value = child_named(n, "value");
        if (name && !has_element_children(name)) {
            xmlChar *k = xmlNodeGetContent(name);
            int rc = 0;
            if (k && k[0]) {
                char *kb = (char *)k;
                size_t kn = strlen(kb);
                while (kn && (kb[kn - 1] == ' ' || kb[kn - 1] == '\n' || kb[kn - 1] == '\t'))
                    kb[--kn] = '\0';
                while (*kb == ' ' || *kb == '\n' || *kb == '\t')
                    kb++;
                rc = add_text(w->out, (unsigned)xmlGetLineNo(name), scope, sec, kb, value);
            }
            xmlFree(k);
            if (rc < 0)
                return -1;
            continue;
        }
        for (xmlAttr *a = n->properties; a; a = a->next) {
            char asec[1024];
            snprintf(asec, sizeof asec, "%s%s%s", sec, sec[0] ? "/" : "", (const char *)n->name);
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            const char *vs = v ? (const char *)v : "";
            int rc = ob_cfg_file_add(w->out, line, scope + 0, asec, (const char *)a->name,
                                     strlen((const char *)a->name), vs, strlen(vs));
            xmlFree(v);
            if (rc < 0)
                return -1;
        }
        if (!has_element_children(n)) {
            if (!n->properties || n->children)
                if (add_text(w->out, line, scope, sec, (const char *)n->name, n) < 0)
                    return -1;
            continue;
        }
        char csec[1024];
        int wr = snprintf(csec, sizeof csec, "%s%s%s", sec, sec[0] ? "/" : "", (const char *)n->name);
        if (wr < 0 || (size_t)wr >= sizeof csec)
            continue;
        for (char *p = csec; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if (walk(w, n, csec, depth + 1) < 0)
            return -1;
    }
    return 0;
}

/* The first error, where the parser met it: libxml2 goes on past a
 * mismatched tag and its last error points at the end of the file. */
struct first_error {
    int set, line;
    char msg[200];
};

static void keep_first(void *arg, xmlErrorPtr e)
{
    struct first_error *fe = arg;
    if (fe->set || !e || e->level < XML_ERR_ERROR)
        return;
    fe->set = 1;
    fe->line = e->line;
    snprintf(fe->msg, sizeof fe->msg, "%s", e->message ? e->message : "not XML");
}

int ob__cfg_parse_xml(const char *buf, size_t len, struct ob_cfg_file *out, char *err,
                      size_t errlen, int quiet_probe)
{
    if (len > 0x7fffffff) {
        snprintf(err, errlen, "0: too large");
        return -1;
    }
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx) {
        snprintf(err, errlen, "0: out of memory");
        return -1;
    }
    struct first_error fe = {0};
    xmlSetStructuredErrorFunc(&fe, keep_first);
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, buf, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctx);
        if (!quiet_probe) {
            if (!fe.set) {
                fe.line = e ? e->line : 0;
                snprintf(fe.msg, sizeof fe.msg, "%s", e && e->message ? e->message : "not XML");
            }
            size_t n = strlen(fe.msg);
            while (n && fe.msg[n - 1] == '\n')
                fe.msg[--n] = '\0';
            snprintf(err, errlen, "%d: %s", fe.line, fe.msg);
        }
        xmlFreeParserCtxt(ctx);
        return -1;
    }
    int rc = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root) {
        struct xw w = {out, 1};
        rc = walk(&w, root, "", 0);
        if (rc < 0)
            snprintf(err, errlen, "0: out of memory");
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctx);
    return rc;
}

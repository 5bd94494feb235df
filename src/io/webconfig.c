/* webconfig.c - reads the exporter-toolkit web config with libyaml. Keys
 * opsbox does not implement (client certificates, cipher suites, HTTP
 * headers) are errors rather than ignored: a TLS setting silently dropped
 * is a weaker server than its operator believes. */
#include "io/webconfig.h"

#include "io/statefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct wctx {
    yaml_document_t *doc;
    const char *path;
    char dir[4096];
    char *err;
    size_t errlen;
};

static int bad(struct wctx *c, const yaml_node_t *n, const char *what, const char *key)
{
    snprintf(c->err, c->errlen, "%s:%lu: %s%s%s", c->path, n ? (unsigned long)n->start_mark.line + 1 : 1ul,
             what, key ? " " : "", key ? key : "");
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int read_pem(struct wctx *c, const yaml_node_t *v, char **out)
{
    const char *file = scalar(v);
    char path[8192];
    if (!file || !*file)
        return bad(c, v, "expected a file name", NULL);
    snprintf(path, sizeof path, "%s%s%s", file[0] == '/' ? "" : c->dir, file[0] == '/' ? "" : "/", file);
    void *data = NULL;
    size_t len = 0;
    if (ob_statefile_read(path, (size_t)1 << 20, &data, &len) != 0)
        return bad(c, v, "cannot read", path);
    char *s = realloc(data, len + 1);
    if (!s) {
        free(data);
        return bad(c, v, "out of memory", NULL);
    }
    s[len] = '\0';
    *out = s;
    return 0;
}

static int tls(struct wctx *c, yaml_node_t *n, struct ob_webconfig *w)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return bad(c, n, "tls_server_config: expected a mapping", NULL);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        int rc = !key                       ? bad(c, k, "expected a key", NULL)
                 : !strcmp(key, "cert_file") ? read_pem(c, v, &w->cert_pem)
                 : !strcmp(key, "key_file")  ? read_pem(c, v, &w->key_pem)
                                             : bad(c, k, "tls_server_config: not supported by opsbox:", key);
        if (rc < 0)
            return -1;
    }
    if (!w->cert_pem || !w->key_pem)
        return bad(c, n, "tls_server_config: needs cert_file and key_file", NULL);
    return 0;
}

static int users(struct wctx *c, yaml_node_t *n, struct ob_webconfig *w)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return bad(c, n, "basic_auth_users: expected user: bcrypt-hash pairs", NULL);
    size_t max = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    w->users = calloc(max + 1, sizeof *w->users);
    w->hashes = calloc(max + 1, sizeof *w->hashes);
    if (!w->users || !w->hashes)
        return bad(c, n, "out of memory", NULL);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
        const char *user = scalar(k), *hash = scalar(v);
        if (!user || !hash || strncmp(hash, "$2", 2))
            return bad(c, v, "basic_auth_users: expected a bcrypt hash ($2a$, $2b$, $2y$) for", user ? user : "?");
        w->users[w->nusers] = strdup(user);
        w->hashes[w->nusers] = strdup(hash);
        if (!w->users[w->nusers++] || !w->hashes[w->nusers - 1])
            return bad(c, v, "out of memory", NULL);
    }
    return 0;
}

static int load(struct wctx *c, struct ob_webconfig *w)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root || (root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
        return 0;
    if (root->type != YAML_MAPPING_NODE)
        return bad(c, root, "expected a mapping", NULL);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        int rc = !key                               ? bad(c, k, "expected a key", NULL)
                 : !strcmp(key, "tls_server_config") ? tls(c, v, w)
                 : !strcmp(key, "basic_auth_users")  ? users(c, v, w)
                                                     : bad(c, k, "not supported by opsbox:", key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

struct ob_webconfig *ob_webconfig_load(const char *path, char *err, size_t errlen)
{
    struct wctx c = {.path = path, .err = err, .errlen = errlen};
    const char *slash = strrchr(path, '/');
    snprintf(c.dir, sizeof c.dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    void *text = NULL;
    size_t len = 0;
    if (ob_statefile_read(path, (size_t)1 << 20, &text, &len) != 0) {
        snprintf(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    struct ob_webconfig *w = calloc(1, sizeof *w);
    yaml_parser_t parser;
    yaml_document_t doc;
    c.doc = &doc;
    int rc = -1;
    if (w && yaml_parser_initialize(&parser)) {
        yaml_parser_set_input_string(&parser, text, len);
        if (yaml_parser_load(&parser, &doc)) {
            rc = load(&c, w);
            yaml_document_delete(&doc);
        } else {
            snprintf(err, errlen, "%s:%lu: not valid YAML: %s", path, (unsigned long)parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "?");
        }
        yaml_parser_delete(&parser);
    }
    free(text);
    if (rc < 0) {
        ob_webconfig_free(w);
        return NULL;
    }
    return w;
}

void ob_webconfig_free(struct ob_webconfig *w)
{
    if (!w)
        return;
    if (w->key_pem) /* a private key does not linger in freed memory */
        memset(w->key_pem, 0, strlen(w->key_pem));
    free(w->cert_pem);
    free(w->key_pem);
    for (size_t i = 0; i < w->nusers; i++) {
        free(w->users[i]);
        free(w->hashes[i]);
    }
    free(w->users);
    free(w->hashes);
    free(w);
}

/* cfgread_yaml.c - YAML configuration files into entries, with libyaml's
 * event parser: a scalar under a mapping key is an entry (key, value) whose
 * section is the path of the enclosing keys; the items of a list of scalars
 * are entries of the list's key; each mapping is its own scope. */
#include "io/cfgread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

struct frame {
    int is_map;
    int want_key;     /* mapping: the next scalar is a key */
    char *key;        /* mapping: the key waiting for its value; sequence: its owner */
    unsigned key_line;
    unsigned scope;
};

struct yctx {
    struct frame st[MAX_DEPTH];
    int depth;
    unsigned next_scope;
    char section[1024];
};

/* The path of the keys that hold the innermost container, '/'-joined. */
static void path_of(struct yctx *c, char *out, size_t outlen)
{
    size_t j = 0;
    out[0] = '\0';
    for (int i = 0; i + 1 < c->depth; i++) {
        const struct frame *f = &c->st[i];
        if (!f->is_map || !f->key)
            continue;
        int w = snprintf(out + j, outlen - j, "%s%s", j ? "/" : "", f->key);
        if (w < 0 || (size_t)w >= outlen - j)
            break;
        j += (size_t)w;
    }
    for (size_t i = 0; i < j; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
}

static int push(struct yctx *c, int is_map, unsigned line, char *err, size_t errlen)
{
    if (c->depth == MAX_DEPTH) {
        snprintf(err, errlen, "%u: nested deeper than %d", line, MAX_DEPTH);
        return -1;
    }
    struct frame *f = &c->st[c->depth++];
    memset(f, 0, sizeof *f);
    f->is_map = is_map;
    f->want_key = 1;
    f->scope = c->next_scope++;
    if (!is_map && c->depth >= 2) {
        struct frame *up = &c->st[c->depth - 2];
        /* a list takes its owner's key for its scalar items */
        if (up->is_map && up->key) {
            f->key = strdup(up->key);
            f->key_line = up->key_line;
        } else if (!up->is_map && up->key) {
            f->key = strdup(up->key);
        }
    }
    return 0;
}

static void pop(struct yctx *c)
{
    if (!c->depth)
        return;
    free(c->st[--c->depth].key);
    if (c->depth) {
        struct frame *up = &c->st[c->depth - 1];
        if (up->is_map) {
            free(up->key);
            up->key = NULL;
            up->want_key = 1;
        }
    }
}

static int scalar(struct yctx *c, const char *v, size_t vn, unsigned line, struct ob_cfg_file *out)
{
    if (!c->depth)
        return 0; /* a document that is one scalar: nothing to key it by */
    struct frame *f = &c->st[c->depth - 1];
    char sec[1024];
    if (f->is_map && f->want_key) {
        free(f->key);
        f->key = strndup(v, vn);
        f->key_line = line;
        f->want_key = 0;
        return f->key ? 0 : -1;
    }
    path_of(c, sec, sizeof sec);
    if (f->is_map) {
        /* the section is the path of keys above this mapping */
        int rc = ob_cfg_file_add(out, f->key_line, f->scope, sec, f->key, strlen(f->key), v, vn);
        free(f->key);
        f->key = NULL;
        f->want_key = 1;
        return rc;
    }
    if (!f->key)
        return 0;
    /* a list item: the section is the path above the list's owner */
    char *slash = strrchr(sec, '/');
    if (slash)
        *slash = '\0';
    else
        sec[0] = '\0';
    return ob_cfg_file_add(out, line, f->scope, sec, f->key, strlen(f->key), v, vn);
}

int ob__cfg_parse_yaml(const char *buf, size_t len, struct ob_cfg_file *out, char *err,
                       size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "0: out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    struct yctx *c = calloc(1, sizeof *c);
    int rc = c ? 0 : -1, done = 0;
    if (!c)
        snprintf(err, errlen, "0: out of memory");
    while (rc == 0 && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            snprintf(err, errlen, "%zu: %s%s%s", p.problem_mark.line + 1,
                     p.problem ? p.problem : "not YAML", p.context ? " " : "",
                     p.context ? p.context : "");
            rc = -1;
            break;
        }
        unsigned line = (unsigned)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
            struct frame *up = c->depth ? &c->st[c->depth - 1] : NULL;
            if (up && up->is_map && up->want_key) {
                /* a mapping or list used as a key: read it, key it by nothing */
                up->want_key = 0;
                free(up->key);
                up->key = strdup("?");
            }
            rc = push(c, ev.type == YAML_MAPPING_START_EVENT, line, err, errlen);
            break;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            pop(c);
            break;
        case YAML_SCALAR_EVENT:
            rc = scalar(c, (const char *)ev.data.scalar.value, ev.data.scalar.length, line, out);
            if (rc < 0)
                snprintf(err, errlen, "%u: out of memory", line);
            break;
        case YAML_ALIAS_EVENT:
            rc = scalar(c, "*", 1, line, out);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (c)
        while (c->depth)
            pop(c);
    free(c);
    yaml_parser_delete(&p);
    return rc;
}

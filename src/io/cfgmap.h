/* cfgmap.h - config maps: a settings struct described once, as a table of
 * {key, type, offset, default, help}, from which one engine fills it from
 * a YAML mapping (libyaml's document API, so every error has its line),
 * applies the defaults, frees it, and prints the reference that
 * `opsbox serve --help-config` is to show. A key is written in one place;
 * a key that is in no table is an error that names the nearest one.
 * (The idea is Fluent Bit's config_map; see docs/architecture.md.) */
#ifndef OB_IO_CFGMAP_H
#define OB_IO_CFGMAP_H

#include <stddef.h>

#include "core/buf.h"

struct yaml_document_s;
struct yaml_node_s;

/* A label (name, value), as LABELS fields hold them. */
struct ob_label_pair {
    char *name, *value;
};

enum ob_cfg_type {
    OB_CFG_END = 0,   /* ends a table */
    OB_CFG_STRING,    /* char * */
    OB_CFG_STRINGS,   /* char **, count: size_t */
    OB_CFG_BOOL,      /* int: true/yes, false/no */
    OB_CFG_COUNT,     /* long, 0..max */
    OB_CFG_DURATION,  /* double seconds, from 15s, 1m30s, 500ms; more than 0 */
    OB_CFG_FRACTION,  /* double from 0 to 1 */
    OB_CFG_MEMORY,    /* double GiB, from 32G, 512M, 1T */
    OB_CFG_LABELS,    /* struct ob_label_pair *, count: size_t */
    OB_CFG_SECTION,   /* a struct at offset, described by sub */
    OB_CFG_LIST,      /* an array of sub->size structs, count: size_t */
};

enum {
    OB_CFG_OPEN = 1,         /* FRACTION: 0 and 1 themselves excluded */
    OB_CFG_ZERO = 2,         /* DURATION: "0" is allowed (none) */
    OB_CFG_ZERO_DEFAULT = 4, /* COUNT: 0 means the default */
    OB_CFG_DERIVED = 8,      /* not a key: filled by the map's finish, freed from here */
    OB_CFG_EMPTY = 16,       /* SECTION: an empty value is the section with its defaults */
    OB_CFG_PRESENT = 32,     /* SECTION: count is the offset of an int set to 1 when the key is there */
    OB_CFG_BARE = 64,        /* SECTION, LIST: errors name its keys without its path
                                (Prometheus's scrape_configs keys are known by themselves) */
    OB_CFG_UNSET = 128,      /* FRACTION: the default is NaN, "not set here" */
    OB_CFG_DEF_NOTE = 256,   /* def is shown in the reference, not applied (finish derives it) */
};

struct ob_cfgmap;

struct ob_cfgmap_entry {
    const char *key;
    enum ob_cfg_type type;
    size_t offset;               /* of the field in the settings struct */
    size_t count;                /* STRINGS, LABELS, LIST: offset of the size_t count */
    const char *def;             /* the default, as it would be written; NULL: none (zero) */
    const char *help;
    unsigned flags;
    long max;                    /* COUNT */
    const struct ob_cfgmap *sub; /* SECTION, LIST */
    /* STRING, STRINGS (each item): NULL when value is fine, else what is
     * wrong with it ("is not host:port"). */
    const char *(*check)(const char *value);
};

struct ob_cfgmap {
    const struct ob_cfgmap_entry *entries; /* ends with a zeroed entry */
    size_t size;                           /* of the struct (a LIST's items) */
    /* The entries of base come first, as if written in this table: the
     * daemon's map is to add the parts' sections to the config's own keys. */
    const struct ob_cfgmap *base;
    /* After the keys of one mapping: checks that span keys, and derived
     * fields. obj is the struct filled, root the outermost one. 0, or -1
     * with why ("job_name is required"). */
    int (*finish)(void *obj, void *root, char *why, size_t cap);
};

/* Sets every field of obj (zeroed by the caller) to its default,
 * sections within included. 0, or -1 when memory ran out. */
int ob_cfgmap_defaults(const struct ob_cfgmap *m, void *obj);

/* Fills obj (its defaults already applied) from mapping n of doc; root
 * is passed to finish (NULL: obj), file names the file in errors, path the
 * section (NULL at the top). 0, or -1 with "FILE:LINE: PATH.KEY: what is
 * wrong" in err; obj may then be partly filled: free it. */
int ob_cfgmap_fill(const struct ob_cfgmap *m, void *obj, void *root, struct yaml_document_s *doc,
                   struct yaml_node_s *n, const char *file, const char *path, char *err,
                   size_t errlen);

/* Frees what the fields of obj hold (not obj itself); zero-filled or
 * partly filled structs are fine. */
void ob_cfgmap_free(const struct ob_cfgmap *m, void *obj);

/* Appends the reference of every key: one line each, "path type default
 * help", lists as path[].key. */
void ob_cfgmap_help(const struct ob_cfgmap *m, const char *path, struct ob_buf *out);

/* The key of m (and its base) nearest to key by edit distance, or NULL. */
const char *ob_cfgmap_nearest(const struct ob_cfgmap *m, const char *key);

/* Prometheus durations: "15s", "1m30s", "500ms", "2h", "1d". -1 if bad. */
double ob_parse_duration(const char *s);

#endif

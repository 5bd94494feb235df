/* config.h - configuration file analysis: learn what the settings of one
 * program look like from a corpus of its files, then point at the entries of
 * another file that break what was learned, with the evidence and how many
 * files agree.
 *
 * The library never reads files: the readers in src/io/cfgread.h turn a
 * file of any dialect (INI, Apache, key=value, YAML, XML) into the same flat
 * list of entries (line, section path, key, value), and everything here works
 * on those lists. Nothing here knows a key name or a program: every rule is
 * learned from the corpus. The model is a JSON document (jansson), versioned,
 * so it can be committed beside the files it describes. */
#ifndef OB_CONFIG_ANALYSIS_H
#define OB_CONFIG_ANALYSIS_H

#include <stddef.h>

struct json_t;

/* One setting as written. key is normalised (case folded, '-' = '_') so
 * that spellings a program treats alike count alike; raw_key is as written.
 * value is NULL for a bare flag ("skip-name-resolve"). section is the path
 * of enclosing sections or blocks, '/'-joined and lower case ("" at the top,
 * "mysqld", "virtualhost/directory"). scope numbers the block instance the
 * entry sits in (entries of one [section] of an INI file, or of one
 * <Directory> block, share it): co-occurrence rules hold within a scope. */
struct ob_cfg_entry {
    unsigned line;
    unsigned scope;
    char *section;
    char *key;
    char *raw_key;
    char *value;
};

/* The entries of one file, in file order. All strings are owned.
 * warning is the first problem a reader read past ("line: what"), such as
 * a block never closed, with nwarnings counting them all; NULL if none. */
struct ob_cfg_file {
    char *name;
    struct ob_cfg_entry *e;
    size_t n, cap;
    char *warning;
    unsigned nwarnings;
};

void ob_cfg_file_init(struct ob_cfg_file *f, const char *name);
/* Appends an entry (copies the strings; value may be NULL; raw_key is
 * normalised into key). 0, or -1 when memory ran out. */
int ob_cfg_file_add(struct ob_cfg_file *f, unsigned line, unsigned scope, const char *section,
                    const char *raw_key, size_t klen, const char *value, size_t vlen);
void ob_cfg_file_clear(struct ob_cfg_file *f);
/* Notes a problem read past (the first is kept). */
void ob_cfg_file_warn(struct ob_cfg_file *f, const char *msg);
/* The normalised form of a key into out (lower case, '-' and '_' alike). */
void ob_cfg_norm_key(const char *raw, size_t len, char *out, size_t outlen);

/* ---- learning ---- */

struct ob_cfg_learner;

struct ob_cfg_learner *ob_cfg_learner_new(void);
void ob_cfg_learner_free(struct ob_cfg_learner *l);
/* Adds one file of the corpus. 0, or -1 when memory ran out. */
int ob_cfg_learn(struct ob_cfg_learner *l, const struct ob_cfg_file *f);

/* What a model holds, for the few lines `learn` prints. */
struct ob_cfg_summary {
    size_t files, entries, keys, sections;
    size_t typed, ranged, placed, cooccur, relations;
};

/* The model (new; free with ob_cfg_model_free), or NULL when memory ran
 * out. The learner can still take files afterwards. */
struct ob_cfg_model *ob_cfg_learner_model(struct ob_cfg_learner *l);

/* ---- the model ---- */

struct ob_cfg_model;

void ob_cfg_model_free(struct ob_cfg_model *m);
void ob_cfg_model_summary(const struct ob_cfg_model *m, struct ob_cfg_summary *s);
/* The model as JSON text (new, free()), or NULL. */
char *ob_cfg_model_dump(const struct ob_cfg_model *m);
/* Reads a dumped model back; NULL with a message in err when the text is
 * not a model of this version. */
struct ob_cfg_model *ob_cfg_model_load(const char *text, size_t len, char *err, size_t errlen);

/* ---- checking ---- */

enum ob_cfg_class {
    OB_CFG_TYPO,
    OB_CFG_TYPE,
    OB_CFG_RANGE,
    OB_CFG_MISPLACED,
    OB_CFG_MISSING,
    OB_CFG_RELATION,
};
const char *ob_cfg_class_name(enum ob_cfg_class c);

/* One broken rule. line is 0 for a missing entry; key then names the entry
 * that should be there (its usual spelling) and section where. confidence
 * is the share of agreeing files (0..1), support how many files the rule
 * rests on; findings are ranked by both. evidence says it in words. */
struct ob_cfg_finding {
    enum ob_cfg_class cls;
    unsigned line;
    char *section;
    char *key;
    double confidence;
    unsigned support;
    char *evidence;
};

struct ob_cfg_findings {
    struct ob_cfg_finding *f;
    size_t n, cap;
};

/* Checks one file: appends its findings, most certain first, at most one
 * per entry. 0, or -1 when memory ran out. */
int ob_cfg_check(const struct ob_cfg_model *m, const struct ob_cfg_file *f,
                 struct ob_cfg_findings *out);
void ob_cfg_findings_clear(struct ob_cfg_findings *fs);

/* ---- a file that changed ---- */

/* A finding the new version of a file has and the old one had not, with
 * the edit that brought it: diff is the line-diff hunks (unified-diff
 * text, "@@ -3,1 +3,2 @@\n-old\n+new\n") that touch its line, or for a
 * missing entry the lines that held the key; failing those, the hunks in
 * its scope, and failing those every hunk. A finding is the same in both
 * versions when its class, section and key are, wherever its line is:
 * moving lines around brings nothing new. All strings owned. */
struct ob_cfg_change {
    struct ob_cfg_finding f;
    char *diff;
    unsigned nhunks;
};

struct ob_cfg_changes {
    struct ob_cfg_change *c;
    size_t n, cap;
};

/* Checks the new version of a file (new_f, parsed from new_text) against
 * the old one (old_f from old_text; both NULL for a file not seen before:
 * every finding is then new, its diff the whole file) and appends the new
 * findings, most certain first. 0, or -1 when memory ran out. */
int ob_cfg_check_change(const struct ob_cfg_model *m, const char *old_text, size_t old_len,
                        const struct ob_cfg_file *old_f, const char *new_text, size_t new_len,
                        const struct ob_cfg_file *new_f, struct ob_cfg_changes *out);
void ob_cfg_changes_clear(struct ob_cfg_changes *cs);

#endif

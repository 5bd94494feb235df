/* config_int.h - what the learner, the model and the checker share inside
 * src/config: the value kinds a setting can take and the model's layout. */
#ifndef OB_CONFIG_INT_H
#define OB_CONFIG_INT_H

#include "config/config.h"

#include <jansson.h>

#define OB_CFG_MODEL_FORMAT "opsbox-config-model"
#define OB_CFG_MODEL_VERSION 1

/* How much agreement a rule needs before a file is held to it: one set
 * for every program and dialect (tuned on MySQL and Apache httpd corpora,
 * see docs/config.md). */
#define OB_CFG_TYPE_MIN 4        /* a key's values seen at least this often */
#define OB_CFG_RANGE_MIN 4       /* numeric values of a key */
#define OB_CFG_RANGE_FACTOR 8.0  /* no value within a factor F of it ... */
#define OB_CFG_RANGE_OUTLIERS 50 /* ... or one in this many */
#define OB_CFG_PLACE_MIN 8       /* files with the key and the section both */
#define OB_CFG_PLACE_LEAK 0.125  /* keys of the lead section that stray there, at most */
#define OB_CFG_TYPO_MIN 1        /* files with the key a misspelling is close to */
#define OB_CFG_MISS_SUPPORT 10   /* scopes holding the "if" key */
#define OB_CFG_MISS_CONF 0.98   /* Laplace: 48 of 48 scopes */
#define OB_CFG_MISS_LIFT 2.5    /* against the key's rate in the section */
#define OB_CFG_MISS_SPECIFIC 3  /* rules led by one key, at most */
#define OB_CFG_MISS_AGREE 1     /* keys of the file that call for the missing one */
#define OB_CFG_REL_SUPPORT 25
#define OB_CFG_REL_CONF 0.95
#define OB_CFG_REL_TAIL 0.05  /* the broken side: as far out as one value in 20 */

/* The shape of a value, from its text alone. Numbers with a unit are
 * "quantity" whatever the unit (sizes, durations); the unit is kept apart. */
enum ob_cfg_kind {
    K_FLAG,     /* no value at all */
    K_EMPTY,    /* "" */
    K_INT01,    /* 0 or 1: a number or a switch */
    K_INT,
    K_FLOAT,
    K_QUANTITY, /* 64M, 10s, 128kB */
    K_BOOL,     /* on, off, yes, no, true, false, enabled, ... */
    K_IP,
    K_ADDR,     /* host:port */
    K_PATH,
    K_WORD,     /* one token */
    K_TEXT,     /* several */
    K_NKINDS
};

struct ob_cfg_value {
    enum ob_cfg_kind kind;
    double num;      /* the number as written (int, float, quantity) */
    double mag;      /* in base units (bytes, seconds) when the unit is known */
    int mag_known;
    char unit[8];    /* as written, for quantities */
    char token[64];  /* unquoted, lower case, for enums; "" when longer */
};

const char *ob__cfg_kind_name(enum ob_cfg_kind k);
int ob__cfg_kind_from_name(const char *s);
void ob__cfg_classify(const char *value, struct ob_cfg_value *v);
/* The last component of a section path ("virtualhost/directory" ->
 * "directory"): where a key lives, whatever wraps it. */
const char *ob__cfg_leaf_section(const char *section);

/* The model: the JSON document as saved, plus an index of the keys for the
 * spelling search. */
struct ob_cfg_model {
    json_t *root;       /* owned */
    json_t *keys;       /* borrowed from root */
    const char **names; /* known keys, most files first */
    unsigned *files;
    size_t nnames;
    /* per "lead\x01section": [keys of the lead section that files with
     * both sections hold, of those ever seen in the section] (derived at
     * load, not saved) */
    json_t *leak;
};

/* A key's lead section (most of its files have it there), NULL if none;
 * files gets how many. */
const char *ob__cfg_lead_section(json_t *k, unsigned *files);

/* Takes the document (steals root); NULL with err when it is not a model. */
struct ob_cfg_model *ob__cfg_model_wrap(json_t *root, char *err, size_t errlen);

/* Optimal-string-alignment distance between a and b, or cap+1 once above. */
int ob__cfg_distance(const char *a, const char *b, int cap);

#endif

/* logs.h - online log template mining (public interface).
 *
 * Feed messages (the part of a log line after its header) one at a time;
 * each joins a template such as "Received block <*> of size <*>" at once.
 * Templates only generalise; when several turn out to be one template with
 * a parameter, they merge into the oldest, and ob_miner_resolve() maps an
 * id a caller kept to the template it ended up in. Memory grows with the number of templates and
 * distinct token strings, not with the number of lines. No I/O. */
#ifndef OB_LOGS_H
#define OB_LOGS_H

#include <stddef.h>
#include <stdint.h>

struct ob_miner;

struct ob_miner_params {
    /* Share of a template's constant tokens a message must match to join it. */
    double similarity;
};

struct ob_miner_params ob_miner_params_default(void);

/* new: NULL on allocation failure or similarity outside (0, 1]. */
struct ob_miner *ob_miner_new(const struct ob_miner_params *params);
void ob_miner_free(struct ob_miner *m);

/* Adds one message; returns the id (1-based) of the template it joined, or
 * 0 when memory ran out (the miner is unchanged then). Any bytes are fine. */
uint32_t ob_miner_add(struct ob_miner *m, const char *msg, size_t len);

/* The template that id ended up in (id itself unless it merged). */
uint32_t ob_miner_resolve(const struct ob_miner *m, uint32_t id);
/* Number of template ids handed out; they run from 1 to this (merged ones
 * included: see ob_miner_resolve). */
uint32_t ob_miner_templates(const struct ob_miner *m);
/* Messages that joined template id. */
uint64_t ob_miner_template_count(const struct ob_miner *m, uint32_t id);
/* Number of the message (from 1) that created template id: a template
 * first seen after a warm-up is news ("new template" event). */
uint64_t ob_miner_template_first(const struct ob_miner *m, uint32_t id);
/* Messages added so far. */
uint64_t ob_miner_messages(const struct ob_miner *m);
/* Writes the template's text (tokens joined by spaces, "<*>" for a
 * parameter) like snprintf: returns the full length, writes at most cap-1
 * bytes and a NUL. */
size_t ob_miner_template_text(const struct ob_miner *m, uint32_t id, char *buf, size_t cap);
/* Calls fn with each parameter value of msg against template id, in order.
 * Returns the number of parameters. */
int ob_miner_params(const struct ob_miner *m, uint32_t id, const char *msg, size_t len,
                    void (*fn)(void *arg, const char *value, size_t len), void *arg);

/* Saves the whole miner into a new buffer (*out, to free()); returns its
 * size, or 0 on allocation failure. */
size_t ob_miner_save(const struct ob_miner *m, void **out);
/* new: a miner from a buffer written by ob_miner_save, which then assigns
 * every further line exactly as the saved one would have; NULL when the
 * buffer is truncated, corrupt or of another version. */
struct ob_miner *ob_miner_load(const void *buf, size_t len);

#endif

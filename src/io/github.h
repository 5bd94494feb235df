/* github.h - a small GitHub REST client (libcurl): one JSON request, one
 * reply with what a retry policy needs to know. GitHub Enterprise and the
 * test stand-in work by changing the base URL. The token is sent, never
 * logged. */
#ifndef OB_GITHUB_H
#define OB_GITHUB_H

#include <stddef.h>

struct ob_github;

struct ob_github_reply {
    long status;          /* HTTP status; 0 when no answer came */
    char *body;           /* NUL-terminated, malloc'd */
    size_t len;
    double retry_after;   /* seconds the server asked to wait (Retry-After, or
                             X-RateLimit-Reset when none remain); -1 if none */
    char error[256];      /* transport error when status is 0 */
};

struct ob_github *ob_github_new(const char *api_url, const char *token, double timeout_s);
void ob_github_free(struct ob_github *g);

/* METHOD path (with query) and an optional JSON body. Returns 0 when an
 * answer came (any status), -1 on a transport failure (error set). */
int ob_github_call(struct ob_github *g, const char *method, const char *path, const char *json,
                   struct ob_github_reply *r);
void ob_github_reply_free(struct ob_github_reply *r);

#endif

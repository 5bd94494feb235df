/* httpd.h - the daemon's HTTP server (libmicrohttpd, its own thread). The
 * handler builds a whole response; the server only moves bytes. */
#ifndef OB_HTTPD_H
#define OB_HTTPD_H

#include "core/buf.h"

struct ob_httpd;

/* Bodies larger than this are refused with 413 before the handler runs. */
#define OB_HTTP_BODY_MAX ((size_t)32 << 20)

struct ob_http_request {
    const char *method, *path;
    const char *body;            /* the request body (NUL-terminated), or "" */
    size_t body_len;
    const char *authorization;   /* the Authorization header, or NULL */
    const char *content_type;    /* the Content-Type header, or NULL */
    void *conn;                  /* for ob_http_query */
};

/* A query-string argument of the request, or NULL. */
const char *ob_http_query(const struct ob_http_request *req, const char *name);

/* Fills body and *content_type (static string) for the request; returns the
 * HTTP status. Runs on the connection's own thread: handlers may block
 * (the alert receiver waits for its commit) without stalling the others. */
typedef int (*ob_http_handler)(void *arg, const struct ob_http_request *req, struct ob_buf *body,
                               const char **content_type);

struct ob_webconfig;

/* Listens on "host:port" (IPv4 address or "localhost"; port 0 picks one),
 * with TLS and basic auth on every request when web (io/webconfig.h) says
 * so (NULL: plain HTTP, open). NULL with a message in err on failure. */
struct ob_httpd *ob_httpd_start(const char *listen, ob_http_handler h, void *arg,
                                const struct ob_webconfig *web, char *err, size_t errlen);
/* The port actually bound. */
int ob_httpd_port(const struct ob_httpd *d);
void ob_httpd_stop(struct ob_httpd *d);

#endif

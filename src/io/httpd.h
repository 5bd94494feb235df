/* httpd.h - the daemon's HTTP server (libmicrohttpd, its own thread). The
 * handler builds a whole response; the server only moves bytes. */
#ifndef OB_HTTPD_H
#define OB_HTTPD_H

#include "core/buf.h"

struct ob_httpd;

/* Fills body and *content_type (static string) for method and path; returns
 * the HTTP status. Runs on the server's thread. */
typedef int (*ob_http_handler)(void *arg, const char *method, const char *path,
                               struct ob_buf *body, const char **content_type);

/* Listens on "host:port" (IPv4 address or "localhost"; port 0 picks one).
 * NULL with a message in err on failure. */
struct ob_httpd *ob_httpd_start(const char *listen, ob_http_handler h, void *arg, char *err,
                                size_t errlen);
/* The port actually bound. */
int ob_httpd_port(const struct ob_httpd *d);
void ob_httpd_stop(struct ob_httpd *d);

#endif

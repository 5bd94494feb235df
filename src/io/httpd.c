/* httpd.c - libmicrohttpd glue: parse the listen address, run the handler,
 * hand its buffer to MHD (which frees it), nothing else. */
#include "io/httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ob_httpd {
    struct MHD_Daemon *mhd;
    ob_http_handler handler;
    void *arg;
    int port;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload;
    struct ob_httpd *d = cls;
    if (*state == NULL) { /* first call: headers only; answer on the next */
        *state = d;
        return MHD_YES;
    }
    *upload_size = 0; /* bodies are not read by any endpoint yet */
    struct ob_buf body = {0};
    const char *type = "text/plain; charset=utf-8";
    int status = d->handler(d->arg, method, url, &body, &type);
    if (body.failed) {
        free(body.p);
        body = (struct ob_buf){0};
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(body.len, body.p ? (void *)body.p : (void *)"",
                                                             body.p ? MHD_RESPMEM_MUST_FREE
                                                                    : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body.p);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, char *err, size_t errlen)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        snprintf(err, errlen, "listen '%s': expected host:port", listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    if (*end || port < 0 || port > 65535 || !colon[1] ||
        inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1) {
        snprintf(err, errlen, "listen '%s': expected an IPv4 address and a port", listen);
        return -1;
    }
    return 0;
}

struct ob_httpd *ob_httpd_start(const char *listen, ob_http_handler h, void *arg, char *err,
                                size_t errlen)
{
    struct sockaddr_in sa;
    if (parse_listen(listen, &sa, err, errlen) < 0)
        return NULL;
    struct ob_httpd *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->handler = h;
    d->arg = arg;
    d->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                              on_request, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
    if (!d->mhd) {
        snprintf(err, errlen, "listen '%s': cannot bind (in use, or not an address here?)", listen);
        free(d);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
    d->port = info ? info->port : ntohs(sa.sin_port);
    return d;
}

int ob_httpd_port(const struct ob_httpd *d)
{
    return d->port;
}

void ob_httpd_stop(struct ob_httpd *d)
{
    if (!d)
        return;
    MHD_stop_daemon(d->mhd);
    free(d);
}

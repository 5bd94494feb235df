/* httpd.c - libmicrohttpd glue: parse the listen address, gather the
 * request body, run the handler, hand its buffer to MHD (which frees it).
 * A thread per connection, because the alert receiver answers only once
 * its alerts are on disk, and /metrics must not wait behind that. */
#include "io/httpd.h"
#include "io/webconfig.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <strings.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define AUTH_CACHE 64 /* logins verified recently: bcrypt costs ~0.2 s a check */

struct ob_httpd {
    struct MHD_Daemon *mhd;
    ob_http_handler handler;
    void *arg;
    int port;
    const struct ob_webconfig *web;
    pthread_mutex_t mu;
    unsigned char cache[AUTH_CACHE][32]; /* SHA-256 of "user:password" */
    unsigned ncache, next;
};

/* Basic auth against the bcrypt hashes of the web config. */
static int authorized(struct ob_httpd *d, const char *authz)
{
    if (!authz || strncasecmp(authz, "Basic ", 6))
        return 0;
    const char *b64 = authz + 6;
    size_t n = strlen(b64);
    unsigned char plain[1024];
    if (n == 0 || n > 4 * (sizeof plain / 3) - 4 || n % 4)
        return 0;
    int len = EVP_DecodeBlock(plain, (const unsigned char *)b64, (int)n);
    if (len < 0)
        return 0;
    while (len > 0 && n > 0 && b64[--n] == '=') /* EVP_DecodeBlock counts the padding */
        len--;
    plain[len] = '\0';
    char *colon = memchr(plain, ':', (size_t)len);
    if (!colon)
        return 0;
    unsigned char digest[32];
    SHA256(plain, (size_t)len, digest);
    pthread_mutex_lock(&d->mu);
    for (unsigned i = 0; i < d->ncache; i++)
        if (!CRYPTO_memcmp(d->cache[i], digest, 32)) {
            pthread_mutex_unlock(&d->mu);
            return 1;
        }
    pthread_mutex_unlock(&d->mu);
    *colon = '\0';
    const char *user = (const char *)plain, *pass = colon + 1;
    int ok = 0;
    for (size_t i = 0; i < d->web->nusers && !ok; i++) {
        if (strcmp(d->web->users[i], user))
            continue;
        struct crypt_data cd;
        memset(&cd, 0, sizeof cd);
        const char *h = crypt_r(pass, d->web->hashes[i], &cd);
        ok = h && strlen(h) == strlen(d->web->hashes[i]) && !CRYPTO_memcmp(h, d->web->hashes[i], strlen(h));
    }
    if (ok) {
        pthread_mutex_lock(&d->mu);
        memcpy(d->cache[d->next], digest, 32);
        d->next = (d->next + 1) % AUTH_CACHE;
        if (d->ncache < AUTH_CACHE)
            d->ncache++;
        pthread_mutex_unlock(&d->mu);
    }
    memset(plain, 0, sizeof plain);
    return ok;
}

/* Per request: the body as it arrives. */
struct upload {
    struct ob_buf in;
    int too_large;
};

static enum MHD_Result answer(struct MHD_Connection *conn, int status, struct ob_buf body,
                              const char *type)
{
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

const char *ob_http_query(const struct ob_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    struct ob_httpd *d = cls;
    struct upload *up = *state;
    if (!up) { /* first call: headers only */
        if (!(up = calloc(1, sizeof *up)))
            return MHD_NO;
        *state = up;
        return MHD_YES;
    }
    if (*upload_size) { /* more of the body */
        if (up->in.len + *upload_size > OB_HTTP_BODY_MAX)
            up->too_large = 1;
        else
            ob_buf_put(&up->in, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    struct ob_buf body = {0};
    if (d->web && d->web->nusers &&
        !authorized(d, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"))) {
        struct MHD_Response *r = MHD_create_response_from_buffer(13, (void *)"unauthorized\n", MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, "WWW-Authenticate", "Basic realm=\"opsbox\"");
        enum MHD_Result ret = MHD_queue_response(conn, 401, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (up->too_large || up->in.failed) {
        ob_buf_put(&body, "request body too large\n", 23);
        return answer(conn, 413, body, "text/plain; charset=utf-8");
    }
    ob_buf_put(&up->in, "", 1); /* NUL-terminated for the handlers' convenience */
    struct ob_http_request req = {
        .method = method,
        .path = url,
        .body = up->in.p ? (const char *)up->in.p : "",
        .body_len = up->in.len ? up->in.len - 1 : 0,
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"),
        .conn = conn,
    };
    const char *type = "text/plain; charset=utf-8";
    int status = d->handler(d->arg, &req, &body, &type);
    return answer(conn, status, body, type);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    struct upload *up = *state;
    if (up) {
        free(up->in.p);
        free(up);
        *state = NULL;
    }
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

struct ob_httpd *ob_httpd_start(const char *listen, ob_http_handler h, void *arg,
                                const struct ob_webconfig *web, char *err, size_t errlen)
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
    d->web = web;
    pthread_mutex_init(&d->mu, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (web && web->cert_pem)
        d->mhd = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR,
                                  (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, d, MHD_OPTION_HTTPS_MEM_KEY,
                                  web->key_pem, MHD_OPTION_HTTPS_MEM_CERT, web->cert_pem, MHD_OPTION_END);
    else
        d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR,
                                  (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, d, MHD_OPTION_END);
    if (!d->mhd) {
        snprintf(err, errlen, "listen '%s': cannot start (in use, not an address here, or a bad TLS key/cert?)",
                 listen);
        pthread_mutex_destroy(&d->mu);
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
    pthread_mutex_destroy(&d->mu);
    free(d);
}

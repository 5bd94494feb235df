/* webconfig.h - Prometheus's web configuration file (the exporter-toolkit
 * format, `--web.config.file`): TLS for the server and basic auth users
 * with bcrypt hashes, on every endpoint.
 *
 *   tls_server_config: {cert_file: server.crt, key_file: server.key}
 *   basic_auth_users: {alice: $2b$12$...}
 */
#ifndef OB_WEBCONFIG_H
#define OB_WEBCONFIG_H

#include <stddef.h>

struct ob_webconfig {
    char *cert_pem, *key_pem;  /* the files' contents, or NULL (no TLS) */
    char **users, **hashes;    /* bcrypt hashes */
    size_t nusers;
};

/* Reads path (and the files it names, relative to its folder). NULL with
 * "PATH:LINE: what" in err. */
struct ob_webconfig *ob_webconfig_load(const char *path, char *err, size_t errlen);
void ob_webconfig_free(struct ob_webconfig *w);

#endif

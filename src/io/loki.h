/* loki.h - Loki's push API body (POST /loki/api/v1/push), JSON form:
 *
 *   {"streams": [{"stream": {"job": "app", ...},
 *                 "values": [["<unix epoch in nanoseconds>", "<line>"], ...]}]}
 *
 * decoded whole before anything is used, so a bad body is refused without
 * half of it applied. The protobuf + snappy form gives the same. */
#ifndef OB_LOKI_H
#define OB_LOKI_H

#include "alerts/alerts.h" /* struct ob_kv */

#include <stddef.h>

struct ob_loki_entry {
    double ts;          /* unix seconds */
    const char *line;   /* borrowed from the decoded document */
    size_t len;
};

struct ob_loki_stream {
    struct ob_kv *labels; /* sorted by name */
    size_t nlabels;
    struct ob_loki_entry *entries;
    size_t nentries;
};

struct ob_loki_push {
    struct ob_loki_stream *streams;
    size_t nstreams, nentries;
    char **copies;      /* JSON: lines that had escapes, unescaped; the
                           others point into the body, which must outlive p */
    size_t ncopies;
    void *proto;        /* protobuf: the decoded PushRequest, owning the lines */
};

/* 0, or -1 with "where: what" in err ("streams[1].values[0][0]: expected a
 * string of nanoseconds") and *p empty. */
int ob_loki_decode(const void *body, size_t len, struct ob_loki_push *p, char *err, size_t errlen);
/* The protobuf form: snappy-compressed PushRequest (Content-Type
 * application/x-protobuf), labels as one string {job="app", ...}. */
int ob_loki_decode_proto(const void *body, size_t len, struct ob_loki_push *p, char *err, size_t errlen);
void ob_loki_free(struct ob_loki_push *p);

#endif

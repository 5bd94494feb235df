/* store_int.h - (private to src/io/store*.c) the store's handle, shared by
 * store.c (open, migrations, models) and store_incidents.c. */
#ifndef OB_STORE_INT_H
#define OB_STORE_INT_H

#include "io/store.h"

#include <sqlite3.h>

enum store_stmt {
    ST_PUT_INCIDENT,
    ST_PUT_MEMBER,
    ST_ADD_TIMELINE,
    ST_ADD_OUTBOX,
    ST_LIVE_INCIDENTS,
    ST_RECENT_INCIDENTS,
    ST_ONE_INCIDENT,
    ST_MEMBERS_OF,
    ST_TIMELINE_OF,
    ST_NEXT_OUTBOX,
    ST_OUTBOX_ATTEMPT,
    ST_OUTBOX_DONE,
    ST_SET_ISSUE,
    ST_OUTBOX_PENDING,
    ST_PUT_BLOB,
    ST_GET_BLOB,
    ST_COUNT
};

struct ob_store {
    sqlite3 *db;
    sqlite3_stmt *put_model, *each_model;
    sqlite3_stmt *stmt[ST_COUNT]; /* prepared on first use */
    char error[256];
};

/* Records sqlite's message after what; returns -1. */
int ob__store_fail(struct ob_store *s, const char *what);
int ob__store_exec(struct ob_store *s, const char *sql);

#endif

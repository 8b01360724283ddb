/*
 * s3api — the S3 protocol: routing a request to an operation,
 * authenticating it, running it against the store, answering in S3's XML.
 *
 * The server hands every request that is not a health probe to
 * s3api_handle.  s3api never touches files or LMDB: everything goes
 * through storage/store.h.
 */
#ifndef CAIRN_S3API_H
#define CAIRN_S3API_H

#include "../server/http.h"
#include "../iam/iam.h"
#include "../storage/store.h"

typedef struct s3api_config {
    store *store;
    const char *region;        /* "us-east-1" */
    const char *domain;        /* virtual-host base domain, or NULL */
    const char *access_key;    /* root credentials */
    const char *secret_key;
    iam *iam;                  /* every identity, root included */
} s3api_config;

typedef struct s3api s3api;

s3api *s3api_new(const s3api_config *cfg);
void s3api_free(s3api *api);
void s3api_handle(s3api *api, http_exchange *ex);
/* A request whose caller another front door (the console's session)
 * already authenticated: path is the raw "/bucket/key" it names (the
 * front door's own prefix removed), access_key the caller.  It is routed
 * and authorized exactly like a signed request by that key; its body is
 * taken as unsigned (TLS or the session protects it). */
void s3api_handle_as(s3api *api, http_exchange *ex, const char *path, const char *access_key);

#endif

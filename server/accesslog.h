/*
 * accesslog — one JSON line per request: time, request id, remote address,
 * user, API name, bucket, key, method, path, status, bytes in and out,
 * time to first byte and duration.
 *
 * Lines go to stdout or to a file (--log-file / CAIRN_LOG_FILE, opened for
 * append).  They are gathered in a buffer and written once per loop
 * iteration (a uv_check handle), or as soon as the buffer passes 64 KiB:
 * one write(2) for many requests, never a write per request.
 *
 * Nothing secret is logged: no headers at all, and the query string loses
 * X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token and the SigV2
 * Signature / AWSAccessKeyId parameters (presigned URLs are logged without
 * what would let anyone replay them).
 */
#ifndef CAIRN_ACCESSLOG_H
#define CAIRN_ACCESSLOG_H

#include <uv.h>

#include "http.h"

typedef struct accesslog accesslog;

/* path NULL: stdout.  Returns NULL (with a message printed) if the file
 * cannot be opened. */
accesslog *accesslog_open(uv_loop_t *loop, const char *path, int enabled);
void accesslog_set_enabled(accesslog *l, int enabled);
int accesslog_enabled(const accesslog *l);
void accesslog_write(accesslog *l, http_exchange *ex);
void accesslog_flush(accesslog *l);
/* Opens the log file again (after logrotate moved it; SIGHUP): lines from
 * now on go to a file of that name.  0, or -errno with the old file kept. */
int accesslog_reopen(accesslog *l);
/* Flushes, closes the file and the loop handle; frees once closed. */
void accesslog_close(accesslog *l);

/* The query string without credentials or signatures, into out (cap
 * bytes, NUL included; truncated if longer). */
void accesslog_redact_query(const char *query, char *out, size_t cap);

#endif

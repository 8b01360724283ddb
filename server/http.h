/*
 * http — HTTP/1.1 connections on libuv, parsed by llhttp.
 *
 * Owns: the listening socket, connections, request-head parsing with its
 * bounds (URL 8 KiB -> 414, header block 16 KiB -> 431), keep-alive and
 * pipelining (one exchange at a time per connection, later requests wait in
 * the connection's buffer), Expect: 100-continue, chunked bodies both ways,
 * read backpressure (a body sink can pause the socket), write completion
 * callbacks (so a producer can wait for the client), idle and slow-request
 * timeouts, the connection limit, and graceful shutdown.
 *
 * Does not know S3: each request head is handed to the server's
 * http_request_cb, which answers through the http_* response calls.  The
 * only bodies this module writes itself are the S3-shaped XML errors for
 * requests that never reached a handler (malformed, oversized, timed out).
 *
 * Memory: each exchange has an arena (freed when the exchange ends); the
 * body a handler streams is its own, bounded by what it reads before it
 * pauses.  A handler that starts asynchronous work holds the exchange
 * (http_hold) and releases it when its callback has run, so a client that
 * disconnects mid-request never frees memory a worker still uses.
 */
#ifndef CAIRN_HTTP_H
#define CAIRN_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../common/arena.h"

enum {
    HTTP_MAX_URL = 8 * 1024,
    HTTP_MAX_HEADER_BLOCK = 16 * 1024,
    HTTP_MAX_HEADERS = 128,
    HTTP_READ_BUFFER = 64 * 1024,
};

typedef struct http_server http_server;
typedef struct http_exchange http_exchange;

typedef struct http_header {
    const char *name;   /* lower-cased */
    const char *value;  /* as received, leading/trailing blanks trimmed */
} http_header;

typedef struct http_request {
    const char *method;
    const char *target;       /* raw request-target */
    const char *path;         /* raw (percent-encoded) path, no query */
    const char *query;        /* raw text after '?', "" when absent */
    http_header *headers;
    size_t n_headers;
    int64_t content_length;   /* -1 when the body is chunked or absent */
    int has_body;             /* Content-Length > 0 or chunked */
    int chunked;
    int expect_continue;
    const char *remote_addr;
} http_request;

/* Body delivery.  on_data must take every byte it is given; it returns
 * nonzero to ask the connection to stop reading until http_resume_body.
 * buffer (optional) offers where the next bytes of a Content-Length body
 * may be read straight from the socket, up to *cap bytes; on_data is then
 * called with that address.  NULL: the connection's own buffer. */
typedef struct http_body_sink {
    int (*on_data)(http_exchange *ex, const char *p, size_t n);
    void (*on_end)(http_exchange *ex);
    char *(*buffer)(http_exchange *ex, size_t *cap);
} http_body_sink;

typedef void (*http_request_cb)(http_exchange *ex);
typedef void (*http_write_cb)(http_exchange *ex, int status, void *arg);
typedef void (*http_abort_cb)(http_exchange *ex);

typedef struct http_limits {
    int max_connections;
    uint64_t idle_timeout_ms;     /* keep-alive connection with no request */
    uint64_t header_timeout_ms;   /* from first byte to complete head */
    uint64_t body_timeout_ms;     /* no body progress while we are reading */
    uint64_t drain_limit;         /* unread body we discard to keep the connection */
} http_limits;

http_server *http_server_new(uv_loop_t *loop, const http_limits *limits,
                             http_request_cb on_request, void *user);
/* host "" or NULL binds all addresses. Returns 0 or a uv error. */
int http_server_listen(http_server *s, const char *host, int port);
int http_server_port(const http_server *s);
/* Stop accepting; close idle connections; calls done when every connection
 * is closed or after grace_ms, whichever comes first. */
void http_server_shutdown(http_server *s, uint64_t grace_ms, void (*done)(http_server *));
void http_server_free(http_server *s);
void *http_server_user(const http_server *s);
int http_server_connections(const http_server *s);

/* Exchange accessors. */
const http_request *http_req(const http_exchange *ex);
arena *http_arena(http_exchange *ex);
const char *http_request_id(const http_exchange *ex);
const char *http_header_get(const http_exchange *ex, const char *lower_name);
http_server *http_exchange_server(const http_exchange *ex);
void http_set_user(http_exchange *ex, void *user);
void *http_get_user(const http_exchange *ex);
uint64_t http_exchange_start_ns(const http_exchange *ex);

/* Request body.  Accepting sends "100 Continue" when the client asked. */
void http_accept_body(http_exchange *ex, const http_body_sink *sink);
void http_pause_body(http_exchange *ex);
void http_resume_body(http_exchange *ex);
void http_on_abort(http_exchange *ex, http_abort_cb cb);
int http_is_aborted(const http_exchange *ex);
void http_hold(http_exchange *ex);
void http_release(http_exchange *ex);

/* Response.  Headers are added before http_send_head; content_length -1
 * selects chunked encoding.  Body buffers must stay valid until their
 * callback (arena memory always does).  HEAD responses send no body bytes
 * whatever the handler passes. */
void http_add_header(http_exchange *ex, const char *name, const char *value);
void http_send_head(http_exchange *ex, int status, int64_t content_length);
void http_send_body(http_exchange *ex, const void *p, size_t n, http_write_cb cb, void *arg);
void http_finish(http_exchange *ex);
/* Whole response in one call; body copied into the arena if not there. */
void http_respond(http_exchange *ex, int status, const char *content_type,
                  const void *body, size_t n);
int http_response_started(const http_exchange *ex);
int http_response_status(const http_exchange *ex);
/* The connection will close after this response (errors that leave the
 * request stream in an unknown state). */
void http_close_after(http_exchange *ex);

/* What the request was, for access logs and metrics: the S3 API name
 * ("PutObject"), bucket, key and user (access key).  Strings must live as
 * long as the exchange (arena or static). */
typedef struct http_log_fields {
    const char *api;
    const char *bucket;
    const char *key;
    const char *user;
} http_log_fields;
void http_set_log_fields(http_exchange *ex, const http_log_fields *f);
const http_log_fields *http_log_fields_of(const http_exchange *ex);

/* Bytes actually received in the body and sent in the response. */
uint64_t http_body_bytes_in(const http_exchange *ex);
uint64_t http_body_bytes_out(const http_exchange *ex);
/* uv_hrtime() when the response head was queued; 0 before that. */
uint64_t http_exchange_head_ns(const http_exchange *ex);
/* 1 when the whole response was queued (http_finish ran). */
int http_exchange_finished(const http_exchange *ex);
/* 1 when the request reached the server's request callback (0 for the
 * ones this module refused itself: malformed, oversized, over the limit). */
int http_exchange_dispatched(const http_exchange *ex);

/* Called once for every exchange when its connection lets go of it:
 * answered, refused by this module (malformed, oversized, timed out, over
 * the connection limit), or abandoned by the client.  The access log and
 * the metrics are fed from here; it runs on the loop thread and must be
 * cheap.  The exchange's fields are all still readable. */
typedef void (*http_done_cb)(http_exchange *ex, void *arg);
void http_server_on_done(http_server *s, http_done_cb cb, void *arg);
/* Exchanges created and not yet let go of (requests in flight). */
int http_server_inflight(const http_server *s);

/* TLS: connections accepted from now on speak TLS with ctx (an OpenSSL
 * SSL_CTX *, reference taken; NULL: plain HTTP again).  Connections
 * already open keep theirs.  The record layer runs on two memory BIOs per
 * connection: ciphertext from the socket is decrypted into the same
 * 64 KiB request buffer the plain path reads into, and every response
 * write is encrypted into one buffer handed to uv_write, whose completion
 * is the write callback as before (backpressure unchanged). */
typedef struct ssl_ctx_st SSL_CTX;
int http_server_set_tls(http_server *s, SSL_CTX *ctx);
int http_server_is_tls(const http_server *s);

const char *http_status_text(int status);

#endif

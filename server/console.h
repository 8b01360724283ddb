/*
 * console — the operators' web console on its own listener
 * (--console-address, default :9001): the front door that turns a browser
 * session into calls on the S3 and admin handlers.
 *
 * Owns: the console's HTTP listener, the embedded static assets
 * (console/assets.h) with their Content-Type, ETag and security headers
 * (CSP default-src 'self', nosniff, frame DENY, no referrer), the login
 * with its rate limit, the session table and cookie, the CSRF token, and
 * the console's JSON API:
 *
 *   POST /api/login      {"accessKey","secretKey"} (JSON or form) -> cookie
 *   POST /api/logout     ends the session
 *   GET  /api/session    who is logged in, and the session's CSRF token
 *   *    /api/s3/...     S3 itself (s3api_handle_as), as the session's user
 *   *    /api/admin/OP   the admin API (admin_handle_as), as the session's user
 *   GET  /api/metrics    cumulative S3 counters as JSON, for live charts
 *   POST /api/share      {"bucket","key","expires"} -> a presigned GET URL
 *                        on the S3 endpoint
 *
 * Every /api/ route but login needs the session cookie; every method other
 * than GET/HEAD also needs the X-Cairn-CSRF header equal to the session's
 * token and, when the browser sends Origin, an Origin equal to the
 * console's own.  Errors are JSON {"error": CODE, "message": TEXT}.
 *
 * Does not know users or permissions: who may log in is the
 * lookup_secret callback's answer (root today, IAM users later), and what
 * a user may do is decided by s3api and admin for that access key.  The
 * secret is used server-side only (login check, presigning share links)
 * and never written into a response.  Memory: the exchange's arena for
 * everything per request; the session and rate-limit tables are fixed
 * size and allocated once.
 */
#ifndef CAIRN_CONSOLE_H
#define CAIRN_CONSOLE_H

#include <stdint.h>
#include <uv.h>

#include "../s3api/s3api.h"
#include "accesslog.h"
#include "admin.h"
#include "http.h"
#include "metrics.h"

typedef struct console console;

typedef struct console_config {
    uv_loop_t *loop;
    const http_limits *limits;
    s3api *api;
    const admin_config *admin;
    metrics *metrics;          /* S3 calls made through the console count there too */
    accesslog *log;            /* may be NULL */
    const char *region;
    /* The S3 endpoint's public URL for share links ("https://s3.example.com"),
     * or NULL: the browser's Host with s3_port, https when s3_tls. */
    const char *server_url;
    int s3_port;
    int s3_tls;
    /* Who may log in: 0 and the secret in secret_out when access_key is
     * known, nonzero otherwise.  Called on login and when presigning. */
    int (*lookup_secret)(void *arg, const char *access_key, char *secret_out, size_t cap);
    void *lookup_arg;
    int login_per_minute;      /* per client address; 0: the default (10) */
    int64_t session_ttl_s;     /* idle lifetime of a session; 0: 12 hours */
} console_config;

/* The config (and what it points to) must outlive the console. */
console *console_new(const console_config *cfg);
/* Returns 0 or a uv error. */
int console_listen(console *c, const char *host, int port);
int console_port(const console *c);
/* TLS on the console listener (NULL: plain); the session cookie gets the
 * Secure flag while TLS is on. */
void console_set_tls(console *c, SSL_CTX *ctx);
/* Stop accepting, finish requests in flight (up to grace_ms), then done. */
void console_shutdown(console *c, uint64_t grace_ms, void (*done)(void *arg), void *arg);
/* After the loop has run the closes that console_shutdown started. */
void console_free(console *c);

#endif

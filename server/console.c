#include "console.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/log.h"
#include "../s3api/parse.h"
#include "../s3api/sigv4.h"
#include "assets.h"

/*
 * Sessions live in a fixed server-side table, keyed by 32 random bytes
 * (RAND_bytes) that the cookie carries in hex.  Chosen over an HMAC-signed
 * cookie because logout then really ends the session (a copied cookie dies
 * with it), nothing about the user travels in the cookie, and there is no
 * signing key to rotate.  The cost: sessions do not survive a restart and
 * belong to one node (put a sticky load balancer in front of several).
 * The table is bounded: expired sessions are reaped when a slot is needed,
 * and when every slot is live the one closest to expiry is dropped.
 */
enum {
    MAX_SESSIONS = 1024,
    SESSION_ID_BYTES = 32,
    CSRF_BYTES = 32,
    MAX_JSON_BODY = 8 * 1024,      /* login and share requests are tiny */
    RATE_SLOTS = 256,              /* client addresses the login limiter tracks */
    DEFAULT_LOGIN_PER_MINUTE = 10,
    GLOBAL_LOGIN_FACTOR = 6,       /* all addresses together: 6x one address */
    MAX_SHARE_SECONDS = 7 * 24 * 3600,
    SECRET_CAP = 256,
};

#define COOKIE_NAME "cairn_session"
#define CSRF_HEADER "x-cairn-csrf"
#define DEFAULT_SESSION_TTL (12 * 3600)

typedef struct session {
    int used;
    unsigned char id[SESSION_ID_BYTES];
    char csrf[2 * CSRF_BYTES + 1];
    char access_key[129];
    int64_t expires;               /* unix seconds; renewed while in use */
    int64_t cookie_at;             /* when the browser's cookie (Max-Age) was last renewed */
} session;

/* A token bucket: `tokens` refill at `rate` per ms up to `burst`. */
typedef struct bucket {
    double tokens;
    uint64_t last_ms;
} bucket;

typedef struct rate_slot {
    char addr[64];
    bucket b;
} rate_slot;

struct console {
    console_config cfg;
    http_server *http;
    int tls;
    session sessions[MAX_SESSIONS];
    rate_slot rate[RATE_SLOTS];
    bucket global_rate;
    double per_ms, burst;          /* the per-address bucket's shape */
    void (*stopped)(void *arg);
    void *stopped_arg;
};

/* ---- responses ---- */

static void security_headers(http_exchange *ex)
{
    http_add_header(ex, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                    "form-action 'self'; frame-ancestors 'none'");
    http_add_header(ex, "X-Content-Type-Options", "nosniff");
    http_add_header(ex, "X-Frame-Options", "DENY");
    http_add_header(ex, "Referrer-Policy", "no-referrer");
    http_add_header(ex, "Cross-Origin-Opener-Policy", "same-origin");
}

/* The console's own log name for what it answered itself; the done hook
 * tells those apart from S3 requests by this prefix. */
static void log_as(http_exchange *ex, const char *api, const char *user)
{
    http_set_log_fields(ex, &(http_log_fields){ .api = api, .user = user });
}

static void reply_json(http_exchange *ex, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    http_add_header(ex, "Cache-Control", "no-store");
    if (!s) {
        static const char oom[] = "{\"error\":\"InternalError\",\"message\":\"out of memory\"}";
        http_respond(ex, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    http_respond(ex, status, "application/json", s, strlen(s));   /* copied into the arena */
    free(s);
}

static void reply_error(http_exchange *ex, int status, const char *code, const char *msg)
{
    if (!http_log_fields_of(ex)->api) log_as(ex, "ConsoleError", NULL);
    reply_json(ex, status, json_pack("{s:s,s:s}", "error", code, "message", msg));
}

/* ---- small parsing helpers ---- */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Exactly 2n hex digits into n bytes; 0 on success. */
static int from_hex(const char *s, size_t slen, unsigned char *out, size_t n)
{
    if (slen != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* The value of cookie `name` in a Cookie header, as (pointer, length). */
static const char *cookie_value(const char *header, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';') p++;
        const char *end = strchr(p, ';');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        if (plen > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            *len = plen - nl - 1;
            while (*len && p[nl + *len] == ' ') (*len)--;
            return p + nl + 1;
        }
        p = end;
    }
    return NULL;
}

/* x-www-form-urlencoded value of `name` in body[0..n), decoded into the
 * arena; NULL when absent or badly escaped. */
static char *form_value(arena *a, const char *body, size_t n, const char *name)
{
    size_t nl = strlen(name);
    const char *p = body, *end = body + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            /* '+' is a space in forms; then %XX as in paths */
            size_t vl = (size_t)(stop - p) - nl - 1;
            char *plus = arena_strndup(a, p + nl + 1, vl);
            for (char *q = plus; *q; q++)
                if (*q == '+') *q = ' ';
            char *out = arena_alloc(a, vl + 1);
            size_t o = sigv4_uri_decode(plus, vl, out, vl + 1);
            if (o == (size_t)-1) return NULL;
            return memchr(out, '\0', o) ? NULL : out;
        }
        p = amp ? amp + 1 : end;
    }
    return NULL;
}

static int is_safe_method(const char *m) { return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0; }

/* ---- sessions ---- */

static int64_t now_s(void) { return (int64_t)time(NULL); }

static int64_t session_ttl(const console *c)
{
    return c->cfg.session_ttl_s > 0 ? c->cfg.session_ttl_s : DEFAULT_SESSION_TTL;
}

/* The live session the request's cookie names, or NULL.  Every slot is
 * compared (constant time per slot), so timing says nothing about ids.
 * renew: the request is the user's doing, so the idle expiry restarts
 * (the page's own polling of metrics is not, or an open tab would never
 * let its session expire). */
static session *session_of(console *c, http_exchange *ex, int renew)
{
    const char *hdr = http_header_get(ex, "cookie");
    size_t len;
    const char *v = hdr ? cookie_value(hdr, COOKIE_NAME, &len) : NULL;
    unsigned char id[SESSION_ID_BYTES];
    if (!v || from_hex(v, len, id, sizeof id) != 0) return NULL;
    int64_t now = now_s();
    session *found = NULL;
    for (int i = 0; i < MAX_SESSIONS; i++) {
        session *s = &c->sessions[i];
        if (!s->used) continue;
        if (s->expires <= now) {
            OPENSSL_cleanse(s, sizeof *s);   /* reaped */
            continue;
        }
        if (CRYPTO_memcmp(s->id, id, sizeof id) == 0) found = s;
    }
    if (found && renew) found->expires = now + session_ttl(c);
    return found;
}

/* A free slot: an unused or expired one, else the one closest to expiry. */
static session *session_slot(console *c)
{
    int64_t now = now_s();
    session *victim = &c->sessions[0];
    for (int i = 0; i < MAX_SESSIONS; i++) {
        session *s = &c->sessions[i];
        if (!s->used || s->expires <= now) return s;
        if (s->expires < victim->expires) victim = s;
    }
    log_warn("console: %d sessions live; dropping the oldest", MAX_SESSIONS);
    return victim;
}

static session *session_create(console *c, const char *access_key)
{
    session *s = session_slot(c);
    unsigned char csrf[CSRF_BYTES];
    memset(s, 0, sizeof *s);
    if (RAND_bytes(s->id, sizeof s->id) != 1 || RAND_bytes(csrf, sizeof csrf) != 1) return NULL;
    hex_encode(csrf, sizeof csrf, s->csrf);
    snprintf(s->access_key, sizeof s->access_key, "%s", access_key);
    s->expires = now_s() + session_ttl(c);
    s->used = 1;
    return s;
}

static void set_cookie(console *c, http_exchange *ex, session *s)
{
    if (s) s->cookie_at = now_s();
    char id[2 * SESSION_ID_BYTES + 1];
    if (s) hex_encode(s->id, sizeof s->id, id);
    char *v = arena_printf(http_arena(ex), COOKIE_NAME "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                           s ? id : "", s ? (long long)session_ttl(c) : 0LL, c->tls ? "; Secure" : "");
    http_add_header(ex, "Set-Cookie", v);
}

/* ---- login rate limit ---- */

static int bucket_take(bucket *b, double per_ms, double burst, uint64_t now)
{
    if (b->last_ms == 0) b->tokens = burst;
    else b->tokens += (double)(now - b->last_ms) * per_ms;
    if (b->tokens > burst) b->tokens = burst;
    b->last_ms = now;
    if (b->tokens < 1) return 0;
    b->tokens -= 1;
    return 1;
}

/* The client's bucket: its slot, else the least recently used one (a
 * refilled bucket loses nothing by being forgotten). */
static bucket *rate_bucket(console *c, const char *addr)
{
    rate_slot *lru = &c->rate[0];
    for (int i = 0; i < RATE_SLOTS; i++) {
        rate_slot *r = &c->rate[i];
        if (strcmp(r->addr, addr) == 0) return &r->b;
        if (r->b.last_ms < lru->b.last_ms) lru = r;
    }
    snprintf(lru->addr, sizeof lru->addr, "%s", addr);
    lru->b = (bucket){ 0 };
    return &lru->b;
}

/* 0 when this login attempt may proceed; else seconds until one may. */
static int login_throttled(console *c, const char *addr, bucket **mine)
{
    uint64_t now = uv_now(c->cfg.loop) + 1;   /* never 0: 0 means "new bucket" */
    *mine = rate_bucket(c, addr ? addr : "?");
    double gper = c->per_ms * GLOBAL_LOGIN_FACTOR, gburst = c->burst * GLOBAL_LOGIN_FACTOR;
    if (!bucket_take(*mine, c->per_ms, c->burst, now)) return (int)(1 / (c->per_ms * 1000)) + 1;
    if (!bucket_take(&c->global_rate, gper, gburst, now)) {
        (*mine)->tokens += 1;   /* refused for everyone's sake, not this client's */
        return (int)(1 / (gper * 1000)) + 1;
    }
    return 0;
}

/* A successful login gives its token back: only failures are limited, so
 * an operator who logs in and out is never locked out by their own use. */
static void login_refund(console *c, bucket *mine)
{
    mine->tokens += 1;
    c->global_rate.tokens += 1;
}

/* ---- bounded JSON / form bodies ---- */

typedef void (*body_done)(console *c, http_exchange *ex, session *s, char *body, size_t n);

typedef struct body_req {
    console *c;
    session *s;       /* re-looked-up at the end: the table may change while the body streams */
    body_done done;
    char *buf;
    size_t len;
    int too_large;
} body_req;

static int body_on_data(http_exchange *ex, const char *p, size_t n)
{
    body_req *b = http_get_user(ex);
    if (b->too_large) return 0;
    if (b->len + n > MAX_JSON_BODY) {
        b->too_large = 1;
        reply_error(ex, 413, "EntityTooLarge", "console requests are limited to 8 KiB");
        http_close_after(ex);
        return 0;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    return 0;
}

static void body_on_end(http_exchange *ex)
{
    body_req *b = http_get_user(ex);
    if (b->too_large) return;
    b->buf[b->len] = '\0';
    session *s = b->s ? session_of(b->c, ex, 1) : NULL;
    if (b->s && !s) {
        reply_error(ex, 401, "SessionExpired", "the session ended; log in again");
        return;
    }
    b->done(b->c, ex, s, b->buf, b->len);
}

static const http_body_sink body_sink = { body_on_data, body_on_end, NULL };

static void read_body(console *c, http_exchange *ex, session *s, body_done done)
{
    const http_request *r = http_req(ex);
    if (r->content_length > MAX_JSON_BODY) {
        reply_error(ex, 413, "EntityTooLarge", "console requests are limited to 8 KiB");
        http_close_after(ex);
        return;
    }
    body_req *b = arena_calloc(http_arena(ex), sizeof *b);
    b->c = c;
    b->s = s;
    b->done = done;
    b->buf = arena_alloc(http_arena(ex), MAX_JSON_BODY + 1);
    http_set_user(ex, b);
    if (!r->has_body) {
        body_on_end(ex);
        return;
    }
    http_accept_body(ex, &body_sink);
}

/* ---- login, logout, session ---- */

static json_t *session_json(console *c, const session *s)
{
    return json_pack("{s:s,s:s,s:I,s:b,s:s}", "accessKey", s->access_key, "csrf", s->csrf, "expiresAt",
                     (json_int_t)s->expires, "tls", c->tls, "region", c->cfg.region);
}

/* Constant-time secret check: both sides hashed first, so neither the
 * length nor the first differing byte shows in the time taken. */
static int secret_matches(const char *given, const char *actual)
{
    char hg[65], ha[65];
    sigv4_sha256_hex(given, strlen(given), hg);
    sigv4_sha256_hex(actual, strlen(actual), ha);
    return CRYPTO_memcmp(hg, ha, 64) == 0;
}

static int parse_login(http_exchange *ex, const char *body, size_t n, const char **ak, const char **sk)
{
    const char *ct = http_header_get(ex, "content-type");
    arena *a = http_arena(ex);
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        *ak = form_value(a, body, n, "accessKey");
        *sk = form_value(a, body, n, "secretKey");
        return *ak && *sk ? 0 : -1;
    }
    json_error_t err;
    json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
    const char *a1 = j ? json_string_value(json_object_get(j, "accessKey")) : NULL;
    const char *s1 = j ? json_string_value(json_object_get(j, "secretKey")) : NULL;
    *ak = a1 ? arena_strdup(a, a1) : NULL;
    *sk = s1 ? arena_strdup(a, s1) : NULL;
    if (s1) OPENSSL_cleanse((void *)s1, strlen(s1));
    json_decref(j);
    return *ak && *sk ? 0 : -1;
}

static void login_body(console *c, http_exchange *ex, session *unused, char *body, size_t n)
{
    (void)unused;
    const char *ak, *sk;
    int bad = parse_login(ex, body, n, &ak, &sk);
    OPENSSL_cleanse(body, n);
    if (bad) {
        reply_error(ex, 400, "InvalidRequest", "send {\"accessKey\": ..., \"secretKey\": ...} as JSON or a form");
        return;
    }
    log_as(ex, "ConsoleLogin", NULL);
    bucket *mine;
    int wait = login_throttled(c, http_req(ex)->remote_addr, &mine);
    if (wait) {
        char *secs = arena_printf(http_arena(ex), "%d", wait);
        http_add_header(ex, "Retry-After", secs);
        reply_error(ex, 429, "TooManyRequests",
                    arena_printf(http_arena(ex), "too many login attempts; try again in %d s", wait));
        OPENSSL_cleanse((void *)sk, strlen(sk));
        return;
    }
    char secret[SECRET_CAP];
    int known = strlen(ak) <= 128 && c->cfg.lookup_secret(c->cfg.lookup_arg, ak, secret, sizeof secret) == 0;
    if (!known) snprintf(secret, sizeof secret, "%s", "not a user: compare anyway so time does not tell");
    int ok = secret_matches(sk, secret) && known;
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse((void *)sk, strlen(sk));
    if (!ok) {
        log_warn("console: failed login for %.64s from %s", ak, http_req(ex)->remote_addr);
        reply_error(ex, 401, "InvalidCredentials", "the access key or secret key is wrong");
        return;
    }
    login_refund(c, mine);
    session *s = session_create(c, ak);
    if (!s) {
        reply_error(ex, 500, "InternalError", "no randomness for a session id");
        return;
    }
    log_as(ex, "ConsoleLogin", arena_strdup(http_arena(ex), s->access_key));
    set_cookie(c, ex, s);
    reply_json(ex, 200, session_json(c, s));
}

static void logout(console *c, http_exchange *ex, session *s)
{
    log_as(ex, "ConsoleLogout", arena_strdup(http_arena(ex), s->access_key));
    OPENSSL_cleanse(s, sizeof *s);
    set_cookie(c, ex, NULL);
    reply_json(ex, 200, json_pack("{s:b}", "loggedOut", 1));
}

/* ---- share links: a presigned GET on the S3 endpoint ---- */

/* "http(s)://host:port" of the S3 API as the browser reaches it. */
static const char *s3_base_url(console *c, http_exchange *ex)
{
    arena *a = http_arena(ex);
    if (c->cfg.server_url && *c->cfg.server_url) {
        size_t n = strlen(c->cfg.server_url);
        while (n && c->cfg.server_url[n - 1] == '/') n--;
        return arena_strndup(a, c->cfg.server_url, n);
    }
    const char *host = http_header_get(ex, "host");
    if (!host || !*host) host = "127.0.0.1";
    size_t hl;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        hl = close ? (size_t)(close - host) + 1 : strlen(host);
    } else {
        const char *colon = strchr(host, ':');
        hl = colon ? (size_t)(colon - host) : strlen(host);
    }
    return arena_printf(a, "%s://%.*s:%d", c->cfg.s3_tls ? "https" : "http", (int)hl, host, c->cfg.s3_port);
}

/* The SigV4 query signature for GET base/bucket/key, as an SDK presigns it
 * (UNSIGNED-PAYLOAD, only host signed).  NULL when the key cannot be
 * encoded or signed. */
static char *presign_get(http_exchange *ex, const char *base, const char *bucket, const char *key,
                         const char *access_key, const char *secret, const char *region, long expires)
{
    arena *a = http_arena(ex);
    const char *authority = strstr(base, "://");
    if (!authority) return NULL;
    authority += 3;
    const char *path_start = strchr(authority, '/');
    const char *host = path_start ? arena_strndup(a, authority, (size_t)(path_start - authority)) : authority;
    const char *prefix = path_start ? path_start : "";
    size_t cap = 3 * (strlen(bucket) + strlen(key)) + 8;
    char *ebucket = arena_alloc(a, cap), *ekey = arena_alloc(a, cap), *ecred = arena_alloc(a, 3 * 400);
    if (sigv4_uri_encode(bucket, strlen(bucket), 0, ebucket, cap) == (size_t)-1 ||
        sigv4_uri_encode(key, strlen(key), 1, ekey, cap) == (size_t)-1)
        return NULL;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char amz_date[17], date8[9], scope[160];
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    if (!sigv4_scope(date8, region, "s3", scope, sizeof scope)) return NULL;
    char *cred = arena_printf(a, "%s/%s", access_key, scope);
    if (sigv4_uri_encode(cred, strlen(cred), 0, ecred, 3 * 400) == (size_t)-1) return NULL;
    char *path = arena_printf(a, "%s/%s/%s", prefix, ebucket, ekey);
    char *query = arena_printf(a, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s"
                                  "&X-Amz-Expires=%ld&X-Amz-SignedHeaders=host", ecred, amz_date, expires);
    sigv4_header h = { "host", host };
    sigv4_request req = { .method = "GET", .raw_path = path, .raw_query = query, .headers = &h, .n_headers = 1 };
    char *canon = sigv4_canonical_request(&req, "host", NULL, 1);
    if (!canon) return NULL;
    char chash[65], sts[512], sig[65];
    sigv4_sha256_hex(canon, strlen(canon), chash);
    free(canon);
    if (!sigv4_string_to_sign(amz_date, scope, chash, sts, sizeof sts)) return NULL;
    unsigned char kkey[32];
    sigv4_signing_key(secret, date8, region, "s3", kkey);
    sigv4_signature_hex(kkey, sts, sig);
    OPENSSL_cleanse(kkey, sizeof kkey);
    return arena_printf(a, "%s://%s%s?%s&X-Amz-Signature=%s", strncmp(base, "https", 5) == 0 ? "https" : "http",
                        host, path, query, sig);
}

static void share_body(console *c, http_exchange *ex, session *s, char *body, size_t n)
{
    log_as(ex, "ConsoleShare", arena_strdup(http_arena(ex), s->access_key));
    json_error_t err;
    json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
    const char *bucket = j ? json_string_value(json_object_get(j, "bucket")) : NULL;
    const char *key = j ? json_string_value(json_object_get(j, "key")) : NULL;
    json_t *ej = j ? json_object_get(j, "expires") : NULL;
    long expires = json_is_integer(ej) ? (long)json_integer_value(ej) : 3600;
    if (!bucket || !*bucket || !key || !*key || strlen(bucket) > 63 || strlen(key) > 1024 ||
        (ej && !json_is_integer(ej)) || expires < 1 || expires > MAX_SHARE_SECONDS) {
        json_decref(j);
        reply_error(ex, 400, "InvalidRequest",
                    "send {\"bucket\", \"key\", \"expires\": seconds from 1 to 604800 (7 days)}");
        return;
    }
    char secret[SECRET_CAP];
    if (c->cfg.lookup_secret(c->cfg.lookup_arg, s->access_key, secret, sizeof secret) != 0) {
        json_decref(j);
        reply_error(ex, 403, "AccessDenied", "this user's key no longer exists");
        return;
    }
    const char *url = presign_get(ex, s3_base_url(c, ex), bucket, key, s->access_key, secret, c->cfg.region, expires);
    OPENSSL_cleanse(secret, sizeof secret);
    json_decref(j);
    if (!url) {
        reply_error(ex, 400, "InvalidRequest", "this bucket and key cannot be presigned");
        return;
    }
    reply_json(ex, 200, json_pack("{s:s,s:I,s:I}", "url", url, "expires", (json_int_t)expires, "expiresAt",
                                  (json_int_t)(now_s() + expires)));
}

/* ---- metrics ---- */

static void metrics_json(console *c, http_exchange *ex, session *s)
{
    log_as(ex, "ConsoleMetrics", arena_strdup(http_arena(ex), s->access_key));
    metrics_totals t;
    metrics_get_totals(c->cfg.metrics, &t);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    reply_json(ex, 200, json_pack("{s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "time",
                                  (double)ts.tv_sec + ts.tv_nsec / 1e9, "requests", (json_int_t)t.requests,
                                  "errors", (json_int_t)t.errors, "errors4xx", (json_int_t)t.e4xx, "errors5xx",
                                  (json_int_t)t.e5xx, "canceled", (json_int_t)t.canceled, "rxBytes",
                                  (json_int_t)t.rx_bytes, "txBytes", (json_int_t)t.tx_bytes, "inflight",
                                  (json_int_t)t.inflight));
}

/* ---- static assets ---- */

static const console_asset *asset_for(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) path = "/index.html";
    for (size_t i = 0; i < console_n_assets; i++)
        if (strcmp(console_assets[i].path, path) == 0) return &console_assets[i];
    return NULL;
}

static void serve_asset(http_exchange *ex, const char *path)
{
    log_as(ex, "ConsoleAsset", NULL);
    const http_request *r = http_req(ex);
    const console_asset *as = asset_for(path);
    if (!as) {
        reply_error(ex, 404, "NotFound", "no such page");
        return;
    }
    if (!is_safe_method(r->method)) {
        http_add_header(ex, "Allow", "GET, HEAD");
        reply_error(ex, 405, "MethodNotAllowed", "pages are read with GET");
        return;
    }
    http_add_header(ex, "ETag", as->etag);
    /* names are not content-hashed, so the browser revalidates each load
     * (a 304 costs one round trip and no bytes) */
    http_add_header(ex, "Cache-Control", "no-cache");
    const char *inm = http_header_get(ex, "if-none-match");
    if (inm && strstr(inm, as->etag)) {
        http_send_head(ex, 304, -1);
        http_finish(ex);
        return;
    }
    http_add_header(ex, "Content-Type", as->content_type);
    http_send_head(ex, 200, (int64_t)as->len);
    http_send_body(ex, as->data, as->len, NULL, NULL);   /* static: outlives the exchange */
    http_finish(ex);
}

/* ---- the front door ---- */

/* The page's own origin, scheme://Host, for the Origin check. */
static int origin_ok(console *c, http_exchange *ex)
{
    const char *origin = http_header_get(ex, "origin");
    const char *site = http_header_get(ex, "sec-fetch-site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return 0;
    if (!origin) return 1;
    const char *host = http_header_get(ex, "host");
    if (!host) return 0;
    const char *scheme = c->tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return strncasecmp(origin, scheme, sl) == 0 && strcasecmp(origin + sl, host) == 0;
}

static int csrf_ok(http_exchange *ex, const session *s)
{
    const char *t = http_header_get(ex, CSRF_HEADER);
    return t && strlen(t) == 2 * CSRF_BYTES && CRYPTO_memcmp(t, s->csrf, 2 * CSRF_BYTES) == 0;
}

/* The session, and for state changes the CSRF token and origin; NULL when
 * refused (the refusal is already answered). */
static session *authorize(console *c, http_exchange *ex, const char *path)
{
    int renew = strcmp(path, "/api/metrics") != 0 && strcmp(path, "/api/logout") != 0;
    session *s = session_of(c, ex, renew);
    if (!s) {
        reply_error(ex, 401, "Unauthenticated", "log in first");
        return NULL;
    }
    /* the server's expiry slid: now and then the browser's must too, or
     * its cookie would lapse first (a quarter of the lifetime apart) */
    if (renew && (strcmp(path, "/api/session") == 0 || now_s() - s->cookie_at >= session_ttl(c) / 4))
        set_cookie(c, ex, s);
    if (is_safe_method(http_req(ex)->method)) return s;
    if (!origin_ok(c, ex)) {
        reply_error(ex, 403, "CrossOrigin", "state changes are accepted from the console's own pages only");
        return NULL;
    }
    if (!csrf_ok(ex, s)) {
        reply_error(ex, 403, "InvalidCSRFToken", "the X-Cairn-CSRF header is missing or wrong; reload the page");
        return NULL;
    }
    return s;
}

static void api_route(console *c, http_exchange *ex, const char *path)
{
    const char *m = http_req(ex)->method;
    arena *a = http_arena(ex);
    if (strcmp(path, "/api/login") == 0) {
        if (strcmp(m, "POST") != 0) { reply_error(ex, 405, "MethodNotAllowed", "POST /api/login"); return; }
        if (!origin_ok(c, ex)) {
            reply_error(ex, 403, "CrossOrigin", "log in from the console's own page");
            return;
        }
        read_body(c, ex, NULL, login_body);
        return;
    }
    session *s = authorize(c, ex, path);
    if (!s) return;
    /* the S3 and admin handlers keep the user name for the whole exchange;
     * the session slot may be reused meanwhile */
    const char *user = arena_strdup(a, s->access_key);
    if (strncmp(path, "/api/s3/", 8) == 0) {
        metrics_begin(c->cfg.metrics);
        s3api_handle_as(c->cfg.api, ex, path + 7, user);
    } else if (strncmp(path, "/api/admin/", 11) == 0) {
        admin_handle_as(c->cfg.admin, ex, path + 11, user);
    } else if (strcmp(path, "/api/session") == 0) {
        if (!is_safe_method(m)) { reply_error(ex, 405, "MethodNotAllowed", "GET /api/session"); return; }
        log_as(ex, "ConsoleSession", user);
        reply_json(ex, 200, session_json(c, s));
    } else if (strcmp(path, "/api/logout") == 0) {
        if (strcmp(m, "POST") != 0) { reply_error(ex, 405, "MethodNotAllowed", "POST /api/logout"); return; }
        logout(c, ex, s);
    } else if (strcmp(path, "/api/metrics") == 0) {
        if (!is_safe_method(m)) { reply_error(ex, 405, "MethodNotAllowed", "GET /api/metrics"); return; }
        metrics_json(c, ex, s);
    } else if (strcmp(path, "/api/share") == 0) {
        if (strcmp(m, "POST") != 0) { reply_error(ex, 405, "MethodNotAllowed", "POST /api/share"); return; }
        read_body(c, ex, s, share_body);
    } else {
        reply_error(ex, 404, "NotFound", "no such console API");
    }
}

static void on_request(http_exchange *ex)
{
    console *c = http_server_user(http_exchange_server(ex));
    const char *path = http_req(ex)->path;
    security_headers(ex);
    if (strncmp(path, "/api/", 5) == 0) api_route(c, ex, path);
    else serve_asset(ex, path);
}

/* S3 requests made through the console count in the S3 metrics like any
 * other; the console's own answers (names starting "Console") do not. */
static void on_done(http_exchange *ex, void *arg)
{
    console *c = arg;
    const http_log_fields *lf = http_log_fields_of(ex);
    if (http_exchange_dispatched(ex) && strncmp(http_req(ex)->path, "/api/s3/", 8) == 0 &&
        !(lf->api && strncmp(lf->api, "Console", 7) == 0))
        metrics_observe(c->cfg.metrics, ex);
    if (c->cfg.log) accesslog_write(c->cfg.log, ex);
}

/* ---- lifecycle ---- */

console *console_new(const console_config *cfg)
{
    console *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->cfg = *cfg;
    int per_min = cfg->login_per_minute > 0 ? cfg->login_per_minute : DEFAULT_LOGIN_PER_MINUTE;
    c->per_ms = per_min / 60000.0;
    c->burst = per_min;
    c->http = http_server_new(cfg->loop, cfg->limits, on_request, c);
    if (!c->http) {
        free(c);
        return NULL;
    }
    http_server_on_done(c->http, on_done, c);
    return c;
}

int console_listen(console *c, const char *host, int port) { return http_server_listen(c->http, host, port); }

int console_port(const console *c) { return http_server_port(c->http); }

void console_set_tls(console *c, SSL_CTX *ctx)
{
    http_server_set_tls(c->http, ctx);
    c->tls = ctx != NULL;
}

static void on_stopped(http_server *s)
{
    console *c = http_server_user(s);
    http_server_free(s);
    if (c->stopped) c->stopped(c->stopped_arg);
}

void console_shutdown(console *c, uint64_t grace_ms, void (*done)(void *arg), void *arg)
{
    c->stopped = done;
    c->stopped_arg = arg;
    http_server_shutdown(c->http, grace_ms, on_stopped);
}

void console_free(console *c)
{
    if (!c) return;
    OPENSSL_cleanse(c->sessions, sizeof c->sessions);
    free(c->http);
    free(c);
}

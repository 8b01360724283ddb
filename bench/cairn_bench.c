/*
 * cairn-bench — an S3 load generator in the spirit of MinIO's warp.
 *
 * Owns: workloads (put, get, stat, delete, list, multipart, mixed) against
 * any path-style S3 endpoint, SigV4 header signing (the signing code is
 * s3api/sigv4.c, shared with the server), the latency histograms and the
 * report (a table, and JSON with --json).
 *
 * Design: W worker threads (--threads, default 1), each with its own libuv
 * loop, its own keep-alive connections (concurrency / W each), its own
 * statistics and its own share of the key space, so workers never share
 * mutable state. Every connection is a closed loop: send one request, parse
 * the response with llhttp (HTTP_RESPONSE), record it, send the next.
 *
 * Keeping the generator out of the way: request bodies are slices of one
 * pre-generated random buffer (no copy, written with uv_write straight from
 * it); every connection owns a fixed read buffer and a fixed head buffer;
 * payloads are UNSIGNED-PAYLOAD (--sign-payload hashes each body size once);
 * the signing key is derived once per day; the only per-request heap
 * allocation is the canonical request inside sigv4_canonical_request().
 * The report includes the generator's own CPU (getrusage) so a reader can
 * see whether it was the bottleneck.
 *
 * Phases: prefill (get, stat, delete, list, mixed need objects; not
 * measured), run (warm-up, then the measured window), cleanup (--cleanup:
 * delete what the run created). Every phase has a hard deadline.
 */
#include "llhttp.h"
#include "sigv4.h"

#include <uv.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ config */

enum workload { WL_PUT, WL_GET, WL_STAT, WL_DELETE, WL_LIST, WL_MULTIPART, WL_MIXED };
static const char *const workload_names[] = {"put", "get", "stat", "delete", "list", "multipart", "mixed"};

enum op { OP_PUT, OP_GET, OP_STAT, OP_DELETE, OP_LIST, OP_PART, OP_MPU, OP_N,
          /* not reported on their own: their errors go to OP_MPU */
          OP_MPU_CREATE, OP_MPU_COMPLETE };
static const char *const op_names[] = {"PUT", "GET", "STAT", "DELETE", "LIST", "PART", "MPU"};

static struct {
    char host[256];
    int port;
    char hostport[300];
    const char *access_key, *secret_key, *region;
    const char *bucket, *prefix;
    enum workload wl;
    int concurrency, threads;
    double duration, warmup;
    uint64_t count;          /* 0: by duration */
    uint32_t objects;
    uint32_t key_offset;     /* put: write keys key_offset..objects-1 (continue an earlier fill) */
    uint64_t size_min, size_max;
    uint64_t part_size;
    int max_keys;
    int prefill, create_bucket, cleanup, sign_payload, quiet;
    int pid;                 /* first of pids[]: nonzero when server processes are watched */
    int pids[16], n_pids;    /* --pid A,B,C: figures are summed over them (nginx workers, Ceph daemons) */
    const char *json_path, *label;
    uint64_t seed;
    double timeout;          /* hard deadline slack per phase, seconds */
} cfg;

/* ------------------------------------------------------------------ helpers */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("cairn-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n, sz);
    if (!p) die("out of memory");
    return p;
}

static uint64_t rng_next(uint64_t *s) {   /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t mix64(uint64_t x) {   /* splitmix64 finaliser */
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Object size of key i: fixed, or in [min, max] chosen by the key, so a GET
 * knows what to expect and an overwrite keeps the size. */
static uint64_t size_of_key(uint32_t i) {
    if (cfg.size_max <= cfg.size_min) return cfg.size_min;
    return cfg.size_min + mix64(i ^ cfg.seed) % (cfg.size_max - cfg.size_min + 1);
}

static int parse_size(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0) return -1;
    uint64_t mul = 1;
    if (*end) {
        if (!strcasecmp(end, "k") || !strcasecmp(end, "kib") || !strcasecmp(end, "kb")) mul = 1024;
        else if (!strcasecmp(end, "m") || !strcasecmp(end, "mib") || !strcasecmp(end, "mb")) mul = 1024 * 1024;
        else if (!strcasecmp(end, "g") || !strcasecmp(end, "gib") || !strcasecmp(end, "gb")) mul = 1024ULL * 1024 * 1024;
        else if (!strcasecmp(end, "b")) mul = 1;
        else return -1;
    }
    *out = (uint64_t)(v * (double)mul);
    return 0;
}

/* ------------------------------------------------------------------ histogram
 * Log-linear buckets of microseconds: 64 sub-buckets per power of two
 * (relative error under 1.6%), from 1 us to 2^40 us. */
#define HSUB 64
#define HEXP 41
typedef struct {
    uint64_t b[HEXP * HSUB];
    uint64_t n, max_us;
    double sum_us;
} histo;

static unsigned histo_index(uint64_t us) {
    if (us < HSUB) return (unsigned)us;
    unsigned e = 63u - (unsigned)__builtin_clzll(us);       /* >= 6 */
    unsigned sub = (unsigned)(us >> (e - 6)) & (HSUB - 1);  /* top 6 bits below the leading one */
    unsigned idx = (e - 5) * HSUB + sub;
    return idx < HEXP * HSUB ? idx : HEXP * HSUB - 1;
}

static double histo_value(unsigned idx) {   /* midpoint of the bucket */
    if (idx < HSUB) return idx;
    unsigned e = idx / HSUB + 5, sub = idx % HSUB;
    double lo = (double)((uint64_t)(HSUB + sub) << (e - 6));
    return lo + (double)(1ULL << (e - 6)) / 2.0;
}

static void histo_add(histo *h, uint64_t us) {
    h->b[histo_index(us)]++;
    h->n++;
    h->sum_us += (double)us;
    if (us > h->max_us) h->max_us = us;
}

static void histo_merge(histo *d, const histo *s) {
    for (unsigned i = 0; i < HEXP * HSUB; i++) d->b[i] += s->b[i];
    d->n += s->n;
    d->sum_us += s->sum_us;
    if (s->max_us > d->max_us) d->max_us = s->max_us;
}

static double histo_pct(const histo *h, double p) {   /* microseconds */
    if (!h->n) return 0;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (rank < 1) rank = 1;
    uint64_t acc = 0;
    for (unsigned i = 0; i < HEXP * HSUB; i++) {
        acc += h->b[i];
        if (acc >= rank) {
            double v = histo_value(i);
            return v > (double)h->max_us ? (double)h->max_us : v;
        }
    }
    return (double)h->max_us;
}

/* ------------------------------------------------------------------ stats */

#define MAX_ERR_KINDS 16
typedef struct {
    char what[64];   /* "404 NoSuchKey", "conn ECONNRESET", "timeout" */
    uint64_t n;
} err_kind;

typedef struct {
    histo lat;
    uint64_t bytes;
    uint64_t items;   /* LIST: keys returned */
    err_kind err[MAX_ERR_KINDS];
    int n_err_kinds;
    uint64_t err_other;
} op_stats;

static void stats_error(op_stats *s, const char *what) {
    for (int i = 0; i < s->n_err_kinds; i++)
        if (!strcmp(s->err[i].what, what)) { s->err[i].n++; return; }
    if (s->n_err_kinds < MAX_ERR_KINDS) {
        snprintf(s->err[s->n_err_kinds].what, sizeof s->err[0].what, "%s", what);
        s->err[s->n_err_kinds++].n = 1;
    } else {
        s->err_other++;
    }
}

static uint64_t stats_errors(const op_stats *s) {
    uint64_t n = s->err_other;
    for (int i = 0; i < s->n_err_kinds; i++) n += s->err[i].n;
    return n;
}

static void stats_merge(op_stats *d, const op_stats *s) {
    histo_merge(&d->lat, &s->lat);
    d->bytes += s->bytes;
    d->items += s->items;
    for (int i = 0; i < s->n_err_kinds; i++)
        for (uint64_t k = 0; k < s->err[i].n; k++) stats_error(d, s->err[i].what);
    d->err_other += s->err_other;
}

/* ------------------------------------------------------------------ shared data */

static unsigned char *g_body;      /* pre-generated random bytes, max(size_max, part_size) */
static uint64_t g_body_len;
static atomic_uint_fast64_t g_progress;   /* completed prefill/cleanup requests */

/* mixed: key state, each key touched only by the worker that owns it */
static uint8_t *g_present;     /* 1: the object exists */
static uint8_t *g_busy;        /* 1: a PUT or DELETE of it is in flight */
static uint16_t *g_readers;    /* GET/STAT in flight */

enum phase { PH_PREFILL, PH_RUN, PH_CLEANUP };

/* ------------------------------------------------------------------ worker, connection */

#define RBUF_CAP (256 * 1024)
#define HEAD_CAP 4096
#define CAP_MAX (4 * 1024 * 1024)   /* largest response body kept (LIST pages, errors) */

struct worker;

typedef struct conn {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq;
    uv_timer_t retry;
    llhttp_t parser;
    struct worker *w;
    int id;
    int open;            /* tcp handle initialised and not closing */
    int connected;
    int busy;            /* a request is in flight */
    int writing, resp_done;
    int parked;
    /* the request in flight */
    int op;
    uint32_t key;
    int part_no;
    uint64_t t0;
    uint64_t req_body;
    uint64_t expect_len;   /* GET: the size the object must have (UINT64_MAX: unknown) */
    uint64_t resp_bytes;
    int status;
    char path[1100];
    char head[HEAD_CAP];
    size_t head_len;
    const char *wbody;
    /* response capture */
    int capture;           /* keep the body */
    char *cap;
    size_t cap_len, cap_sz;
    char field[40];
    size_t field_len;
    int in_etag;
    char etag[128];
    size_t etag_len;
    /* list walk */
    char token[2048];
    int list_started;
    char rbuf[RBUF_CAP];
} conn;

typedef struct worker {
    int id;
    uv_loop_t loop;
    uv_timer_t deadline;
    uv_thread_t thread;
    conn *conns;
    int n_conns;
    enum phase phase;
    int running;          /* new requests may be issued */
    int stopping;
    uint64_t rng;
    /* time */
    uint64_t t_start, t_win0, t_win1, t_hard;   /* ns, uv_hrtime */
    uint64_t last_done;
    /* keys owned: k = id + i*threads */
    uint32_t next_key;    /* prefill / cleanup / put / delete cursor (index into own keys) */
    uint32_t own_keys;
    uint64_t issued_win, count_limit;
    uint64_t completed;
    /* signing */
    time_t sec;
    char amz_date[17], date8[9], scope[96];
    unsigned char skey[32];
    uint64_t hashed_size;
    char payload_hash[65];
    /* multipart */
    int mpu_state;        /* 0 none, 1 creating, 2 parts, 3 completing */
    char upload_id[1600];
    uint32_t mpu_key;
    uint32_t mpu_seq;
    int parts_total, parts_next, parts_done, parts_failed;
    char (*part_etags)[128];
    uint64_t mpu_t0;
    char *xml;
    size_t xml_cap;
    /* results */
    op_stats st[OP_N];
    uint64_t prefill_errors;
    char first_error[1400];
} worker;

static worker *g_workers;

static int main_op(void) {
    static const int m[] = {OP_PUT, OP_GET, OP_STAT, OP_DELETE, OP_LIST, OP_MPU, OP_GET};
    return m[cfg.wl];
}

static const char *g_kind = "o";   /* key name part: "o" objects, "mpu" multipart objects */

static uint32_t own_key(const worker *w, uint32_t i) {
    return (uint32_t)w->id + i * (uint32_t)cfg.threads;
}

static void key_path(conn *c, const char *kind, uint32_t k) {
    snprintf(c->path, sizeof c->path, "/%s/%s%s%08" PRIu32, cfg.bucket, cfg.prefix, kind, k);
}

/* ------------------------------------------------------------------ signing */

static void refresh_clock(worker *w) {
    time_t now = time(NULL);
    if (now == w->sec) return;
    w->sec = now;
    struct tm tm;
    gmtime_r(&now, &tm);
    char d8[9];
    strftime(w->amz_date, sizeof w->amz_date, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(d8, w->amz_date, 8);
    d8[8] = 0;
    if (strcmp(d8, w->date8)) {
        memcpy(w->date8, d8, 9);
        sigv4_scope(w->date8, cfg.region, "s3", w->scope, sizeof w->scope);
        sigv4_signing_key(cfg.secret_key, w->date8, cfg.region, "s3", w->skey);
    }
}

static const char *payload_hash_for(worker *w, const unsigned char *body, uint64_t len) {
    if (!cfg.sign_payload || !body) return "UNSIGNED-PAYLOAD";
    if (w->hashed_size != len + 1) {   /* bodies of one size are the same bytes: hash once */
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL);
        for (int i = 0; i < 32; i++) sprintf(w->payload_hash + 2 * i, "%02x", md[i]);
        w->hashed_size = len + 1;
    }
    return w->payload_hash;
}

/* Builds the request head into c->head. query: "" or "a=b&c=d" (already encoded). */
static void build_head(conn *c, const char *method, const char *query, const char *extra_headers,
                       uint64_t content_length, int has_body, const char *payload_hash) {
    worker *w = c->w;
    refresh_clock(w);
    sigv4_header hs[3] = {{"host", cfg.hostport},
                          {"x-amz-content-sha256", payload_hash},
                          {"x-amz-date", w->amz_date}};
    sigv4_request r = {method, c->path, query, hs, 3};
    char *canon = sigv4_canonical_request(&r, "host;x-amz-content-sha256;x-amz-date", payload_hash, 0);
    if (!canon) die("cannot build the canonical request for %s %s?%s", method, c->path, query);
    char ch[65], sts[256], sig[65];
    sigv4_sha256_hex(canon, strlen(canon), ch);
    free(canon);
    sigv4_string_to_sign(w->amz_date, w->scope, ch, sts, sizeof sts);
    sigv4_signature_hex(w->skey, sts, sig);
    int n = snprintf(c->head, sizeof c->head,
                     "%s %s%s%s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "x-amz-date: %s\r\n"
                     "x-amz-content-sha256: %s\r\n"
                     "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, "
                     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=%s\r\n",
                     method, c->path, *query ? "?" : "", query, cfg.hostport, w->amz_date,
                     payload_hash, cfg.access_key, w->scope, sig);
    if (has_body)
        n += snprintf(c->head + n, sizeof c->head - (size_t)n, "Content-Length: %" PRIu64 "\r\n",
                      content_length);
    if (extra_headers) n += snprintf(c->head + n, sizeof c->head - (size_t)n, "%s", extra_headers);
    n += snprintf(c->head + n, sizeof c->head - (size_t)n, "\r\n");
    if (n >= (int)sizeof c->head) die("request head too long");
    c->head_len = (size_t)n;
}

/* ------------------------------------------------------------------ issuing */

static void conn_connect(conn *c);
static void conn_close(conn *c);
static void worker_maybe_finish(worker *w);
static void wake_parked(worker *w);

static void fail_in_flight(conn *c, const char *what);
void request_finished(conn *c);

static void on_written(uv_write_t *req, int status) {
    conn *c = req->data;
    c->writing = 0;
    if (status < 0) {
        if (c->busy && !c->resp_done) {
            char what[64];
            snprintf(what, sizeof what, "conn %s", uv_err_name(status));
            fail_in_flight(c, what);
            conn_close(c);
            return;
        }
    }
    if (c->busy && c->resp_done) request_finished(c);
}

static void send_request(conn *c) {
    uv_buf_t bufs[2];
    unsigned nb = 1;
    bufs[0] = uv_buf_init(c->head, (unsigned)c->head_len);
    if (c->wbody && c->req_body) {
        bufs[1] = uv_buf_init((char *)c->wbody, (unsigned)c->req_body);
        nb = 2;
    }
    c->busy = 1;
    c->writing = 1;
    c->resp_done = 0;
    c->status = 0;
    c->resp_bytes = 0;
    c->cap_len = 0;
    c->etag_len = 0;
    c->field_len = 0;
    c->in_etag = 0;
    c->t0 = uv_hrtime();
    c->wreq.data = c;
    int r = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, bufs, nb, on_written);
    if (r < 0) {
        c->writing = 0;
        char what[64];
        snprintf(what, sizeof what, "conn %s", uv_err_name(r));
        fail_in_flight(c, what);
        conn_close(c);
    }
}

static void issue_put(conn *c, uint32_t k, int op) {
    key_path(c, "o", k);
    c->op = op;
    c->key = k;
    c->req_body = size_of_key(k);
    c->wbody = (const char *)g_body;
    c->capture = 0;
    build_head(c, "PUT", "", NULL, c->req_body, 1, payload_hash_for(c->w, g_body, c->req_body));
    send_request(c);
}

static void issue_simple(conn *c, const char *method, uint32_t k, int op) {
    key_path(c, g_kind, k);
    c->op = op;
    c->key = k;
    c->req_body = 0;
    c->wbody = NULL;
    c->capture = 0;
    c->expect_len = op == OP_GET ? size_of_key(k) : UINT64_MAX;
    build_head(c, method, "", NULL, 0, 0, "UNSIGNED-PAYLOAD");
    send_request(c);
}

static void issue_list(conn *c) {
    worker *w = c->w;
    char q[3000], enc[2400];
    snprintf(c->path, sizeof c->path, "/%s", cfg.bucket);
    int n;
    if (c->list_started && c->token[0]) {
        if (sigv4_uri_encode(c->token, strlen(c->token), 0, enc, sizeof enc) == (size_t)-1)
            die("continuation token too long");
        n = snprintf(q, sizeof q, "continuation-token=%s&list-type=2&max-keys=%d", enc, cfg.max_keys);
    } else {
        /* a walk starts after a random key, so connections spread over the bucket */
        uint32_t k = (uint32_t)(rng_next(&w->rng) % (cfg.objects ? cfg.objects : 1));
        char sa[600];
        snprintf(sa, sizeof sa, "%so%08" PRIu32, cfg.prefix, k);
        sigv4_uri_encode(sa, strlen(sa), 0, enc, sizeof enc);
        n = snprintf(q, sizeof q, "list-type=2&max-keys=%d", cfg.max_keys);
        if (*cfg.prefix) {
            char penc[600];
            sigv4_uri_encode(cfg.prefix, strlen(cfg.prefix), 0, penc, sizeof penc);
            n += snprintf(q + n, sizeof q - (size_t)n, "&prefix=%s", penc);
        }
        n += snprintf(q + n, sizeof q - (size_t)n, "&start-after=%s", enc);
        c->list_started = 1;
    }
    if (c->token[0] && *cfg.prefix) {
        char penc[600];
        sigv4_uri_encode(cfg.prefix, strlen(cfg.prefix), 0, penc, sizeof penc);
        n += snprintf(q + n, sizeof q - (size_t)n, "&prefix=%s", penc);
    }
    (void)n;
    c->op = OP_LIST;
    c->req_body = 0;
    c->wbody = NULL;
    c->capture = 1;
    c->expect_len = UINT64_MAX;
    build_head(c, "GET", q, NULL, 0, 0, "UNSIGNED-PAYLOAD");
    send_request(c);
}

/* multipart: one upload per worker at a time, its parts spread over the connections */
static int issue_mpu(conn *c) {
    worker *w = c->w;
    if (w->mpu_state == 0) {
        if (!w->running) return 0;
        w->mpu_key = w->mpu_seq++ % (cfg.objects ? cfg.objects : 1);
        w->mpu_key = own_key(w, w->mpu_key);
        w->mpu_state = 1;
        w->mpu_t0 = uv_hrtime();
        key_path(c, "mpu", w->mpu_key);
        c->op = OP_MPU_CREATE;
        c->req_body = 0;
        c->wbody = NULL;
        c->capture = 1;
        c->expect_len = UINT64_MAX;
        build_head(c, "POST", "uploads=", NULL, 0, 1, "UNSIGNED-PAYLOAD");
        send_request(c);
        return 1;
    }
    if (w->mpu_state == 2 && w->parts_next <= w->parts_total) {
        int pn = w->parts_next++;
        uint64_t off = (uint64_t)(pn - 1) * cfg.part_size;
        uint64_t len = cfg.size_min - off < cfg.part_size ? cfg.size_min - off : cfg.part_size;
        key_path(c, "mpu", w->mpu_key);
        char q[1800];
        snprintf(q, sizeof q, "partNumber=%d&uploadId=%s", pn, w->upload_id);
        c->op = OP_PART;
        c->part_no = pn;
        c->req_body = len;
        c->wbody = (const char *)g_body;
        c->capture = 0;
        build_head(c, "PUT", q, NULL, len, 1, payload_hash_for(w, g_body, len));
        send_request(c);
        return 1;
    }
    if (w->mpu_state == 2 && w->parts_done == w->parts_total) {
        w->mpu_state = 3;
        size_t need = 128 + (size_t)w->parts_total * 200;
        if (w->xml_cap < need) {
            free(w->xml);
            w->xml = xcalloc(1, need);
            w->xml_cap = need;
        }
        size_t n = (size_t)snprintf(w->xml, w->xml_cap, "<CompleteMultipartUpload>");
        for (int i = 0; i < w->parts_total; i++)
            n += (size_t)snprintf(w->xml + n, w->xml_cap - n,
                                  "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1,
                                  w->part_etags[i]);
        n += (size_t)snprintf(w->xml + n, w->xml_cap - n, "</CompleteMultipartUpload>");
        key_path(c, "mpu", w->mpu_key);
        char q[1800];
        snprintf(q, sizeof q, "uploadId=%s", w->upload_id);
        c->op = OP_MPU_COMPLETE;
        c->req_body = n;
        c->wbody = w->xml;
        c->capture = 1;
        c->expect_len = UINT64_MAX;
        build_head(c, "POST", q, "Content-Type: application/xml\r\n", n, 1, "UNSIGNED-PAYLOAD");
        send_request(c);
        return 1;
    }
    return 0;   /* wait for the upload's state to move */
}

static int pick_own(worker *w, int want_present, int need_idle, uint32_t *out) {
    if (!w->own_keys) return 0;
    for (int t = 0; t < 64; t++) {
        uint32_t k = own_key(w, (uint32_t)(rng_next(&w->rng) % w->own_keys));
        if (g_busy[k]) continue;
        if (want_present >= 0 && g_present[k] != want_present) continue;
        if (need_idle && g_readers[k]) continue;
        *out = k;
        return 1;
    }
    return 0;
}

static int issue_mixed(conn *c) {
    worker *w = c->w;
    uint32_t k;
    unsigned r = (unsigned)(rng_next(&w->rng) % 100);
    if (r < 45 || (r >= 60 && r < 90)) {   /* GET 45%, STAT 30% */
        if (pick_own(w, 1, 0, &k)) {
            g_readers[k]++;
            issue_simple(c, r < 45 ? "GET" : "HEAD", k, r < 45 ? OP_GET : OP_STAT);
            return 1;
        }
        r = 50;   /* nothing to read: put one */
    }
    if (r >= 90) {   /* DELETE 10% */
        if (pick_own(w, 1, 1, &k)) {
            g_busy[k] = 1;
            issue_simple(c, "DELETE", k, OP_DELETE);
            return 1;
        }
    }
    if (pick_own(w, -1, 1, &k)) {   /* PUT 15% (and the fallbacks) */
        g_busy[k] = 1;
        issue_put(c, k, OP_PUT);
        return 1;
    }
    return 0;
}

/* Issues the next request of the phase on c; returns 0 when there is none now. */
static int issue_next(conn *c) {
    worker *w = c->w;
    uint64_t now = uv_hrtime();
    if (w->phase == PH_RUN) {
        if (now >= w->t_win1 && !cfg.count) w->running = 0;
        if (cfg.count && w->issued_win >= w->count_limit) w->running = 0;
        if (!w->running && !(cfg.wl == WL_MULTIPART && w->mpu_state >= 2)) return 0;
        if (now >= w->t_win0) w->issued_win++;
        switch (cfg.wl) {
        case WL_PUT: {
            uint32_t k = cfg.key_offset + own_key(w, w->next_key++ % (w->own_keys ? w->own_keys : 1));
            issue_put(c, k, OP_PUT);
            return 1;
        }
        case WL_GET:
        case WL_STAT: {
            uint32_t k = own_key(w, (uint32_t)(rng_next(&w->rng) % w->own_keys));
            issue_simple(c, cfg.wl == WL_GET ? "GET" : "HEAD", k, cfg.wl == WL_GET ? OP_GET : OP_STAT);
            return 1;
        }
        case WL_DELETE:
            if (w->next_key >= w->own_keys) { w->running = 0; return 0; }
            issue_simple(c, "DELETE", own_key(w, w->next_key++), OP_DELETE);
            return 1;
        case WL_LIST:
            issue_list(c);
            return 1;
        case WL_MULTIPART:
            return issue_mpu(c);
        case WL_MIXED:
            return issue_mixed(c);
        }
        return 0;
    }
    if (!w->running || now >= w->t_hard) return 0;
    if (w->next_key >= w->own_keys) { w->running = 0; return 0; }
    uint32_t k = own_key(w, w->next_key++);
    if (w->phase == PH_PREFILL) issue_put(c, k, OP_PUT);
    else issue_simple(c, "DELETE", k, OP_DELETE);
    return 1;
}

static void conn_go(conn *c) {
    if (c->busy || !c->connected) return;
    if (issue_next(c)) { c->parked = 0; return; }
    c->parked = 1;
    worker_maybe_finish(c->w);
}

static void wake_parked(worker *w) {
    for (int i = 0; i < w->n_conns; i++) {
        conn *c = &w->conns[i];
        if (c->parked && c->connected && !c->busy) conn_go(c);
    }
}

/* ------------------------------------------------------------------ responses */

static const char *xml_text(const char *buf, size_t len, const char *tag, size_t *out_len) {
    char open[64], close_[64];
    int lo = snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close_, sizeof close_, "</%s>", tag);
    const char *p = memmem(buf, len, open, (size_t)lo);
    if (!p) return NULL;
    p += lo;
    const char *e = memmem(p, len - (size_t)(p - buf), close_, strlen(close_));
    if (!e) return NULL;
    *out_len = (size_t)(e - p);
    return p;
}

static void xml_unescape_into(const char *s, size_t n, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (s[i] == '&') {
            static const struct { const char *e; char c; } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            int hit = 0;
            for (unsigned j = 0; j < sizeof ents / sizeof ents[0]; j++) {
                size_t el = strlen(ents[j].e);
                if (i + el <= n && !memcmp(s + i, ents[j].e, el)) {
                    out[o++] = ents[j].c;
                    i += el - 1;
                    hit = 1;
                    break;
                }
            }
            if (hit) continue;
        }
        out[o++] = s[i];
    }
    out[o] = 0;
}

/* Duration mode counts the requests that complete inside the window
 * (completions per second, unbiased in steady state even when one request
 * takes seconds); count mode counts the requests issued after the warm-up. */
static int in_window(const worker *w, const conn *c, uint64_t done) {
    if (w->phase != PH_RUN) return 0;
    if (cfg.count) return c->t0 >= w->t_win0;
    return done >= w->t_win0 && done <= w->t_win1;
}

void request_finished(conn *c);

/* Records the response just completed; advances workload state. */
static void record_response(conn *c) {
    worker *w = c->w;
    uint64_t done = uv_hrtime();
    int ok = c->status >= 200 && c->status < 300;
    int rec = in_window(w, c, done);
    char what[96] = "";
    if (!ok) {
        size_t cl = 0;
        const char *code = c->cap_len ? xml_text(c->cap, c->cap_len, "Code", &cl) : NULL;
        if (code && cl < 48)
            snprintf(what, sizeof what, "%d %.*s", c->status, (int)cl, code);
        else
            snprintf(what, sizeof what, "%d", c->status);
    }
    if (ok && c->op == OP_GET && c->expect_len != UINT64_MAX && c->resp_bytes != c->expect_len) {
        ok = 0;
        snprintf(what, sizeof what, "short body");
    }
    if (!ok && w->phase != PH_RUN) {
        if (!(w->phase == PH_CLEANUP && c->status == 404)) {
            w->prefill_errors++;
            if (!w->first_error[0])
                snprintf(w->first_error, sizeof w->first_error, "%s %s: %s", op_names[c->op < OP_N ? c->op : OP_MPU],
                         c->path, what);
        }
    }
    if (w->phase != PH_RUN) {
        atomic_fetch_add(&g_progress, 1);
    }
    int sop = c->op < OP_N ? c->op : OP_MPU;
    if (rec && c->op < OP_N) {   /* multipart create/complete: recorded below, per object */
        if (ok) {
            op_stats *s = &w->st[sop];
            histo_add(&s->lat, (done - c->t0) / 1000);
            s->bytes += c->op == OP_GET ? c->resp_bytes : c->req_body;
            w->last_done = done;
        } else {
            stats_error(&w->st[sop], what);
        }
    }
    if (w->phase == PH_RUN && !ok && !w->first_error[0])
        snprintf(w->first_error, sizeof w->first_error, "%s %s: %s", op_names[sop], c->path, what);

    /* workload state */
    if (cfg.wl == WL_MIXED && w->phase == PH_RUN) {
        if (c->op == OP_GET || c->op == OP_STAT) g_readers[c->key]--;
        else if (c->op == OP_PUT) { g_busy[c->key] = 0; if (ok) g_present[c->key] = 1; }
        else if (c->op == OP_DELETE) { g_busy[c->key] = 0; if (ok) g_present[c->key] = 0; }
    }
    if (c->op == OP_LIST && w->phase == PH_RUN) {
        size_t tl = 0;
        const char *t = ok ? xml_text(c->cap, c->cap_len, "NextContinuationToken", &tl) : NULL;
        size_t il = 0;
        const char *trunc = ok ? xml_text(c->cap, c->cap_len, "IsTruncated", &il) : NULL;
        if (t && trunc && il == 4 && !memcmp(trunc, "true", 4) && tl < sizeof c->token)
            xml_unescape_into(t, tl, c->token, sizeof c->token);
        else
            c->token[0] = 0, c->list_started = 0;   /* end of the bucket: start over */
        if (rec && ok) {
            uint64_t keys = 0;
            const char *p = c->cap, *end = c->cap + c->cap_len;
            while ((p = memmem(p, (size_t)(end - p), "<Key>", 5))) { keys++; p += 5; }
            w->st[OP_LIST].items += keys;
        }
    }
    if (cfg.wl == WL_MULTIPART && w->phase == PH_RUN) {
        if (c->op == OP_MPU_CREATE) {
            size_t ul = 0;
            const char *u = ok ? xml_text(c->cap, c->cap_len, "UploadId", &ul) : NULL;
            if (u && ul < sizeof w->upload_id) {
                char raw[512], enc[1600];
                xml_unescape_into(u, ul, raw, sizeof raw);
                sigv4_uri_encode(raw, strlen(raw), 0, enc, sizeof enc);
                snprintf(w->upload_id, sizeof w->upload_id, "%s", enc);
                w->mpu_state = 2;
                w->parts_total = (int)((cfg.size_min + cfg.part_size - 1) / cfg.part_size);
                if (w->parts_total < 1) w->parts_total = 1;
                w->parts_next = 1;
                w->parts_done = 0;
                w->parts_failed = 0;
                free(w->part_etags);
                w->part_etags = xcalloc((size_t)w->parts_total, sizeof *w->part_etags);
            } else {
                if (rec) stats_error(&w->st[OP_MPU], ok ? "no UploadId" : what);
                w->mpu_state = 0;
            }
            wake_parked(w);
        } else if (c->op == OP_PART) {
            w->parts_done++;
            if (ok && c->etag_len) memcpy(w->part_etags[c->part_no - 1], c->etag, c->etag_len + 1);
            else w->parts_failed++;
            if (w->parts_done == w->parts_total) wake_parked(w);
        } else if (c->op == OP_MPU_COMPLETE) {
            /* S3 may answer 200 with an <Error> body */
            if (ok && c->cap_len && memmem(c->cap, c->cap_len, "<Error>", 7)) {
                ok = 0;
                size_t cl = 0;
                const char *code = xml_text(c->cap, c->cap_len, "Code", &cl);
                snprintf(what, sizeof what, "200 %.*s", code ? (int)(cl < 48 ? cl : 48) : 0, code ? code : "");
            }
            if (cfg.count ? w->mpu_t0 >= w->t_win0 : done >= w->t_win0 && done <= w->t_win1) {
                if (ok) {
                    histo_add(&w->st[OP_MPU].lat, (done - w->mpu_t0) / 1000);
                    w->st[OP_MPU].bytes += cfg.size_min;
                } else {
                    stats_error(&w->st[OP_MPU], what);
                }
            }
            w->mpu_state = 0;
            wake_parked(w);
        }
    }
}

void request_finished(conn *c) {
    c->busy = 0;
    if (!llhttp_should_keep_alive(&c->parser)) {
        conn_close(c);   /* reconnects if the phase still runs */
        return;
    }
    conn_go(c);
}

static int on_status(llhttp_t *p, const char *at, size_t len) {
    (void)at;
    (void)len;
    conn *c = p->data;
    c->status = p->status_code;
    return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len) {
    conn *c = p->data;
    if (c->field_len + len < sizeof c->field) {
        memcpy(c->field + c->field_len, at, len);
        c->field_len += len;
    } else {
        c->field_len = sizeof c->field;   /* too long: matches nothing */
    }
    return 0;
}

static int on_header_field_complete(llhttp_t *p) {
    conn *c = p->data;
    c->in_etag = c->field_len == 4 && !strncasecmp(c->field, "etag", 4);
    c->field_len = 0;
    return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len) {
    conn *c = p->data;
    if (c->in_etag && c->etag_len + len < sizeof c->etag) {
        memcpy(c->etag + c->etag_len, at, len);
        c->etag_len += len;
        c->etag[c->etag_len] = 0;
    }
    return 0;
}

static int on_headers_complete(llhttp_t *p) {
    conn *c = p->data;
    c->status = p->status_code;
    if (c->status >= 300) c->capture = 1;   /* keep error bodies for their <Code> */
    return c->op == OP_STAT ? 1 : 0;        /* a HEAD answer has no body */
}

static int on_body(llhttp_t *p, const char *at, size_t len) {
    conn *c = p->data;
    c->resp_bytes += len;
    if (c->capture) {
        if (c->cap_len + len > c->cap_sz) {
            size_t want = c->cap_sz ? c->cap_sz : 64 * 1024;
            while (want < c->cap_len + len && want < CAP_MAX) want *= 2;
            if (want > CAP_MAX) want = CAP_MAX;
            if (want > c->cap_sz) {
                char *n = realloc(c->cap, want);
                if (!n) die("out of memory");
                c->cap = n;
                c->cap_sz = want;
            }
        }
        size_t room = c->cap_sz - c->cap_len;
        size_t take = len < room ? len : room;
        memcpy(c->cap + c->cap_len, at, take);
        c->cap_len += take;
    }
    return 0;
}

static int on_message_complete(llhttp_t *p) {
    conn *c = p->data;
    if (!c->busy) return 0;   /* unsolicited */
    record_response(c);
    c->resp_done = 1;
    return HPE_PAUSED;   /* finish this read chunk's bookkeeping before the next request */
}

static llhttp_settings_t g_settings;

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    conn *c = h->data;
    *buf = uv_buf_init(c->rbuf, RBUF_CAP);
}

static void fail_in_flight(conn *c, const char *what) {
    if (!c->busy) return;
    worker *w = c->w;
    int sop = c->op < OP_N ? c->op : OP_MPU;
    if (in_window(w, c, uv_hrtime())) stats_error(&w->st[sop], what);
    if (w->phase != PH_RUN) {
        w->prefill_errors++;
        if (!w->first_error[0]) snprintf(w->first_error, sizeof w->first_error, "%s %s: %s", op_names[sop], c->path, what);
        atomic_fetch_add(&g_progress, 1);
    }
    if (cfg.wl == WL_MIXED && w->phase == PH_RUN) {
        if (c->op == OP_GET || c->op == OP_STAT) g_readers[c->key]--;
        else g_busy[c->key] = 0;
    }
    if (cfg.wl == WL_MULTIPART && w->phase == PH_RUN) {
        if (c->op == OP_PART) { w->parts_done++; w->parts_failed++; }
        else w->mpu_state = 0;
    }
    c->busy = 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    conn *c = s->data;
    if (nread < 0) {
        char what[64];
        snprintf(what, sizeof what, "conn %s", uv_err_name((int)nread));
        fail_in_flight(c, what);
        conn_close(c);
        return;
    }
    const char *p = buf->base;
    size_t left = (size_t)nread;
    while (left) {
        llhttp_errno_t e = llhttp_execute(&c->parser, p, left);
        if (e == HPE_OK) break;
        if (e == HPE_PAUSED) {
            size_t used = (size_t)(llhttp_get_error_pos(&c->parser) - p);
            p += used;
            left -= used;
            llhttp_resume(&c->parser);
            if (!c->writing) {
                request_finished(c);
                if (uv_is_closing((uv_handle_t *)&c->tcp)) return;
            }
            continue;
        }
        fail_in_flight(c, "bad response");
        conn_close(c);
        return;
    }
}

static void on_connect(uv_connect_t *req, int status) {
    conn *c = req->data;
    if (status < 0) {
        if (c->w->phase == PH_RUN && uv_hrtime() >= c->w->t_win0) {
            char what[64];
            snprintf(what, sizeof what, "connect %s", uv_err_name(status));
            stats_error(&c->w->st[main_op()], what);
        } else if (c->w->phase != PH_RUN && !c->w->first_error[0]) {
            snprintf(c->w->first_error, sizeof c->w->first_error, "connect: %s", uv_err_name(status));
        }
        conn_close(c);
        return;
    }
    c->connected = 1;
    uv_tcp_nodelay(&c->tcp, 1);
    llhttp_init(&c->parser, HTTP_RESPONSE, &g_settings);
    c->parser.data = c;
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    conn_go(c);
}

static void retry_cb(uv_timer_t *t) {
    conn *c = t->data;
    conn_connect(c);
}

static void on_closed(uv_handle_t *h) {
    conn *c = h->data;
    worker *w = c->w;
    c->open = 0;
    if (!w->stopping && (w->running || (cfg.wl == WL_MULTIPART && w->mpu_state >= 2)) && uv_hrtime() < w->t_hard) {
        uv_timer_start(&c->retry, retry_cb, 20, 0);   /* reconnect shortly */
        return;
    }
    c->parked = 1;
    worker_maybe_finish(w);
}

static void conn_close(conn *c) {
    if (!c->open) return;
    if (uv_is_closing((uv_handle_t *)&c->tcp)) return;
    c->connected = 0;
    c->parked = 0;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void conn_connect(conn *c) {
    struct sockaddr_in sa;
    uv_ip4_addr(cfg.host, cfg.port, &sa);
    uv_tcp_init(&c->w->loop, &c->tcp);
    c->tcp.data = c;
    c->open = 1;
    c->connected = 0;
    c->busy = 0;
    c->writing = 0;
    c->creq.data = c;
    int r = uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&sa, on_connect);
    if (r < 0) conn_close(c);
}

/* ------------------------------------------------------------------ worker lifecycle */

static void close_noop(uv_handle_t *h) { (void)h; }

static void worker_shutdown(worker *w) {
    if (w->stopping) return;
    w->stopping = 1;
    uv_timer_stop(&w->deadline);
    uv_close((uv_handle_t *)&w->deadline, close_noop);
    for (int i = 0; i < w->n_conns; i++) {
        conn *c = &w->conns[i];
        uv_timer_stop(&c->retry);
        uv_close((uv_handle_t *)&c->retry, close_noop);
        if (c->open && !uv_is_closing((uv_handle_t *)&c->tcp)) {
            fail_in_flight(c, "timeout");
            uv_close((uv_handle_t *)&c->tcp, close_noop);
        }
    }
}

static void worker_maybe_finish(worker *w) {
    if (w->stopping) return;
    int more = w->running || (cfg.wl == WL_MULTIPART && w->phase == PH_RUN && w->mpu_state >= 1);
    for (int i = 0; i < w->n_conns; i++) {
        conn *c = &w->conns[i];
        if (c->busy) return;
        if (more && (c->open || uv_is_active((uv_handle_t *)&c->retry))) return;
    }
    worker_shutdown(w);
}

static void deadline_cb(uv_timer_t *t) {
    worker *w = t->data;
    uint64_t now = uv_hrtime();
    if (w->phase == PH_RUN && !cfg.count && now >= w->t_win1) {
        w->running = 0;
        worker_maybe_finish(w);
    }
    if (now >= w->t_hard) worker_shutdown(w);
}

static void worker_main(void *arg) {
    worker *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
}

static void worker_setup(worker *w, enum phase ph, uint64_t t_start, uint32_t nkeys) {
    w->phase = ph;
    w->running = 1;
    w->stopping = 0;
    w->t_start = t_start;
    w->next_key = 0;
    w->issued_win = 0;
    w->mpu_state = 0;
    w->own_keys = nkeys > (uint32_t)w->id ? (nkeys - (uint32_t)w->id + (uint32_t)cfg.threads - 1) / (uint32_t)cfg.threads : 0;
    uv_loop_init(&w->loop);
    uv_timer_init(&w->loop, &w->deadline);
    w->deadline.data = w;
    uv_timer_start(&w->deadline, deadline_cb, 50, 50);
    for (int i = 0; i < w->n_conns; i++) {
        conn *c = &w->conns[i];
        c->w = w;
        c->id = i;
        c->busy = c->parked = 0;
        c->list_started = 0;
        c->token[0] = 0;
        uv_timer_init(&w->loop, &c->retry);
        c->retry.data = c;
        conn_connect(c);
    }
}

static void run_phase(enum phase ph, uint64_t t_start, uint32_t nkeys, double limit_s) {
    atomic_store(&g_progress, 0);
    for (int t = 0; t < cfg.threads; t++) {
        worker *w = &g_workers[t];
        w->t_win0 = t_start + (uint64_t)(cfg.warmup * 1e9);
        w->t_win1 = w->t_win0 + (uint64_t)(cfg.duration * 1e9);
        if (ph != PH_RUN) w->t_hard = t_start + (uint64_t)(limit_s * 1e9);
        else if (cfg.count) w->t_hard = w->t_win0 + (uint64_t)(limit_s * 1e9);
        else w->t_hard = w->t_win1 + (uint64_t)(limit_s * 1e9);
        w->count_limit = cfg.count ? (cfg.count + (uint64_t)cfg.threads - 1 - (uint64_t)t) / (uint64_t)cfg.threads : 0;
        worker_setup(w, ph, t_start, nkeys);
    }
    for (int t = 0; t < cfg.threads; t++)
        if (uv_thread_create(&g_workers[t].thread, worker_main, &g_workers[t])) die("cannot start a thread");
    for (int t = 0; t < cfg.threads; t++) {
        uv_thread_join(&g_workers[t].thread);
        uv_loop_close(&g_workers[t].loop);
    }
}

/* ------------------------------------------------------------------ server process sampling */

static long proc_status_kib1(int pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') { v = strtol(line + kl + 1, NULL, 10); break; }
    fclose(f);
    return v;
}

/* user+system CPU ticks of a process (all threads), -1 if gone */
static long long proc_cpu_ticks1(int pid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long long ut = 0, st = 0;
    /* after ')': state(3) ... utime is field 14, stime 15 */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (long long)(ut + st);
}

/* summed over cfg.pids; the pid argument only says "watch" (nonzero) */
static long proc_status_kib(int pid, const char *key) {
    (void)pid;
    long sum = 0;
    int any = 0;
    for (int i = 0; i < cfg.n_pids; i++) {
        long v = proc_status_kib1(cfg.pids[i], key);
        if (v >= 0) { sum += v; any = 1; }
    }
    return any ? sum : -1;
}

static long long proc_cpu_ticks(int pid) {
    (void)pid;
    long long sum = 0;
    int any = 0;
    for (int i = 0; i < cfg.n_pids; i++) {
        long long v = proc_cpu_ticks1(cfg.pids[i]);
        if (v >= 0) { sum += v; any = 1; }
    }
    return any ? sum : -1;
}

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

typedef struct {
    long rss_before, rss_max, rss_end, hwm_end, anon_before, anon_max, anon_end, file_end;
    double server_cpu_pct, client_cpu_pct, window_s;
} run_extra;

typedef struct {
    uint64_t w0, w1;
    run_extra *x;
    atomic_int done;
} sampler_arg;

static void sampler_main(void *arg) {
    sampler_arg *a = arg;
    uint64_t w0 = a->w0, w1 = a->w1;
    long long srv0 = -1;
    double cli0 = -1;
    int have_end = 0;
    long long srv1 = -1;
    double cli1 = 0;
    uint64_t tw0 = 0, tw1 = 0;
    for (int i = 0; i < 10 * 3600 * 20 && !atomic_load(&a->done); i++) {
        uint64_t now = uv_hrtime();
        if (srv0 < 0 && cli0 < 0 && now >= w0) {
            srv0 = cfg.pid ? proc_cpu_ticks(cfg.pid) : -1;
            cli0 = self_cpu_s();
            tw0 = now;
        }
        if (!have_end && !cfg.count && now >= w1 && cli0 >= 0) {
            srv1 = cfg.pid ? proc_cpu_ticks(cfg.pid) : -1;
            cli1 = self_cpu_s();
            tw1 = now;
            have_end = 1;
        }
        if (cfg.pid) {
            long r = proc_status_kib(cfg.pid, "VmRSS");
            if (r > a->x->rss_max) a->x->rss_max = r;
            r = proc_status_kib(cfg.pid, "RssAnon");
            if (r > a->x->anon_max) a->x->anon_max = r;
        }
        usleep(50000);
    }
    if (!have_end && cli0 >= 0) {
        srv1 = cfg.pid ? proc_cpu_ticks(cfg.pid) : -1;
        cli1 = self_cpu_s();
        tw1 = uv_hrtime();
    }
    if (tw1 > tw0 && cli0 >= 0) {
        double secs = (double)(tw1 - tw0) / 1e9;
        a->x->client_cpu_pct = 100.0 * (cli1 - cli0) / secs;
        if (srv0 >= 0 && srv1 >= 0)
            a->x->server_cpu_pct = 100.0 * (double)(srv1 - srv0) / (double)sysconf(_SC_CLK_TCK) / secs;
    }
}

/* ------------------------------------------------------------------ report */

static void fmt_ms(char *out, size_t cap, double us) {
    if (us < 10000) snprintf(out, cap, "%.2f", us / 1000.0);
    else snprintf(out, cap, "%.1f", us / 1000.0);
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static void report(const op_stats *st, double window_s, const run_extra *x) {
    static const double pcts[] = {50, 90, 99, 99.9};
    if (!cfg.quiet) {
        printf("\ncairn-bench %s  endpoint %s  bucket %s  concurrency %d  threads %d  objects %" PRIu32,
               workload_names[cfg.wl], cfg.hostport, cfg.bucket, cfg.concurrency, cfg.threads, cfg.objects);
        if (cfg.size_max > cfg.size_min)
            printf("  size %" PRIu64 "-%" PRIu64 " B", cfg.size_min, cfg.size_max);
        else
            printf("  size %" PRIu64 " B", cfg.size_min);
        printf("\nwindow %.2f s after %.1f s warm-up%s%s\n\n", window_s, cfg.warmup, cfg.label ? "  label " : "",
               cfg.label ? cfg.label : "");
        printf("%-7s %10s %10s %10s %9s %9s %9s %9s %9s %9s %8s\n", "op", "ops", "ops/s", "MiB/s", "p50 ms",
               "p90 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms", "errors");
        for (int o = 0; o < OP_N; o++) {
            const op_stats *s = &st[o];
            uint64_t e = stats_errors(s);
            if (!s->lat.n && !e) continue;
            char v[6][24];
            for (int i = 0; i < 4; i++) fmt_ms(v[i], sizeof v[i], histo_pct(&s->lat, pcts[i]));
            fmt_ms(v[4], sizeof v[4], (double)s->lat.max_us);
            fmt_ms(v[5], sizeof v[5], s->lat.n ? s->lat.sum_us / (double)s->lat.n : 0);
            printf("%-7s %10" PRIu64 " %10.1f %10.2f %9s %9s %9s %9s %9s %9s %8" PRIu64 "\n", op_names[o], s->lat.n,
                   (double)s->lat.n / window_s, (double)s->bytes / window_s / 1048576.0, v[0], v[1], v[2], v[3],
                   v[4], v[5], e);
            if (o == OP_LIST && s->lat.n)
                printf("        %.1f keys/page, %.0f keys/s\n", (double)s->items / (double)s->lat.n,
                       (double)s->items / window_s);
            for (int i = 0; i < s->n_err_kinds; i++)
                printf("        error %-40s %" PRIu64 "\n", s->err[i].what, s->err[i].n);
            if (s->err_other) printf("        error %-40s %" PRIu64 "\n", "(other kinds)", s->err_other);
        }
        printf("\nclient CPU %.0f%% (100%% = one core)", x->client_cpu_pct);
        if (cfg.pid)
            printf("; server pid %d%s: CPU %.0f%%, VmRSS before %.1f MiB, max %.1f MiB, end %.1f MiB, VmHWM %.1f MiB",
                   cfg.pid, cfg.n_pids > 1 ? " (+ others, summed)" : "", x->server_cpu_pct, (double)x->rss_before / 1024, (double)x->rss_max / 1024,
                   (double)x->rss_end / 1024, (double)x->hwm_end / 1024);
        if (cfg.pid)
            printf("\n  of which anonymous (RssAnon): before %.1f MiB, max %.1f MiB, end %.1f MiB; file-backed at end "
                   "(RssFile+RssShmem, e.g. mmap'd LMDB) %.1f MiB",
                   (double)x->anon_before / 1024, (double)x->anon_max / 1024, (double)x->anon_end / 1024,
                   (double)x->file_end / 1024);
        printf("\n");
        for (int t = 0; t < cfg.threads; t++)
            if (g_workers[t].first_error[0]) { printf("first error: %s\n", g_workers[t].first_error); break; }
    }
    if (!cfg.json_path) return;
    FILE *f = strcmp(cfg.json_path, "-") ? fopen(cfg.json_path, "w") : stdout;
    if (!f) die("cannot write %s: %s", cfg.json_path, strerror(errno));
    fprintf(f, "{\"workload\":\"%s\",\"label\":", workload_names[cfg.wl]);
    json_str(f, cfg.label ? cfg.label : "");
    fprintf(f, ",\"endpoint\":\"%s\",\"bucket\":", cfg.hostport);
    json_str(f, cfg.bucket);
    fprintf(f, ",\"concurrency\":%d,\"threads\":%d,\"objects\":%" PRIu32 ",\"size_min\":%" PRIu64
               ",\"size_max\":%" PRIu64 ",\"warmup_s\":%.3f,\"window_s\":%.3f,\"client_cpu_pct\":%.1f",
            cfg.concurrency, cfg.threads, cfg.objects, cfg.size_min, cfg.size_max, cfg.warmup, window_s,
            x->client_cpu_pct);
    if (cfg.pid)
        fprintf(f, ",\"server\":{\"pid\":%d,\"cpu_pct\":%.1f,\"rss_before_kib\":%ld,\"rss_max_kib\":%ld,"
                   "\"rss_end_kib\":%ld,\"hwm_kib\":%ld,\"anon_before_kib\":%ld,\"anon_max_kib\":%ld,"
                   "\"anon_end_kib\":%ld,\"file_end_kib\":%ld}",
                cfg.pid, x->server_cpu_pct, x->rss_before, x->rss_max, x->rss_end, x->hwm_end, x->anon_before,
                x->anon_max, x->anon_end, x->file_end);
    fprintf(f, ",\"ops\":{");
    int first = 1;
    for (int o = 0; o < OP_N; o++) {
        const op_stats *s = &st[o];
        uint64_t e = stats_errors(s);
        if (!s->lat.n && !e) continue;
        fprintf(f, "%s\"%s\":{\"ops\":%" PRIu64 ",\"ops_per_s\":%.2f,\"mib_per_s\":%.3f,\"bytes\":%" PRIu64,
                first ? "" : ",", op_names[o], s->lat.n, (double)s->lat.n / window_s,
                (double)s->bytes / window_s / 1048576.0, s->bytes);
        first = 0;
        fprintf(f, ",\"lat_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f,\"mean\":%.3f}",
                histo_pct(&s->lat, 50) / 1000, histo_pct(&s->lat, 90) / 1000, histo_pct(&s->lat, 99) / 1000,
                histo_pct(&s->lat, 99.9) / 1000, (double)s->lat.max_us / 1000,
                s->lat.n ? s->lat.sum_us / (double)s->lat.n / 1000 : 0);
        if (o == OP_LIST) fprintf(f, ",\"keys\":%" PRIu64, s->items);
        fprintf(f, ",\"errors\":%" PRIu64 ",\"errors_by_kind\":{", e);
        for (int i = 0; i < s->n_err_kinds; i++) {
            if (i) fputc(',', f);
            json_str(f, s->err[i].what);
            fprintf(f, ":%" PRIu64, s->err[i].n);
        }
        if (s->err_other) fprintf(f, "%s\"other\":%" PRIu64, s->n_err_kinds ? "," : "", s->err_other);
        fprintf(f, "}}");
    }
    fprintf(f, "}}\n");
    if (f != stdout) fclose(f);
}

/* ------------------------------------------------------------------ bucket */

/* CreateBucket: one blocking request before the loops start. 200, or 409
 * BucketAlreadyOwnedByYou/BucketAlreadyExists (ours from an earlier run), is fine. */
static int create_bucket(void) {
    worker w;
    memset(&w, 0, sizeof w);
    conn *c = xcalloc(1, sizeof *c);
    c->w = &w;
    snprintf(c->path, sizeof c->path, "/%s", cfg.bucket);
    build_head(c, "PUT", "", "Connection: close\r\n", 0, 1, "UNSIGNED-PAYLOAD");
    struct sockaddr_in sa;
    uv_ip4_addr(cfg.host, cfg.port, &sa);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (const struct sockaddr *)&sa, sizeof sa) < 0) die("cannot connect to %s", cfg.hostport);
    struct timeval tv = {30, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t off = 0;
    while (off < c->head_len) {
        ssize_t n = write(s, c->head + off, c->head_len - off);
        if (n <= 0) die("write to %s failed", cfg.hostport);
        off += (size_t)n;
    }
    char buf[8192];
    size_t got = 0;
    for (int i = 0; i < 100 && got < sizeof buf - 1; i++) {   /* until the server closes */
        ssize_t n = read(s, buf + got, sizeof buf - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(s);
    free(c);
    buf[got] = 0;
    if (!got) die("no answer to CreateBucket from %s", cfg.hostport);
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    if (status == 200) return 0;
    if (status == 409 && (strstr(buf, "BucketAlreadyOwnedByYou") || strstr(buf, "BucketAlreadyExists"))) return 0;
    char *body = strstr(buf, "\r\n\r\n");
    fprintf(stderr, "cairn-bench: CreateBucket %s answered %d %s\n", cfg.bucket, status, body ? body + 4 : "");
    return -1;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f) {
    fprintf(f,
            "usage: cairn-bench WORKLOAD [options]\n"
            "  WORKLOAD: put | get | stat | delete | list | multipart | mixed\n"
            "             (mixed: 45%% GET, 15%% PUT, 30%% STAT, 10%% DELETE)\n"
            "  --endpoint http://HOST:PORT   S3 endpoint, path-style (default http://127.0.0.1:9000)\n"
            "  --access-key K --secret-key S --region R (default us-east-1; keys also from\n"
            "                                AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)\n"
            "  --bucket B (default cairn-bench)   --prefix P (key prefix, default \"\")\n"
            "  --concurrency N (16)           --threads N (1; connections are spread over them)\n"
            "  --duration S (10)              --warmup S (2; excluded from the results)\n"
            "  --count N                      stop after N measured operations instead of a duration\n"
            "  --objects N (1000)             keys used (and prefilled for get/stat/delete/list/mixed)\n"
            "  --key-offset N                 put: only keys N..objects-1 (to continue a fill)\n"
            "  --size SIZE | --size MIN-MAX   object size (4KiB, 1MiB, 64MiB...; default 4KiB)\n"
            "  --part-size SIZE (8MiB)        multipart part size; --size is the object size\n"
            "  --max-keys N (1000)            list page size\n"
            "  --no-prefill                   the objects already exist\n"
            "  --no-create-bucket             do not PUT the bucket first\n"
            "  --cleanup                      delete the objects afterwards\n"
            "  --sign-payload                 sign body SHA-256 instead of UNSIGNED-PAYLOAD\n"
            "  --pid PID[,PID...]             server processes: report VmRSS/VmHWM/RssAnon and CPU (summed)\n"
            "  --timeout S (60)               hard limit beyond the window for each phase\n"
            "  --json FILE|-                  results as JSON   --label TEXT   --quiet   --seed N\n"
            "exit status: 0 all requests succeeded, 3 some failed (see the report), 1-2 setup errors\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int wl = -1;
    for (int i = 0; i < (int)(sizeof workload_names / sizeof *workload_names); i++)
        if (!strcmp(argv[1], workload_names[i])) wl = i;
    if (wl < 0) { usage(stderr); die("unknown workload %s", argv[1]); }
    cfg.wl = (enum workload)wl;
    const char *endpoint = "http://127.0.0.1:9000";
    cfg.access_key = getenv("AWS_ACCESS_KEY_ID");
    cfg.secret_key = getenv("AWS_SECRET_ACCESS_KEY");
    cfg.region = "us-east-1";
    cfg.bucket = "cairn-bench";
    cfg.prefix = "";
    cfg.concurrency = 16;
    cfg.threads = 1;
    cfg.duration = 10;
    cfg.warmup = 2;
    cfg.objects = 1000;
    cfg.size_min = cfg.size_max = 4096;
    cfg.part_size = 8ULL << 20;
    cfg.max_keys = 1000;
    cfg.prefill = 1;
    cfg.create_bucket = 1;
    cfg.seed = 0x5eed;
    cfg.timeout = 60;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
#define ARG() (i + 1 < argc ? argv[++i] : (die("%s needs a value", a), ""))
        if (!strcmp(a, "--endpoint")) endpoint = ARG();
        else if (!strcmp(a, "--access-key")) cfg.access_key = ARG();
        else if (!strcmp(a, "--secret-key")) cfg.secret_key = ARG();
        else if (!strcmp(a, "--region")) cfg.region = ARG();
        else if (!strcmp(a, "--bucket")) cfg.bucket = ARG();
        else if (!strcmp(a, "--prefix")) cfg.prefix = ARG();
        else if (!strcmp(a, "--concurrency")) cfg.concurrency = atoi(ARG());
        else if (!strcmp(a, "--threads")) cfg.threads = atoi(ARG());
        else if (!strcmp(a, "--duration")) cfg.duration = atof(ARG());
        else if (!strcmp(a, "--warmup")) cfg.warmup = atof(ARG());
        else if (!strcmp(a, "--count")) cfg.count = strtoull(ARG(), NULL, 10);
        else if (!strcmp(a, "--objects")) cfg.objects = (uint32_t)strtoul(ARG(), NULL, 10);
        else if (!strcmp(a, "--key-offset")) cfg.key_offset = (uint32_t)strtoul(ARG(), NULL, 10);
        else if (!strcmp(a, "--size")) {
            const char *v = ARG();
            char lo[64];
            const char *dash = strchr(v, '-');
            if (dash && (size_t)(dash - v) < sizeof lo) {
                memcpy(lo, v, (size_t)(dash - v));
                lo[dash - v] = 0;
                if (parse_size(lo, &cfg.size_min) || parse_size(dash + 1, &cfg.size_max)) die("bad --size %s", v);
            } else {
                if (parse_size(v, &cfg.size_min)) die("bad --size %s", v);
                cfg.size_max = cfg.size_min;
            }
            if (cfg.size_max < cfg.size_min) die("bad --size %s", v);
        } else if (!strcmp(a, "--part-size")) {
            if (parse_size(ARG(), &cfg.part_size) || !cfg.part_size) die("bad --part-size");
        } else if (!strcmp(a, "--max-keys")) cfg.max_keys = atoi(ARG());
        else if (!strcmp(a, "--no-prefill")) cfg.prefill = 0;
        else if (!strcmp(a, "--no-create-bucket")) cfg.create_bucket = 0;
        else if (!strcmp(a, "--cleanup")) cfg.cleanup = 1;
        else if (!strcmp(a, "--sign-payload")) cfg.sign_payload = 1;
        else if (!strcmp(a, "--pid")) {
            char *v = ARG(), *save = NULL;
            for (char *t = strtok_r(v, ",", &save); t && cfg.n_pids < 16; t = strtok_r(NULL, ",", &save))
                if (atoi(t) > 0) cfg.pids[cfg.n_pids++] = atoi(t);
            cfg.pid = cfg.n_pids ? cfg.pids[0] : 0;
        }
        else if (!strcmp(a, "--timeout")) cfg.timeout = atof(ARG());
        else if (!strcmp(a, "--json")) cfg.json_path = ARG();
        else if (!strcmp(a, "--label")) cfg.label = ARG();
        else if (!strcmp(a, "--quiet")) cfg.quiet = 1;
        else if (!strcmp(a, "--seed")) cfg.seed = strtoull(ARG(), NULL, 0);
        else { usage(stderr); die("unknown option %s", a); }
#undef ARG
    }
    if (!cfg.access_key || !cfg.secret_key) die("--access-key and --secret-key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are required");
    if (cfg.concurrency < 1 || cfg.threads < 1 || cfg.threads > cfg.concurrency) die("bad --concurrency/--threads");
    if (cfg.duration <= 0 && !cfg.count) die("bad --duration");
    if (cfg.max_keys < 1 || cfg.max_keys > 100000) die("bad --max-keys");
    if (cfg.objects < 1) die("--objects must be at least 1");
    if (cfg.key_offset >= cfg.objects) die("--key-offset must be below --objects");
    if (strncmp(endpoint, "http://", 7)) die("--endpoint must be http://HOST:PORT (no TLS)");
    {
        const char *hp = endpoint + 7;
        const char *colon = strrchr(hp, ':');
        size_t hl = colon ? (size_t)(colon - hp) : strcspn(hp, "/");
        if (hl >= sizeof cfg.host) die("bad --endpoint");
        memcpy(cfg.host, hp, hl);
        cfg.host[hl] = 0;
        cfg.port = colon ? atoi(colon + 1) : 80;
        if (!strcmp(cfg.host, "localhost")) snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
        snprintf(cfg.hostport, sizeof cfg.hostport, "%.*s", (int)(colon ? strcspn(hp, "/") : hl), hp);
    }
    if (cfg.wl == WL_MULTIPART && cfg.size_max != cfg.size_min) die("multipart needs a fixed --size");
    if (cfg.wl == WL_DELETE) {   /* each prefilled object is deleted once: the run ends when all are */
        cfg.warmup = 0;
        cfg.count = cfg.objects;
    }

    /* the bodies: random bytes, made once */
    g_body_len = cfg.size_max;
    if (cfg.wl == WL_MULTIPART && cfg.part_size > g_body_len) g_body_len = cfg.part_size;
    if (g_body_len < 1) g_body_len = 1;
    g_body = malloc(g_body_len);
    if (!g_body) die("cannot allocate %" PRIu64 " bytes of body", g_body_len);
    uint64_t s = cfg.seed | 1;
    for (uint64_t i = 0; i + 8 <= g_body_len; i += 8) {
        uint64_t r = rng_next(&s);
        memcpy(g_body + i, &r, 8);
    }

    llhttp_settings_init(&g_settings);
    g_settings.on_status = on_status;
    g_settings.on_header_field = on_header_field;
    g_settings.on_header_field_complete = on_header_field_complete;
    g_settings.on_header_value = on_header_value;
    g_settings.on_headers_complete = on_headers_complete;
    g_settings.on_body = on_body;
    g_settings.on_message_complete = on_message_complete;

    g_workers = xcalloc((size_t)cfg.threads, sizeof *g_workers);
    for (int t = 0; t < cfg.threads; t++) {
        worker *w = &g_workers[t];
        w->id = t;
        w->rng = mix64(cfg.seed + (uint64_t)t * 7919) | 1;
        w->n_conns = cfg.concurrency / cfg.threads + (t < cfg.concurrency % cfg.threads);
        w->conns = xcalloc((size_t)w->n_conns, sizeof *w->conns);
    }
    if (cfg.wl == WL_MIXED) {
        g_present = xcalloc(cfg.objects, 1);
        g_busy = xcalloc(cfg.objects, 1);
        g_readers = xcalloc(cfg.objects, sizeof *g_readers);
    }

    if (cfg.create_bucket && create_bucket()) return 1;

    int needs_objects = cfg.wl == WL_GET || cfg.wl == WL_STAT || cfg.wl == WL_DELETE || cfg.wl == WL_LIST ||
                        cfg.wl == WL_MIXED;
    if (needs_objects && cfg.prefill) {
        double t0 = (double)uv_hrtime() / 1e9;
        /* generous: prefill of a big bucket on a slow server may take long */
        run_phase(PH_PREFILL, uv_hrtime(), cfg.objects, 4 * 3600);
        uint64_t errs = 0;
        for (int t = 0; t < cfg.threads; t++) errs += g_workers[t].prefill_errors;
        double el = (double)uv_hrtime() / 1e9 - t0;
        if (!cfg.quiet)
            fprintf(stderr, "cairn-bench: prefilled %" PRIu64 " objects in %.1f s (%.0f PUT/s)%s\n",
                    (uint64_t)atomic_load(&g_progress), el, (double)atomic_load(&g_progress) / el,
                    errs ? ", WITH ERRORS" : "");
        if (errs) {
            fprintf(stderr, "cairn-bench: prefill: %" PRIu64 " errors; first: %s\n", errs, g_workers[0].first_error);
            return 1;
        }
        for (int t = 0; t < cfg.threads; t++) g_workers[t].first_error[0] = 0;
    }
    if (cfg.wl == WL_MIXED) memset(g_present, needs_objects && cfg.prefill ? 1 : 0, cfg.objects);

    run_extra x;
    memset(&x, 0, sizeof x);
    if (cfg.pid) {
        x.rss_before = proc_status_kib(cfg.pid, "VmRSS");
        x.anon_before = proc_status_kib(cfg.pid, "RssAnon");
    }
    uint64_t t_start = uv_hrtime();
    sampler_arg sa = {.x = &x};
    sa.w0 = t_start + (uint64_t)(cfg.warmup * 1e9);
    sa.w1 = sa.w0 + (uint64_t)(cfg.duration * 1e9);
    atomic_init(&sa.done, 0);
    uv_thread_t sampler;
    uv_thread_create(&sampler, sampler_main, &sa);
    run_phase(PH_RUN, t_start, cfg.wl == WL_PUT ? cfg.objects - cfg.key_offset : cfg.objects, cfg.timeout);
    atomic_store(&sa.done, 1);
    uv_thread_join(&sampler);
    if (cfg.pid) {
        x.rss_end = proc_status_kib(cfg.pid, "VmRSS");
        x.hwm_end = proc_status_kib(cfg.pid, "VmHWM");
        x.anon_end = proc_status_kib(cfg.pid, "RssAnon");
        x.file_end = proc_status_kib(cfg.pid, "RssFile") + proc_status_kib(cfg.pid, "RssShmem");
        if (x.anon_end > x.anon_max) x.anon_max = x.anon_end;
        if (x.rss_end > x.rss_max) x.rss_max = x.rss_end;
    }

    op_stats *tot = xcalloc(OP_N, sizeof *tot);
    double window = cfg.duration;
    if (cfg.count) {
        uint64_t last = 0;
        for (int t = 0; t < cfg.threads; t++)
            if (g_workers[t].last_done > last) last = g_workers[t].last_done;
        window = last > g_workers[0].t_win0 ? (double)(last - g_workers[0].t_win0) / 1e9 : 1e-9;
    }
    for (int t = 0; t < cfg.threads; t++)
        for (int o = 0; o < OP_N; o++) stats_merge(&tot[o], &g_workers[t].st[o]);
    x.window_s = window;
    report(tot, window, &x);

    if (cfg.cleanup) {
        uint32_t n = cfg.objects;
        if (cfg.wl == WL_MULTIPART) {
            g_kind = "mpu";
            uint32_t used = 0;   /* multipart keys: at most as many as uploads were started */
            for (int t = 0; t < cfg.threads; t++)
                if (g_workers[t].mpu_seq > used) used = g_workers[t].mpu_seq;
            used = used * (uint32_t)cfg.threads;
            if (used < n) n = used;
        }
        for (int t = 0; t < cfg.threads; t++) { g_workers[t].prefill_errors = 0; g_workers[t].first_error[0] = 0; }
        run_phase(PH_CLEANUP, uv_hrtime(), n, 600);
        uint64_t errs = 0;
        for (int t = 0; t < cfg.threads; t++) errs += g_workers[t].prefill_errors;
        if (errs) fprintf(stderr, "cairn-bench: cleanup: %" PRIu64 " errors; first: %s\n", errs, g_workers[0].first_error);
    }
    uint64_t run_errors = 0;
    for (int o = 0; o < OP_N; o++) run_errors += stats_errors(&tot[o]);
    free(tot);
    free(g_body);
    for (int t = 0; t < cfg.threads; t++) {
        for (int i = 0; i < g_workers[t].n_conns; i++) free(g_workers[t].conns[i].cap);
        free(g_workers[t].conns);
        free(g_workers[t].part_etags);
        free(g_workers[t].xml);
    }
    free(g_workers);
    return run_errors ? 3 : 0;   /* 3: the run had failed requests (they are in the report) */
}

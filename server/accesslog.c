#include "accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { LOG_BUF = 64 * 1024, LINE_MAX_BYTES = 48 * 1024 };

struct accesslog {
    uv_check_t check;
    int fd;
    int own_fd;
    int enabled;
    char *buf;
    size_t len;
    uint64_t dropped;
    char *path;                  /* the file, for reopening; NULL: stdout */
    time_t stamp_sec;            /* the second l->stamp was formatted for */
    char stamp[80];              /* "2026-11-26T07:18:21." */
};

static void write_all(accesslog *l)
{
    size_t off = 0;
    while (off < l->len) {
        ssize_t n = write(l->fd, l->buf + off, l->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { l->dropped++; break; }     /* a full disk loses log lines, not requests */
        off += (size_t)n;
    }
    l->len = 0;
}

void accesslog_flush(accesslog *l)
{
    if (l && l->len) write_all(l);
}

static void on_check(uv_check_t *h) { accesslog_flush(h->data); }

accesslog *accesslog_open(uv_loop_t *loop, const char *path, int enabled)
{
    accesslog *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->buf = malloc(LOG_BUF + LINE_MAX_BYTES);
    if (!l->buf) { free(l); return NULL; }
    l->enabled = enabled;
    if (path && *path) {
        l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (l->fd < 0) {
            fprintf(stderr, "cairn: cannot open log file %s: %s\n", path, strerror(errno));
            free(l->buf);
            free(l);
            return NULL;
        }
        l->own_fd = 1;
        l->path = strdup(path);
    } else {
        l->fd = STDOUT_FILENO;
    }
    uv_check_init(loop, &l->check);
    l->check.data = l;
    uv_check_start(&l->check, on_check);
    uv_unref((uv_handle_t *)&l->check);
    return l;
}

void accesslog_set_enabled(accesslog *l, int enabled) { l->enabled = enabled; }
int accesslog_enabled(const accesslog *l) { return l && l->enabled; }

int accesslog_reopen(accesslog *l)
{
    if (!l || !l->own_fd || !l->path) return 0;
    int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return -errno;
    accesslog_flush(l);          /* what is buffered belongs to the old file */
    close(l->fd);
    l->fd = fd;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    accesslog *l = h->data;
    free(l->path);
    free(l->buf);
    free(l);
}

void accesslog_close(accesslog *l)
{
    if (!l) return;
    accesslog_flush(l);
    if (l->own_fd) close(l->fd);
    uv_check_stop(&l->check);
    uv_close((uv_handle_t *)&l->check, on_closed);
}

static int secret_param(const char *name, size_t n)
{
    static const char *const names[] = { "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
                                         "Signature", "AWSAccessKeyId", "x-amz-security-token" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0) return 1;
    return 0;
}

void accesslog_redact_query(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', plen);
        size_t nlen = eq ? (size_t)(eq - q) : plen;
        if (!secret_param(q, nlen) && plen > 0) {
            size_t need = plen + (o ? 1 : 0);
            if (o + need + 1 > cap) break;
            if (o) out[o++] = '&';
            memcpy(out + o, q, plen);
            o += plen;
        }
        q = amp ? amp + 1 : q + plen;
    }
    out[o] = '\0';
}

/* JSON string body (no quotes); bounded by the buffer's reserve. */
static void put_json(accesslog *l, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (; s && *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (l->len + 8 > LOG_BUF + LINE_MAX_BYTES - 64) break;
        if (c == '"' || c == '\\') {
            l->buf[l->len++] = '\\';
            l->buf[l->len++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(l->buf + l->len, "\\u00", 4);
            l->buf[l->len + 4] = hex[c >> 4];
            l->buf[l->len + 5] = hex[c & 15];
            l->len += 6;
        } else {
            l->buf[l->len++] = (char)c;
        }
    }
}

static void put(accesslog *l, const char *s)
{
    size_t n = strlen(s);
    if (l->len + n < LOG_BUF + LINE_MAX_BYTES) {
        memcpy(l->buf + l->len, s, n);
        l->len += n;
    }
}

static void put_field(accesslog *l, const char *name, const char *value, size_t max)
{
    put(l, ",\"");
    put(l, name);
    put(l, "\":");
    if (!value) { put(l, "null"); return; }
    put(l, "\"");
    put_json(l, value, max);
    put(l, "\"");
}

/* Decimal digits of v; the formatting below avoids snprintf on the
 * per-request path. */
static void put_u64(accesslog *l, uint64_t v)
{
    char d[24];
    int n = 0;
    do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) l->buf[l->len++] = d[--n];
}

/* nanoseconds as milliseconds with three decimals: 1234567 -> 1.234 */
static void put_ms(accesslog *l, uint64_t ns)
{
    uint64_t us = ns / 1000;
    put_u64(l, us / 1000);
    l->buf[l->len++] = '.';
    l->buf[l->len++] = (char)('0' + us / 100 % 10);
    l->buf[l->len++] = (char)('0' + us / 10 % 10);
    l->buf[l->len++] = (char)('0' + us % 10);
}

static void put_num_field(accesslog *l, const char *name, uint64_t v)
{
    put(l, ",\"");
    put(l, name);
    put(l, "\":");
    put_u64(l, v);
}

void accesslog_write(accesslog *l, http_exchange *ex)
{
    if (!l || !l->enabled) return;
    const http_request *r = http_req(ex);
    const http_log_fields *lf = http_log_fields_of(ex);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != l->stamp_sec) {
        /* the date changes once a second: format it then, not per line */
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(l->stamp, sizeof l->stamp, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        l->stamp_sec = ts.tv_sec;
    }
    put(l, "{\"time\":\"");
    put(l, l->stamp);
    long ms = ts.tv_nsec / 1000000;
    l->buf[l->len++] = (char)('0' + ms / 100);
    l->buf[l->len++] = (char)('0' + ms / 10 % 10);
    l->buf[l->len++] = (char)('0' + ms % 10);
    put(l, "Z\"");
    put_field(l, "requestId", http_request_id(ex), 64);
    put_field(l, "remote", r->remote_addr, 64);
    put_field(l, "user", lf->user, 256);
    put_field(l, "api", lf->api, 64);
    put_field(l, "bucket", lf->bucket, 256);
    put_field(l, "key", lf->key, 1024);
    put_field(l, "method", r->method, 16);
    put_field(l, "path", r->path, 2048);
    if (r->query[0]) {
        char q[2048];
        accesslog_redact_query(r->query, q, sizeof q);
        put_field(l, "query", q, sizeof q);
    } else {
        put(l, ",\"query\":\"\"");
    }
    uint64_t now = uv_hrtime(), start = http_exchange_start_ns(ex), head = http_exchange_head_ns(ex);
    put_num_field(l, "status", http_response_started(ex) ? (uint64_t)http_response_status(ex) : 0);
    put_num_field(l, "bytesIn", http_body_bytes_in(ex));
    put_num_field(l, "bytesOut", http_body_bytes_out(ex));
    put(l, ",\"ttfbMs\":");
    put_ms(l, head ? head - start : 0);
    put(l, ",\"durationMs\":");
    put_ms(l, now - start);
    if (!http_exchange_finished(ex)) put(l, ",\"aborted\":true");
    put(l, "}\n");
    if (l->len >= LOG_BUF) write_all(l);
}

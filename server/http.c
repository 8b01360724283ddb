#include "http.h"

#include <llhttp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/log.h"
#include "../common/timefmt.h"

typedef struct http_conn http_conn;

struct http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    int listening;
    http_limits limits;
    http_request_cb on_request;
    void *user;
    http_conn *conns;          /* doubly linked list of open connections */
    int n_conns;
    int shutting_down;
    uv_timer_t grace_timer;
    void (*shutdown_done)(http_server *);
    uint64_t request_counter;
    char id_prefix[9];
    http_done_cb on_done;
    void *on_done_arg;
    int inflight;
    SSL_CTX *tls;                /* NULL: plain HTTP */
    time_t date_second;          /* date_text is the Date header for this second */
    char date_text[HTTP_DATE_LEN + 1];
};

struct http_exchange {
    http_conn *conn;             /* NULL once the connection let go of it */
    http_server *srv;
    arena arena;
    http_request req;
    char request_id[24];
    const http_body_sink *sink;
    http_abort_cb on_abort;
    void *user;
    int holds;
    int aborted;
    int body_done;
    int response_started, response_finished, status;
    int is_head;
    int chunked_response;
    int continue_sent;
    int expect_empty;            /* Expect: 100-continue on a request without a body */
    int close_after;
    int dispatched;              /* handed to the server's on_request */
    strbuf resp_headers;
    /* The response head waits here for the first body bytes (or the
     * finish) so that a small response leaves in one write: a second
     * write() per response doubled the loopback TCP cost of small GETs. */
    uv_buf_t pending_head;
    int head_pending;
    http_log_fields log;
    uint64_t bytes_in, bytes_out, drained;
    uint64_t start_ns, head_ns;
};

enum { HEAD_BUF = HTTP_MAX_URL + HTTP_MAX_HEADER_BLOCK + 2 * HTTP_MAX_HEADERS + 16 };
/* TLS: ciphertext read from the socket goes into the connection's rbio;
 * we stop reading while this much is waiting there undecrypted (the
 * plaintext buffer is full). */
enum { TLS_READ_CHUNK = 16 * 1024 + 512, TLS_MAX_PENDING_IN = 64 * 1024 };

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown_req;
    http_server *srv;
    http_conn *prev, *next;
    llhttp_t parser;
    char remote[64];

    char inbuf[HTTP_READ_BUFFER];
    size_t in_len, in_off;
    char *direct;                /* the read in progress goes to the body sink's buffer */

    /* request head being parsed */
    char head[HEAD_BUF];
    size_t head_len;
    size_t url_len, header_bytes;
    size_t url_off;
    size_t name_off[HTTP_MAX_HEADERS + 1], value_off[HTTP_MAX_HEADERS + 1];
    size_t n_headers;
    int head_started;
    uint64_t head_start_ms;
    int head_error;              /* 414 or 431 set by a callback */

    http_exchange *ex;
    int reading;
    int sink_paused;
    int in_execute;
    int broken;                  /* parser in error: no more requests */
    int closing;                 /* uv_close or shutdown under way */
    int handles_open;
    uint64_t last_activity_ms;

    /* TLS (NULL when plain): OpenSSL works on two memory BIOs; we move
     * ciphertext between them and the socket. */
    SSL *ssl;
    BIO *rbio, *wbio;
    char *tls_in;                /* TLS_READ_CHUNK bytes for uv reads */
};

static uint64_t now_ms(http_server *s) { return uv_now(s->loop); }

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 416: return "Requested Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return "Status";
    }
}

/* ---------- exchange lifetime ---------- */

static void exchange_free_if_unused(http_exchange *ex)
{
    if (ex->conn == NULL && ex->holds == 0) {
        arena_reset(&ex->arena);
        free(ex);
    }
}

void http_hold(http_exchange *ex) { ex->holds++; }

void http_release(http_exchange *ex)
{
    ex->holds--;
    exchange_free_if_unused(ex);
}

static http_exchange *exchange_new(http_conn *c)
{
    http_exchange *ex = calloc(1, sizeof *ex);
    if (!ex) abort();
    ex->conn = c;
    ex->srv = c->srv;
    arena_init(&ex->arena);
    strbuf_init(&ex->resp_headers, &ex->arena, 512);
    http_server *s = c->srv;
    /* 8 hex digits of this process's prefix, then 8 of the counter */
    static const char hex[] = "0123456789ABCDEF";
    memcpy(ex->request_id, s->id_prefix, 8);
    uint32_t n = (uint32_t)++s->request_counter;
    for (int i = 15; i >= 8; i--, n >>= 4) ex->request_id[i] = hex[n & 15];
    ex->request_id[16] = '\0';
    ex->start_ns = uv_hrtime();
    ex->req.query = "";
    ex->req.path = "/";
    ex->req.target = "/";
    ex->req.method = "GET";
    ex->req.content_length = -1;
    ex->req.remote_addr = c->remote;
    s->inflight++;
    return ex;
}

/* The connection lets go of its exchange (finished, or the socket died). */
static void conn_detach_exchange(http_conn *c, int aborted)
{
    http_exchange *ex = c->ex;
    if (!ex) return;
    c->ex = NULL;
    c->sink_paused = 0;          /* a pause belongs to the exchange that asked */
    http_server *s = ex->srv;
    s->inflight--;
    if (aborted && !(ex->response_finished && ex->body_done)) {
        ex->aborted = 1;
        if (ex->on_abort) {
            http_abort_cb cb = ex->on_abort;
            ex->on_abort = NULL;
            ex->holds++;
            cb(ex);
            ex->holds--;
        }
    }
    if (s->on_done) s->on_done(ex, s->on_done_arg);
    ex->conn = NULL;
    exchange_free_if_unused(ex);
}

/* ---------- connection lifetime ---------- */

static void conn_parse(http_conn *c);
static void conn_update_reading(http_conn *c);

static void on_handle_closed(uv_handle_t *h)
{
    http_conn *c = h->data;
    if (--c->handles_open > 0) return;
    http_server *s = c->srv;
    if (c->prev) c->prev->next = c->next; else s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->n_conns--;
    if (c->ssl) SSL_free(c->ssl);      /* frees both BIOs */
    free(c->tls_in);
    free(c);
    if (s->shutting_down && s->n_conns == 0 && s->shutdown_done) {
        void (*done)(http_server *) = s->shutdown_done;
        s->shutdown_done = NULL;
        uv_timer_stop(&s->grace_timer);
        done(s);
    }
}

static void conn_close(http_conn *c)
{
    if (c->closing == 2) return;
    c->closing = 2;
    conn_detach_exchange(c, 1);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    conn_close(req->data);
}

/* Close after everything queued has been written. */
static void tls_flush(http_conn *c);

static void conn_close_gracefully(http_conn *c)
{
    if (c->closing) return;
    if (c->ssl && SSL_is_init_finished(c->ssl)) {
        SSL_shutdown(c->ssl);            /* queues close_notify */
        tls_flush(c);
    }
    c->closing = 1;
    if (c->reading) { uv_read_stop((uv_stream_t *)&c->tcp); c->reading = 0; }
    c->shutdown_req.data = c;
    if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
        conn_close(c);
}

/* ---------- writing ---------- */

typedef struct write_req {
    uv_write_t req;
    http_exchange *ex;
    http_write_cb cb;
    void *arg;
    char *tls_buf;               /* the ciphertext written, freed when done */
    char frame[24];
} write_req;

/* ---------- TLS record layer (memory BIOs) ---------- */

typedef struct raw_write {
    uv_write_t req;
    char data[];
} raw_write;

static void on_raw_written(uv_write_t *req, int status)
{
    (void)status;
    free(req->data);
}

/* Writes whatever OpenSSL produced (handshake, alerts, tickets,
 * close_notify) that no exchange is waiting for. */
static void tls_flush(http_conn *c)
{
    size_t pend = BIO_ctrl_pending(c->wbio);
    if (pend == 0) return;
    raw_write *w = malloc(sizeof *w + pend);
    if (!w) return;
    int n = BIO_read(c->wbio, w->data, (int)pend);
    if (n <= 0 || c->closing == 2) { free(w); return; }
    w->req.data = w;
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_raw_written) != 0) free(w);
}

static void conn_close(http_conn *c);

/* Decrypts what the rbio holds into the plaintext buffer, as far as it
 * has room; runs the handshake first.  Returns -1 if the connection was
 * closed (a TLS error), 1 if the peer sent close_notify, else 0. */
static int tls_pump(http_conn *c)
{
    if (!SSL_is_init_finished(c->ssl)) {
        int r = SSL_do_handshake(c->ssl);
        tls_flush(c);
        if (r != 1) {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ) return 0;
            ERR_clear_error();
            conn_close(c);
            return -1;
        }
    }
    for (;;) {
        if (c->in_off > 0 && c->in_off == c->in_len) c->in_off = c->in_len = 0;
        if (c->in_off > 0 && c->in_len == sizeof c->inbuf) {
            memmove(c->inbuf, c->inbuf + c->in_off, c->in_len - c->in_off);
            c->in_len -= c->in_off;
            c->in_off = 0;
        }
        size_t room = sizeof c->inbuf - c->in_len;
        if (room == 0) break;
        int n = SSL_read(c->ssl, c->inbuf + c->in_len, (int)room);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        int e = SSL_get_error(c->ssl, n);
        tls_flush(c);
        if (e == SSL_ERROR_WANT_READ) break;
        ERR_clear_error();
        if (e == SSL_ERROR_ZERO_RETURN) return 1;
        conn_close(c);
        return -1;
    }
    tls_flush(c);
    return 0;
}

static void on_write_done(uv_write_t *req, int status)
{
    write_req *w = req->data;
    http_exchange *ex = w->ex;
    free(w->tls_buf);
    w->tls_buf = NULL;
    if (status != 0 && ex->conn && !ex->conn->closing) conn_close(ex->conn);
    if (w->cb) w->cb(ex, status, w->arg);
    http_release(ex);
}

/* Writes what the socket takes now when nobody waits for a completion:
 * a uv_write that completes at once still costs an epoll_ctl when libuv
 * drains the stream, once per response.  Returns the bytes written (the
 * caller queues the rest) or 0. */
static size_t write_now(http_conn *c, uv_buf_t *bufs, unsigned nbufs)
{
    if (c->ssl) return 0;
    int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, nbufs);
    return n > 0 ? (size_t)n : 0;
}

/* Drops the first n bytes of bufs[0..*nbufs); returns the first buffer left. */
static uv_buf_t *skip_written(uv_buf_t *bufs, unsigned *nbufs, size_t n)
{
    while (*nbufs > 0 && n >= bufs->len) {
        n -= bufs->len;
        bufs++;
        (*nbufs)--;
    }
    if (*nbufs > 0) {
        bufs->base += n;
        bufs->len -= n;
    }
    return bufs;
}

static int queue_write(http_exchange *ex, uv_buf_t *bufs, unsigned nbufs, http_write_cb cb, void *arg)
{
    http_conn *c = ex->conn;
    if (!c || c->closing == 2) return UV_ECANCELED;
    if (!cb) {
        bufs = skip_written(bufs, &nbufs, write_now(c, bufs, nbufs));
        while (nbufs > 0 && bufs->len == 0) { bufs++; nbufs--; }
        if (nbufs == 0) return 0;
    }
    write_req *w = arena_alloc(&ex->arena, sizeof *w);
    w->req.data = w;
    w->ex = ex;
    w->cb = cb;
    w->arg = arg;
    w->tls_buf = NULL;
    uv_buf_t ct;
    if (c->ssl) {
        /* Encrypt into the wbio (a memory BIO takes everything), then send
         * the ciphertext as one write: one copy, like the plain path's
         * zero, and the completion still tells the producer the client
         * took the bytes. */
        for (unsigned i = 0; i < nbufs; i++) {
            if (bufs[i].len == 0) continue;
            if (SSL_write(c->ssl, bufs[i].base, (int)bufs[i].len) <= 0) {
                ERR_clear_error();
                return UV_EPROTO;
            }
        }
        size_t pend = BIO_ctrl_pending(c->wbio);
        w->tls_buf = malloc(pend ? pend : 1);
        if (!w->tls_buf) return UV_ENOMEM;
        int n = BIO_read(c->wbio, w->tls_buf, (int)pend);
        ct = uv_buf_init(w->tls_buf, n > 0 ? (unsigned)n : 0);
        bufs = &ct;
        nbufs = 1;
    }
    ex->holds++;
    int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, nbufs, on_write_done);
    if (r != 0) {
        ex->holds--;
        free(w->tls_buf);
        w->tls_buf = NULL;
        return r;
    }
    return 0;
}

/* The Date header, formatted once per second rather than per response. */
static const char *http_date_now(http_server *s)
{
    time_t t = time(NULL);
    if (t != s->date_second || !s->date_text[0]) {
        format_http_date(t, s->date_text, sizeof s->date_text);
        s->date_second = t;
    }
    return s->date_text;
}

void http_add_header(http_exchange *ex, const char *name, const char *value)
{
    if (ex->response_started) return;
    strbuf_puts(&ex->resp_headers, name);
    strbuf_append(&ex->resp_headers, ": ", 2);
    /* Header values never carry CR/LF: drop them rather than let a stored
     * value split the response. */
    for (const char *p = value; *p;) {
        size_t run = strcspn(p, "\r\n");
        strbuf_append(&ex->resp_headers, p, run);
        p += run;
        while (*p == '\r' || *p == '\n') p++;
    }
    strbuf_append(&ex->resp_headers, "\r\n", 2);
}

void http_close_after(http_exchange *ex) { ex->close_after = 1; }

void http_send_head(http_exchange *ex, int status, int64_t content_length)
{
    if (ex->response_started) return;
    ex->response_started = 1;
    ex->status = status;
    ex->head_ns = uv_hrtime();
    http_conn *c = ex->conn;
    if (!c) return;
    if (ex->srv->shutting_down) ex->close_after = 1;
    /* A client that asked to continue and was answered without it may or
     * may not send the body; the only safe framing is to close. */
    if (ex->req.expect_continue && !ex->continue_sent && !ex->body_done) ex->close_after = 1;
    strbuf h;
    strbuf_init(&h, &ex->arena, 256 + ex->resp_headers.len);
    /* Clients that sent Expect: 100-continue with an empty body (botocore
     * does for 0-byte PUTs) wait for the interim response before they read
     * the final one; without it they lose track of the connection. */
    if (ex->expect_empty && !ex->continue_sent) {
        ex->continue_sent = 1;
        strbuf_puts(&h, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    strbuf_puts(&h, "HTTP/1.1 ");
    strbuf_put_u64(&h, (uint64_t)status);
    strbuf_append(&h, " ", 1);
    strbuf_puts(&h, http_status_text(status));
    strbuf_puts(&h, "\r\nServer: cairn\r\nDate: ");
    strbuf_puts(&h, http_date_now(ex->srv));
    strbuf_puts(&h, "\r\nx-amz-request-id: ");
    strbuf_puts(&h, ex->request_id);
    strbuf_append(&h, "\r\n", 2);
    strbuf_append(&h, ex->resp_headers.data, ex->resp_headers.len);
    if (content_length >= 0) {
        strbuf_puts(&h, "Content-Length: ");
        strbuf_put_u64(&h, (uint64_t)content_length);
        strbuf_append(&h, "\r\n", 2);
    } else if (status != 304 && status != 204) {
        ex->chunked_response = !ex->is_head;
        strbuf_puts(&h, "Transfer-Encoding: chunked\r\n");
    }
    if (ex->close_after) strbuf_puts(&h, "Connection: close\r\n");
    strbuf_append(&h, "\r\n", 2);
    ex->pending_head = uv_buf_init(h.data, (unsigned)h.len);
    ex->head_pending = 1;
}

/* Puts the pending head (if any) in front of bufs[0..n): bufs must have
 * room for one more.  Returns the new count. */
static unsigned take_pending_head(http_exchange *ex, uv_buf_t *bufs, unsigned n)
{
    if (!ex->head_pending) return n;
    ex->head_pending = 0;
    memmove(bufs + 1, bufs, n * sizeof *bufs);
    bufs[0] = ex->pending_head;
    return n + 1;
}

void http_send_body(http_exchange *ex, const void *p, size_t n, http_write_cb cb, void *arg)
{
    if (!ex->response_started) http_send_head(ex, 200, -1);
    if (ex->is_head || n == 0 || ex->conn == NULL) {
        if (cb) cb(ex, ex->conn ? 0 : UV_ECANCELED, arg);
        return;
    }
    ex->bytes_out += n;
    int r;
    uv_buf_t bufs[4];
    unsigned nb;
    if (ex->chunked_response) {
        write_req tmp; /* only for its frame buffer size */
        char *frame = arena_alloc(&ex->arena, sizeof tmp.frame);
        int fl = snprintf(frame, sizeof tmp.frame, "%zx\r\n", n);
        bufs[0] = uv_buf_init(frame, (unsigned)fl);
        bufs[1] = uv_buf_init((char *)p, (unsigned)n);
        bufs[2] = uv_buf_init("\r\n", 2);
        nb = 3;
    } else {
        bufs[0] = uv_buf_init((char *)p, (unsigned)n);
        nb = 1;
    }
    r = queue_write(ex, bufs, take_pending_head(ex, bufs, nb), cb, arg);
    if (r != 0 && cb) cb(ex, r, arg);
}

static void exchange_maybe_end(http_exchange *ex);

void http_finish(http_exchange *ex)
{
    if (ex->response_finished) return;
    if (!ex->response_started) http_send_head(ex, 200, 0);
    ex->response_finished = 1;
    if (ex->conn) {
        uv_buf_t bufs[2];
        unsigned nb = 0;
        if (ex->chunked_response) bufs[nb++] = uv_buf_init("0\r\n\r\n", 5);
        nb = take_pending_head(ex, bufs, nb);
        if (nb) queue_write(ex, bufs, nb, NULL, NULL);
    }
    exchange_maybe_end(ex);
}

void http_respond(http_exchange *ex, int status, const char *content_type, const void *body, size_t n)
{
    if (ex->response_started) return;
    if (content_type) http_add_header(ex, "Content-Type", content_type);
    http_send_head(ex, status, (int64_t)n);
    if (n) {
        char *copy = arena_alloc(&ex->arena, n);
        memcpy(copy, body, n);
        http_send_body(ex, copy, n, NULL, NULL);
    }
    http_finish(ex);
}

static void respond_protocol_error(http_exchange *ex, int status, const char *code, const char *msg)
{
    if (ex->response_started) return;
    ex->close_after = 1;
    char *body = arena_printf(&ex->arena,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
        "<Resource>/</Resource><RequestId>%s</RequestId></Error>", code, msg, ex->request_id);
    http_respond(ex, status, "application/xml", body, strlen(body));
}

/* ---------- accessors ---------- */

const http_request *http_req(const http_exchange *ex) { return &ex->req; }
arena *http_arena(http_exchange *ex) { return &ex->arena; }
const char *http_request_id(const http_exchange *ex) { return ex->request_id; }
http_server *http_exchange_server(const http_exchange *ex) { return ex->srv; }
void http_set_user(http_exchange *ex, void *user) { ex->user = user; }
void *http_get_user(const http_exchange *ex) { return ex->user; }
int http_is_aborted(const http_exchange *ex) { return ex->aborted || ex->conn == NULL; }
void http_on_abort(http_exchange *ex, http_abort_cb cb) { ex->on_abort = cb; }
int http_response_started(const http_exchange *ex) { return ex->response_started; }
int http_response_status(const http_exchange *ex) { return ex->status; }
uint64_t http_body_bytes_in(const http_exchange *ex) { return ex->bytes_in; }
void http_set_log_fields(http_exchange *ex, const http_log_fields *f) { ex->log = *f; }
const http_log_fields *http_log_fields_of(const http_exchange *ex) { return &ex->log; }
uint64_t http_body_bytes_out(const http_exchange *ex) { return ex->bytes_out; }
uint64_t http_exchange_start_ns(const http_exchange *ex) { return ex->start_ns; }
uint64_t http_exchange_head_ns(const http_exchange *ex) { return ex->head_ns; }
int http_exchange_finished(const http_exchange *ex) { return ex->response_finished; }
int http_exchange_dispatched(const http_exchange *ex) { return ex->dispatched; }
int http_server_inflight(const http_server *s) { return s->inflight; }

void http_server_on_done(http_server *s, http_done_cb cb, void *arg)
{
    s->on_done = cb;
    s->on_done_arg = arg;
}
void *http_server_user(const http_server *s) { return s->user; }
int http_server_connections(const http_server *s) { return s->n_conns; }

const char *http_header_get(const http_exchange *ex, const char *lower_name)
{
    for (size_t i = 0; i < ex->req.n_headers; i++)
        if (strcmp(ex->req.headers[i].name, lower_name) == 0) return ex->req.headers[i].value;
    return NULL;
}

/* ---------- request body ---------- */

void http_accept_body(http_exchange *ex, const http_body_sink *sink)
{
    ex->sink = sink;
    http_conn *c = ex->conn;
    if (c && ex->req.expect_continue && !ex->continue_sent && !ex->response_started && !ex->body_done) {
        ex->continue_sent = 1;
        uv_buf_t b = uv_buf_init("HTTP/1.1 100 Continue\r\n\r\n", 25);
        queue_write(ex, &b, 1, NULL, NULL);
    }
}

void http_pause_body(http_exchange *ex)
{
    http_conn *c = ex->conn;
    if (!c || ex->body_done) return;
    c->sink_paused = 1;
    if (!c->in_execute) conn_update_reading(c);
}

void http_resume_body(http_exchange *ex)
{
    http_conn *c = ex->conn;
    if (!c || !c->sink_paused) return;
    c->sink_paused = 0;
    c->last_activity_ms = now_ms(c->srv);
    if (!c->in_execute) conn_parse(c);
}

/* ---------- llhttp callbacks ---------- */

static int head_append(http_conn *c, const char *at, size_t n)
{
    if (c->head_len + n + 1 > sizeof c->head) return -1;
    memcpy(c->head + c->head_len, at, n);
    c->head_len += n;
    return 0;
}

static int head_terminate(http_conn *c)
{
    if (c->head_len + 1 > sizeof c->head) { c->head_error = 431; return -1; }
    c->head[c->head_len++] = '\0';
    return 0;
}

static int cb_message_begin(llhttp_t *p)
{
    http_conn *c = p->data;
    c->head_len = 0;
    c->url_len = 0;
    c->header_bytes = 0;
    c->n_headers = 0;
    c->url_off = 0;
    c->head_error = 0;
    if (!c->head_started) {
        c->head_started = 1;
        c->head_start_ms = now_ms(c->srv);
    }
    return 0;
}

static int cb_url(llhttp_t *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    c->url_len += n;
    if (c->url_len > HTTP_MAX_URL) { c->head_error = 414; return HPE_USER; }
    return head_append(c, at, n) == 0 ? 0 : (c->head_error = 414, HPE_USER);
}

static int cb_url_complete(llhttp_t *p)
{
    http_conn *c = p->data;
    if (head_terminate(c)) return HPE_USER;
    c->name_off[0] = c->head_len;
    return 0;
}

/* RFC 9110 token characters: what a header name may contain. */
static int is_tchar(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) return 1;
    return ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static int cb_header_field(llhttp_t *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)at[i])) { c->head_error = 400; return HPE_USER; }
    c->header_bytes += n;
    if (c->header_bytes > HTTP_MAX_HEADER_BLOCK || c->n_headers >= HTTP_MAX_HEADERS) {
        c->head_error = 431;
        return HPE_USER;
    }
    return head_append(c, at, n) == 0 ? 0 : (c->head_error = 431, HPE_USER);
}

static int cb_header_field_complete(llhttp_t *p)
{
    http_conn *c = p->data;
    if (head_terminate(c)) return HPE_USER;
    c->value_off[c->n_headers] = c->head_len;
    return 0;
}

static int cb_header_value(llhttp_t *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    c->header_bytes += n;
    if (c->header_bytes > HTTP_MAX_HEADER_BLOCK) { c->head_error = 431; return HPE_USER; }
    return head_append(c, at, n) == 0 ? 0 : (c->head_error = 431, HPE_USER);
}

static int cb_header_value_complete(llhttp_t *p)
{
    http_conn *c = p->data;
    if (head_terminate(c)) return HPE_USER;
    c->n_headers++;
    c->name_off[c->n_headers] = c->head_len;
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

static int cb_headers_complete(llhttp_t *p)
{
    http_conn *c = p->data;
    http_exchange *ex = exchange_new(c);
    c->ex = ex;
    c->head_started = 0;
    http_request *r = &ex->req;
    r->method = llhttp_method_name((llhttp_method_t)llhttp_get_method(p));
    ex->is_head = strcmp(r->method, "HEAD") == 0;
    char *url = arena_strdup(&ex->arena, c->head + c->url_off);
    r->target = url;
    char *q = strchr(url, '?');
    if (q) {
        r->path = arena_strndup(&ex->arena, url, (size_t)(q - url));
        r->query = q + 1;
    } else {
        r->path = url;
        r->query = "";
    }
    r->headers = arena_alloc(&ex->arena, sizeof(http_header) * (c->n_headers ? c->n_headers : 1));
    size_t nh = 0;
    for (size_t i = 0; i < c->n_headers; i++) {
        char *name = arena_strdup(&ex->arena, c->head + c->name_off[i]);
        for (char *s = name; *s; s++) if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
        char *value = trim(arena_strdup(&ex->arena, c->head + c->value_off[i]));
        r->headers[nh].name = name;
        r->headers[nh].value = value;
        nh++;
    }
    r->n_headers = nh;
    r->chunked = (p->flags & F_CHUNKED) != 0;
    if (p->flags & F_CONTENT_LENGTH) r->content_length = (int64_t)p->content_length;
    else r->content_length = r->chunked ? -1 : 0;
    r->has_body = r->chunked || r->content_length > 0;
    const char *expect = http_header_get(ex, "expect");
    r->expect_continue = expect && strcasecmp(expect, "100-continue") == 0 && r->has_body;
    ex->expect_empty = expect && strcasecmp(expect, "100-continue") == 0 && !r->has_body;
    if (!llhttp_should_keep_alive(p)) ex->close_after = 1;

    http_server *s = c->srv;
    ex->holds++;
    ex->dispatched = 1;
    s->on_request(ex);
    /* the handler may have answered and the connection let go of ex
     * (Connection: close): then this was the last hold */
    http_release(ex);
    return 0;
}

static int cb_body(llhttp_t *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    http_exchange *ex = c->ex;
    if (!ex) return 0;
    ex->bytes_in += n;
    if (ex->sink && !ex->response_started && !ex->aborted) {
        /* held: a sink that answers and lets go of ex still runs on it */
        ex->holds++;
        if (ex->sink->on_data(ex, at, n) && c->ex == ex) c->sink_paused = 1;
        http_release(ex);
    } else {
        ex->drained += n;
        if (ex->drained > c->srv->limits.drain_limit) {
            ex->close_after = 1;
            return HPE_USER;
        }
    }
    return 0;
}

static int cb_message_complete(llhttp_t *p)
{
    http_conn *c = p->data;
    http_exchange *ex = c->ex;
    if (!ex) return HPE_PAUSED;
    ex->body_done = 1;
    if (ex->sink && ex->sink->on_end && !ex->response_started && !ex->aborted) {
        ex->holds++;
        ex->sink->on_end(ex);
        http_release(ex);
    }
    /* Stop here so a pipelined request waits until this one is answered. */
    return HPE_PAUSED;
}

static const llhttp_settings_t *parser_settings(void)
{
    static llhttp_settings_t settings;
    static int ready;
    if (!ready) {
        llhttp_settings_init(&settings);
        settings.on_message_begin = cb_message_begin;
        settings.on_url = cb_url;
        settings.on_url_complete = cb_url_complete;
        settings.on_header_field = cb_header_field;
        settings.on_header_field_complete = cb_header_field_complete;
        settings.on_header_value = cb_header_value;
        settings.on_header_value_complete = cb_header_value_complete;
        settings.on_headers_complete = cb_headers_complete;
        settings.on_body = cb_body;
        settings.on_message_complete = cb_message_complete;
        ready = 1;
    }
    return &settings;
}

/* ---------- the parse loop ---------- */

static void conn_protocol_error(http_conn *c, int status, const char *code, const char *msg)
{
    c->broken = 1;
    http_exchange *ex = c->ex;
    if (ex && ex->response_started) {
        /* The handler already answered; the stream is unusable now. */
        ex->close_after = 1;
        if (ex->response_finished) conn_close_gracefully(c);
        else {
            /* Let the handler finish writing, then close. */
            ex->body_done = 1;
        }
        return;
    }
    if (ex) {
        /* Body framing broke under a handler: it is an abort for it. */
        conn_detach_exchange(c, 1);
    }
    ex = exchange_new(c);
    c->ex = ex;
    ex->body_done = 1;
    respond_protocol_error(ex, status, code, msg);
}

static void exchange_maybe_end(http_exchange *ex)
{
    http_conn *c = ex->conn;
    if (!c || c->ex != ex) return;
    if (!ex->response_finished) return;
    if (!ex->body_done) {
        /* Answered before the body arrived: keep reading to discard it,
         * unless framing says we cannot. */
        if (ex->close_after || (ex->req.expect_continue && !ex->continue_sent)) {
            conn_detach_exchange(c, 0);
            conn_close_gracefully(c);
            return;
        }
        ex->sink = NULL;
        c->sink_paused = 0;
        if (!c->in_execute) conn_update_reading(c);
        return;
    }
    if (c->in_execute) return;      /* conn_parse picks it up */
    int close = ex->close_after || c->broken;
    conn_detach_exchange(c, 0);
    if (close || c->srv->shutting_down) {
        conn_close_gracefully(c);
        return;
    }
    c->last_activity_ms = now_ms(c->srv);
    conn_parse(c);
}

static void conn_parse(http_conn *c)
{
    while (!c->closing && !c->broken) {
        if (c->ex && c->ex->body_done) {
            if (c->ex->response_finished) {
                exchange_maybe_end(c->ex);
                return;            /* exchange_maybe_end re-entered us */
            }
            break;                 /* waiting for the answer */
        }
        if (c->sink_paused) break;
        if (c->in_off >= c->in_len && c->ssl) {
            int t = tls_pump(c);
            if (t < 0) return;
            if (t > 0 && c->in_off >= c->in_len) {
                /* close_notify: as a TCP EOF */
                if (c->ex && c->ex->body_done && !c->ex->response_finished) {
                    c->ex->close_after = 1;
                    c->broken = 1;
                    break;
                }
                conn_close(c);
                return;
            }
        }
        if (c->in_off >= c->in_len) break;
        const char *p = c->inbuf + c->in_off;
        size_t n = c->in_len - c->in_off;
        c->in_execute = 1;
        llhttp_errno_t err = llhttp_execute(&c->parser, p, n);
        c->in_execute = 0;
        if (err == HPE_OK) {
            c->in_off = c->in_len;
        } else if (err == HPE_PAUSED) {
            c->in_off = (size_t)(llhttp_get_error_pos(&c->parser) - c->inbuf);
            llhttp_resume(&c->parser);
        } else {
            int status = 400;
            const char *code = "BadRequest", *msg = "The request could not be parsed as HTTP/1.1.";
            if (c->head_error == 414) {
                status = 414; code = "RequestURITooLong"; msg = "The request URL exceeds 8 KiB.";
            } else if (c->head_error == 431) {
                status = 431; code = "RequestHeaderSectionTooLarge";
                msg = "The request header block exceeds 16 KiB.";
            } else if (c->ex && c->ex->drained > c->srv->limits.drain_limit) {
                conn_close_gracefully(c);
                return;
            }
            conn_protocol_error(c, status, code, msg);
            return;
        }
    }
    if (c->in_off == c->in_len) c->in_off = c->in_len = 0;
    if (!c->closing) conn_update_reading(c);
}

/* A large Content-Length body is read straight into its consumer's buffer
 * (the store's block), saving a copy of every byte out of inbuf.  llhttp
 * is told by lowering its count of body bytes still to come, and always
 * keeps the last byte to see, so it still ends the message itself. */
enum { DIRECT_READ_MIN = 16 * 1024 };

static int direct_body_buffer(http_conn *c, uv_buf_t *buf)
{
    http_exchange *ex = c->ex;
    if (!ex || c->ssl || !ex->sink || !ex->sink->buffer || ex->body_done || ex->response_started ||
        ex->aborted || c->sink_paused || c->broken || ex->req.chunked || ex->req.content_length <= 0)
        return 0;
    if (c->in_off != c->in_len) return 0;           /* what inbuf holds goes first */
    if (c->parser.content_length <= DIRECT_READ_MIN) return 0;
    size_t cap = 0;
    char *p = ex->sink->buffer(ex, &cap);
    if (!p || cap < DIRECT_READ_MIN) return 0;
    uint64_t before_last = c->parser.content_length - 1;
    if (cap > before_last) cap = (size_t)before_last;
    c->direct = p;
    buf->base = p;
    buf->len = cap;
    return 1;
}

static void direct_body_read(http_conn *c, char *p, size_t n)
{
    http_exchange *ex = c->ex;
    ex->bytes_in += n;
    c->parser.content_length -= n;
    c->in_execute = 1;
    ex->holds++;
    if (ex->sink->on_data(ex, p, n) && c->ex == ex) c->sink_paused = 1;
    http_release(ex);
    c->in_execute = 0;
    /* what the sink did (answer, pause) is picked up as after a parse */
    conn_parse(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    http_conn *c = h->data;
    c->direct = NULL;
    if (direct_body_buffer(c, buf)) return;
    if (c->ssl) {
        buf->base = c->tls_in;
        buf->len = TLS_READ_CHUNK;
        return;
    }
    if (c->in_off > 0 && c->in_off == c->in_len) c->in_off = c->in_len = 0;
    if (c->in_off > 0 && c->in_len == sizeof c->inbuf) {
        memmove(c->inbuf, c->inbuf + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    buf->base = c->inbuf + c->in_len;
    buf->len = sizeof c->inbuf - c->in_len;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    http_conn *c = stream->data;
    char *direct = c->direct;
    c->direct = NULL;
    if (nread == 0) return;
    if (nread < 0) {
        http_exchange *ex = c->ex;
        if (ex && ex->body_done && !ex->response_finished) {
            /* Client half-closed after a complete request: answer, then close. */
            ex->close_after = 1;
            uv_read_stop(stream);
            c->reading = 0;
            c->broken = 1;
            return;
        }
        conn_close(c);
        return;
    }
    c->last_activity_ms = now_ms(c->srv);
    if (direct) {
        direct_body_read(c, direct, (size_t)nread);
        return;
    }
    if (c->ssl) {
        if (BIO_write(c->rbio, buf->base, (int)nread) != (int)nread) {
            conn_close(c);
            return;
        }
    } else {
        c->in_len += (size_t)nread;
    }
    conn_parse(c);
}

static void conn_update_reading(http_conn *c)
{
    if (c->closing) return;
    /* Reading goes on while a request is answered (a pipelined request
     * waits in inbuf, bounded by its size): stopping and restarting the
     * read watcher for every request cost one epoll_ctl each. */
    int want = !c->broken && !c->sink_paused && c->in_len < sizeof c->inbuf &&
               !(c->ssl && BIO_ctrl_pending(c->rbio) >= TLS_MAX_PENDING_IN);
    if (want && !c->reading) {
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) c->reading = 1;
    } else if (!want && c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
}

/* ---------- timeouts ---------- */

static void on_conn_timer(uv_timer_t *t)
{
    http_conn *c = t->data;
    if (c->closing) return;
    http_server *s = c->srv;
    uint64_t now = now_ms(s), idle = now - c->last_activity_ms;
    http_exchange *ex = c->ex;
    if (!ex) {
        if (c->head_started) {
            if (now - c->head_start_ms > s->limits.header_timeout_ms) {
                conn_protocol_error(c, 400, "RequestTimeout",
                                    "The request head was not received within the timeout period.");
            }
        } else if (idle > s->limits.idle_timeout_ms || s->shutting_down) {
            conn_close(c);
        }
        return;
    }
    if (!ex->body_done && !c->sink_paused && idle > s->limits.body_timeout_ms) {
        if (!ex->response_started) {
            conn_protocol_error(c, 400, "RequestTimeout",
                                "Your socket connection to the server was not read from or written to within the timeout period.");
        } else {
            conn_close(c);
        }
    }
}

/* ---------- accepting ---------- */

static void on_connection(uv_stream_t *listener, int status)
{
    http_server *s = listener->data;
    if (status < 0) return;
    http_conn *c = calloc(1, sizeof *c);
    if (!c) return;
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    c->handles_open = 1;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        c->handles_open = 1;
        c->next = s->conns;
        if (s->conns) s->conns->prev = c;
        s->conns = c;
        s->n_conns++;
        c->closing = 2;
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        return;
    }
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    c->handles_open = 2;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    uv_tcp_nodelay(&c->tcp, 1);
    if (s->tls) {
        c->ssl = SSL_new(s->tls);
        c->rbio = BIO_new(BIO_s_mem());
        c->wbio = BIO_new(BIO_s_mem());
        c->tls_in = malloc(TLS_READ_CHUNK);
        if (!c->ssl || !c->rbio || !c->wbio || !c->tls_in) {
            SSL_free(c->ssl);          /* the BIOs are not attached yet */
            BIO_free(c->rbio);
            BIO_free(c->wbio);
            c->ssl = NULL;
            c->rbio = c->wbio = NULL;
            conn_close(c);
            return;
        }
        SSL_set_bio(c->ssl, c->rbio, c->wbio);   /* the SSL owns them now */
        SSL_set_accept_state(c->ssl);
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) uv_ip4_name((struct sockaddr_in *)&ss, c->remote, sizeof c->remote);
        else uv_ip6_name((struct sockaddr_in6 *)&ss, c->remote, sizeof c->remote);
    } else {
        strcpy(c->remote, "-");
    }
    llhttp_init(&c->parser, HTTP_REQUEST, parser_settings());
    c->parser.data = c;
    c->last_activity_ms = now_ms(s);
    uv_timer_start(&c->timer, on_conn_timer, 1000, 1000);
    if ((s->n_conns > s->limits.max_connections || s->shutting_down) && c->ssl) {
        /* No answer can be written before a handshake we do not want to
         * spend on a connection we refuse: close it. */
        conn_close(c);
        return;
    }
    if (s->n_conns > s->limits.max_connections || s->shutting_down) {
        http_exchange *ex = exchange_new(c);
        c->ex = ex;
        c->broken = 1;
        ex->body_done = 1;
        ex->close_after = 1;
        char *body = arena_printf(&ex->arena,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
            "<Message>Too many open connections; reduce your request rate.</Message>"
            "<Resource>/</Resource><RequestId>%s</RequestId></Error>", ex->request_id);
        http_respond(ex, 503, "application/xml", body, strlen(body));
        conn_close_gracefully(c);
        return;
    }
    conn_update_reading(c);
}

http_server *http_server_new(uv_loop_t *loop, const http_limits *limits, http_request_cb on_request, void *user)
{
    http_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->loop = loop;
    s->limits = *limits;
    s->on_request = on_request;
    s->user = user;
    unsigned char r[4];
    if (RAND_bytes(r, sizeof r) != 1) memset(r, 0x5a, sizeof r);
    snprintf(s->id_prefix, sizeof s->id_prefix, "%02X%02X%02X%02X", r[0], r[1], r[2], r[3]);
    uv_tcp_init(loop, &s->listener);
    s->listener.data = s;
    uv_timer_init(loop, &s->grace_timer);
    s->grace_timer.data = s;
    return s;
}

int http_server_listen(http_server *s, const char *host, int port)
{
    struct sockaddr_storage addr;
    int r;
    if (!host || !*host) host = "0.0.0.0";
    if (strchr(host, ':')) r = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
    else r = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
    if (r) return r;
    if ((r = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0))) return r;
    if ((r = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection))) return r;
    s->listening = 1;
    return 0;
}

int http_server_port(const http_server *s)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len) != 0) return -1;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void on_grace_expired(uv_timer_t *t)
{
    http_server *s = t->data;
    for (http_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        conn_close(c);
    }
}

void http_server_shutdown(http_server *s, uint64_t grace_ms, void (*done)(http_server *))
{
    if (s->shutting_down) return;
    s->shutting_down = 1;
    s->shutdown_done = done;
    if (s->listening) {
        uv_close((uv_handle_t *)&s->listener, NULL);
        s->listening = 0;
    }
    for (http_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->ex && !c->head_started) conn_close(c);
        else if (c->ex) c->ex->close_after = 1;
    }
    if (s->n_conns == 0) {
        s->shutdown_done = NULL;
        done(s);
        return;
    }
    uv_timer_start(&s->grace_timer, on_grace_expired, grace_ms, 0);
}

int http_server_set_tls(http_server *s, SSL_CTX *ctx)
{
    if (ctx && SSL_CTX_up_ref(ctx) != 1) return -1;
    if (s->tls) SSL_CTX_free(s->tls);
    s->tls = ctx;
    return 0;
}

int http_server_is_tls(const http_server *s) { return s->tls != NULL; }

void http_server_free(http_server *s)
{
    if (s->tls) {
        SSL_CTX_free(s->tls);
        s->tls = NULL;
    }
    uv_close((uv_handle_t *)&s->grace_timer, NULL);
    if (s->listening) uv_close((uv_handle_t *)&s->listener, NULL);
    /* the handles are closed by the loop run that follows; s itself is
     * freed by the caller after uv_run returns */
}

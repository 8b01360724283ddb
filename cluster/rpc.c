#include "rpc.h"

#include "../common/log.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE_MAX = 16, HEAD_MAX = 16 * 1024, BACKOFF_MIN_MS = 250, BACKOFF_MAX_MS = 5000 };

/* ---------- keys and signatures ---------- */

void rpc_key_derive(rpc_key *out, const char *cluster_secret, const char *root_user, const char *root_secret)
{
    char material[1024];
    if (cluster_secret && *cluster_secret)
        snprintf(material, sizeof material, "cluster-secret:%s", cluster_secret);
    else
        snprintf(material, sizeof material, "root:%s:%s", root_user ? root_user : "", root_secret ? root_secret : "");
    static const char label[] = "cairn internal rpc key v1";
    unsigned int n = sizeof out->k;
    HMAC(EVP_sha256(), material, (int)strlen(material), (const unsigned char *)label, sizeof label - 1, out->k, &n);
    OPENSSL_cleanse(material, sizeof material);
}

static uint32_t body_crc(const void *body, size_t len)
{
    return crc32_iscsi((unsigned char *)body, (int)len, 0xffffffffu);
}

static void sign_text(const rpc_key *key, const char *dest, const char *op, const char *query, const char *date,
                      size_t len, uint32_t crc, char out[65])
{
    char text[HEAD_MAX];
    int n = snprintf(text, sizeof text, "cairn-rpc-v1\n%s\n%s\n%s\n%s\n%zu\n%08" PRIx32, dest, op, query, date, len,
                     crc);
    if (n < 0 || (size_t)n >= sizeof text) n = sizeof text - 1;   /* queries are far shorter; never unsigned */
    unsigned char mac[32];
    unsigned int ml = sizeof mac;
    HMAC(EVP_sha256(), key->k, sizeof key->k, (unsigned char *)text, (size_t)n, mac, &ml);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
}

void rpc_sign(const rpc_key *key, const char *dest, const char *op, const char *query, int64_t date,
              const void *body, size_t len, char out[65])
{
    char d[32];
    snprintf(d, sizeof d, "%" PRId64, date);
    sign_text(key, dest, op, query, d, len, body_crc(body, len), out);
}

int rpc_verify(const rpc_key *key, const char *dest, const char *op, const char *query, const char *date,
               const char *signature, const void *body, size_t len, int64_t now)
{
    if (!date || !signature || strlen(signature) != 64) return -1;
    char *end;
    long long d = strtoll(date, &end, 10);
    if (end == date || *end || d < now - RPC_VALIDITY_S || d > now + RPC_VALIDITY_S) return -1;
    char want[65];
    sign_text(key, dest, op, query, date, len, body_crc(body, len), want);
    return CRYPTO_memcmp(want, signature, 64) == 0 ? 0 : -1;
}

/* ---------- peers ---------- */

struct rpc_peer {
    char host[256];
    int port;
    char name[300];
    rpc_key key;
    pthread_mutex_t mu;
    int idle[IDLE_MAX];
    int n_idle;
    _Atomic int online;
    _Atomic int was_online;         /* it answered once (quiet while peers start) */
    _Atomic int64_t retry_at_ms;    /* while offline: no call before this */
    _Atomic int failures;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rpc_peer *rpc_peer_new(const char *host, int port, const rpc_key *key)
{
    rpc_peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->host, sizeof p->host, "%s", host);
    p->port = port;
    snprintf(p->name, sizeof p->name, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    p->key = *key;
    pthread_mutex_init(&p->mu, NULL);
    /* offline until a first answer, with no backoff: the first call goes out */
    atomic_store(&p->online, 0);
    return p;
}

void rpc_peer_free(rpc_peer *p)
{
    if (!p) return;
    for (int i = 0; i < p->n_idle; i++) close(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    OPENSSL_cleanse(&p->key, sizeof p->key);
    free(p);
}

const char *rpc_peer_name(const rpc_peer *p) { return p->name; }

int rpc_peer_online(const rpc_peer *p)
{
    return atomic_load(&p->online) || mono_ms() >= atomic_load(&p->retry_at_ms);
}

int rpc_peer_answering(const rpc_peer *p) { return atomic_load(&p->online); }

void rpc_peer_heard_from(rpc_peer *p)
{
    atomic_store(&p->retry_at_ms, 0);
    atomic_store(&p->failures, 0);
    atomic_store(&p->online, 1);
    atomic_store(&p->was_online, 1);
}

void rpc_peer_poke(rpc_peer *p) { atomic_store(&p->retry_at_ms, 0); }

static void peer_failed(rpc_peer *p, const char *op, int err)
{
    if (atomic_load(&p->online))
        log_warn("node %s does not answer (%s: %s): its drives are offline until it does", p->name, op,
                 strerror(err < 0 ? -err : err));
    int f = atomic_fetch_add(&p->failures, 1);
    int64_t backoff = BACKOFF_MIN_MS;
    for (int i = 0; i < f && backoff < BACKOFF_MAX_MS; i++) backoff *= 2;
    if (backoff > BACKOFF_MAX_MS) backoff = BACKOFF_MAX_MS;
    atomic_store(&p->retry_at_ms, mono_ms() + backoff);
    atomic_store(&p->online, 0);
}

static void peer_succeeded(rpc_peer *p)
{
    atomic_store(&p->failures, 0);
    if (!atomic_exchange(&p->online, 1) && atomic_exchange(&p->was_online, 1)) log_info("node %s answers again", p->name);
}

static int take_idle(rpc_peer *p)
{
    pthread_mutex_lock(&p->mu);
    int fd = p->n_idle ? p->idle[--p->n_idle] : -1;
    pthread_mutex_unlock(&p->mu);
    return fd;
}

static void give_idle(rpc_peer *p, int fd)
{
    pthread_mutex_lock(&p->mu);
    if (p->n_idle < IDLE_MAX) {
        p->idle[p->n_idle++] = fd;
        fd = -1;
    }
    pthread_mutex_unlock(&p->mu);
    if (fd >= 0) close(fd);
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) return -ETIMEDOUT;
        struct pollfd pf = { .fd = fd, .events = events };
        int r = poll(&pf, 1, (int)left);
        if (r > 0) return 0;
        if (r == 0) return -ETIMEDOUT;
        if (errno != EINTR) return -errno;
    }
}

static int dial(rpc_peer *p, int64_t deadline)
{
    char port[16];
    snprintf(port, sizeof port, "%d", p->port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    if (getaddrinfo(p->host, port, &hints, &res) != 0 || !res) return -EHOSTUNREACH;
    int rc = -ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) { rc = -errno; continue; }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) { rc = fd; break; }
        if (errno == EINPROGRESS && (rc = wait_fd(fd, POLLOUT, deadline)) == 0) {
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (!err) { rc = fd; break; }
            rc = -err;
        } else if (errno != EINPROGRESS) {
            rc = -errno;
        }
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

static int send_all(int fd, struct iovec *iov, int n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return -errno;
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r) return r;
            continue;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* Reads some bytes; 0 at EOF. */
static ssize_t recv_some(int fd, void *p, size_t n, int64_t deadline)
{
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r >= 0) return r;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -errno;
        int w = wait_fd(fd, POLLIN, deadline);
        if (w) return w;
    }
}

static const char *find_header(const char *head, const char *name)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *s = l + 2;
        if (strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
            s += nl + 1;
            while (*s == ' ') s++;
            return s;
        }
    }
    return NULL;
}

/* One exchange on fd.  *received tells whether any answer byte arrived
 * (a failure before that on a reused connection may be retried). */
static int exchange(rpc_peer *p, int fd, const char *op, const char *query, const struct iovec *body, int n_iov,
                    int64_t deadline, rpc_reply *out, int *received, int *keep)
{
    size_t len = 0;
    for (int i = 0; i < n_iov; i++) len += body[i].iov_len;
    /* the signature covers the body's CRC32C: hash the pieces in order */
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < n_iov; i++) crc = crc32_iscsi(body[i].iov_base, (int)body[i].iov_len, crc);
    int64_t date = (int64_t)time(NULL);
    char date_text[32], sig[65];
    snprintf(date_text, sizeof date_text, "%" PRId64, date);
    sign_text(&p->key, p->name, op, query, date_text, len, crc, sig);
    char head[2048];
    int hl = snprintf(head, sizeof head,
                      "POST " RPC_PREFIX "%s%s%s HTTP/1.1\r\nHost: %s\r\nX-Cairn-Date: %" PRId64
                      "\r\nX-Cairn-Signature: %s\r\nContent-Length: %zu\r\n\r\n",
                      op, *query ? "?" : "", query, p->name, date, sig, len);
    if (hl < 0 || (size_t)hl >= sizeof head) return -E2BIG;
    struct iovec iov[9];
    if (n_iov > 8) return -E2BIG;
    iov[0] = (struct iovec){ head, (size_t)hl };
    for (int i = 0; i < n_iov; i++) iov[i + 1] = body[i];
    int r = send_all(fd, iov, n_iov + 1, deadline);
    if (r) return r;
    /* the answer's head */
    char buf[HEAD_MAX + 1];
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have == HEAD_MAX) return -EPROTO;
        ssize_t n = recv_some(fd, buf + have, HEAD_MAX - have, deadline);
        if (n < 0) return (int)n;
        if (n == 0) return -ECONNRESET;
        *received = 1;
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    *end = '\0';
    if (strncmp(buf, "HTTP/1.1 ", 9) != 0) return -EPROTO;
    out->status = atoi(buf + 9);
    const char *cl = find_header(buf, "content-length");
    const char *res = find_header(buf, "x-cairn-result");
    const char *conn = find_header(buf, "connection");
    out->result = res ? atoi(res) : 0;
    *keep = !(conn && strncasecmp(conn, "close", 5) == 0);
    long long clen = cl ? strtoll(cl, NULL, 10) : 0;
    if (clen < 0 || clen > RPC_MAX_BODY) return -EPROTO;
    out->len = (size_t)clen;
    out->body = malloc(out->len + 1);
    if (!out->body) return -ENOMEM;
    size_t extra = have - (size_t)(end + 4 - buf);
    if (extra > out->len) return -EPROTO;
    memcpy(out->body, end + 4, extra);
    size_t got = extra;
    while (got < out->len) {
        ssize_t n = recv_some(fd, out->body + got, out->len - got, deadline);
        if (n < 0) return (int)n;
        if (n == 0) return -ECONNRESET;
        got += (size_t)n;
    }
    out->body[out->len] = '\0';
    return 0;
}

void rpc_reply_free(rpc_reply *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

int rpc_call(rpc_peer *p, const char *op, const char *query, const struct iovec *body, int n_iov, int timeout_ms,
             rpc_reply *out)
{
    memset(out, 0, sizeof *out);
    if (!atomic_load(&p->online)) {
        if (mono_ms() < atomic_load(&p->retry_at_ms)) return -EHOSTDOWN;
    }
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : RPC_TIMEOUT_MS);
    for (int attempt = 0; attempt < 2; attempt++) {
        int reused = 1;
        /* a retry dials afresh: the next idle connection may be as stale */
        int fd = attempt == 0 ? take_idle(p) : -1;
        if (fd < 0) {
            reused = 0;
            fd = dial(p, deadline);
            if (fd < 0) {
                peer_failed(p, op, fd);
                return fd;
            }
        }
        int received = 0, keep = 1;
        int r = exchange(p, fd, op, query, body, n_iov, deadline, out, &received, &keep);
        if (r == 0) {
            if (keep) give_idle(p, fd);
            else close(fd);
            peer_succeeded(p);
            return 0;
        }
        close(fd);
        rpc_reply_free(out);
        /* a kept-alive connection the peer closed meanwhile: try a new one */
        if (reused && !received && r != -ETIMEDOUT) continue;
        peer_failed(p, op, r);
        return r;
    }
    peer_failed(p, op, ECONNRESET);
    return -ECONNRESET;
}

int rpc_call_result(rpc_peer *p, const char *op, const char *query, const struct iovec *body, int n_iov,
                    int timeout_ms, rpc_reply *out)
{
    int r = rpc_call(p, op, query, body, n_iov, timeout_ms, out);
    if (r) return r == -ENOMEM ? r : -EHOSTDOWN;
    if (out->status == 200) return out->result;
    int st = out->status;
    rpc_reply_free(out);
    return st == 403 || st == 409 ? -EACCES : st == 503 ? -EAGAIN : -EIO;
}

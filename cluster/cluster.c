#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "../storage/fsio.h"
#include "../storage/volume.h"
#include "cluster_internal.h"
#include "meta_wire.h"

enum {
    PROBE_JOIN_MS = 1000,      /* while joining */
    PROBE_MS = 1000,           /* once serving: the heartbeat that renews the read lease */
    PROBE_TIMEOUT_MS = 2000,
    LOCK_WAIT_MS = 10000,      /* a writer waits this long for a key's lock */
    WAIT_LOG_MS = 5000,
};

int cluster_drive_is_local(const cluster *c, int i)
{
    return i >= 0 && i < c->topo->n && c->topo->node_of[i] == c->topo->self;
}

static int majority(const cluster *c) { return c->topo->n_nodes / 2 + 1; }

int cluster_new(uv_loop_t *loop, const topology *t, const rpc_key *key, int parity, cluster **out)
{
    cluster *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    c->loop = loop;
    c->topo = t;
    c->key = *key;
    c->parity = parity;
    c->mismatch_node = -1;
    const topology_node *self = &t->nodes[t->self];
    snprintf(c->self_name, sizeof c->self_name, strchr(self->host, ':') ? "[%s]:%d" : "%s:%d", self->host,
             self->port);
    char sig[8192];
    topology_signature(t, sig, sizeof sig);
    unsigned char h[32];
    unsigned int hl = sizeof h;
    EVP_Digest(sig, strlen(sig), h, &hl, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) snprintf(c->topo_hash + 2 * i, 3, "%02x", h[i]);
    for (int n = 0; n < t->n_nodes; n++) {
        if (n == t->self) continue;
        c->peers[n] = rpc_peer_new(t->nodes[n].host, t->nodes[n].port, key);
        if (!c->peers[n]) return -ENOMEM;
    }
    lock_table_init(&c->locks);
    if (service_pool_start(&c->pool, loop) != 0) return -EAGAIN;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    *out = c;
    return 0;
}

int cluster_is_ready(const cluster *c) { return c->ready; }

int cluster_nodes_online(const cluster *c)
{
    int n = 0;
    for (int i = 0; i < c->topo->n_nodes; i++) n += cluster_node_serving(c, i);
    return n;
}

int cluster_node_count(const cluster *c) { return c->topo->n_nodes; }
int cluster_self(const cluster *c) { return c->topo->self; }
int cluster_node_of_drive(const cluster *c, int drive) { return c->topo->node_of[drive]; }

void cluster_node_name(const cluster *c, int node, char *out, size_t cap)
{
    const topology_node *n = &c->topo->nodes[node];
    snprintf(out, cap, strchr(n->host, ':') ? "[%s]:%d" : "%s:%d", n->host, n->port);
}

int cluster_node_serving(const cluster *c, int node)
{
    if (node == c->topo->self) return c->ready;
    return atomic_load(&c->peer_ready[node]) && rpc_peer_answering(c->peers[node]);
}

/* ---------- store_remote: how the store reaches other nodes' drives ---------- */

static int hook_is_remote(void *ctx, int i) { return !cluster_drive_is_local(ctx, i); }
static drive *hook_drive_open(void *ctx, int i) { return remote_drive_open(ctx, i); }
static void hook_drive_close(void *ctx, drive *d) { (void)ctx; remote_drive_close(d); }

static int hook_format_read(void *ctx, int i, drive_format *out)
{
    cluster *c = ctx;
    *out = c->fmt[i];
    return c->fmt_state[i];
}

static void drive_query(int i, char *q, size_t cap) { snprintf(q, cap, "drive=%d", i); }

static int format_write_remote(cluster *c, int i, const drive_format *f)
{
    char body[512], q[32];
    snprintf(body, sizeof body, "{\"deployment\":\"%s\",\"drives\":%d,\"set_size\":%d,\"parity\":%d,\"index\":%d}",
             f->deployment, f->drives, f->set_size, f->parity, f->index);
    drive_query(i, q, sizeof q);
    struct iovec iov = { body, strlen(body) };
    rpc_reply r;
    int rc = rpc_call_result(c->peers[c->topo->node_of[i]], "format-write", q, &iov, 1, RPC_TIMEOUT_MS, &r);
    rpc_reply_free(&r);
    return rc;
}

static int hook_format_write(void *ctx, int i, const drive_format *f) { return format_write_remote(ctx, i, f); }

/* A peer's drives count once it has said it joined (its metadata was
 * current then) and until a write leaves them out. */
static int hook_drive_online(void *ctx, int i)
{
    cluster *c = ctx;
    int node = c->topo->node_of[i];
    return c->peers[node] && atomic_load(&c->peer_joined[node]) && !atomic_load(&c->peer_stale[node]) &&
           rpc_peer_answering(c->peers[node]);
}

static int hook_can_read(void *ctx)
{
    cluster *c = ctx;
    return cluster_mono_ms() < atomic_load(&c->lease_until_ms);
}

static void hook_drive_stats(void *ctx, int i, uint64_t *total, uint64_t *free_bytes, uint64_t *used)
{
    cluster *c = ctx;
    *total = atomic_load(&c->drive_total[i]);
    *free_bytes = atomic_load(&c->drive_free[i]);
    *used = atomic_load(&c->drive_used[i]);
}

/* Nodes left out of a write are stale: their drives stop counting, and
 * each is told (once it can be) so it stops serving and rejoins.  The
 * write is acknowledged after the telling, so no client that saw it
 * acknowledged can then read the old state from a node that was told. */
typedef struct stale_notice {
    uv_work_t req;
    cluster *c;
    int nodes[TOPOLOGY_MAX_NODES], n;
    int fresh[TOPOLOGY_MAX_NODES];      /* just became stale: try it whatever its backoff */
    int64_t wait_until;                 /* the ack waits for untold nodes' leases to run out */
    uv_timer_t timer;
    void (*done)(void *arg);
    void *arg;
} stale_notice;

static void stale_work(uv_work_t *req)
{
    stale_notice *s = req->data;
    cluster *c = s->c;
    char q[32];
    snprintf(q, sizeof q, "from=%d", c->topo->self + 1);
    int64_t now = cluster_mono_ms();
    s->wait_until = 0;
    for (int k = 0; k < s->n; k++) {
        int x = s->nodes[k];
        rpc_reply r;
        /* a write that failed on it put it in backoff; telling it matters
         * more than that (once per episode: later writes do not wait) */
        if (s->fresh[k]) rpc_peer_poke(c->peers[x]);
        int told = rpc_call_result(c->peers[x], "stale", q, NULL, 0, PROBE_TIMEOUT_MS, &r) == 0;
        rpc_reply_free(&r);
        if (told) {
            atomic_store(&c->peer_told[x], 1);
            continue;
        }
        if (s->fresh[k]) {
            /* every other node must know too: they answer its hellos with
             * you_missed_writes, so none renews its read lease; each says
             * how long the lease its answers gave may still run */
            int64_t heard = atomic_load(&c->last_heard_ms[x]);
            int64_t end = heard ? heard + LEASE_MS : 0;
            char pq[32];
            snprintf(pq, sizeof pq, "node=%d", x + 1);
            for (int p = 0; p < c->topo->n_nodes; p++) {
                if (p == c->topo->self || p == x) continue;
                if (rpc_call_result(c->peers[p], "peer-stale", pq, NULL, 0, PROBE_TIMEOUT_MS, &r) == 0 && r.body) {
                    const char *v = strstr((char *)r.body, "\"lease_left_ms\":");
                    int64_t left = v ? strtoll(v + 16, NULL, 10) : 0;
                    if (now + left > end) end = now + left;
                } else {
                    /* a node that cannot be asked may have renewed it: the
                     * longest a lease can run from now */
                    if (now + LEASE_MS > end) end = now + LEASE_MS;
                }
                rpc_reply_free(&r);
            }
            c->stale_lease_end[x] = end;
        }
        /* it was not told: answer the client only once it surely stopped
         * serving reads (its lease ran out) */
        if (c->stale_lease_end[x] > s->wait_until) s->wait_until = c->stale_lease_end[x];
    }
}

static void stale_timer_closed(uv_handle_t *h)
{
    stale_notice *s = h->data;
    s->done(s->arg);
    free(s);
}

static void stale_waited(uv_timer_t *t) { uv_close((uv_handle_t *)t, stale_timer_closed); }

static void stale_after(uv_work_t *req, int status)
{
    (void)status;
    stale_notice *s = req->data;
    int64_t left = s->wait_until - cluster_mono_ms();
    if (left > 0) {
        uv_timer_init(s->c->loop, &s->timer);
        s->timer.data = s;
        uv_timer_start(&s->timer, stale_waited, (uint64_t)left, 0);
        return;
    }
    s->done(s->arg);
    free(s);
}

static void hook_missed(void *ctx, const int *drives, int n, void (*done)(void *arg), void *arg)
{
    cluster *c = ctx;
    stale_notice *s = calloc(1, sizeof *s);
    if (!s) abort();
    for (int i = 0; i < n; i++) {
        int node = c->topo->node_of[drives[i]];
        int fresh = !atomic_exchange(&c->peer_stale[node], 1);
        if (fresh)
            log_warn("node %d (%s) missed a metadata write: its drives are left out until it rejoins", node + 1,
                     rpc_peer_name(c->peers[node]));
        int listed = atomic_load(&c->peer_told[node]);
        for (int k = 0; k < s->n && !listed; k++) listed = s->nodes[k] == node;
        if (!listed) {
            s->fresh[s->n] = fresh;
            s->nodes[s->n++] = node;
        }
    }
    if (!s->n) {
        free(s);
        done(arg);
        return;
    }
    s->req.data = s;
    s->c = c;
    s->done = done;
    s->arg = arg;
    if (uv_queue_work(c->loop, &s->req, stale_work, stale_after) != 0) abort();
}

/* Metadata operations on remote drives: one call per node for all its
 * drives, encoded on the loop, sent from a libuv worker, the results
 * decoded into the ops before their done callbacks run. */
typedef struct meta_send {
    uv_work_t req;
    cluster *c;
    int node, n;
    meta_op *ops[TOPOLOGY_MAX_DRIVES];
    char query[512];
    char *text;
} meta_send;

static void meta_send_work(uv_work_t *req)
{
    meta_send *m = req->data;
    struct iovec iov = { m->text, strlen(m->text) };
    rpc_reply r;
    int rc = rpc_call_result(m->c->peers[m->node], "meta", m->query, &iov, 1, RPC_TIMEOUT_MS, &r);
    if (rc != 0 || meta_wire_decode_results((const char *)r.body, r.len, m->ops, m->n) != 0)
        for (int i = 0; i < m->n; i++) m->ops[i]->status = ST_IO_ERROR;
    rpc_reply_free(&r);
}

static void meta_send_after(uv_work_t *req, int status)
{
    (void)status;
    meta_send *m = req->data;
    for (int i = 0; i < m->n; i++) m->ops[i]->done(m->ops[i]);
    free(m->text);
    free(m);
}

static void meta_send_node(cluster *c, int node, const int *drives, meta_op *const *ops, int n)
{
    meta_send *m = calloc(1, sizeof *m);
    char *text = m ? meta_wire_encode_op(ops[0]) : NULL;
    size_t ql = 0;
    for (int i = 0; i < n; i++) {
        /* the record is the receiver's to free, as meta would */
        free(ops[i]->record);
        ops[i]->record = NULL;
        ops[i]->status = ST_IO_ERROR;
        if (m) {
            m->ops[i] = ops[i];
            ql += (size_t)snprintf(m->query + ql, sizeof m->query - ql, "%s%d", i ? "," : "drives=", drives[i]);
        }
    }
    if (text) {
        m->req.data = m;
        m->c = c;
        m->node = node;
        m->n = n;
        m->text = text;
        if (uv_queue_work(c->loop, &m->req, meta_send_work, meta_send_after) == 0) return;
    }
    for (int i = 0; i < n; i++) ops[i]->done(ops[i]);
    free(text);
    free(m);
}

static void hook_meta_submit(void *ctx, const int *drives, meta_op *const *ops, int n)
{
    cluster *c = ctx;
    for (int node = 0; node < c->topo->n_nodes; node++) {
        int d[TOPOLOGY_MAX_DRIVES], k = 0;
        meta_op *o[TOPOLOGY_MAX_DRIVES];
        for (int i = 0; i < n; i++)
            if (c->topo->node_of[drives[i]] == node) {
                d[k] = drives[i];
                o[k++] = ops[i];
            }
        if (k) meta_send_node(c, node, d, o, k);
    }
}

/* Locks: asked of every node from a libuv worker; held when a majority
 * grants; on a split vote the grants are returned and the request tried
 * again after a random pause, until LOCK_WAIT_MS. */
typedef struct lock_token {
    cluster *c;
    char *resource;
    char owner[33];
    int granted[TOPOLOGY_MAX_NODES];
} lock_token;

typedef struct lock_req {
    uv_work_t req;
    cluster *c;
    char *resource;
    lock_token *t;
    int ok;
    int release;                 /* an unlock, not a lock */
    void (*cb)(void *arg, void *token);
    void *arg;
} lock_req;

static int node_lock(lock_token *t, int node, int acquire)
{
    cluster *c = t->c;
    if (node == c->topo->self) {
        if (!acquire) {
            lock_table_release(&c->locks, t->resource, t->owner);
            return 0;
        }
        return lock_table_acquire(&c->locks, t->resource, t->owner, LOCK_TTL_MS) ? 0 : -EBUSY;
    }
    char q[80];
    snprintf(q, sizeof q, "owner=%s", t->owner);
    struct iovec iov = { t->resource, strlen(t->resource) };
    rpc_reply r;
    int rc = rpc_call_result(c->peers[node], acquire ? "lock" : "unlock", q, &iov, 1, PROBE_TIMEOUT_MS, &r);
    rpc_reply_free(&r);
    return rc;
}

static void release_all(lock_token *t)
{
    for (int n = 0; n < t->c->topo->n_nodes; n++)
        if (t->granted[n]) {
            node_lock(t, n, 0);
            t->granted[n] = 0;
        }
}

/* Blocks until a majority grants resource, or wait_ms passes: a token
 * (free with token_free after release_all), or NULL. */
static lock_token *lock_acquire(cluster *c, const char *resource, int64_t wait_ms)
{
    lock_token *t = calloc(1, sizeof *t);
    if (!t || !(t->resource = strdup(resource))) {
        free(t);
        return NULL;
    }
    t->c = c;
    unsigned char r[16];
    RAND_bytes(r, sizeof r);
    for (int i = 0; i < 16; i++) snprintf(t->owner + 2 * i, 3, "%02x", r[i]);
    int64_t deadline = cluster_mono_ms() + wait_ms;
    for (int attempt = 0; cluster_mono_ms() < deadline; attempt++) {
        int granted = 0, answered = 0;
        for (int n = 0; n < c->topo->n_nodes; n++) {
            int r = node_lock(t, n, 1);
            t->granted[n] = r == 0;
            granted += t->granted[n];
            answered += r == 0 || r == -EBUSY;
        }
        if (granted >= majority(c)) return t;
        release_all(t);
        /* on the minority side of a partition (or with most nodes down)
         * waiting cannot help: say so at once */
        if (answered < majority(c)) break;
        unsigned char b;
        RAND_bytes(&b, 1);
        int cap = attempt < 5 ? 2 << attempt : 64;   /* ms */
        usleep((useconds_t)(1 + b % cap) * 1000);
    }
    free(t->resource);
    free(t);
    return NULL;
}

static void token_free(lock_token *t)
{
    free(t->resource);
    free(t);
}

static void lock_work(uv_work_t *req)
{
    lock_req *l = req->data;
    if (l->release) {
        release_all(l->t);
        return;
    }
    l->t = lock_acquire(l->c, l->resource, LOCK_WAIT_MS);
    l->ok = l->t != NULL;
}

static void lock_after(uv_work_t *req, int status)
{
    (void)status;
    lock_req *l = req->data;
    if (l->release) token_free(l->t);
    else l->cb(l->arg, l->t);
    free(l->resource);
    free(l);
}

static void hook_lock(void *ctx, const char *resource, void (*cb)(void *arg, void *token), void *arg)
{
    cluster *c = ctx;
    lock_req *l = calloc(1, sizeof *l);
    if (!l || !(l->resource = strdup(resource))) abort();
    l->req.data = l;
    l->c = c;
    l->cb = cb;
    l->arg = arg;
    if (uv_queue_work(c->loop, &l->req, lock_work, lock_after) != 0) abort();
}

static void hook_unlock(void *ctx, void *token)
{
    cluster *c = ctx;
    lock_req *l = calloc(1, sizeof *l);
    if (!l) abort();
    l->req.data = l;
    l->c = c;
    l->t = token;
    l->release = 1;
    if (uv_queue_work(c->loop, &l->req, lock_work, lock_after) != 0) abort();
}

/* ---------- joining: probes, formats, opening the store ---------- */

static void join_prepare(cluster *c);

typedef struct hello_call {
    cluster *c;
    int node, rc;
    int64_t sent_ms;
    rpc_reply reply;
} hello_call;

static void *hello_thread(void *arg)
{
    hello_call *h = arg;
    cluster *c = h->c;
    if (!c->ready) rpc_peer_poke(c->peers[h->node]);   /* joining: do not wait out backoffs */
    /* a peer that missed writes learns it here, and rejoins */
    char q[128];
    snprintf(q, sizeof q, "sig=%s&from=%d%s", c->topo_hash, c->topo->self + 1,
             c->ready && atomic_load(&c->peer_stale[h->node]) ? "&stale=1" : "");
    h->sent_ms = cluster_mono_ms();
    h->rc = rpc_call(c->peers[h->node], "hello", q, NULL, 0, PROBE_TIMEOUT_MS, &h->reply);
    return NULL;
}

/* The read lease: this node answers reads from its own copy of the
 * metadata only while enough nodes have answered a hello sent less than
 * LEASE_MS ago (without saying it missed writes) that the nodes it cannot
 * hear from are no majority: they cannot be writing without it.  So a
 * node cut off on the minority side stops serving reads within LEASE_MS
 * (a writer that leaves it out and cannot tell it waits that long before
 * answering, see stale_notice), while with half the nodes down, where
 * nobody can write, the rest still serve reads. */
static int int64_t_cmp_desc(const void *a, const void *b);
static void renew_lease(cluster *c, int64_t *contact, int n)
{
    int need = c->topo->n_nodes - majority(c);   /* peers besides this node */
    if (need <= 0) {
        atomic_store(&c->lease_until_ms, INT64_MAX);
        return;
    }
    if (n < need) return;         /* the lease runs out by itself */
    qsort(contact, (size_t)n, sizeof *contact, int64_t_cmp_desc);
    int64_t until = contact[need - 1] + LEASE_MS;
    if (until > atomic_load(&c->lease_until_ms)) atomic_store(&c->lease_until_ms, until);
}

static int int64_t_cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Says hello to every peer; while joining, also reads every drive's format. */
static void probe_work(uv_work_t *req)
{
    cluster *c = req->data;
    const topology *t = c->topo;
    /* every peer at once: a peer that does not answer costs one timeout,
     * not one per peer, so the read lease below stays fresh */
    hello_call h[TOPOLOGY_MAX_NODES] = { 0 };
    pthread_t th[TOPOLOGY_MAX_NODES];
    int started[TOPOLOGY_MAX_NODES] = { 0 };
    for (int n = 0; n < t->n_nodes; n++) {
        if (n == t->self) continue;
        h[n].c = c;
        h[n].node = n;
        started[n] = pthread_create(&th[n], NULL, hello_thread, &h[n]) == 0;
        if (!started[n]) hello_thread(&h[n]);
    }
    int answering = 1;
    int64_t contact[TOPOLOGY_MAX_NODES];
    int n_contact = 0;
    for (int n = 0; n < t->n_nodes; n++) {
        if (n == t->self) continue;
        if (started[n]) pthread_join(th[n], NULL);
        rpc_reply *r = &h[n].reply;
        int rc = h[n].rc, ok = rc == 0 && r->status == 200;
        int ready = 0, missed = 0;
        if (rc == 0 && r->status == 409) c->mismatch_node = n;
        if (ok) {
            answering++;
            json_error_t e;
            json_t *j = json_loadb((const char *)r->body, r->len, 0, &e);
            ready = json_integer_value(json_object_get(j, "ready")) == 1;
            /* it wrote without this node meanwhile: this node is behind, and
             * its drives must not give this node a read quorum back */
            missed = json_integer_value(json_object_get(j, "you_missed_writes")) == 1;
            /* its drives' capacity: [[index, total, free, used], ...] */
            json_t *d = json_object_get(j, "drives");
            for (size_t k = 0; k < json_array_size(d); k++) {
                json_t *e2 = json_array_get(d, k);
                json_int_t i = json_integer_value(json_array_get(e2, 0));
                if (i < 0 || i >= t->n || t->node_of[i] != n) continue;
                atomic_store(&c->drive_total[i], (uint64_t)json_integer_value(json_array_get(e2, 1)));
                atomic_store(&c->drive_free[i], (uint64_t)json_integer_value(json_array_get(e2, 2)));
                atomic_store(&c->drive_used[i], (uint64_t)json_integer_value(json_array_get(e2, 3)));
            }
            json_decref(j);
            if (!missed) contact[n_contact++] = h[n].sent_ms;
        }
        if (missed && c->ready) c->told_stale_by = n + 1;
        rpc_reply_free(r);
        atomic_store(&c->peer_ready[n], ready);
        /* serving means it joined (under LOCK_ALL, with current metadata);
         * not serving, it is (re)starting; not answering, its drives count
         * again only after a hello (which says whether this node missed
         * writes meanwhile) */
        atomic_store(&c->peer_joined[n], ok && ready && !missed);
    }
    renew_lease(c, contact, n_contact);
    c->answering = answering;
    if (c->ready || c->mismatch_node >= 0) return;
    /* formats, once the answering nodes could make a quorum */
    int n_sets, set_size, k, m;
    if (volume_layout(t->n, c->parity, &n_sets, &set_size, &k, &m) != 0) return;
    int wq = k == m ? k + 1 : k;
    int per_node = t->n / t->n_nodes;
    c->formats_read = 0;
    if (answering * per_node < wq) return;
    c->any_formatted = 0;
    for (int i = 0; i < t->n; i++) {
        if (cluster_drive_is_local(c, i)) {
            char dir[1200];
            snprintf(dir, sizeof dir, "%s/.cairn.sys", t->drives[i]);
            c->fmt_state[i] = format_read(dir, &c->fmt[i]);
        } else {
            char dq[32];
            drive_query(i, dq, sizeof dq);
            rpc_reply r;
            int rc = rpc_call_result(c->peers[t->node_of[i]], "format-read", dq, NULL, 0, PROBE_TIMEOUT_MS, &r);
            memset(&c->fmt[i], 0, sizeof c->fmt[i]);
            if (rc == 0) {
                json_error_t e;
                json_t *j = json_loadb((const char *)r.body, r.len, 0, &e);
                const char *dep = json_string_value(json_object_get(j, "deployment"));
                c->fmt_state[i] = dep ? 0 : -1;
                if (dep) {
                    snprintf(c->fmt[i].deployment, sizeof c->fmt[i].deployment, "%s", dep);
                    c->fmt[i].drives = (int)json_integer_value(json_object_get(j, "drives"));
                    c->fmt[i].set_size = (int)json_integer_value(json_object_get(j, "set_size"));
                    c->fmt[i].parity = (int)json_integer_value(json_object_get(j, "parity"));
                    c->fmt[i].index = (int)json_integer_value(json_object_get(j, "index"));
                }
                json_decref(j);
            } else {
                c->fmt_state[i] = rc == -ENOENT ? 1 : rc == -EIO ? -1 : -2;
            }
            rpc_reply_free(&r);
        }
        c->any_formatted |= c->fmt_state[i] == 0;
    }
    c->formats_read = 1;
    int creates = !c->any_formatted && t->self == 0 && answering == t->n_nodes;
    if ((c->any_formatted || creates) && !c->join_lock) join_prepare(c);
}

/* ---------- rejoining: the metadata the others wrote meanwhile ----------
 *
 * A node that starts while others serve may have missed writes.  Before
 * opening its store it takes LOCK_ALL (no write anywhere meanwhile),
 * copies a serving peer's metadata snapshot over each of its drives',
 * opens the store, tells every peer it is back (they count its drives
 * again at once), and only then lets writes go on.  Data shards it missed
 * are rebuilt by a heal pass. */

enum { SNAP_CHUNK = 4 * 1024 * 1024, JOIN_LOCK_WAIT_MS = 20000, JOIN_LOCK_REFRESH_MS = 10000 };

static void refresh_lock(lock_token *t)
{
    for (int n = 0; n < t->c->topo->n_nodes; n++)
        if (t->granted[n]) node_lock(t, n, 1);
}

static int sync_from(cluster *c, int src)
{
    const topology *t = c->topo;
    rpc_peer *p = c->peers[src];
    rpc_reply r;
    int rc = rpc_call_result(p, "meta-snapshot", "", NULL, 0, RPC_TIMEOUT_MS * 6, &r);
    json_error_t e;
    json_t *j = rc == 0 ? json_loadb((const char *)r.body, r.len, 0, &e) : NULL;
    rpc_reply_free(&r);
    const char *name = json_string_value(json_object_get(j, "name"));
    uint64_t size = (uint64_t)json_integer_value(json_object_get(j, "size"));
    char snap[64] = "";
    if (name && strlen(name) < sizeof snap) snprintf(snap, sizeof snap, "%s", name);
    json_decref(j);
    if (!*snap) return rc ? rc : -EPROTO;
    int fds[TOPOLOGY_MAX_DRIVES], nfd = 0;
    char dirs[TOPOLOGY_MAX_DRIVES][1100];
    for (int i = 0; i < t->n && rc == 0; i++) {
        if (!cluster_drive_is_local(c, i)) continue;
        char meta_dir[1200], path[1300];
        snprintf(meta_dir, sizeof meta_dir, "%s/.cairn.sys/meta", t->drives[i]);
        store_meta_incoming_path(t->drives[i], path, sizeof path);
        rc = fsio_mkdirs(meta_dir, 0700);
        int fd = rc ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) { rc = rc ? rc : -errno; break; }
        snprintf(dirs[nfd], sizeof dirs[nfd], "%s", t->drives[i]);
        fds[nfd++] = fd;
    }
    int64_t refreshed = cluster_mono_ms();
    for (uint64_t off = 0; rc == 0 && off < size;) {
        char q[160];
        uint64_t n = size - off < SNAP_CHUNK ? size - off : SNAP_CHUNK;
        snprintf(q, sizeof q, "name=%s&off=%llu&n=%llu", snap, (unsigned long long)off, (unsigned long long)n);
        rc = rpc_call_result(p, "meta-snapshot-read", q, NULL, 0, RPC_TIMEOUT_MS, &r);
        if (rc == 0 && r.len != n) rc = -EPROTO;
        for (int k = 0; rc == 0 && k < nfd; k++) rc = fsio_pwrite_all(fds[k], r.body, n, (off_t)off);
        rpc_reply_free(&r);
        off += n;
        if (cluster_mono_ms() - refreshed > JOIN_LOCK_REFRESH_MS) {
            refresh_lock(c->join_lock);
            refreshed = cluster_mono_ms();
        }
    }
    for (int k = 0; k < nfd; k++) {
        if (rc == 0) rc = fsio_fsync(fds[k]);
        close(fds[k]);
    }
    char q[100];
    snprintf(q, sizeof q, "name=%s", snap);
    rpc_call_result(p, "meta-snapshot-done", q, NULL, 0, RPC_TIMEOUT_MS, &r);
    rpc_reply_free(&r);
    for (int k = 0; rc == 0 && k < nfd; k++) rc = store_install_meta_snapshot(dirs[k]);
    if (rc == 0)
        log_info("rejoined: copied %llu bytes of metadata from node %d (%s) to %d drive%s", (unsigned long long)size,
                 src + 1, rpc_peer_name(p), nfd, nfd == 1 ? "" : "s");
    return rc;
}

/* Asks every peer whether it serves; the first that does, or -1. */
static int find_serving_peer(cluster *c)
{
    char q[128];
    snprintf(q, sizeof q, "sig=%s&from=%d", c->topo_hash, c->topo->self + 1);
    for (int n = 0; n < c->topo->n_nodes; n++) {
        if (n == c->topo->self) continue;
        rpc_reply r;
        int rc = rpc_call(c->peers[n], "hello", q, NULL, 0, PROBE_TIMEOUT_MS, &r);
        int ready = rc == 0 && r.status == 200 && r.body && strstr((char *)r.body, "\"ready\":1");
        rpc_reply_free(&r);
        if (ready) return n;
    }
    return -1;
}

/* On a worker, once the formats are known (or this node creates the
 * deployment): LOCK_ALL, then the metadata of a node that serves, if
 * any does (when none does, the whole deployment is starting).  The lock
 * is kept until the peers know this node is in (joined_work). */
static void join_prepare(cluster *c)
{
    c->join_lock = lock_acquire(c, LOCK_ALL, JOIN_LOCK_WAIT_MS);
    if (!c->join_lock) {
        log_warn("joining: no exclusive lock from a majority of nodes yet; trying again");
        c->formats_read = 0;
        return;
    }
    int src = find_serving_peer(c);
    int rc = src >= 0 ? sync_from(c, src) : 0;
    if (rc) {
        log_warn("joining: copying the metadata from node %d failed (%s); trying again", src + 1, strerror(-rc));
        release_all(c->join_lock);
        token_free(c->join_lock);
        c->join_lock = NULL;
        c->formats_read = 0;
    }
}

/* After the store opened on synced metadata: the peers count this node's
 * drives again, then writes may go on. */
static void joined_work(uv_work_t *req)
{
    cluster *c = req->data;
    char q[32];
    snprintf(q, sizeof q, "from=%d", c->topo->self + 1);
    for (int n = 0; n < c->topo->n_nodes; n++) {
        if (n == c->topo->self) continue;
        rpc_reply r;
        int rc = rpc_call_result(c->peers[n], "joined", q, NULL, 0, PROBE_TIMEOUT_MS, &r);
        int ready = rc == 0 && r.body && strstr((char *)r.body, "\"ready\":1");
        atomic_store(&c->peer_ready[n], ready);
        atomic_store(&c->peer_joined[n], ready);
        rpc_reply_free(&r);
    }
}

static void release_join_lock(cluster *c);

/* The peers' drives as they are now, before any write may go on. */
static void joined_after(uv_work_t *req, int status)
{
    (void)status;
    cluster *c = req->data;
    if (c->store) store_check_drives(c->store);
    release_join_lock(c);
}

static void release_work(uv_work_t *req)
{
    lock_token *t = req->data;
    release_all(t);
}

static void release_after(uv_work_t *req, int status)
{
    (void)status;
    token_free(req->data);
    free(req);
}

/* The join did not open the store after all: let writes go on. */
static void release_join_lock(cluster *c)
{
    uv_work_t *req = malloc(sizeof *req);
    if (!req) abort();
    req->data = c->join_lock;
    c->join_lock = NULL;
    if (uv_queue_work(c->loop, req, release_work, release_after) != 0) abort();
}

static void schedule_probe(cluster *c);

static void wait_log(cluster *c, const char *fmt, const char *detail)
{
    int64_t now = cluster_mono_ms();
    if (now - c->last_wait_log_ms < WAIT_LOG_MS) return;
    c->last_wait_log_ms = now;
    log_info(fmt, c->answering, c->topo->n_nodes, detail);
}

static void try_open(cluster *c)
{
    const topology *t = c->topo;
    if (!c->formats_read) {
        wait_log(c, "waiting for the other nodes: %d of %d answer%s", "");
        return;
    }
    int all = c->answering == t->n_nodes;
    /* the first node of the command line creates a new deployment, with
     * every node present; the others wait for its format records */
    int may_create = t->self == 0 && all;
    if (!c->any_formatted && !may_create) {
        char who[400];
        snprintf(who, sizeof who, "; node 1 (%s:%d) formats the new deployment once all answer", t->nodes[0].host,
                 t->nodes[0].port);
        wait_log(c, "waiting: %d of %d nodes answer%s", who);
        return;
    }
    if (!c->join_lock) return;   /* join_prepare tries again at the next probe */
    store_remote r = {
        .ctx = c, .is_remote = hook_is_remote, .drive_open = hook_drive_open, .drive_close = hook_drive_close,
        .format_read = hook_format_read, .format_write = hook_format_write, .meta_submit = hook_meta_submit,
        .drive_online = hook_drive_online, .lock = hook_lock, .unlock = hook_unlock, .missed = hook_missed,
        .drive_stats = hook_drive_stats, .can_read = hook_can_read,
    };
    char names[TOPOLOGY_MAX_DRIVES][1100];
    const char *dirs[TOPOLOGY_MAX_DRIVES];
    for (int i = 0; i < t->n; i++) {
        const topology_node *n = &t->nodes[t->node_of[i]];
        if (cluster_drive_is_local(c, i)) snprintf(names[i], sizeof names[i], "%s", t->drives[i]);
        else snprintf(names[i], sizeof names[i], "http://%s:%d%s", n->host, n->port, t->drives[i]);
        dirs[i] = names[i];
    }
    store *s = NULL;
    int rc = store_open_cluster(c->loop, dirs, t->n, c->parity, &r, may_create, &s);
    if (rc == -EAGAIN) {
        wait_log(c, "waiting: %d of %d nodes answer%s", "; the deployment is not formatted yet");
        if (c->join_lock) release_join_lock(c);
        return;
    }
    if (rc != 0) {
        log_error("cannot open the deployment's drives (%s): stopping", strerror(-rc));
        fflush(NULL);
        exit(1);
    }
    c->store = s;
    c->ready = 1;
    log_info("joined the deployment %s: %d of %d nodes answer", store_deployment(s), c->answering, t->n_nodes);
    store_heal_start(s, 0);   /* the shards written while this node was away */
    c->joined.data = c;
    if (uv_queue_work(c->loop, &c->joined, joined_work, joined_after) != 0) joined_work(&c->joined);
    c->on_ready(c->ready_arg, s);
}

static void probe_after(uv_work_t *req, int status)
{
    (void)status;
    cluster *c = req->data;
    c->probing = 0;
    if (c->stopped) return;
    if (c->mismatch_node >= 0) {
        const topology_node *n = &c->topo->nodes[c->mismatch_node];
        log_error("node %s:%d has another topology (its command line lists other nodes or drives): "
                  "every node needs the same endpoints, in the same order; stopping",
                  n->host, n->port);
        fflush(NULL);
        exit(1);
    }
    if (c->told_stale_by && c->ready && !c->stale_reported) {
        c->stale_reported = 1;
        if (c->store) store_set_stale(c->store);
        log_warn("node %d wrote while this node could not take part: serving nothing, restarting to rejoin with "
                 "current metadata", c->told_stale_by);
        if (c->on_stale) c->on_stale(c->ready_arg);
    }
    if (!c->ready) try_open(c);
    schedule_probe(c);
}

static void on_timer(uv_timer_t *t)
{
    cluster *c = t->data;
    if (c->probing || c->stopped) return;
    c->probing = 1;
    c->probe.data = c;
    if (uv_queue_work(c->loop, &c->probe, probe_work, probe_after) != 0) c->probing = 0;
}

static void schedule_probe(cluster *c)
{
    if (!c->stopped) uv_timer_start(&c->timer, on_timer, c->ready ? PROBE_MS : PROBE_JOIN_MS, 0);
}

void cluster_start(cluster *c, void (*ready)(void *arg, store *s), void (*stale)(void *arg), void *arg)
{
    c->on_ready = ready;
    c->on_stale = stale;
    c->ready_arg = arg;
    log_info("node %d of %d (%s): %d drives here, %d in all", c->topo->self + 1, c->topo->n_nodes, c->self_name,
             c->topo->n / c->topo->n_nodes, c->topo->n);
    uv_timer_start(&c->timer, on_timer, 0, 0);
}

void cluster_stop(cluster *c)
{
    if (c->stopped) return;
    c->stopped = 1;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, NULL);
    service_pool_stop(&c->pool);
}

void cluster_free(cluster *c)
{
    if (!c) return;
    for (int n = 0; n < c->topo->n_nodes; n++) rpc_peer_free(c->peers[n]);
    lock_table_free(&c->locks);
    free(c);
}

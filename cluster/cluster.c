/*
 * cluster — the node's peers and what the store asks of them: the
 * store_remote hooks (remote drives, metadata fan-out one call per node,
 * drive state, telling nodes that missed writes), the operators' view of
 * the nodes.  Joining is in join.c, locks in locks.c; cluster.h has the
 * whole story.
 */
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

int cluster_drive_is_local(const cluster *c, int i)
{
    return i >= 0 && i < c->topo->n && c->topo->node_of[i] == c->topo->self;
}

int cluster_majority(const cluster *c) { return c->topo->n_nodes / 2 + 1; }

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

void cluster_drive_query(int i, char *q, size_t cap) { snprintf(q, cap, "drive=%d", i); }

static int format_write_remote(cluster *c, int i, const drive_format *f)
{
    char body[512], q[32];
    snprintf(body, sizeof body, "{\"deployment\":\"%s\",\"drives\":%d,\"set_size\":%d,\"parity\":%d,\"index\":%d}",
             f->deployment, f->drives, f->set_size, f->parity, f->index);
    cluster_drive_query(i, q, sizeof q);
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

store_remote cluster_store_hooks(cluster *c)
{
    store_remote r = {
        .ctx = c, .is_remote = hook_is_remote, .drive_open = hook_drive_open, .drive_close = hook_drive_close,
        .format_read = hook_format_read, .format_write = hook_format_write, .meta_submit = hook_meta_submit,
        .drive_online = hook_drive_online, .lock = cluster_lock_async, .unlock = cluster_unlock_async,
        .missed = hook_missed, .drive_stats = hook_drive_stats, .can_read = hook_can_read,
    };
    return r;
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

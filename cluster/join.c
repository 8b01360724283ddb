/*
 * join — how a node becomes part of its deployment and stays current:
 * the hellos (every second, to all peers at once) that find the peers,
 * refuse another topology, read the drives' formats and renew the read
 * lease; joining under LOCK_ALL with a serving peer's metadata snapshot;
 * opening the store; telling the peers.  cluster.h has the story.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "../storage/fsio.h"
#include "../storage/volume.h"
#include "cluster_internal.h"

enum {
    PROBE_JOIN_MS = 1000,      /* while joining */
    PROBE_MS = 1000,           /* once serving: the heartbeat that renews the read lease */
    WAIT_LOG_MS = 5000,
};

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
    int need = c->topo->n_nodes - cluster_majority(c);   /* peers besides this node */
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
            cluster_drive_query(i, dq, sizeof dq);
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
        if (t->granted[n]) lock_node(t, n, 1);
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
        log_info("joining: copied %llu bytes of metadata from node %d (%s) to %d drive%s", (unsigned long long)size,
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
        lock_release_all(c->join_lock);
        lock_token_free(c->join_lock);
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
    int64_t contact[TOPOLOGY_MAX_NODES];
    int n_contact = 0;
    for (int n = 0; n < c->topo->n_nodes; n++) {
        if (n == c->topo->self) continue;
        rpc_reply r;
        int64_t sent = cluster_mono_ms();
        int rc = rpc_call_result(c->peers[n], "joined", q, NULL, 0, PROBE_TIMEOUT_MS, &r);
        int ready = rc == 0 && r.body && strstr((char *)r.body, "\"ready\":1");
        atomic_store(&c->peer_ready[n], ready);
        atomic_store(&c->peer_joined[n], ready);
        /* it has just forgotten this node missed writes: a lease contact */
        if (rc == 0) contact[n_contact++] = sent;
        rpc_reply_free(&r);
    }
    renew_lease(c, contact, n_contact);
}

static void release_join_lock(cluster *c);

/* The peers' drives as they are now, before any write may go on. */
static void joined_after(uv_work_t *req, int status)
{
    (void)status;
    cluster *c = req->data;
    store_check_drives(c->store);
    /* serve (IAM reads its state, health says ready) only now: the peers
     * count this node and it holds a read lease */
    c->on_ready(c->ready_arg, c->store);
    release_join_lock(c);
}

static void release_work(uv_work_t *req)
{
    lock_token *t = req->data;
    lock_release_all(t);
}

static void release_after(uv_work_t *req, int status)
{
    (void)status;
    lock_token_free(req->data);
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
    store_remote r = cluster_store_hooks(c);
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
    if (uv_queue_work(c->loop, &c->joined, joined_work, joined_after) != 0) {
        joined_work(&c->joined);
        joined_after(&c->joined, 0);
    }
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

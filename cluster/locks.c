/*
 * locks — this node's share of the cluster's write locks: a table of
 * resource -> (owner, expiry).  A lock is held when a majority of nodes
 * grant it (cluster.c asks them); an entry expires by itself, so a
 * holder that dies blocks its key for LOCK_TTL_MS at most.  Holders keep
 * a lock only for one metadata commit, bounded by the RPC timeout, well
 * inside the TTL, so locks are never refreshed.
 *
 * LOCK_ALL excludes every other lock: a node that rejoins holds it while
 * it copies the metadata, so no write happens anywhere meanwhile.  When
 * it is refused, the table refuses new key locks for ALL_WANTED_MS, so a
 * steady stream of writes cannot starve it.
 *
 * The client side (lock_acquire and the async wrappers the store calls)
 * asks every node, this one through its table directly.
 *
 * Guarded by a mutex: the loop thread (peers' calls) and worker threads
 * (this node's own lock requests) both use it.  Linear scans: the table
 * holds one entry per write in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>
#include <openssl/rand.h>
#include <unistd.h>

#include "cluster_internal.h"

enum { LOCK_WAIT_MS = 10000 };   /* a writer waits this long for a key's lock */

int64_t cluster_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lock_table_init(lock_table *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
}

void lock_table_free(lock_table *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->e[i].resource);
    free(t->e);
    pthread_mutex_destroy(&t->mu);
}

static void drop(lock_table *t, size_t i)
{
    free(t->e[i].resource);
    t->e[i] = t->e[--t->n];
}

int lock_table_acquire(lock_table *t, const char *resource, const char *owner, int64_t ttl_ms)
{
    int64_t now = cluster_mono_ms();
    int all = strcmp(resource, LOCK_ALL) == 0;
    int granted = 1;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->n;) {
        lock_entry *e = &t->e[i];
        int same = strcmp(e->resource, resource) == 0;
        if (e->expires_ms <= now || (same && strcmp(e->owner, owner) == 0)) {
            drop(t, i);   /* expired, or this owner's again (a retry) */
            continue;
        }
        if (all || same || strcmp(e->resource, LOCK_ALL) == 0) granted = 0;
        i++;
    }
    /* a rejoining node waits for the keys in flight; new ones wait for it */
    if (!all && now < t->all_wanted_until) granted = 0;
    if (all) t->all_wanted_until = granted ? 0 : now + ALL_WANTED_MS;
    if (granted && t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        lock_entry *e = realloc(t->e, cap * sizeof *e);
        if (!e) granted = 0;
        else { t->e = e; t->cap = cap; }
    }
    char *r = granted ? strdup(resource) : NULL;
    if (!r) granted = 0;
    else {
        lock_entry *e = &t->e[t->n++];
        e->resource = r;
        snprintf(e->owner, sizeof e->owner, "%s", owner);
        e->expires_ms = now + ttl_ms;
    }
    pthread_mutex_unlock(&t->mu);
    return granted;
}

void lock_table_release(lock_table *t, const char *resource, const char *owner)
{
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->e[i].resource, resource) == 0 && strcmp(t->e[i].owner, owner) == 0) {
            drop(t, i);
            break;
        }
    pthread_mutex_unlock(&t->mu);
}

/* ---------- asking the nodes ---------- */

/* Locks: asked of every node from a libuv worker; held when a majority
 * grants; on a split vote the grants are returned and the request tried
 * again after a random pause, until LOCK_WAIT_MS. */
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

int lock_node(lock_token *t, int node, int acquire)
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

void lock_release_all(lock_token *t)
{
    for (int n = 0; n < t->c->topo->n_nodes; n++)
        if (t->granted[n]) {
            lock_node(t, n, 0);
            t->granted[n] = 0;
        }
}

/* Blocks until a majority grants resource, or wait_ms passes: a token
 * (free with token_free after release_all), or NULL. */
lock_token *lock_acquire(cluster *c, const char *resource, int64_t wait_ms)
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
            int r = lock_node(t, n, 1);
            t->granted[n] = r == 0;
            granted += t->granted[n];
            answered += r == 0 || r == -EBUSY;
        }
        if (granted >= cluster_majority(c)) return t;
        lock_release_all(t);
        /* on the minority side of a partition (or with most nodes down)
         * waiting cannot help: say so at once */
        if (answered < cluster_majority(c)) break;
        unsigned char b;
        RAND_bytes(&b, 1);
        int cap = attempt < 5 ? 2 << attempt : 64;   /* ms */
        usleep((useconds_t)(1 + b % cap) * 1000);
    }
    free(t->resource);
    free(t);
    return NULL;
}

void lock_token_free(lock_token *t)
{
    free(t->resource);
    free(t);
}

static void lock_work(uv_work_t *req)
{
    lock_req *l = req->data;
    if (l->release) {
        lock_release_all(l->t);
        return;
    }
    l->t = lock_acquire(l->c, l->resource, LOCK_WAIT_MS);
    l->ok = l->t != NULL;
}

static void lock_after(uv_work_t *req, int status)
{
    (void)status;
    lock_req *l = req->data;
    if (l->release) lock_token_free(l->t);
    else l->cb(l->arg, l->t);
    free(l->resource);
    free(l);
}

void cluster_lock_async(void *ctx, const char *resource, void (*cb)(void *arg, void *token), void *arg)
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

void cluster_unlock_async(void *ctx, void *token)
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

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
 * Guarded by a mutex: the loop thread (peers' calls) and worker threads
 * (this node's own lock requests) both use it.  Linear scans: the table
 * holds one entry per write in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster_internal.h"

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

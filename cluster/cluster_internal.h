/*
 * cluster_internal — what cluster.c, remote_drive.c, rpc_service.c and
 * locks.c share.  Not for use outside cluster/.
 */
#ifndef CAIRN_CLUSTER_INTERNAL_H
#define CAIRN_CLUSTER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "cluster.h"
#include "../storage/drive.h"
#include "../storage/format.h"

enum { LOCK_TTL_MS = 30000, SERVICE_WORKERS = 4, ALL_WANTED_MS = 1000, LEASE_MS = 5000 };
#define LOCK_ALL "*"     /* every key: no key's resource is "*" (they hold a '/') */

/* ---- locks.c: this node's share of the cluster's locks ---- */
typedef struct lock_entry {
    char *resource;
    char owner[33];
    int64_t expires_ms;
} lock_entry;
typedef struct lock_table {
    pthread_mutex_t mu;
    lock_entry *e;
    size_t n, cap;
    int64_t all_wanted_until;   /* a LOCK_ALL request is waiting */
} lock_table;
void lock_table_init(lock_table *t);
void lock_table_free(lock_table *t);
/* 1 granted (free, expired, or already this owner's), 0 held by another */
int lock_table_acquire(lock_table *t, const char *resource, const char *owner, int64_t ttl_ms);
void lock_table_release(lock_table *t, const char *resource, const char *owner);
int64_t cluster_mono_ms(void);

/* ---- rpc_service.c: worker threads for peers' blocking calls ---- */
typedef struct service_job service_job;
struct service_job {
    void (*work)(service_job *j);       /* on a service worker */
    void (*after)(service_job *j);      /* back on the loop */
    service_job *next;
};
typedef struct service_pool {
    pthread_t threads[SERVICE_WORKERS];
    int n_threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    service_job *queue, *queue_tail, *done;
    int stopping;
    uv_async_t async;
} service_pool;
int service_pool_start(service_pool *p, uv_loop_t *loop);
void service_pool_submit(service_pool *p, service_job *j);
void service_pool_stop(service_pool *p);

struct cluster {
    uv_loop_t *loop;
    const topology *topo;
    rpc_key key;
    int parity;
    rpc_peer *peers[TOPOLOGY_MAX_NODES];   /* NULL for this node */
    _Atomic int peer_ready[TOPOLOGY_MAX_NODES];    /* it serves (hello) */
    _Atomic int peer_joined[TOPOLOGY_MAX_NODES];   /* it said it joined: its drives take writes */
    _Atomic int peer_stale[TOPOLOGY_MAX_NODES];    /* a write left it out since */
    _Atomic int peer_told[TOPOLOGY_MAX_NODES];     /* ... and it has been told so */
    void (*on_stale)(void *arg);                   /* a peer says this node missed writes */
    _Atomic uint64_t drive_total[TOPOLOGY_MAX_DRIVES], drive_free[TOPOLOGY_MAX_DRIVES],
        drive_used[TOPOLOGY_MAX_DRIVES];           /* peers' drives, from their hellos */
    int stale_reported;
    int told_stale_by;                             /* a hello's answer said so (node + 1) */
    _Atomic int64_t lease_until_ms;                /* reads may be served until (monotonic) */
    _Atomic int64_t last_heard_ms[TOPOLOGY_MAX_NODES];   /* this node answered its hello */
    int64_t stale_lease_end[TOPOLOGY_MAX_NODES];   /* when a stale peer's lease has surely run out */
    char self_name[300];
    char topo_hash[65];                    /* sha256 hex of topology_signature */
    store *store;                          /* once open */
    int ready;
    lock_table locks;
    service_pool pool;
    /* formats read by the join, for store_open_cluster's remote drives */
    drive_format fmt[TOPOLOGY_MAX_DRIVES];
    int fmt_state[TOPOLOGY_MAX_DRIVES];
    /* joining and probing */
    uv_timer_t timer;
    uv_work_t probe;
    int probing, stopped;
    int mismatch_node;                     /* >= 0: a peer has another topology */
    int answering;                         /* nodes that answered the last probe */
    int formats_read, any_formatted;
    struct lock_token *join_lock;          /* LOCK_ALL while rejoining */
    uv_work_t joined;
    int64_t last_wait_log_ms;
    void (*on_ready)(void *arg, store *s);
    void *ready_arg;
};

/* locks.c, the asking side: a lock held by a majority of nodes */
typedef struct lock_token {
    cluster *c;
    char *resource;
    char owner[33];
    int granted[TOPOLOGY_MAX_NODES];
} lock_token;
/* blocks (a worker) until a majority grants, or wait_ms passes: NULL */
lock_token *lock_acquire(cluster *c, const char *resource, int64_t wait_ms);
int lock_node(lock_token *t, int node, int acquire);   /* 0, -EBUSY, or a call's error */
void lock_release_all(lock_token *t);
void lock_token_free(lock_token *t);
/* store_remote's lock and unlock: the same from the loop, on a worker */
void cluster_lock_async(void *ctx, const char *resource, void (*cb)(void *arg, void *token), void *arg);
void cluster_unlock_async(void *ctx, void *token);

/* cluster.c */
int cluster_majority(const cluster *c);
store_remote cluster_store_hooks(cluster *c);   /* how the store reaches the other nodes */
void cluster_drive_query(int drive, char *q, size_t cap);   /* "drive=I" */
enum { PROBE_TIMEOUT_MS = 2000 };               /* hellos, locks, notices */

/* remote_drive.c */
drive *remote_drive_open(cluster *c, int drive_index);
void remote_drive_close(drive *d);

int cluster_drive_is_local(const cluster *c, int drive_index);

#endif

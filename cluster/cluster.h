/*
 * cluster — a distributed deployment as one node sees it: its peers, the
 * drives they serve, joining them at start, and the internal calls they
 * make to this node.
 *
 * Start (cluster_start): every second, on a worker, this node says hello
 * to every peer (the hello carries a hash of the whole topology: a peer
 * given another command line answers 409 and this node stops with a clear
 * error), and once the nodes that answer hold at least a write quorum of
 * the drives, reads every drive's format record.  If no drive is
 * formatted yet, the first node of the command line creates the
 * deployment (only when every node answers) and the others wait for it;
 * then the store opens with the remote drives as drive objects
 * (remote_drive.c) and metadata writes fanned out over the RPC
 * (meta_wire.c).  Until then S3 requests get 503 ServerNotInitialized.
 *
 * Writes of one key are serialized by a lock held by a majority of nodes
 * (locks.c holds each node's table) for the span of the metadata commit.
 * Node health: hellos continue every 2 s; a peer that fails a call is in
 * backoff (rpc.c) and its drives are offline until it answers again.
 *
 * Owns: the peers (rpc_peer), the service worker threads that run peers'
 * drive calls (kept apart from libuv's pool, whose threads may be blocked
 * calling those same peers), the lock table.
 */
#ifndef CAIRN_CLUSTER_H
#define CAIRN_CLUSTER_H

#include <stddef.h>
#include <uv.h>

#include "../storage/store.h"
#include "rpc.h"
#include "topology.h"

typedef struct cluster cluster;

/* t must have self set (topology_find_self) and outlive the cluster. */
int cluster_new(uv_loop_t *loop, const topology *t, const rpc_key *key, int parity, cluster **out);
/* ready(arg, store) runs on the loop once the store is open; stale(arg)
 * when a peer says this node missed metadata writes (the caller restarts
 * the process: the next start rejoins with current metadata). */
void cluster_start(cluster *c, void (*ready)(void *arg, store *s), void (*stale)(void *arg), void *arg);
int cluster_is_ready(const cluster *c);
/* Stops the timers and the workers (after the store is closed). */
void cluster_stop(cluster *c);
void cluster_free(cluster *c);

/* One call from a peer.  answer runs once (maybe before this returns)
 * with an HTTP status, the call's result and a malloc'd body it must free. */
typedef void (*cluster_answer_fn)(void *arg, int status, int result, unsigned char *body, size_t len);
void cluster_handle(cluster *c, const char *op, const char *query, const char *date, const char *signature,
                    unsigned char *body, size_t len, cluster_answer_fn answer, void *arg);

/* Nodes answering now (this one included), for health and metrics. */
int cluster_nodes_online(const cluster *c);
/* What operators see of the nodes (admin API, console, metrics). */
int cluster_node_count(const cluster *c);
int cluster_self(const cluster *c);
void cluster_node_name(const cluster *c, int node, char *out, size_t cap);   /* "host:port" */
int cluster_node_serving(const cluster *c, int node);                     /* it answers and serves */
int cluster_node_of_drive(const cluster *c, int drive);

#endif

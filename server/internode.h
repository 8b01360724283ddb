/*
 * internode — the HTTP side of the calls between nodes (cluster/rpc.h):
 * requests under RPC_PREFIX on the S3 port are read whole (bounded by
 * RPC_MAX_BODY, Content-Length required), handed to cluster_handle, and
 * its answer sent back with X-Cairn-Result.  Never reached by S3 routing.
 */
#ifndef CAIRN_INTERNODE_H
#define CAIRN_INTERNODE_H

#include "../cluster/cluster.h"
#include "http.h"

/* c may be NULL (a single-node server): every call is refused. */
void internode_handle(cluster *c, http_exchange *ex);

#endif

/*
 * topology — what the command line says the deployment is: the drive list
 * after MinIO's ellipsis expansion ("/data{1...4}", "/mnt/disk{01...16}",
 * "http://cairn-{0...3}.cairn-hl:9000/data{1...2}"; several patterns
 * multiply), from arguments or CAIRN_VOLUMES / MINIO_VOLUMES
 * (space-separated).
 *
 * Two shapes: local directories only (one node), or endpoints only
 * (http[s]://HOST:PORT/PATH, a distributed deployment; mixing them is
 * refused).  Endpoints are grouped into nodes by HOST:PORT in order of
 * first appearance; every node must have the same number of drives.
 *
 * Drive order (the deployment's drive indices, which erasure sets are cut
 * from) interleaves the nodes: node 0's first drive, node 1's first drive,
 * ..., node 0's second drive, ...  Erasure sets are contiguous ranges of
 * indices, so each set takes its drives evenly from every node and losing
 * one node costs a set at most ceil(set_size / nodes) drives.
 */
#ifndef CAIRN_TOPOLOGY_H
#define CAIRN_TOPOLOGY_H

#include <stddef.h>

enum { TOPOLOGY_MAX_DRIVES = 64, TOPOLOGY_MAX_NODES = 16 };

typedef struct topology_node {
    char host[256];          /* as written in the endpoint (no brackets for IPv6) */
    int port;                /* 9000 when the endpoint gives none */
    int tls;                 /* https:// */
} topology_node;

typedef struct topology {
    /* in deployment order (interleaved across nodes, see above) */
    char *drives[TOPOLOGY_MAX_DRIVES];   /* the local path of each drive on its node
                                            (endpoints: the URL's path, without
                                            repeated or trailing slashes) */
    int node_of[TOPOLOGY_MAX_DRIVES];    /* index into nodes[]; 0 for local-only */
    int n;
    topology_node nodes[TOPOLOGY_MAX_NODES];
    int n_nodes;                         /* 0 for local directories only */
    int self;                            /* this node's index; -1 until topology_find_self */
} topology;

/* Returns 0, or -1 with a message in err. */
int topology_expand(const char *const *args, int n_args, topology *out, char *err, size_t errcap);
void topology_free(topology *t);

/* Distributed only: which node this process is, from the address it
 * listens on (listen_host NULL, "", "0.0.0.0" or "::": any local address;
 * "[::1]" may keep its brackets) and its port.  A node is this process
 * when its port is listen_port and its host resolves (getaddrinfo) to an
 * address of this machine (getifaddrs; loopback included) that the
 * listener accepts.  Exactly one node must match: then t->self is set and
 * 0 returned.  Peers that do not resolve are ignored when one node
 * matches (their names may not be published yet); with no match or
 * several, or when listen_host does not resolve, t->self is -1 and -1 is
 * returned with a message naming every node tried and why it is not this
 * process.  Resolves names: it may block on DNS. */
int topology_find_self(topology *t, const char *listen_host, int listen_port, char *err, size_t errcap);

/* A stable text of the whole topology (nodes and drives, in order), the
 * same on every node given the same command line: peers compare it.
 * Hosts are lowercased; '%', ',', '|' and unprintable bytes in hosts and
 * paths are written %XX.  Truncated to cap - 1 bytes, always terminated:
 * give a cap that fits (64 drives of long paths need several KiB). */
void topology_signature(const topology *t, char *out, size_t cap);

/* "EC:2" -> 2; NULL or "" -> -1 (default); malformed -> -2. */
int topology_parity(const char *storage_class);

#endif

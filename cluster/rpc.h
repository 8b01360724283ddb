/*
 * rpc — the internal calls between the nodes of a deployment: how they
 * are signed and checked, and a blocking client for worker threads.
 *
 * A call is an HTTP/1.1 POST to the peer's S3 port under RPC_PREFIX:
 *   POST /cairn-internal/v1/OP?QUERY
 *   X-Cairn-Date: <unix seconds>
 *   X-Cairn-Signature: hex HMAC-SHA256(key, "cairn-rpc-v1\nHOST:PORT\nOP\n
 *                      QUERY\nDATE\nLENGTH\nCRC32C-OF-BODY")
 * The key is derived from CAIRN_CLUSTER_SECRET, or else from the root
 * credentials, so only nodes configured alike can call each other; the
 * destination is signed, so a call cannot be replayed to another node; a
 * call is valid for RPC_VALIDITY_S seconds either side of the receiver's
 * clock (nodes need NTP-grade clocks).  The body is bound to the signature
 * by its CRC32C (cheap at shard-write rates): that detects damage, not a
 * forger on the wire — a hostile network needs TLS (https endpoints).
 *
 * The answer is 200 with X-Cairn-Result: 0 or a negative errno for calls
 * that ran; 403 (bad signature), 409 (another topology), 503 (the node is
 * not ready) for calls that did not.
 *
 * The client keeps a few idle keep-alive connections per peer, bounds
 * every call by a deadline (connect, send and receive), and remembers
 * peers that failed: after a transport failure a peer is offline and calls
 * fail at once with -EHOSTDOWN until its backoff (250 ms doubling to 5 s)
 * lets one call probe it again.  Every call blocks: worker threads only.
 */
#ifndef CAIRN_RPC_H
#define CAIRN_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define RPC_PREFIX "/cairn-internal/v1/"
enum {
    RPC_VALIDITY_S = 60,
    RPC_MAX_BODY = 8 * 1024 * 1024,   /* a shard of a 1 MiB block is at most 1 MiB + checksums */
    RPC_TIMEOUT_MS = 10000,
};

typedef struct rpc_key { unsigned char k[32]; } rpc_key;

/* From CAIRN_CLUSTER_SECRET when set, else from the root credentials. */
void rpc_key_derive(rpc_key *out, const char *cluster_secret, const char *root_user, const char *root_secret);

/* hex signature (65 bytes with NUL) of one call to dest ("host:port") */
void rpc_sign(const rpc_key *key, const char *dest, const char *op, const char *query, int64_t date,
              const void *body, size_t len, char out[65]);
/* 0 when the signature is right and the date within the validity. */
int rpc_verify(const rpc_key *key, const char *dest, const char *op, const char *query, const char *date,
               const char *signature, const void *body, size_t len, int64_t now);

typedef struct rpc_peer rpc_peer;
rpc_peer *rpc_peer_new(const char *host, int port, const rpc_key *key);
void rpc_peer_free(rpc_peer *p);
const char *rpc_peer_name(const rpc_peer *p);     /* "host:port" */
/* 1 when the last call reached it (or its backoff allows a probe). */
int rpc_peer_online(const rpc_peer *p);
/* 1 when the last call reached it. */
int rpc_peer_answering(const rpc_peer *p);
/* Forget the backoff: the next call tries at once. */
void rpc_peer_poke(rpc_peer *p);
/* It just called this node: count it as answering, without backoff. */
void rpc_peer_heard_from(rpc_peer *p);

typedef struct rpc_reply {
    int status;              /* HTTP status */
    int result;              /* X-Cairn-Result (0 when absent) */
    unsigned char *body;     /* malloc'd (NUL-terminated), NULL when empty */
    size_t len;
} rpc_reply;
void rpc_reply_free(rpc_reply *r);

/* Returns 0 when an answer came (whatever its status), or -errno for a
 * transport failure (-EHOSTDOWN while the peer is in backoff, -ETIMEDOUT). */
int rpc_call(rpc_peer *p, const char *op, const char *query, const struct iovec *body, int n_iov, int timeout_ms,
             rpc_reply *out);
/* The usual shape: 0 or the call's negative result; transport failures
 * and refusals map to -EHOSTDOWN / -EACCES / -EAGAIN. */
int rpc_call_result(rpc_peer *p, const char *op, const char *query, const struct iovec *body, int n_iov,
                    int timeout_ms, rpc_reply *out);

#endif

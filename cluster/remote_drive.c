/*
 * remote_drive — a drive on another node, behind storage/drive.h's
 * interface: each operation is one call to that node (rpc_service.c runs
 * it on the drive there).  A file handle is only the id: the peer holds
 * nothing between calls, so a peer that restarts mid-write loses the tmp
 * file and the write fails at commit, never half-visible.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_internal.h"

typedef struct remote_drive {
    drive base;
    cluster *c;
    int index;
    rpc_peer *peer;
} remote_drive;

typedef struct remote_file {
    remote_drive *d;
    data_id id;
} remote_file;

static int call(remote_drive *d, const char *op, const data_id *id, const char *extra, const void *body, size_t len,
                rpc_reply *reply)
{
    char hex[33], q[200];
    data_id_hex(id, hex);
    snprintf(q, sizeof q, "drive=%d&id=%s%s", d->index, hex, extra ? extra : "");
    struct iovec iov = { (void *)body, len };
    rpc_reply tmp;
    rpc_reply *r = reply ? reply : &tmp;
    int rc = rpc_call_result(d->peer, op, q, len ? &iov : NULL, len ? 1 : 0, RPC_TIMEOUT_MS, r);
    if (!reply) rpc_reply_free(&tmp);
    return rc;
}

static int r_create(drive *dr, const data_id *id, drive_file **out)
{
    remote_drive *d = (remote_drive *)dr;
    if (!rpc_peer_online(d->peer)) return -EHOSTDOWN;
    remote_file *f = calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    f->d = d;
    f->id = *id;
    *out = (drive_file *)f;
    return 0;
}

static int r_write(drive_file *df, const void *p, size_t n, uint64_t off)
{
    remote_file *f = (remote_file *)df;
    char extra[40];
    snprintf(extra, sizeof extra, "&off=%" PRIu64, off);
    return call(f->d, "dwrite", &f->id, extra, p, n, NULL);
}

static int r_commit(drive_file *df)
{
    remote_file *f = (remote_file *)df;
    int r = call(f->d, "dcommit", &f->id, NULL, NULL, 0, NULL);
    free(f);
    return r;
}

static void r_discard(drive_file *df)
{
    remote_file *f = (remote_file *)df;
    call(f->d, "ddiscard", &f->id, NULL, NULL, 0, NULL);
    free(f);
}

static int r_size_of(drive *dr, const data_id *id, uint64_t *out)
{
    remote_drive *d = (remote_drive *)dr;
    rpc_reply reply;
    int r = call(d, "dsize", id, NULL, NULL, 0, &reply);
    if (r == 0) {
        char *end;
        unsigned long long v = reply.body ? strtoull((char *)reply.body, &end, 10) : 0;
        if (!reply.body || *end) r = -EPROTO;
        else *out = v;
    }
    rpc_reply_free(&reply);
    return r;
}

static int r_open(drive *dr, const data_id *id, drive_file **out)
{
    remote_drive *d = (remote_drive *)dr;
    uint64_t size;
    int r = r_size_of(dr, id, &size);
    if (r) return r;
    remote_file *f = calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    f->d = d;
    f->id = *id;
    *out = (drive_file *)f;
    return 0;
}

static ssize_t r_read(drive_file *df, void *p, size_t n, uint64_t off)
{
    remote_file *f = (remote_file *)df;
    if (n > RPC_MAX_BODY) n = RPC_MAX_BODY;
    char extra[64];
    snprintf(extra, sizeof extra, "&off=%" PRIu64 "&n=%zu", off, n);
    rpc_reply reply;
    int r = call(f->d, "dread", &f->id, extra, NULL, 0, &reply);
    ssize_t got = r;
    if (r == 0) {
        got = reply.len <= n ? (ssize_t)reply.len : -EPROTO;
        if (got > 0) memcpy(p, reply.body, reply.len);
    }
    rpc_reply_free(&reply);
    return got;
}

static void r_close(drive_file *df) { free(df); }

static int r_remove(drive *dr, const data_id *id)
{
    return call((remote_drive *)dr, "dremove", id, NULL, NULL, 0, NULL);
}

static const drive_ops remote_ops = {
    .create = r_create, .write = r_write, .commit = r_commit, .discard = r_discard, .open = r_open,
    .read = r_read, .close = r_close, .remove = r_remove, .size_of = r_size_of,
};

drive *remote_drive_open(cluster *c, int i)
{
    int node = c->topo->node_of[i];
    if (!c->peers[node]) return NULL;
    remote_drive *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->base.ops = &remote_ops;
    const topology_node *n = &c->topo->nodes[node];
    snprintf(d->base.path, sizeof d->base.path, "%s://%s:%d%s", n->tls ? "https" : "http", n->host, n->port,
             c->topo->drives[i]);
    snprintf(d->base.sys, sizeof d->base.sys, "%s", "");
    d->c = c;
    d->index = i;
    d->peer = c->peers[node];
    return &d->base;
}

void remote_drive_close(drive *d) { free(d); }

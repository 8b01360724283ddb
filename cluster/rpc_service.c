/*
 * rpc_service — the calls peers make to this node: checked (signature,
 * date, destination), then answered from its own drives, metadata and
 * lock table.  Drive calls block on file I/O and run on the service's own
 * worker threads; metadata calls go to meta's writer thread like local
 * writes; hello, formats and locks are answered on the loop.
 *
 * Calls:
 *   hello?sig=H               H = this deployment's topology hash; 409 if not ours
 *   format-read?drive=I       0 + JSON, -ENOENT blank, -EIO unreadable
 *   format-write?drive=I      body: the format JSON
 *   dwrite?drive=I&id=X&off=O body: bytes at O of X's tmp file
 *   dcommit / ddiscard / dsize / dremove ?drive=I&id=X
 *   dread?drive=I&id=X&off=O&n=N
 *   meta?drives=I,J           body: meta_wire op, applied to each; answer: the results
 *   lock?owner=X&ttl=MS / unlock?owner=X   body: the resource
 *   joined?from=N             node N (1-based) joined: its drives count again; answer {"ready"}
 *   stale?from=N              node N left this node out of a write: restart and rejoin
 *   peer-stale?node=N         node N was left out of a write (by the caller)
 *   meta-snapshot             a snapshot of this node's metadata: {"name","size"}
 *   meta-snapshot-read?name=S&off=O&n=N / meta-snapshot-done?name=S
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../storage/fsio.h"
#include "cluster_internal.h"
#include "meta_wire.h"

/* ---------- the worker pool ---------- */

static void *service_worker(void *arg)
{
    service_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->queue && !p->stopping) pthread_cond_wait(&p->cv, &p->mu);
        if (!p->queue) break;
        service_job *j = p->queue;
        p->queue = j->next;
        if (!p->queue) p->queue_tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->work(j);
        pthread_mutex_lock(&p->mu);
        j->next = p->done;
        p->done = j;
        uv_async_send(&p->async);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void service_after(uv_async_t *a)
{
    service_pool *p = a->data;
    pthread_mutex_lock(&p->mu);
    service_job *j = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->mu);
    while (j) {
        service_job *next = j->next;
        j->after(j);
        j = next;
    }
}

int service_pool_start(service_pool *p, uv_loop_t *loop)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    uv_async_init(loop, &p->async, service_after);
    p->async.data = p;
    for (int i = 0; i < SERVICE_WORKERS; i++) {
        if (pthread_create(&p->threads[i], NULL, service_worker, p) != 0) break;
        p->n_threads++;
    }
    return p->n_threads ? 0 : -1;
}

void service_pool_submit(service_pool *p, service_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->queue_tail) p->queue_tail->next = j;
    else p->queue = j;
    p->queue_tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void service_pool_stop(service_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++) pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
    service_after(&p->async);   /* answers of the last jobs */
    uv_close((uv_handle_t *)&p->async, NULL);
}

/* ---------- small helpers ---------- */

/* The value of name in a query of plain name=value pairs (ours carry only
 * numbers and hex), copied into out; 0 when absent or too long. */
static int query_get(const char *q, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        if (plen > nl && strncmp(q, name, nl) == 0 && q[nl] == '=') {
            size_t vl = plen - nl - 1;
            if (vl >= cap) return 0;
            memcpy(out, q + nl + 1, vl);
            out[vl] = '\0';
            return 1;
        }
        q = amp ? amp + 1 : q + plen;
    }
    return 0;
}

static int query_u64(const char *q, const char *name, uint64_t *out)
{
    char v[32];
    if (!query_get(q, name, v, sizeof v) || !*v) return 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end) return 0;
    *out = x;
    return 1;
}

static int query_id(const char *q, data_id *id)
{
    char v[40];
    if (!query_get(q, "id", v, sizeof v) || strlen(v) != 32) return 0;
    for (int i = 0; i < 16; i++) {
        int hi = 0, lo = 0;
        char a = v[2 * i], b = v[2 * i + 1];
        hi = a >= '0' && a <= '9' ? a - '0' : a >= 'a' && a <= 'f' ? a - 'a' + 10 : -1;
        lo = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
        if (hi < 0 || lo < 0) return 0;
        id->b[i] = (unsigned char)(hi << 4 | lo);
    }
    return 1;
}

/* A drive index of this node from the query, or -1. */
static int query_local_drive(cluster *c, const char *q)
{
    uint64_t i;
    if (!query_u64(q, "drive", &i) || i >= (uint64_t)c->topo->n) return -1;
    return cluster_drive_is_local(c, (int)i) ? (int)i : -1;
}

static void answer_text(cluster_answer_fn answer, void *arg, int status, int result, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    unsigned char *b = n ? malloc(n) : NULL;
    if (n && !b) { answer(arg, 500, -ENOMEM, NULL, 0); return; }
    if (n) memcpy(b, text, n);
    answer(arg, status, result, b, n);
}

static void sys_dir(cluster *c, int i, char *out, size_t cap)
{
    snprintf(out, cap, "%s/.cairn.sys", c->topo->drives[i]);
}

/* ---------- drive calls, on the service workers ---------- */

typedef enum { D_WRITE, D_COMMIT, D_DISCARD, D_READ, D_SIZE, D_REMOVE } drive_call;

typedef struct drive_job {
    service_job job;
    drive_call call;
    drive *d;
    data_id id;
    uint64_t off, n;
    unsigned char *body;          /* D_WRITE: the bytes (ours); D_READ: the answer */
    size_t len;
    int result;
    cluster_answer_fn answer;
    void *arg;
} drive_job;

static void drive_work(service_job *sj)
{
    drive_job *j = (drive_job *)sj;
    switch (j->call) {
    case D_WRITE: j->result = drive_local_write_at(j->d, &j->id, j->off, j->body, j->len); break;
    case D_COMMIT: j->result = drive_local_commit_id(j->d, &j->id); break;
    case D_DISCARD: drive_local_discard_id(j->d, &j->id); j->result = 0; break;
    case D_REMOVE: j->result = j->d->ops->remove(j->d, &j->id); break;
    case D_SIZE: {
        uint64_t size = 0;
        j->result = j->d->ops->size_of(j->d, &j->id, &size);
        j->off = size;
        break;
    }
    case D_READ: {
        free(j->body);
        j->body = malloc(j->n ? j->n : 1);
        if (!j->body) { j->result = -ENOMEM; break; }
        ssize_t r = drive_local_read_at(j->d, &j->id, j->off, j->body, j->n);
        j->result = r < 0 ? (int)r : 0;
        j->len = r < 0 ? 0 : (size_t)r;
        break;
    }
    }
}

static void drive_after(service_job *sj)
{
    drive_job *j = (drive_job *)sj;
    if (j->call == D_READ && j->result == 0) {
        j->answer(j->arg, 200, 0, j->body, j->len);
        j->body = NULL;
    } else if (j->call == D_SIZE && j->result == 0) {
        char t[32];
        snprintf(t, sizeof t, "%" PRIu64, j->off);
        answer_text(j->answer, j->arg, 200, 0, t);
    } else {
        j->answer(j->arg, 200, j->result, NULL, 0);
    }
    free(j->body);
    free(j);
}

static void drive_call_start(cluster *c, drive_call call, const char *q, unsigned char *body, size_t len,
                             cluster_answer_fn answer, void *arg)
{
    int i = query_local_drive(c, q);
    drive *d = i >= 0 && c->store ? store_local_drive(c->store, i) : NULL;
    data_id id;
    uint64_t off = 0, n = 0;
    if (i < 0 || !query_id(q, &id) || (call == D_READ && (!query_u64(q, "n", &n) || n > RPC_MAX_BODY)) ||
        ((call == D_WRITE || call == D_READ) && !query_u64(q, "off", &off))) {
        free(body);
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    if (!d) {   /* this drive is offline here */
        free(body);
        answer(arg, 200, -EIO, NULL, 0);
        return;
    }
    drive_job *j = calloc(1, sizeof *j);
    if (!j) { free(body); answer(arg, 500, -ENOMEM, NULL, 0); return; }
    j->job.work = drive_work;
    j->job.after = drive_after;
    j->call = call;
    j->d = d;
    j->id = id;
    j->off = off;
    j->n = n;
    j->body = call == D_WRITE ? body : NULL;
    j->len = call == D_WRITE ? len : 0;
    if (call != D_WRITE) free(body);
    j->answer = answer;
    j->arg = arg;
    service_pool_submit(&c->pool, &j->job);
}

/* ---------- metadata calls ---------- */

/* One operation applied to several drives of this node (the caller's
 * drives=I,J,...); answered once all are done, results in that order. */
typedef struct meta_batch {
    cluster *c;
    int n, pending;
    meta_op ops[TOPOLOGY_MAX_DRIVES];
    cluster_answer_fn answer;
    void *arg;
} meta_batch;

static void meta_batch_finish(meta_batch *b)
{
    meta_op *ops[TOPOLOGY_MAX_DRIVES];
    for (int i = 0; i < b->n; i++) ops[i] = &b->ops[i];
    char *text = meta_wire_encode_results(ops, b->n);
    for (int i = 0; i < b->n; i++) {
        free(b->ops[i].done_record);
        meta_wire_op_free(&b->ops[i]);
    }
    if (text) answer_text(b->answer, b->arg, 200, 0, text);
    else b->answer(b->arg, 500, -ENOMEM, NULL, 0);
    free(text);
    free(b);
}

static void meta_batch_op_done(meta_op *op)
{
    meta_batch *b = op->arg;
    if (b->c->store) store_meta_applied(b->c->store, op);
    if (--b->pending == 0) meta_batch_finish(b);
}

/* drives=I,J,...: this node's drives, each at most once */
static int query_drives(cluster *c, const char *q, int *out)
{
    char v[512];
    if (!query_get(q, "drives", v, sizeof v)) return -1;
    int n = 0;
    for (char *p = v, *tok; (tok = strsep(&p, ","));) {
        char *end;
        long i = strtol(tok, &end, 10);
        if (end == tok || *end || n == TOPOLOGY_MAX_DRIVES || i < 0 || i >= c->topo->n || !cluster_drive_is_local(c, (int)i))
            return -1;
        for (int k = 0; k < n; k++) if (out[k] == i) return -1;
        out[n++] = (int)i;
    }
    return n;
}

static void meta_call_start(cluster *c, const char *q, unsigned char *body, size_t len, cluster_answer_fn answer,
                            void *arg)
{
    int drives[TOPOLOGY_MAX_DRIVES];
    int n = query_drives(c, q, drives);
    meta_batch *b = n > 0 ? calloc(1, sizeof *b) : NULL;
    int decoded = 0;
    while (b && decoded < n && meta_wire_decode_op((const char *)body, len, &b->ops[decoded]) == 0) decoded++;
    free(body);
    if (!b || decoded < n) {
        for (int i = 0; b && i < decoded; i++) {
            free(b->ops[i].record);
            free(b->ops[i].done_record);
            meta_wire_op_free(&b->ops[i]);
        }
        free(b);
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    b->c = c;
    b->n = n;
    b->pending = 1;   /* a hold until every op is submitted */
    b->answer = answer;
    b->arg = arg;
    for (int i = 0; i < n; i++) {
        meta_op *op = &b->ops[i];
        op->done = meta_batch_op_done;
        op->arg = b;
        b->pending++;
        if (!c->store || store_meta_apply(c->store, drives[i], op) != 0) {
            /* that drive is offline here: it takes no part */
            free(op->record);
            op->record = NULL;
            op->status = ST_IO_ERROR;
            b->pending--;
        }
    }
    if (--b->pending == 0) meta_batch_finish(b);
}

/* ---------- metadata snapshots for a rejoining node ---------- */

typedef struct snap_job {
    service_job job;
    cluster *c;
    int kind;                     /* 0 make, 1 read, 2 done */
    char name[64];
    uint64_t off, n, size;
    unsigned char *body;
    size_t len;
    int result;
    cluster_answer_fn answer;
    void *arg;
} snap_job;

/* Snapshots live in the tmp area of this node's first local drive (swept
 * at start if a rejoin is interrupted). */
static int snap_path(cluster *c, const char *name, char *out, size_t cap)
{
    for (int i = 0; i < c->topo->n; i++)
        if (cluster_drive_is_local(c, i)) {
            snprintf(out, cap, "%s/.cairn.sys/tmp/%s", c->topo->drives[i], name);
            return 0;
        }
    return -1;
}

static int snap_name_ok(const char *name)
{
    if (strncmp(name, "metasnap-", 9) != 0 || strlen(name) != 9 + 32) return 0;
    for (const char *p = name + 9; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return 0;
    return 1;
}

static void snap_work(service_job *sj)
{
    snap_job *j = (snap_job *)sj;
    char path[1300];
    if (snap_path(j->c, j->name, path, sizeof path) != 0) { j->result = -EIO; return; }
    if (j->kind == 2) { unlink(path); j->result = 0; return; }
    if (j->kind == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) { j->result = -errno; return; }
        j->result = store_meta_snapshot(j->c->store, fd);
        struct stat st;
        if (!j->result && fstat(fd, &st) == 0) j->size = (uint64_t)st.st_size;
        close(fd);
        if (j->result) unlink(path);
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { j->result = -errno; return; }
    j->body = malloc(j->n ? j->n : 1);
    ssize_t r = j->body ? fsio_pread_all(fd, j->body, j->n, (off_t)j->off) : -ENOMEM;
    close(fd);
    j->result = r < 0 ? (int)r : 0;
    j->len = r < 0 ? 0 : (size_t)r;
}

static void snap_after(service_job *sj)
{
    snap_job *j = (snap_job *)sj;
    if (j->kind == 0 && !j->result) {
        char t[160];
        snprintf(t, sizeof t, "{\"name\":\"%s\",\"size\":%" PRIu64 "}", j->name, j->size);
        answer_text(j->answer, j->arg, 200, 0, t);
    } else if (j->kind == 1 && !j->result) {
        j->answer(j->arg, 200, 0, j->body, j->len);
        j->body = NULL;
    } else {
        j->answer(j->arg, 200, j->result, NULL, 0);
    }
    free(j->body);
    free(j);
}

static void snapshot_call(cluster *c, int kind, const char *q, cluster_answer_fn answer, void *arg)
{
    snap_job *j = calloc(1, sizeof *j);
    if (!j) { answer(arg, 500, -ENOMEM, NULL, 0); return; }
    j->job.work = snap_work;
    j->job.after = snap_after;
    j->c = c;
    j->kind = kind;
    j->answer = answer;
    j->arg = arg;
    int ok = 1;
    if (kind == 0) {
        unsigned char r[16];
        RAND_bytes(r, sizeof r);
        strcpy(j->name, "metasnap-");
        for (int i = 0; i < 16; i++) snprintf(j->name + 9 + 2 * i, 3, "%02x", r[i]);
    } else {
        ok = query_get(q, "name", j->name, sizeof j->name) && snap_name_ok(j->name);
        if (kind == 1) ok = ok && query_u64(q, "off", &j->off) && query_u64(q, "n", &j->n) && j->n <= RPC_MAX_BODY;
    }
    if (!ok) {
        free(j);
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    service_pool_submit(&c->pool, &j->job);
}

/* Another node named in the query (1-based, as logs say): its index, or -1. */
static int query_peer(cluster *c, const char *q, const char *name)
{
    uint64_t v;
    if (!query_u64(q, name, &v) || v < 1 || v > (uint64_t)c->topo->n_nodes || (int)v - 1 == c->topo->self)
        return -1;
    return (int)v - 1;
}

static void joined_call(cluster *c, const char *q, cluster_answer_fn answer, void *arg)
{
    int n = query_peer(c, q, "from");
    if (n < 0) {
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    atomic_store(&c->peer_ready[n], 1);
    atomic_store(&c->peer_joined[n], 1);
    atomic_store(&c->peer_stale[n], 0);
    atomic_store(&c->peer_told[n], 0);
    rpc_peer_heard_from(c->peers[n]);
    log_info("node %d (%s) joined: its drives take writes again", n + 1, rpc_peer_name(c->peers[n]));
    if (c->store) store_check_drives(c->store);
    /* the joiner learns in the same breath whether this node serves */
    answer_text(answer, arg, 200, 0, c->ready ? "{\"ready\":1}" : "{\"ready\":0}");
}

/* A peer left this node's drives out of a write: until it has rejoined,
 * its copy of the metadata is behind, so it serves nothing and restarts. */
static void stale_call(cluster *c, const char *q, cluster_answer_fn answer, void *arg)
{
    char from[16] = "?";
    query_get(q, "from", from, sizeof from);
    if (c->ready && !c->stale_reported) {
        c->stale_reported = 1;
        if (c->store) store_set_stale(c->store);
        log_warn("node %s says this node missed metadata writes: serving nothing, restarting to rejoin with "
                 "current metadata", from);
        if (c->on_stale) c->on_stale(c->ready_arg);
    }
    answer(arg, 200, 0, NULL, 0);
}

/* Another node left node N out of a write: N's drives stop counting here
 * too, and N's hellos learn it missed writes. */
static void peer_stale_call(cluster *c, const char *q, cluster_answer_fn answer, void *arg)
{
    int n = query_peer(c, q, "node");
    if (n < 0) {
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    if (!atomic_exchange(&c->peer_stale[n], 1))
        log_warn("node %d missed a metadata write (another node says): its drives are left out until it rejoins",
                 n + 1);
    if (c->store) store_check_drives(c->store);
    /* from now on its hellos hear it missed writes; the lease this node's
     * answers gave it runs out this long from now at the latest */
    int64_t heard = atomic_load(&c->last_heard_ms[n]);
    int64_t left = heard ? heard + LEASE_MS - cluster_mono_ms() : 0;
    char t[64];
    snprintf(t, sizeof t, "{\"lease_left_ms\":%lld}", (long long)(left > 0 ? left : 0));
    answer_text(answer, arg, 200, 0, t);
}

/* ---------- formats, hello, locks ---------- */

static void format_read_call(cluster *c, const char *q, cluster_answer_fn answer, void *arg)
{
    int i = query_local_drive(c, q);
    if (i < 0) { answer(arg, 400, -EINVAL, NULL, 0); return; }
    char dir[1200];
    sys_dir(c, i, dir, sizeof dir);
    drive_format f;
    int r = format_read(dir, &f);
    if (r != 0) { answer(arg, 200, r == 1 ? -ENOENT : -EIO, NULL, 0); return; }
    json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i}", "deployment", f.deployment, "drives", f.drives, "set_size",
                          f.set_size, "parity", f.parity, "index", f.index);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    answer_text(answer, arg, 200, text ? 0 : -ENOMEM, text);
    free(text);
}

static void format_write_call(cluster *c, const char *q, unsigned char *body, size_t len, cluster_answer_fn answer,
                              void *arg)
{
    int i = query_local_drive(c, q);
    json_error_t e;
    json_t *j = i >= 0 ? json_loadb((const char *)body, len, 0, &e) : NULL;
    free(body);
    const char *dep = json_string_value(json_object_get(j, "deployment"));
    drive_format f = { 0 };
    if (!dep || strlen(dep) >= sizeof f.deployment) {
        json_decref(j);
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    snprintf(f.deployment, sizeof f.deployment, "%s", dep);
    f.drives = (int)json_integer_value(json_object_get(j, "drives"));
    f.set_size = (int)json_integer_value(json_object_get(j, "set_size"));
    f.parity = (int)json_integer_value(json_object_get(j, "parity"));
    f.index = (int)json_integer_value(json_object_get(j, "index"));
    json_decref(j);
    char dir[1200];
    sys_dir(c, i, dir, sizeof dir);
    drive_format existing;
    int r = format_read(dir, &existing);
    /* never overwrite another deployment's record */
    if (r == 0) r = strcmp(existing.deployment, f.deployment) == 0 ? 0 : -EEXIST;
    else if (r == 1) r = fsio_mkdirs(dir, 0700) ? -EIO : format_write(dir, &f);
    else r = -EIO;
    answer(arg, 200, r, NULL, 0);
}

static void hello_call(cluster *c, const char *q, cluster_answer_fn answer, void *arg)
{
    char h[80], from[16] = "?";
    query_get(q, "from", from, sizeof from);
    if (!query_get(q, "sig", h, sizeof h) || strcmp(h, c->topo_hash) != 0) {
        log_error("refused a call from node %s: its command line gives another topology than this node's", from);
        answer_text(answer, arg, 409, -EINVAL, "topology differs");
        return;
    }
    char stale[4];
    if (c->ready && query_get(q, "stale", stale, sizeof stale) && strcmp(stale, "1") == 0 && !c->stale_reported) {
        c->stale_reported = 1;
        if (c->store) store_set_stale(c->store);
        log_warn("node %s says this node missed metadata writes (it was unreachable or failed one): "
                 "restarting to rejoin with current metadata", from);
        if (c->on_stale) c->on_stale(c->ready_arg);
    }
    json_t *drives = json_array();
    if (c->store) {
        drive_info d[TOPOLOGY_MAX_DRIVES];
        size_t n = store_drive_info(c->store, d, TOPOLOGY_MAX_DRIVES);
        for (size_t i = 0; i < n; i++)
            if (cluster_drive_is_local(c, (int)i))
                json_array_append_new(drives, json_pack("[i,I,I,I]", (int)i, (json_int_t)d[i].total_bytes,
                                                        (json_int_t)d[i].free_bytes, (json_int_t)d[i].used_bytes));
    }
    int from_node = query_peer(c, q, "from");
    int you_missed = from_node >= 0 && atomic_load(&c->peer_stale[from_node]);
    /* this answer may renew its read lease: a writer that leaves it out
     * waits until that has run out */
    if (from_node >= 0) atomic_store(&c->last_heard_ms[from_node], cluster_mono_ms());
    /* a node that knows it is behind does not serve, nor is it copied from */
    json_t *j = json_pack("{s:i,s:s,s:o,s:i}", "ready", c->ready && !c->stale_reported, "deployment", c->store ? store_deployment(c->store) : "",
                          "drives", drives, "you_missed_writes", you_missed);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    answer_text(answer, arg, 200, text ? 0 : -ENOMEM, text);
    free(text);
}

static void lock_call(cluster *c, int acquire, const char *q, unsigned char *body, size_t len,
                      cluster_answer_fn answer, void *arg)
{
    char owner[40];
    uint64_t ttl = LOCK_TTL_MS;
    if (!query_get(q, "owner", owner, sizeof owner) || strlen(owner) != 32 || !len || len > 4096 ||
        memchr(body, 0, len) || (acquire && query_u64(q, "ttl", &ttl) && (ttl == 0 || ttl > 120000))) {
        free(body);
        answer(arg, 400, -EINVAL, NULL, 0);
        return;
    }
    char *res = malloc(len + 1);
    if (!res) { free(body); answer(arg, 500, -ENOMEM, NULL, 0); return; }
    memcpy(res, body, len);
    res[len] = '\0';
    free(body);
    int r = 0;
    if (acquire) r = lock_table_acquire(&c->locks, res, owner, (int64_t)ttl) ? 0 : -EBUSY;
    else lock_table_release(&c->locks, res, owner);
    free(res);
    answer(arg, 200, r, NULL, 0);
}

void cluster_handle(cluster *c, const char *op, const char *query, const char *date, const char *signature,
                    unsigned char *body, size_t len, cluster_answer_fn answer, void *arg)
{
    if (rpc_verify(&c->key, c->self_name, op, query, date, signature, body ? body : (unsigned char *)"", len,
                   (int64_t)time(NULL)) != 0) {
        free(body);
        answer_text(answer, arg, 403, -EACCES, "signature refused");
        return;
    }
    if (strcmp(op, "hello") == 0) { free(body); hello_call(c, query, answer, arg); return; }
    if (strcmp(op, "format-read") == 0) { free(body); format_read_call(c, query, answer, arg); return; }
    if (strcmp(op, "format-write") == 0) { format_write_call(c, query, body, len, answer, arg); return; }
    if (strcmp(op, "lock") == 0) { lock_call(c, 1, query, body, len, answer, arg); return; }
    if (strcmp(op, "joined") == 0) { free(body); joined_call(c, query, answer, arg); return; }
    if (strcmp(op, "stale") == 0) { free(body); stale_call(c, query, answer, arg); return; }
    if (strcmp(op, "peer-stale") == 0) { free(body); peer_stale_call(c, query, answer, arg); return; }
    if (strcmp(op, "unlock") == 0) { lock_call(c, 0, query, body, len, answer, arg); return; }
    if (!c->store) {
        free(body);
        answer_text(answer, arg, 503, -EAGAIN, "not ready");
        return;
    }
    static const struct { const char *name; drive_call call; } drive_calls[] = {
        { "dwrite", D_WRITE }, { "dcommit", D_COMMIT }, { "ddiscard", D_DISCARD },
        { "dread", D_READ }, { "dsize", D_SIZE }, { "dremove", D_REMOVE },
    };
    for (size_t k = 0; k < sizeof drive_calls / sizeof drive_calls[0]; k++)
        if (strcmp(op, drive_calls[k].name) == 0) {
            drive_call_start(c, drive_calls[k].call, query, body, len, answer, arg);
            return;
        }
    if (strcmp(op, "meta") == 0) { meta_call_start(c, query, body, len, answer, arg); return; }
    free(body);
    if (strcmp(op, "meta-snapshot") == 0) { snapshot_call(c, 0, query, answer, arg); return; }
    if (strcmp(op, "meta-snapshot-read") == 0) { snapshot_call(c, 1, query, answer, arg); return; }
    if (strcmp(op, "meta-snapshot-done") == 0) { snapshot_call(c, 2, query, answer, arg); return; }
    answer_text(answer, arg, 404, -ENOSYS, "no such call");
}

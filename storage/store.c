#include "store.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "../common/log.h"
#include "drive.h"
#include "fsio.h"

struct store {
    uv_loop_t *loop;
    drive *drive;
    meta *meta;
    char dir[1024];
    uv_timer_t *expiry_timer;    /* stale multipart uploads, when enabled */
    uint64_t upload_max_age_ms;
};

static store_status from_errno(int e)
{
    if (e == -ENOSPC || e == -EDQUOT || e == -EFBIG) return ST_NO_SPACE;
    if (e == -ENOENT) return ST_NO_SUCH_KEY;
    return ST_IO_ERROR;
}

int store_open(uv_loop_t *loop, const char *dir, store **out)
{
    store *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    fsio_init_from_env();
    s->loop = loop;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    int r = drive_local_open(dir, &s->drive);
    if (r == 0) r = meta_open(loop, s->drive->sys, &s->meta);
    if (r != 0) {
        if (s->drive) drive_local_close(s->drive);
        free(s);
        return r;
    }
    *out = s;
    return 0;
}

static void free_handle(uv_handle_t *h) { free(h); }

void store_close(store *s)
{
    if (s->expiry_timer) {
        uv_timer_stop(s->expiry_timer);
        uv_close((uv_handle_t *)s->expiry_timer, free_handle);
        s->expiry_timer = NULL;
    }
    meta_close(s->meta);
    drive_local_close(s->drive);
    free(s);
}

const char *store_dir(const store *s) { return s->dir; }

size_t store_drive_info(store *s, drive_info *out, size_t max)
{
    if (max < 1) return 0;
    struct statvfs v;
    memset(&out[0], 0, sizeof out[0]);
    out[0].path = s->drive->path;
    if (statvfs(s->drive->path, &v) == 0) {
        out[0].online = 1;
        out[0].total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
        out[0].free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
        out[0].used_bytes = out[0].total_bytes - (uint64_t)v.f_bfree * v.f_frsize;
    }
    return 1;
}

store_layout store_get_layout(const store *s)
{
    (void)s;
    store_layout l = { .n_drives = 1, .n_sets = 1, .set_size = 1, .parity = 0, .write_quorum = 1, .read_quorum = 1 };
    return l;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---------- background removal of replaced data ---------- */

typedef struct remove_job { uv_work_t req; drive *d; data_id id; } remove_job;

static void remove_work(uv_work_t *req)
{
    remove_job *j = req->data;
    int r = j->d->ops->remove(j->d, &j->id);
    if (r) {
        char hex[33];
        data_id_hex(&j->id, hex);
        log_warn("could not remove replaced data %s: %s", hex, strerror(-r));
    }
}

static void remove_after(uv_work_t *req, int status) { (void)status; free(req->data); }

static void remove_data_async(store *s, const data_id *id)
{
    remove_job *j = malloc(sizeof *j);
    if (!j) return;
    j->req.data = j;
    j->d = s->drive;
    j->id = *id;
    if (uv_queue_work(s->loop, &j->req, remove_work, remove_after) != 0) free(j);
}

/* Removes the data files a committed op left unreferenced. */
static void remove_garbage(store *s, meta_op *op)
{
    for (size_t i = 0; i < op->n_garbage; i++) remove_data_async(s, &op->garbage[i]);
    free(op->garbage);
    op->garbage = NULL;
    op->n_garbage = 0;
}

/* ---------- buckets ---------- */

typedef struct simple_op {
    meta_op op;
    store *s;
    store_done_cb cb;
    void *arg;
} simple_op;

static void simple_done(meta_op *op)
{
    simple_op *so = (simple_op *)op;
    remove_garbage(so->s, op);
    so->cb(so->arg, op->status);
    free((char *)op->bucket);
    free((char *)op->key);
    free((char *)op->upload_id);
    free((char *)op->if_match);
    free((char *)op->if_none_match);
    free((meta_expected_part *)op->expected);
    free(op->done_record);
    free(so);
}

static simple_op *simple_new(store *s, meta_op_kind kind, const char *bucket, const char *key,
                             store_done_cb cb, void *arg)
{
    simple_op *so = calloc(1, sizeof *so);
    if (!so) abort();
    so->s = s;
    so->cb = cb;
    so->arg = arg;
    so->op.kind = kind;
    so->op.bucket = strdup(bucket);
    so->op.key = key ? strdup(key) : NULL;
    so->op.done = simple_done;
    if (!so->op.bucket || (key && !so->op.key)) abort();
    return so;
}

store_status store_bucket_get(store *s, const char *name, bucket_info *out) { return meta_get_bucket(s->meta, name, out); }

store_status store_bucket_list(store *s, arena *a, bucket_info **out, size_t *n)
{
    return meta_list_buckets(s->meta, a, out, n);
}

void store_bucket_create(store *s, const char *name, store_done_cb cb, void *arg)
{
    simple_op *so = simple_new(s, META_BUCKET_CREATE, name, NULL, cb, arg);
    bucket_info b = { .name = name, .created_ns = now_ns() };
    if (record_encode_bucket(&b, &so->op.record, &so->op.record_len) != 0) abort();
    meta_submit(s->meta, &so->op);
}

void store_bucket_delete(store *s, const char *name, store_done_cb cb, void *arg)
{
    meta_submit(s->meta, &simple_new(s, META_BUCKET_DELETE, name, NULL, cb, arg)->op);
}

void store_object_delete(store *s, const char *bucket, const char *key, store_done_cb cb, void *arg)
{
    meta_submit(s->meta, &simple_new(s, META_OBJECT_DELETE, bucket, key, cb, arg)->op);
}

store_status store_object_info(store *s, arena *a, const char *bucket, const char *key, object_info *out)
{
    return meta_get_object(s->meta, a, bucket, key, out);
}

store_status store_object_list(store *s, arena *a, const char *bucket, const list_params *p, list_result *r)
{
    return meta_list_objects(s->meta, a, bucket, p, r);
}

/* ---------- writing ---------- */

enum { PUT_SLACK = 256 * 1024 };

typedef struct put_buf { unsigned char *p; size_t len, cap; } put_buf;

struct store_put {
    store *s;
    store_observe_fn observe;
    void *observe_ctx;
    void (*release)(void *ctx);
    put_buf fill;               /* receives bytes from the caller */
    put_buf spare;              /* the other block (in flight or idle) */
    drive_file *file;
    data_id id;
    uint64_t written;           /* bytes handed to workers */
    uint64_t total;             /* bytes received */
    int inflight;
    int aborted;
    int finishing;
    int finished;
    int want_resume;
    int no_inline;              /* multipart parts are always data files */
    int error;                  /* first -errno from a worker */
    void (*resume_cb)(void *);
    void *resume_arg;
    store_done_cb finish_cb;
    void *finish_arg;
    uv_work_t work;
    /* the job in flight */
    unsigned char *job_p;
    size_t job_len;
    int job_final;              /* commit the file after writing */
    int job_inline;             /* observe only, nothing to write */
    /* commit */
    meta_op op;
    store_done_cb commit_cb;
    void *commit_arg;
};

static void put_free(store_put *p)
{
    if (p->release) p->release(p->observe_ctx);
    free(p->fill.p);
    free(p->spare.p);
    free(p);
}

store_put *store_put_begin(store *s, int64_t size_hint, store_observe_fn observe, void *ctx,
                           void (*release)(void *ctx))
{
    store_put *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->s = s;
    p->observe = observe;
    p->observe_ctx = ctx;
    p->release = release;
    size_t cap = STORE_BLOCK + PUT_SLACK;
    if (size_hint >= 0 && size_hint < STORE_BLOCK) cap = (size_t)size_hint + PUT_SLACK;
    p->fill.p = malloc(cap);
    if (!p->fill.p) abort();
    p->fill.cap = cap;
    data_id_random(&p->id);
    return p;
}

uint64_t store_put_size(const store_put *p) { return p->total; }

void store_put_no_inline(store_put *p) { p->no_inline = 1; }

void store_put_on_resume(store_put *p, void (*cb)(void *), void *arg)
{
    p->resume_cb = cb;
    p->resume_arg = arg;
}

static void put_work(uv_work_t *req)
{
    store_put *p = req->data;
    if (p->aborted) return;
    if (p->job_len && p->observe) p->observe(p->observe_ctx, p->job_p, p->job_len);
    if (p->job_inline || p->error) return;
    if (!p->file) {
        int r = p->s->drive->ops->create(p->s->drive, &p->id, &p->file);
        if (r) { p->error = r; p->file = NULL; return; }
    }
    if (p->job_len) {
        int r = p->s->drive->ops->write(p->file, p->job_p, p->job_len, p->written);
        if (r) { p->error = r; return; }
    }
    if (p->job_final) {
        int r = p->s->drive->ops->commit(p->file);
        p->file = NULL;
        if (r) p->error = r;
    }
}

static void put_submit(store_put *p, int final);

static void discard_work(uv_work_t *req)
{
    store_put *p = req->data;
    if (p->file) p->s->drive->ops->discard(p->file);
    p->file = NULL;
}

static void discard_after(uv_work_t *req, int status)
{
    (void)status;
    put_free(req->data);
}

static void put_dispose(store_put *p)
{
    if (p->file) {
        p->work.data = p;
        if (uv_queue_work(p->s->loop, &p->work, discard_work, discard_after) == 0) return;
    }
    put_free(p);
}

static void put_after(uv_work_t *req, int status)
{
    (void)status;
    store_put *p = req->data;
    p->inflight = 0;
    if (p->aborted) {
        put_dispose(p);
        return;
    }
    if (!p->job_inline) p->written += p->job_len;
    if (p->job_final || p->job_inline) {
        p->finished = 1;
        store_done_cb cb = p->finish_cb;
        p->finish_cb = NULL;
        if (cb) cb(p->finish_arg, p->error ? from_errno(p->error) : ST_OK);
        return;
    }
    if (p->fill.len >= STORE_BLOCK) {
        put_submit(p, 0);
    } else if (p->finishing) {
        put_submit(p, 1);
        return;
    }
    if (p->want_resume && p->fill.len < STORE_BLOCK) {
        p->want_resume = 0;
        if (p->resume_cb) p->resume_cb(p->resume_arg);
    }
}

/* Hands the fill block to a worker and swaps in the spare. */
static void put_submit(store_put *p, int final)
{
    put_buf job = p->fill;
    p->fill = p->spare;
    p->spare = job;
    if (!p->fill.p) {
        p->fill.p = malloc(STORE_BLOCK + PUT_SLACK);
        if (!p->fill.p) abort();
        p->fill.cap = STORE_BLOCK + PUT_SLACK;
    }
    p->fill.len = 0;
    p->job_p = job.p;
    p->job_len = job.len;
    p->job_final = final;
    p->job_inline = 0;
    p->inflight = 1;
    p->work.data = p;
    if (uv_queue_work(p->s->loop, &p->work, put_work, put_after) != 0) {
        p->inflight = 0;
        p->error = -EIO;
    }
}

int store_put_write(store_put *p, const void *data, size_t n)
{
    if (p->fill.len + n > p->fill.cap) {
        size_t cap = p->fill.cap * 2;
        while (cap < p->fill.len + n) cap *= 2;
        unsigned char *np = realloc(p->fill.p, cap);
        if (!np) abort();
        p->fill.p = np;
        p->fill.cap = cap;
    }
    memcpy(p->fill.p + p->fill.len, data, n);
    p->fill.len += n;
    p->total += n;
    if (p->fill.len < STORE_BLOCK) return 0;
    if (!p->inflight) {
        put_submit(p, 0);
        return 0;
    }
    p->want_resume = 1;
    return 1;
}

void store_put_finish(store_put *p, store_done_cb cb, void *arg)
{
    p->finish_cb = cb;
    p->finish_arg = arg;
    p->finishing = 1;
    if (p->inflight) return;   /* put_after continues */
    if (p->written == 0 && p->total <= INLINE_MAX && !p->no_inline) {
        /* Inline: the observer still runs on a worker (hashing). */
        p->job_p = p->fill.p;
        p->job_len = p->fill.len;
        p->job_inline = 1;
        p->job_final = 0;
        p->inflight = 1;
        p->work.data = p;
        if (uv_queue_work(p->s->loop, &p->work, put_work, put_after) != 0) {
            p->inflight = 0;
            p->finished = 1;
            cb(arg, ST_IO_ERROR);
        }
        return;
    }
    put_submit(p, 1);
}

void store_put_abort(store_put *p)
{
    p->aborted = 1;
    if (p->inflight) return;   /* put_after disposes */
    if (p->finished && p->written > 0 && !p->error) {
        /* Data was committed into place but the caller rejected it. */
        remove_data_async(p->s, &p->id);
    }
    put_dispose(p);
}

static void put_commit_done(meta_op *op)
{
    store_put *p = (store_put *)((char *)op - offsetof(store_put, op));
    store *s = p->s;
    remove_garbage(s, op);
    if (op->status != ST_OK && p->written > 0) remove_data_async(s, &p->id);
    store_done_cb cb = p->commit_cb;
    void *arg = p->commit_arg;
    store_status st = op->status;
    free((char *)op->bucket);
    free((char *)op->key);
    free((char *)op->if_match);
    free((char *)op->if_none_match);
    free((char *)op->upload_id);
    put_free(p);
    cb(arg, st);
}

static void put_commit_op(store_put *p, meta_op_kind kind, const char *bucket, const char *key,
                          const char *upload_id, uint32_t part_number, object_info *info,
                          const put_conditions *cond, store_done_cb cb, void *arg);

void store_put_commit(store_put *p, const char *bucket, const char *key, object_info *info,
                      const put_conditions *cond, store_done_cb cb, void *arg)
{
    put_commit_op(p, META_OBJECT_PUT, bucket, key, NULL, 0, info, cond, cb, arg);
}

void store_part_commit(store_put *p, const char *bucket, const char *key, const char *upload_id,
                       uint32_t part_number, object_info *info, store_done_cb cb, void *arg)
{
    put_commit_op(p, META_PART_PUT, bucket, key, upload_id, part_number, info, NULL, cb, arg);
}

static void put_commit_op(store_put *p, meta_op_kind kind, const char *bucket, const char *key,
                          const char *upload_id, uint32_t part_number, object_info *info,
                          const put_conditions *cond, store_done_cb cb, void *arg)
{
    info->size = p->total;
    if (!info->mtime_ns) info->mtime_ns = now_ns();
    if (p->written == 0 && !p->no_inline) {
        info->flags |= OBJ_INLINE;
        info->inline_data = p->fill.p;
        info->inline_len = p->fill.len;
        memset(&info->data, 0, sizeof info->data);
    } else {
        info->flags &= ~(uint32_t)OBJ_INLINE;
        info->data = p->id;
    }
    /* Long keys keep their full name in the record. */
    const char *store_key = strlen(bucket) + 1 + strlen(key) > 400 ? key : NULL;
    p->commit_cb = cb;
    p->commit_arg = arg;
    meta_op *op = &p->op;
    op->kind = kind;
    op->bucket = strdup(bucket);
    op->key = strdup(key);
    op->upload_id = upload_id ? strdup(upload_id) : NULL;
    op->part_number = part_number;
    op->if_match = cond && cond->if_match ? strdup(cond->if_match) : NULL;
    op->if_none_match = cond && cond->if_none_match ? strdup(cond->if_none_match) : NULL;
    op->done = put_commit_done;
    if (record_encode_object(info, store_key, &op->record, &op->record_len) != 0) abort();
    meta_submit(p->s->meta, op);
}


/* ---------- multipart uploads ---------- */

void store_upload_create(store *s, const char *bucket, const char *key, object_info *meta_info,
                         char upload_id[33], store_done_cb cb, void *arg)
{
    data_id id;
    data_id_random(&id);
    data_id_hex(&id, upload_id);
    simple_op *so = simple_new(s, META_UPLOAD_CREATE, bucket, key, cb, arg);
    so->op.upload_id = strdup(upload_id);
    meta_info->mtime_ns = now_ns();
    meta_info->flags = OBJ_INLINE;      /* an upload record holds no data */
    meta_info->inline_data = (const unsigned char *)"";
    meta_info->inline_len = 0;
    const char *store_key = strlen(bucket) + 1 + strlen(key) > 400 ? key : NULL;
    if (!so->op.upload_id || record_encode_object(meta_info, store_key, &so->op.record, &so->op.record_len) != 0)
        abort();
    meta_submit(s->meta, &so->op);
}

store_status store_upload_get(store *s, arena *a, const char *bucket, const char *key, const char *upload_id,
                              object_info *out)
{
    return meta_get_upload(s->meta, a, bucket, key, upload_id, out);
}

store_status store_part_list(store *s, arena *a, const char *upload_id, uint32_t marker, size_t max,
                             obj_part **out, size_t *n, int *truncated)
{
    return meta_list_parts(s->meta, a, upload_id, marker, max, out, n, truncated);
}

store_status store_upload_list(store *s, arena *a, const char *bucket, const upload_list_params *p,
                               upload_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                               int *truncated)
{
    return meta_list_uploads(s->meta, a, bucket, p, out, n, prefixes, n_prefixes, truncated);
}

store_status store_stale_uploads(store *s, arena *a, int64_t cutoff_ns, size_t max, const char ***buckets,
                                 upload_entry **out, size_t *n)
{
    return meta_stale_uploads(s->meta, a, cutoff_ns, max, buckets, out, n);
}

void store_upload_complete(store *s, const char *bucket, const char *key, const char *upload_id,
                           object_info *final, const put_conditions *cond, store_done_cb cb, void *arg)
{
    simple_op *so = simple_new(s, META_UPLOAD_COMPLETE, bucket, key, cb, arg);
    meta_op *op = &so->op;
    op->upload_id = strdup(upload_id);
    op->if_match = cond && cond->if_match ? strdup(cond->if_match) : NULL;
    op->if_none_match = cond && cond->if_none_match ? strdup(cond->if_none_match) : NULL;
    meta_expected_part *exp = calloc(final->n_parts ? final->n_parts : 1, sizeof *exp);
    if (!exp || !op->upload_id) abort();
    for (size_t i = 0; i < final->n_parts; i++) {
        exp[i].number = final->parts[i].number;
        exp[i].data = final->parts[i].data;
    }
    op->expected = exp;
    op->n_expected = final->n_parts;
    final->flags = OBJ_MULTIPART;
    if (!final->mtime_ns) final->mtime_ns = now_ns();
    const char *store_key = strlen(bucket) + 1 + strlen(key) > 400 ? key : NULL;
    if (record_encode_object(final, store_key, &op->record, &op->record_len) != 0) abort();
    /* what a retried Complete answers: ETag and checksum, no parts */
    object_info done = *final;
    done.flags = OBJ_UPLOAD_DONE | OBJ_INLINE;
    done.parts = NULL;
    done.n_parts = 0;
    done.headers = NULL;
    done.n_headers = 0;
    done.inline_data = (const unsigned char *)"";
    done.inline_len = 0;
    if (record_encode_object(&done, store_key, &op->done_record, &op->done_record_len) != 0) abort();
    meta_submit(s->meta, op);
}

void store_upload_abort(store *s, const char *bucket, const char *key, const char *upload_id, store_done_cb cb,
                        void *arg)
{
    simple_op *so = simple_new(s, META_UPLOAD_ABORT, bucket, key, cb, arg);
    so->op.upload_id = strdup(upload_id);
    if (!so->op.upload_id) abort();
    meta_submit(s->meta, &so->op);
}

/* ---------- reading ---------- */

typedef struct read_segment { data_id id; uint64_t start, size; } read_segment;

struct store_reader {
    store *s;
    read_segment *segs;          /* one per data file, in object order */
    size_t n_segs;
    size_t cur_seg;              /* segment whose file is open */
    drive_file *file;
    uv_work_t work;
    int error;
    /* open */
    store_open_cb open_cb;
    /* read in flight */
    uint64_t off;
    void *buf;
    size_t n;
    ssize_t got;
    store_read_cb read_cb;
    void *arg;
    int closing;
    int busy;
};

static int reader_open_seg(store_reader *r, size_t i)
{
    if (r->file && r->cur_seg == i) return 0;
    if (r->file) r->s->drive->ops->close(r->file);
    r->file = NULL;
    int e = r->s->drive->ops->open(r->s->drive, &r->segs[i].id, &r->file);
    if (e) { r->file = NULL; return e; }
    r->cur_seg = i;
    return 0;
}

static void open_work(uv_work_t *req)
{
    store_reader *r = req->data;
    r->error = r->n_segs ? reader_open_seg(r, 0) : 0;
}

static void reader_close_work(uv_work_t *req)
{
    store_reader *r = req->data;
    if (r->file) r->s->drive->ops->close(r->file);
    r->file = NULL;
}

static void reader_free(store_reader *r)
{
    free(r->segs);
    free(r);
}

static void reader_free_after(uv_work_t *req, int status)
{
    (void)status;
    reader_free(req->data);
}

static void open_after(uv_work_t *req, int status)
{
    (void)status;
    store_reader *r = req->data;
    r->busy = 0;
    if (r->error) {
        store_open_cb cb = r->open_cb;
        void *arg = r->arg;
        store_status st = from_errno(r->error);
        reader_free(r);
        cb(arg, st, NULL);
        return;
    }
    r->open_cb(r->arg, ST_OK, r);
}

void store_read_open(store *s, const object_info *o, store_open_cb cb, void *arg)
{
    store_reader *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->s = s;
    if (o->flags & OBJ_MULTIPART) {
        r->segs = calloc(o->n_parts ? o->n_parts : 1, sizeof *r->segs);
        if (!r->segs) abort();
        uint64_t start = 0;
        for (size_t i = 0; i < o->n_parts; i++) {
            r->segs[i].id = o->parts[i].data;
            r->segs[i].start = start;
            r->segs[i].size = o->parts[i].size;
            start += o->parts[i].size;
        }
        r->n_segs = o->n_parts;
    } else {
        r->segs = calloc(1, sizeof *r->segs);
        if (!r->segs) abort();
        r->segs[0].id = o->data;
        r->segs[0].size = o->size;
        r->n_segs = 1;
    }
    r->open_cb = cb;
    r->arg = arg;
    r->work.data = r;
    r->busy = 1;
    if (uv_queue_work(s->loop, &r->work, open_work, open_after) != 0) {
        reader_free(r);
        cb(arg, ST_IO_ERROR, NULL);
    }
}

/* Reads across segment boundaries; a short file is an error, not EOF. */
static void read_work(uv_work_t *req)
{
    store_reader *r = req->data;
    size_t done = 0;
    while (done < r->n) {
        uint64_t off = r->off + done;
        size_t i = r->cur_seg < r->n_segs && off >= r->segs[r->cur_seg].start ? r->cur_seg : 0;
        while (i < r->n_segs && off >= r->segs[i].start + r->segs[i].size) i++;
        if (i >= r->n_segs) break;
        int e = reader_open_seg(r, i);
        if (e) { r->got = e; return; }
        uint64_t in_seg = off - r->segs[i].start;
        size_t want = r->n - done;
        if (want > r->segs[i].size - in_seg) want = (size_t)(r->segs[i].size - in_seg);
        ssize_t got = r->s->drive->ops->read(r->file, (char *)r->buf + done, want, in_seg);
        if (got < 0) { r->got = got; return; }
        done += (size_t)got;
        if ((size_t)got < want) break;
    }
    r->got = (ssize_t)done;
}

static void read_after(uv_work_t *req, int status)
{
    (void)status;
    store_reader *r = req->data;
    r->busy = 0;
    if (r->closing) {
        r->work.data = r;
        if (uv_queue_work(r->s->loop, &r->work, reader_close_work, reader_free_after) != 0) {
            reader_close_work(&r->work);
            reader_free(r);
        }
        return;
    }
    r->read_cb(r->arg, r->got);
}

void store_read(store_reader *r, uint64_t off, void *buf, size_t n, store_read_cb cb, void *arg)
{
    r->off = off;
    r->buf = buf;
    r->n = n;
    r->read_cb = cb;
    r->arg = arg;
    r->busy = 1;
    r->work.data = r;
    if (uv_queue_work(r->s->loop, &r->work, read_work, read_after) != 0) {
        r->busy = 0;
        cb(arg, -EIO);
    }
}

void store_read_close(store_reader *r)
{
    r->closing = 1;
    if (r->busy) return;   /* read_after closes */
    r->work.data = r;
    if (uv_queue_work(r->s->loop, &r->work, reader_close_work, reader_free_after) != 0) {
        reader_close_work(&r->work);
        reader_free(r);
    }
}

/* ---------- stale multipart uploads ---------- */

static void expired_upload_done(void *arg, store_status st)
{
    (void)arg;
    if (st != ST_OK && st != ST_NO_SUCH_UPLOAD) log_warn("could not abort a stale upload: %s", store_status_text(st));
}

static void on_expiry_timer(uv_timer_t *t)
{
    store *s = t->data;
    arena a;
    arena_init(&a);
    int64_t cutoff = now_ns() - (int64_t)s->upload_max_age_ms * 1000000;
    const char **buckets;
    upload_entry *ups;
    size_t n = 0;
    /* A bounded batch per tick: a huge backlog drains over several ticks
     * without one long pause of the event loop. */
    if (store_stale_uploads(s, &a, cutoff, 1000, &buckets, &ups, &n) == ST_OK) {
        for (size_t i = 0; i < n; i++) store_upload_abort(s, buckets[i], ups[i].key, ups[i].upload_id, expired_upload_done, NULL);
        if (n) log_info("aborting %zu multipart uploads idle for more than %llu s", n,
                        (unsigned long long)(s->upload_max_age_ms / 1000));
    }
    arena_reset(&a);
}

void store_start_upload_expiry(store *s, uint64_t max_age_ms, uint64_t interval_ms)
{
    if (s->expiry_timer || !max_age_ms || !interval_ms) return;
    s->expiry_timer = malloc(sizeof *s->expiry_timer);
    if (!s->expiry_timer) return;
    uv_timer_init(s->loop, s->expiry_timer);
    s->expiry_timer->data = s;
    s->upload_max_age_ms = max_age_ms;
    uv_timer_start(s->expiry_timer, on_expiry_timer, interval_ms, interval_ms);
}

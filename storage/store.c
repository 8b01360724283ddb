#include "store.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"
#include "drive.h"
#include "format.h"
#include "fsio.h"
#include "volume.h"

enum {
    HEAL_QUEUE = 4096,
    HEALTH_CHECK_MS = 2000,
};

typedef struct heal_item { data_id id; uint64_t size; int parity; int deep; } heal_item;

struct store {
    uv_loop_t *loop;
    volume vol;
    meta *metas[VOL_MAX_DRIVES];       /* local drives' metadata; NULL for remote ones */
    int is_remote[VOL_MAX_DRIVES];
    store_remote remote;               /* distributed only (remote.ctx != NULL) */
    char dirs[VOL_MAX_DRIVES][1024];
    char deployment[64];
    uv_timer_t *expiry_timer;    /* stale multipart uploads, when enabled */
    uint64_t upload_max_age_ms;
    uv_timer_t *health_timer;    /* notices drives that vanish */
    uv_timer_t *periodic_timer;  /* the layer above's periodic task */
    void (*periodic)(void *ctx);
    void *periodic_ctx;
    /* healing */
    uv_timer_t *scan_timer;
    heal_item queue[HEAL_QUEUE];
    size_t q_head, q_len;
    int heal_busy;
    uv_work_t heal_work;
    heal_item heal_current;
    int heal_result, heal_shards;
    uint64_t heal_bytes;
    int scan_phase;              /* 0 the objects, 1 every version */
    void *scan_token;            /* raw key to resume after (malloc'd) */
    size_t scan_token_len;
    int scan_active, scan_deep, scan_fast, scan_deep_background;
    uint64_t scan_rate;          /* objects per second in background passes */
    store_heal_status heal;
    uint64_t config_gen[2];      /* buckets' configuration, system documents */
    int stale;                   /* distributed: this node's metadata is behind */
    int closing;                 /* 1: closing, waiting for worker jobs; 2: closed */
    int jobs;                    /* worker jobs in flight (they use the drives) */
};

/* Every worker job the store starts is counted, and the store is torn
 * down only after the last one has come back: a stop in the middle of a
 * heal or a delete must not free the drives a worker is using. */
static void store_really_close(store *s);

static int store_queue(store *s, uv_work_t *req, uv_work_cb work, uv_after_work_cb after)
{
    s->jobs++;
    int r = uv_queue_work(s->loop, req, work, after);
    if (r) s->jobs--;
    return r;
}

static void job_done(store *s)
{
    if (--s->jobs == 0 && s->closing == 1) store_really_close(s);
}

static store_status from_errno(int e)
{
    if (e == -ENOSPC || e == -EDQUOT || e == -EFBIG) return ST_NO_SPACE;
    if (e == -ENOENT) return ST_NO_SUCH_KEY;
    if (e == -EAGAIN) return ST_NO_READ_QUORUM;
    return ST_IO_ERROR;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void free_handle(uv_handle_t *h) { free(h); }

static int online_count(store *s)
{
    int n = 0;
    for (int i = 0; i < s->vol.n_drives; i++) n += volume_online(&s->vol, i) && (s->metas[i] || s->is_remote[i]);
    return n;
}

/* Metadata is replicated on every drive, so any online drive answers
 * reads; fewer online drives than the read quorum answer nothing. */
static meta *read_meta(store *s)
{
    if (s->stale || online_count(s) < s->vol.read_quorum) return NULL;
    if (s->remote.ctx && !s->remote.can_read(s->remote.ctx)) return NULL;
    for (int i = 0; i < s->vol.n_drives; i++)
        if (volume_online(&s->vol, i) && s->metas[i]) return s->metas[i];
    return NULL;
}

/* ---------- opening: formats, replacement drives, stale metadata ---------- */

static void heal_schedule_full(store *s, int fast);
static void start_orphan_sweep(store *s);

int store_open_drives(uv_loop_t *loop, const char *const *dirs, int n_dirs, int parity, store **out)
{
    return store_open_cluster(loop, dirs, n_dirs, parity, NULL, 1, out);
}

static void close_drive(store *s, int i)
{
    if (!s->vol.drives[i]) return;
    if (s->is_remote[i]) s->remote.drive_close(s->remote.ctx, s->vol.drives[i]);
    else drive_local_close(s->vol.drives[i]);
    s->vol.drives[i] = NULL;
}

int store_open_cluster(uv_loop_t *loop, const char *const *dirs, int n_dirs, int parity, const store_remote *remote,
                       int may_create, store **out)
{
    store *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    fsio_init_from_env();
    s->loop = loop;
    s->scan_rate = 1000;
    const char *rrs = getenv("CAIRN_STORAGE_CLASS_RRS");
    if (!rrs || !*rrs) rrs = getenv("MINIO_STORAGE_CLASS_RRS");
    int rrs_parity = rrs && !strncasecmp(rrs, "EC:", 3) ? atoi(rrs + 3) : -1;
    if (volume_init(&s->vol, n_dirs, parity, rrs_parity) != 0) {
        log_error("no erasure layout for %d drives with parity %d", n_dirs, parity);
        free(s);
        return -EINVAL;
    }
    if (remote) s->remote = *remote;
    drive_format fmt[VOL_MAX_DRIVES];
    int state[VOL_MAX_DRIVES];          /* 0 formatted, 1 blank, -1 unusable */
    const char *deployment = NULL;
    for (int i = 0; i < n_dirs; i++) {
        snprintf(s->dirs[i], sizeof s->dirs[i], "%s", dirs[i]);
        if (remote && remote->is_remote(remote->ctx, i)) {
            s->is_remote[i] = 1;
            s->vol.drives[i] = remote->drive_open(remote->ctx, i);
            state[i] = s->vol.drives[i] ? remote->format_read(remote->ctx, i, &fmt[i]) : -2;
            if (state[i] == -2) {
                log_warn("drive %s does not answer: offline until its node does", dirs[i]);
                atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
                continue;
            }
        } else {
        int r = drive_local_open(dirs[i], &s->vol.drives[i]);
        if (r) {
            log_warn("drive %s cannot be opened: %s", dirs[i], strerror(-r));
            s->vol.drives[i] = NULL;
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
            state[i] = -1;
            continue;
        }
        state[i] = format_read(s->vol.drives[i]->sys, &fmt[i]);
        }
        if (state[i] < 0) {
            log_error("drive %s has an unreadable format record", dirs[i]);
            goto refuse;
        }
        if (state[i] == 0) {
            if (deployment && strcmp(deployment, fmt[i].deployment) != 0) {
                log_error("drive %s belongs to deployment %s, not %s", dirs[i], fmt[i].deployment, deployment);
                goto refuse;
            }
            deployment = fmt[i].deployment;
            if (fmt[i].drives != n_dirs || fmt[i].index != i || fmt[i].set_size != s->vol.set_size ||
                fmt[i].parity != s->vol.m) {
                log_error("drive %s was formatted as drive %d of %d (sets of %d, parity %d); "
                          "the command line makes it drive %d of %d (sets of %d, parity %d)",
                          dirs[i], fmt[i].index + 1, fmt[i].drives, fmt[i].set_size, fmt[i].parity, i + 1,
                          n_dirs, s->vol.set_size, s->vol.m);
                goto refuse;
            }
        }
    }
    if (!deployment && !may_create) {
        for (int i = 0; i < n_dirs; i++) close_drive(s, i);
        free(s);
        return -EAGAIN;
    }
    if (!deployment) {
        format_new_deployment(s->deployment);
        log_info("formatting %d drive%s: deployment %s, %d set%s of %d, parity %d", n_dirs, n_dirs > 1 ? "s" : "",
                 s->deployment, s->vol.n_sets, s->vol.n_sets > 1 ? "s" : "", s->vol.set_size, s->vol.m);
    } else {
        memcpy(s->deployment, deployment, strnlen(deployment, sizeof s->deployment - 1));
    }
    int blank = 0, formatted = 0;
    for (int i = 0; i < n_dirs; i++) formatted += state[i] == 0;
    /* Blank drives join only when enough drives of the deployment are
     * here to rebuild them; otherwise formatting them would dress up an
     * unreadable deployment as a healthy one. */
    int may_format = !deployment || formatted >= s->vol.read_quorum;
    if (!may_format)
        log_error("only %d of %d drives hold deployment %s, below the read quorum of %d: blank drives are left "
                  "alone until the missing drives return", formatted, n_dirs, s->deployment, s->vol.read_quorum);
    for (int i = 0; i < n_dirs; i++) {
        if (state[i] != 1) continue;
        /* a remote blank drive is its own node's to format, unless this
         * node is creating the deployment */
        if (s->is_remote[i] && deployment) {
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
            continue;
        }
        if (!may_format) {
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
            continue;
        }
        drive_format f = { .drives = n_dirs, .set_size = s->vol.set_size, .parity = s->vol.m, .index = i };
        snprintf(f.deployment, sizeof f.deployment, "%s", s->deployment);
        int r = s->is_remote[i] ? s->remote.format_write(s->remote.ctx, i, &f) : format_write(s->vol.drives[i]->sys, &f);
        if (r) {
            log_warn("drive %s cannot be formatted: %s", dirs[i], strerror(-r));
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
            continue;
        }
        if (deployment) {
            log_info("drive %s is blank: it joins the deployment and will be healed", dirs[i]);
            blank++;
        }
    }
    for (int i = 0; i < n_dirs; i++) {
        if (!s->vol.drives[i] || s->is_remote[i] || atomic_load(&s->vol.state[i]) == DRIVE_OFFLINE) continue;
        int r = meta_open(loop, s->vol.drives[i]->sys, &s->metas[i]);
        if (r) {
            log_warn("drive %s: metadata cannot be opened: %s", dirs[i], strerror(-r));
            s->metas[i] = NULL;
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
        }
    }
    /* Drives that missed writes (or are new) copy the most advanced
     * drive's metadata before anything is served. */
    uint64_t best = 0;
    int src = -1;
    for (int i = 0; i < n_dirs; i++) {
        if (!s->metas[i]) continue;
        uint64_t q = meta_seq(s->metas[i]);
        if (src < 0 || q > best) { best = q; src = i; }
    }
    int copied = 0;
    for (int i = 0; i < n_dirs && src >= 0; i++) {
        if (!s->metas[i] || i == src || meta_seq(s->metas[i]) == best) continue;
        log_info("drive %s: metadata behind (missed writes or blank); copying from %s", dirs[i], dirs[src]);
        int r = meta_copy_from(s->metas[i], s->metas[src]);
        if (r) {
            log_warn("drive %s: metadata copy failed (%d); kept offline", dirs[i], r);
            atomic_store(&s->vol.state[i], DRIVE_OFFLINE);
        }
        copied++;
    }
    if (online_count(s) < s->vol.write_quorum)
        log_warn("only %d of %d drives are online: below the write quorum of %d", online_count(s), n_dirs,
                 s->vol.write_quorum);
    if (blank || copied) heal_schedule_full(s, 1);
    start_orphan_sweep(s);
    *out = s;
    return 0;
refuse:
    for (int i = 0; i < n_dirs; i++) close_drive(s, i);
    free(s);
    return -EINVAL;
}

int store_open(uv_loop_t *loop, const char *dir, store **out)
{
    const char *dirs[1] = { dir };
    return store_open_drives(loop, dirs, 1, -1, out);
}

static void stop_timer(uv_timer_t **t)
{
    if (!*t) return;
    uv_timer_stop(*t);
    uv_close((uv_handle_t *)*t, free_handle);
    *t = NULL;
}

void store_close(store *s)
{
    s->closing = 1;
    stop_timer(&s->expiry_timer);
    stop_timer(&s->health_timer);
    stop_timer(&s->scan_timer);
    stop_timer(&s->periodic_timer);
    if (s->jobs == 0) store_really_close(s);
}

static void store_really_close(store *s)
{
    s->closing = 2;
    for (int i = 0; i < s->vol.n_drives; i++) if (s->metas[i]) meta_close(s->metas[i]);
    for (int i = 0; i < s->vol.n_drives; i++) close_drive(s, i);
    free(s->scan_token);
    free(s);
}

const char *store_dir(const store *s) { return s->dirs[0]; }
const char *store_deployment(const store *s) { return s->deployment; }

size_t store_drive_info(store *s, drive_info *out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < s->vol.n_drives && n < max; i++, n++) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].path = s->dirs[i];
        out[n].online = volume_online(&s->vol, i) && (s->metas[i] || s->is_remote[i]);
        out[n].set_index = i / s->vol.set_size;
        out[n].drive_index = i % s->vol.set_size;
        struct statvfs v;
        if (s->is_remote[i]) {
            s->remote.drive_stats(s->remote.ctx, i, &out[n].total_bytes, &out[n].free_bytes, &out[n].used_bytes);
        } else if (statvfs(s->dirs[i], &v) == 0) {
            out[n].total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
            out[n].free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
            out[n].used_bytes = out[n].total_bytes - (uint64_t)v.f_bfree * v.f_frsize;
        }
    }
    return n;
}

store_layout store_get_layout(const store *s)
{
    store_layout l = { .n_drives = s->vol.n_drives, .n_sets = s->vol.n_sets, .set_size = s->vol.set_size,
                       .parity = s->vol.m, .write_quorum = s->vol.write_quorum, .read_quorum = s->vol.read_quorum };
    return l;
}

int store_online_drives(store *s) { return online_count(s); }

/* A drive whose directory disappears (or is replaced) under a running
 * server stops taking reads and writes; it rejoins, healed, at the next
 * start or heal. */
static void on_health_timer(uv_timer_t *t) { store_check_drives(t->data); }

void store_check_drives(store *s)
{
    for (int i = 0; i < s->vol.n_drives; i++) {
        if (s->is_remote[i]) {
            /* a peer's drive comes and goes with its node */
            int up = s->vol.drives[i] && s->remote.drive_online(s->remote.ctx, i);
            if (!up && volume_online(&s->vol, i)) volume_mark_offline(&s->vol, i, "its node is down, starting, or rejoining after missed writes");
            else if (up && !volume_online(&s->vol, i)) {
                log_info("drive %s is back online", s->dirs[i]);
                atomic_store(&s->vol.state[i], DRIVE_ONLINE);
            }
            continue;
        }
        if (!volume_online(&s->vol, i)) continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/format.json", s->vol.drives[i]->sys);
        struct stat st;
        if (stat(path, &st) != 0) volume_mark_offline(&s->vol, i, "its format record is gone (drive removed or replaced)");
    }
}

static void on_periodic(uv_timer_t *t)
{
    store *s = t->data;
    if (!s->closing && s->periodic) s->periodic(s->periodic_ctx);
}

void store_set_periodic(store *s, void (*tick)(void *ctx), void *ctx, uint64_t interval_ms)
{
    if (s->periodic_timer || !interval_ms) return;
    s->periodic_timer = malloc(sizeof *s->periodic_timer);
    if (!s->periodic_timer) return;
    s->periodic = tick;
    s->periodic_ctx = ctx;
    uv_timer_init(s->loop, s->periodic_timer);
    s->periodic_timer->data = s;
    uv_timer_start(s->periodic_timer, on_periodic, interval_ms, interval_ms);
}

void store_start_health_checks(store *s)
{
    if (s->health_timer) return;
    s->health_timer = malloc(sizeof *s->health_timer);
    if (!s->health_timer) return;
    uv_timer_init(s->loop, s->health_timer);
    s->health_timer->data = s;
    uv_timer_start(s->health_timer, on_health_timer, HEALTH_CHECK_MS, HEALTH_CHECK_MS);
}

/* ---------- unreferenced data left by a crash ----------
 *
 * A crash between a data file's rename into place and the commit of the
 * record that points to it leaves a file nobody references.  At start, a
 * worker collects every referenced id, walks the data directories and
 * removes what is unreferenced and older than this process (files this
 * process writes are newer, so uploads in flight are never touched). */

typedef struct orphan_sweep {
    uv_work_t req;
    store *s;
    data_id *ids;
    size_t n, cap;
    struct timespec started;   /* files this process writes are newer */
    size_t removed;
} orphan_sweep;

static void orphan_add(void *ctx, const data_id *id)
{
    orphan_sweep *o = ctx;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        data_id *n = realloc(o->ids, cap * sizeof *n);
        if (!n) return;
        o->ids = n;
        o->cap = cap;
    }
    o->ids[o->n++] = *id;
}

static int id_cmp(const void *a, const void *b) { return memcmp(a, b, sizeof(data_id)); }

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void orphan_work(uv_work_t *req)
{
    orphan_sweep *o = req->data;
    store *s = o->s;
    meta *m = NULL;
    for (int i = 0; i < s->vol.n_drives && !m; i++) if (volume_online(&s->vol, i) && s->metas[i]) m = s->metas[i];
    if (!m || meta_collect_data_ids(m, orphan_add, o) != 0) return;
    if (o->n) qsort(o->ids, o->n, sizeof *o->ids, id_cmp);
    for (int i = 0; i < s->vol.n_drives; i++) {
        if (!volume_online(&s->vol, i) || s->is_remote[i]) continue;
        for (int b = 0; b < 256; b++) {
            char dir[1400];
            snprintf(dir, sizeof dir, "%s/data/%02x", s->vol.drives[i]->sys, b);
            DIR *d = opendir(dir);
            if (!d) continue;
            struct dirent *e;
            while ((e = readdir(d))) {
                if (strlen(e->d_name) != 32) continue;
                data_id id;
                int ok = 1;
                for (int k = 0; k < 16 && ok; k++) {
                    int hi = hexval(e->d_name[2 * k]), lo = hexval(e->d_name[2 * k + 1]);
                    if (hi < 0 || lo < 0) ok = 0;
                    else id.b[k] = (unsigned char)(hi << 4 | lo);
                }
                if (!ok || (o->n && bsearch(&id, o->ids, o->n, sizeof id, id_cmp))) continue;
                char path[1700];
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                struct stat st;
                if (stat(path, &st) != 0) continue;
                int older = st.st_mtim.tv_sec < o->started.tv_sec ||
                            (st.st_mtim.tv_sec == o->started.tv_sec && st.st_mtim.tv_nsec < o->started.tv_nsec);
                if (older && unlink(path) == 0) o->removed++;
            }
            closedir(d);
        }
    }
}

static void orphan_after(uv_work_t *req, int status)
{
    (void)status;
    orphan_sweep *o = req->data;
    store *s = o->s;
    if (o->removed) log_info("removed %zu unreferenced data files (left by an interrupted write)", o->removed);
    free(o->ids);
    free(o);
    job_done(s);
}

static void start_orphan_sweep(store *s)
{
    orphan_sweep *o = calloc(1, sizeof *o);
    if (!o) return;
    o->s = s;
    /* File times come from the kernel's coarse clock (a jiffy behind at
     * most): a margin keeps this process's newest files safely "newer". */
    clock_gettime(CLOCK_REALTIME, &o->started);
    o->started.tv_nsec -= 20 * 1000000;
    /* In a cluster, another node may have renamed a shard into place on
     * this drive just before this start, its record still on the way:
     * only files older than any write in flight are candidates. */
    if (s->remote.ctx) o->started.tv_sec -= 3600;
    if (o->started.tv_nsec < 0) { o->started.tv_nsec += 1000000000; o->started.tv_sec--; }
    o->req.data = o;
    if (store_queue(s, &o->req, orphan_work, orphan_after) != 0) free(o);
}

/* ---------- background removal of unreferenced data ---------- */

typedef struct remove_job { uv_work_t req; store *s; data_id id; } remove_job;

static void remove_work(uv_work_t *req)
{
    remove_job *j = req->data;
    vol_remove(&j->s->vol, &j->id);
}

static void remove_after(uv_work_t *req, int status)
{
    (void)status;
    remove_job *j = req->data;
    store *s = j->s;
    free(j);
    job_done(s);
}

static void remove_data_async(store *s, const data_id *id)
{
    /* while closing, what is left unreferenced is swept at the next start */
    if (s->closing) return;
    remove_job *j = malloc(sizeof *j);
    if (!j) return;
    j->req.data = j;
    j->s = s;
    j->id = *id;
    if (store_queue(s, &j->req, remove_work, remove_after) != 0) free(j);
}

/* ---------- metadata writes, replicated to every online drive ---------- */

typedef void (*fanout_cb)(void *arg, store_status st, const meta_op *result);

typedef struct fanout {
    store *s;
    meta_op tmpl;                       /* fields shared by every copy */
    meta_op ops[VOL_MAX_DRIVES];
    int drive_of[VOL_MAX_DRIVES];
    int n, pending;
    fanout_cb cb;
    void *arg;
    uv_timer_t defer;                   /* answers "no quorum" asynchronously */
    void *lock;                         /* distributed: the key's lock, held until freed */
    int missed[VOL_MAX_DRIVES];         /* remote drives left out (skipped or failed) */
    int n_missed;
    store_status result;
    const meta_op *first_ok;
} fanout;

static void fanout_free(fanout *f)
{
    if (f->lock) f->s->remote.unlock(f->s->remote.ctx, f->lock);
    for (int i = 0; i < f->n; i++) free(f->ops[i].garbage);
    free((char *)f->tmpl.bucket);
    free((char *)f->tmpl.key);
    free((char *)f->tmpl.upload_id);
    free((char *)f->tmpl.if_match);
    free((char *)f->tmpl.if_none_match);
    free((meta_expected_part *)f->tmpl.expected);
    free((char *)f->tmpl.version_id);
    free(f->tmpl.record);
    free(f->tmpl.done_record);
    for (int i = 0; i < f->n; i++) free(f->ops[i].done_record);
    free(f);
}

static void fanout_answer(void *arg)
{
    fanout *f = arg;
    f->cb(f->arg, f->result, f->result == ST_OK ? f->first_ok : NULL);
    fanout_free(f);
}

static void fanout_finish(fanout *f)
{
    store *s = f->s;
    int ok = 0;
    const meta_op *first_ok = NULL;
    store_status logical = ST_OK;
    int logical_same = 1, any_logical = 0;
    for (int i = 0; i < f->n; i++) {
        meta_op *op = &f->ops[i];
        if (op->status == ST_OK) {
            ok++;
            if (!first_ok) first_ok = op;
        } else if (op->status == ST_IO_ERROR || op->status == ST_CORRUPT) {
            volume_mark_offline(&s->vol, f->drive_of[i], "its metadata write failed");
            if (s->is_remote[f->drive_of[i]]) f->missed[f->n_missed++] = f->drive_of[i];
        } else {
            if (any_logical && op->status != logical) logical_same = 0;
            logical = op->status;
            any_logical = 1;
        }
    }
    store_status st;
    if (ok >= s->vol.write_quorum || (ok > 0 && ok == f->n && f->n >= s->vol.write_quorum)) st = ST_OK;
    else if (!ok && any_logical && logical_same) st = logical;
    else if (any_logical && logical_same && ok == 0) st = logical;
    else st = ok == 0 && f->n > 0 && f->ops[0].status == ST_NO_SPACE ? ST_NO_SPACE : ST_NO_WRITE_QUORUM;
    if (st == ST_OK && first_ok) store_meta_applied(s, first_ok);
    /* Data the commit left unreferenced (the same on every drive). */
    if (st == ST_OK && first_ok)
        for (size_t g = 0; g < first_ok->n_garbage; g++) remove_data_async(s, &first_ok->garbage[g]);
    f->result = st;
    f->first_ok = first_ok;
    /* Nodes whose drives this write left out hear so before the client
     * does: from then on they serve nothing until they have rejoined. */
    if (f->n_missed) s->remote.missed(s->remote.ctx, f->missed, f->n_missed, fanout_answer, f);
    else fanout_answer(f);
}

static void fanout_op_done(meta_op *op)
{
    fanout *f = op->arg;
    store *s = f->s;
    int remote = s->is_remote[f->drive_of[op - f->ops]];
    if (--f->pending == 0) fanout_finish(f);
    if (remote) job_done(s);
}

static void fanout_defer_closed(uv_handle_t *h) { fanout_free(h->data); }

static void fanout_deferred(uv_timer_t *t)
{
    fanout *f = t->data;
    f->cb(f->arg, ST_NO_WRITE_QUORUM, NULL);
    /* the timer lives inside f: f is freed once the handle is closed */
    uv_close((uv_handle_t *)&f->defer, fanout_defer_closed);
}

static void fanout_dispatch(store *s, fanout *f)
{
    int targets[VOL_MAX_DRIVES], nt = 0;
    if (s->stale) {   /* its view of the data is behind: nothing through it */
        uv_timer_init(s->loop, &f->defer);
        f->defer.data = f;
        uv_timer_start(&f->defer, fanout_deferred, 0, 0);
        return;
    }
    for (int i = 0; i < s->vol.n_drives; i++)
        if (volume_online(&s->vol, i) && (s->metas[i] || s->is_remote[i])) targets[nt++] = i;
        else if (s->is_remote[i]) f->missed[f->n_missed++] = i;
    if (nt < s->vol.write_quorum) {
        uv_timer_init(s->loop, &f->defer);
        f->defer.data = f;
        uv_timer_start(&f->defer, fanout_deferred, 0, 0);
        return;
    }
    f->n = nt;
    f->pending = nt;
    for (int j = 0; j < nt; j++) {
        meta_op *op = &f->ops[j];
        *op = f->tmpl;
        op->record = NULL;
        op->done_record = NULL;
        if (f->tmpl.record) {
            op->record = malloc(f->tmpl.record_len ? f->tmpl.record_len : 1);
            if (!op->record) abort();
            memcpy(op->record, f->tmpl.record, f->tmpl.record_len);
        }
        if (f->tmpl.done_record) {
            op->done_record = malloc(f->tmpl.done_record_len);
            if (!op->done_record) abort();
            memcpy(op->done_record, f->tmpl.done_record, f->tmpl.done_record_len);
        }
        op->done = fanout_op_done;
        op->arg = f;
        f->drive_of[j] = targets[j];
    }
    /* submit after every copy is built: callbacks run on the loop later */
    int remote_drives[VOL_MAX_DRIVES], nr = 0;
    meta_op *remote_ops[VOL_MAX_DRIVES];
    for (int j = 0; j < nt; j++) {
        if (s->is_remote[targets[j]]) {
            s->jobs++;   /* the store outlives the call */
            remote_drives[nr] = targets[j];
            remote_ops[nr++] = &f->ops[j];
        } else {
            meta_submit(s->metas[targets[j]], &f->ops[j]);
        }
    }
    if (nr) s->remote.meta_submit(s->remote.ctx, remote_drives, remote_ops, nr);
}

static void fanout_locked(void *arg, void *token)
{
    fanout *f = arg;
    store *s = f->s;
    if (!token) {
        log_warn("no lock on %s%s%s from a majority of nodes in time", f->tmpl.bucket, f->tmpl.key ? "/" : "",
                 f->tmpl.key ? f->tmpl.key : "");
        f->cb(f->arg, ST_NO_WRITE_QUORUM, NULL);
        fanout_free(f);
    } else {
        f->lock = token;
        fanout_dispatch(s, f);
    }
    job_done(s);
}

/* Takes ownership of the template's malloc'd strings and records.  In a
 * distributed deployment the key (or bucket) is locked across nodes
 * first, so every drive applies writes of one key in the same order. */
static void fanout_submit(store *s, fanout *f, fanout_cb cb, void *arg)
{
    f->s = s;
    f->cb = cb;
    f->arg = arg;
    if (!s->remote.ctx) {
        fanout_dispatch(s, f);
        return;
    }
    size_t bl = strlen(f->tmpl.bucket), kl = f->tmpl.key ? strlen(f->tmpl.key) : 0;
    char *resource = malloc(bl + kl + 2);
    if (!resource) abort();
    memcpy(resource, f->tmpl.bucket, bl);
    resource[bl] = '/';
    memcpy(resource + bl + 1, f->tmpl.key ? f->tmpl.key : "", kl + 1);
    s->jobs++;
    s->remote.lock(s->remote.ctx, resource, fanout_locked, f);
    free(resource);
}

static fanout *fanout_new(meta_op_kind kind, const char *bucket, const char *key)
{
    fanout *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->tmpl.kind = kind;
    f->tmpl.bucket = strdup(bucket);
    f->tmpl.key = key ? strdup(key) : NULL;
    if (!f->tmpl.bucket || (key && !f->tmpl.key)) abort();
    return f;
}

typedef struct simple_wait { store_done_cb cb; void *arg; } simple_wait;

static void simple_done(void *arg, store_status st, const meta_op *result)
{
    (void)result;
    simple_wait *w = arg;
    store_done_cb cb = w->cb;
    void *a = w->arg;
    free(w);
    cb(a, st);
}

static void submit_simple(store *s, fanout *f, store_done_cb cb, void *arg)
{
    simple_wait *w = malloc(sizeof *w);
    if (!w) abort();
    w->cb = cb;
    w->arg = arg;
    fanout_submit(s, f, simple_done, w);
}

static const char *long_key(const char *bucket, const char *key)
{
    /* keys that do not fit an LMDB key keep their full name in the record */
    return strlen(bucket) + 1 + strlen(key) > 400 ? key : NULL;
}

/* ---------- buckets ---------- */

store_status store_bucket_get(store *s, const char *name, bucket_info *out)
{
    meta *m = read_meta(s);
    return m ? meta_get_bucket(m, name, out) : ST_NO_READ_QUORUM;
}

store_status store_bucket_list(store *s, arena *a, bucket_info **out, size_t *n)
{
    meta *m = read_meta(s);
    return m ? meta_list_buckets(m, a, out, n) : ST_NO_READ_QUORUM;
}

void store_bucket_create(store *s, const char *name, store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_BUCKET_CREATE, name, NULL);
    bucket_info b = { .name = name, .created_ns = now_ns() };
    if (record_encode_bucket(&b, &f->tmpl.record, &f->tmpl.record_len) != 0) abort();
    submit_simple(s, f, cb, arg);
}

void store_bucket_delete(store *s, const char *name, store_done_cb cb, void *arg)
{
    submit_simple(s, fanout_new(META_BUCKET_DELETE, name, NULL), cb, arg);
}

void store_object_delete(store *s, const char *bucket, const char *key, store_done_cb cb, void *arg)
{
    submit_simple(s, fanout_new(META_OBJECT_DELETE, bucket, key), cb, arg);
}

/* a copy of n bytes for a fan-out template (meta frees records) */
static unsigned char *dup_bytes(const void *p, size_t n)
{
    unsigned char *d = malloc(n ? n : 1);
    if (!d) abort();
    if (n) memcpy(d, p, n);
    return d;
}

void store_object_set_tags(store *s, const char *bucket, const char *key, const char *version_id, const char *tags,
                           store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_OBJECT_TAGS, bucket, key);
    if (version_id && !(f->tmpl.version_id = strdup(version_id))) abort();
    size_t n = tags ? strlen(tags) : 0;
    f->tmpl.record = dup_bytes(tags, n);
    f->tmpl.record_len = n;
    submit_simple(s, f, cb, arg);
}

store_status store_bucket_config_get(store *s, arena *a, const char *bucket, const char *name, char **out,
                                     size_t *len)
{
    meta *m = read_meta(s);
    return m ? meta_get_bucket_config(m, a, bucket, name, out, len) : ST_NO_READ_QUORUM;
}

void store_bucket_config_set(store *s, const char *bucket, const char *name, const char *doc, size_t len,
                             store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_BUCKET_CONFIG, bucket, name);
    f->tmpl.record = dup_bytes(doc, doc ? len : 0);
    f->tmpl.record_len = doc ? len : 0;
    submit_simple(s, f, cb, arg);
}

int store_bucket_versioning(store *s, const char *bucket)
{
    meta *m = read_meta(s);
    return m ? meta_bucket_versioning(m, bucket) : 0;
}

void store_set_bucket_versioning(store *s, const char *bucket, int enabled, store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_BUCKET_VERSIONING, bucket, NULL);
    const char *v = enabled ? "Enabled" : "Suspended";
    f->tmpl.record = dup_bytes(v, strlen(v));
    f->tmpl.record_len = strlen(v);
    submit_simple(s, f, cb, arg);
}

store_status store_object_version(store *s, arena *a, const char *bucket, const char *key, const char *version_id,
                                  object_info *out)
{
    meta *m = read_meta(s);
    return m ? meta_get_version(m, a, bucket, key, version_id, out) : ST_NO_READ_QUORUM;
}

int store_latest_marker(store *s, arena *a, const char *bucket, const char *key, char version_out[40])
{
    meta *m = read_meta(s);
    return m ? meta_latest_marker(m, a, bucket, key, version_out) : 0;
}

store_status store_list_versions(store *s, arena *a, const char *bucket, const version_list_params *p,
                                 version_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                                 int *truncated, const char **next_key, const char **next_version)
{
    meta *m = read_meta(s);
    return m ? meta_list_versions(m, a, bucket, p, out, n, prefixes, n_prefixes, truncated, next_key, next_version)
             : ST_NO_READ_QUORUM;
}

/* A new version id: random, opaque, URL-safe. */
static void new_version_id(char out[40])
{
    data_id id;
    data_id_random(&id);
    data_id_hex(&id, out);
}

typedef struct delete_wait { store_delete_cb cb; void *arg; } delete_wait;

static void delete_done(void *arg, store_status st, const meta_op *result)
{
    delete_wait *w = arg;
    store_delete_cb cb = w->cb;
    void *a = w->arg;
    free(w);
    cb(a, st, result && result->result_version[0] ? result->result_version : NULL, result ? result->result_marker : 0);
}

void store_object_delete_version(store *s, const char *bucket, const char *key, const char *version_id,
                                 int bypass_governance, store_delete_cb cb, void *arg)
{
    store_object_delete_if(s, bucket, key, version_id, bypass_governance, NULL, cb, arg);
}

void store_object_delete_if(store *s, const char *bucket, const char *key, const char *version_id,
                            int bypass_governance, const delete_conditions *c, store_delete_cb cb, void *arg)
{
    fanout *f = fanout_new(META_OBJECT_DELETE, bucket, key);
    f->tmpl.bypass_governance = bypass_governance;
    if (c) {
        if (c->if_match && !(f->tmpl.if_match = strdup(c->if_match))) abort();
        f->tmpl.has_if_size = c->has_size;
        f->tmpl.if_size = c->size;
        f->tmpl.has_if_mtime = c->has_mtime;
        f->tmpl.if_mtime_s = c->mtime_s;
    }
    f->tmpl.now_ns = now_ns();
    if (version_id) {
        f->tmpl.version_id = strdup(version_id);
        if (!f->tmpl.version_id) abort();
    } else {
        int v = store_bucket_versioning(s, bucket);
        if (v) {
            /* the delete marker every drive records */
            object_info mark;
            memset(&mark, 0, sizeof mark);
            mark.flags = OBJ_DELETE_MARKER | OBJ_INLINE;
            mark.mtime_ns = now_ns();
            mark.parity = -1;
            mark.inline_data = (const unsigned char *)"";
            if (v == 1) new_version_id(mark.version_id);
            else snprintf(mark.version_id, sizeof mark.version_id, "null");
            f->tmpl.versioning = v;
            if (record_encode_object(&mark, long_key(bucket, key), &f->tmpl.record, &f->tmpl.record_len) != 0) abort();
        }
    }
    delete_wait *w = malloc(sizeof *w);
    if (!w) abort();
    w->cb = cb;
    w->arg = arg;
    fanout_submit(s, f, delete_done, w);
}

void store_object_set_lock(store *s, const char *bucket, const char *key, const char *version_id,
                           const lock_change *c, store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_OBJECT_LOCK, bucket, key);
    if (version_id && !(f->tmpl.version_id = strdup(version_id))) abort();
    f->tmpl.set_retention = c->set_retention;
    f->tmpl.set_legal_hold = c->set_legal_hold;
    f->tmpl.lock_mode = c->mode;
    f->tmpl.legal_hold = c->legal_hold;
    f->tmpl.retain_until_ns = c->retain_until_ns;
    f->tmpl.bypass_governance = c->bypass_governance;
    f->tmpl.now_ns = now_ns();
    submit_simple(s, f, cb, arg);
}

store_status store_object_info(store *s, arena *a, const char *bucket, const char *key, object_info *out)
{
    meta *m = read_meta(s);
    return m ? meta_get_object(m, a, bucket, key, out) : ST_NO_READ_QUORUM;
}

store_status store_object_list(store *s, arena *a, const char *bucket, const list_params *p, list_result *r)
{
    meta *m = read_meta(s);
    return m ? meta_list_objects(m, a, bucket, p, r) : ST_NO_READ_QUORUM;
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
    vol_writer *writer;
    data_id id;
    uint64_t written;           /* bytes handed to workers for the data file */
    uint64_t total;             /* bytes received */
    int inflight;               /* jobs of the current block still running: 0, 1 or 2 */
    int aborted;
    int finishing;
    int finished;
    int committed_data;         /* the data file set is in place */
    int want_resume;
    int no_inline;              /* multipart parts are always data files */
    int reduced;                /* REDUCED_REDUNDANCY: the reduced parity */
    int error;                  /* first -errno from a worker */
    void (*resume_cb)(void *);
    void *resume_arg;
    store_done_cb finish_cb;
    void *finish_arg;
    uv_work_t work;             /* writing the block (or discarding the file) */
    uv_work_t hash_work;        /* observing the block, beside the writing */
    /* the job in flight */
    unsigned char *job_p;
    size_t job_len;
    int job_final;              /* commit the data after writing */
    int job_inline;             /* observe only, nothing to write */
    store_done_cb commit_cb;
    void *commit_arg;
    object_info *commit_info;   /* the caller's: learns the version id */
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
void store_put_reduced(store_put *p, int reduced) { p->reduced = reduced; }
int store_parity(const store *s, int reduced) { return volume_parity(&s->vol, reduced); }

void store_put_on_resume(store_put *p, void (*cb)(void *), void *arg)
{
    p->resume_cb = cb;
    p->resume_arg = arg;
}

/* A block is observed (hashed) and written by two workers at once, both
 * only reading it: a single upload then waits max(hash, write) per block
 * rather than their sum.  Blocks still go one after another, each job in
 * order, because the digests and the data file are sequential. */
static void put_hash_work(uv_work_t *req)
{
    store_put *p = req->data;
    if (p->aborted) return;
    p->observe(p->observe_ctx, p->job_p, p->job_len);
}

static void put_write_work(uv_work_t *req)
{
    store_put *p = req->data;
    if (p->aborted || p->job_inline || p->error) return;
    if (!p->writer) {
        int r = vol_writer_create(&p->s->vol, &p->id, volume_parity(&p->s->vol, p->reduced), &p->writer);
        if (r) { p->error = r; p->writer = NULL; return; }
    }
    if (p->job_len) {
        int r = vol_writer_write(p->writer, p->job_p, p->job_len);
        if (r) { p->error = r; return; }
    }
    if (p->job_final) {
        int r = vol_writer_commit(p->writer);
        p->writer = NULL;
        if (r) p->error = r;
        else p->committed_data = 1;
    }
}

static void put_submit(store_put *p, int final);

static void discard_work(uv_work_t *req)
{
    store_put *p = req->data;
    if (p->writer) vol_writer_discard(p->writer);
    p->writer = NULL;
}

static void discard_after(uv_work_t *req, int status)
{
    (void)status;
    store_put *p = req->data;
    store *s = p->s;
    put_free(p);
    job_done(s);
}

static void put_dispose(store_put *p)
{
    if (p->writer) {
        p->work.data = p;
        if (store_queue(p->s, &p->work, discard_work, discard_after) == 0) return;
    }
    put_free(p);
}

static void put_after_job(store_put *p);

static void put_after(uv_work_t *req, int status)
{
    (void)status;
    store_put *p = req->data;
    store *s = p->s;
    if (--p->inflight == 0) put_after_job(p);       /* may free p */
    job_done(s);
}

static void put_after_job(store_put *p)
{
    if (p->aborted) {
        if (p->committed_data) remove_data_async(p->s, &p->id);
        put_dispose(p);
        return;
    }
    if (!p->job_inline) p->written += p->job_len;
    if (p->job_final || p->job_inline) {
        p->finished = 1;
        store_done_cb cb = p->finish_cb;
        p->finish_cb = NULL;
        store_status st = ST_OK;
        if (p->error)
            st = p->error == -EIO && online_count(p->s) < p->s->vol.write_quorum ? ST_NO_WRITE_QUORUM
                                                                                 : from_errno(p->error);
        if (cb) cb(p->finish_arg, st);
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

/* Starts the current job's hashing and writing (an inline object has
 * only hashing).  Nonzero if not even one could be queued. */
static int put_start_job(store_put *p)
{
    p->work.data = p;
    p->hash_work.data = p;
    p->inflight = 0;
    if (p->observe && p->job_len) {
        if (store_queue(p->s, &p->hash_work, put_hash_work, put_after) != 0) return -1;
        p->inflight++;
    }
    if (!p->job_inline || p->inflight == 0) {
        if (store_queue(p->s, &p->work, put_write_work, put_after) != 0) {
            if (p->inflight == 0) return -1;
            p->error = -EIO;        /* the hashing's completion reports it */
            return 0;
        }
        p->inflight++;
    }
    return 0;
}

/* Hands exactly one block (or the last, shorter one) to a worker: the
 * erasure code cuts data at block boundaries, so what arrived beyond the
 * block moves to the next buffer. */
static void put_submit(store_put *p, int final)
{
    put_buf job = p->fill;
    p->fill = p->spare;
    p->spare = job;
    size_t take = job.len > STORE_BLOCK ? STORE_BLOCK : job.len;
    size_t rest = job.len - take;
    if (!p->fill.p || p->fill.cap < STORE_BLOCK + PUT_SLACK || p->fill.cap < rest) {
        size_t cap = STORE_BLOCK + PUT_SLACK > rest ? STORE_BLOCK + PUT_SLACK : rest;
        free(p->fill.p);
        p->fill.p = malloc(cap);
        if (!p->fill.p) abort();
        p->fill.cap = cap;
    }
    p->fill.len = rest;
    if (rest) memcpy(p->fill.p, job.p + take, rest);
    p->job_p = job.p;
    p->job_len = take;
    p->job_final = final && rest == 0;
    p->job_inline = 0;
    if (put_start_job(p) != 0) p->error = -EIO;
}

static void put_copy_in(store_put *p, const void *data, size_t n);

unsigned char *store_put_buffer(store_put *p, size_t *cap)
{
    if (p->aborted || p->finishing || p->fill.len >= STORE_BLOCK || p->fill.len >= p->fill.cap) return NULL;
    /* up to the block's end, so a full block needs no tail moved on */
    size_t room = p->fill.cap - p->fill.len, to_block = STORE_BLOCK - p->fill.len;
    *cap = room < to_block ? room : to_block;
    return p->fill.p + p->fill.len;
}

int store_put_write(store_put *p, const void *data, size_t n)
{
    if (data == p->fill.p + p->fill.len && n <= p->fill.cap - p->fill.len) {
        /* read in place through store_put_buffer */
    } else {
        put_copy_in(p, data, n);
    }
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

static void put_copy_in(store_put *p, const void *data, size_t n)
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
        if (put_start_job(p) != 0) {
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
    /* Data committed into place, then rejected by the caller. */
    if (p->committed_data) remove_data_async(p->s, &p->id);
    put_dispose(p);
}

static void put_commit_done(void *arg, store_status st, const meta_op *result)
{
    store_put *p = arg;
    if (st == ST_OK && result && result->result_version[0] && p->commit_info)
        snprintf(p->commit_info->version_id, sizeof p->commit_info->version_id, "%s", result->result_version);
    if (st != ST_OK && p->committed_data) remove_data_async(p->s, &p->id);
    store_done_cb cb = p->commit_cb;
    void *cb_arg = p->commit_arg;
    put_free(p);
    cb(cb_arg, st);
}

static void put_commit_op(store_put *p, meta_op_kind kind, const char *bucket, const char *key,
                          const char *upload_id, uint32_t part_number, object_info *info,
                          const put_conditions *cond, store_done_cb cb, void *arg)
{
    info->size = p->total;
    if (!info->mtime_ns) info->mtime_ns = now_ns();
    info->reduced = (uint8_t)p->reduced;
    info->parity = (int8_t)volume_parity(&p->s->vol, p->reduced);
    if (p->written == 0 && !p->no_inline) {
        info->flags |= OBJ_INLINE;
        info->inline_data = p->fill.p;
        info->inline_len = p->fill.len;
        memset(&info->data, 0, sizeof info->data);
    } else {
        info->flags &= ~(uint32_t)OBJ_INLINE;
        info->data = p->id;
    }
    p->commit_cb = cb;
    p->commit_arg = arg;
    p->commit_info = info;
    int versioning = kind == META_OBJECT_PUT ? store_bucket_versioning(p->s, bucket) : 0;
    if (versioning == 1) new_version_id(info->version_id);
    else if (versioning == 2) snprintf(info->version_id, sizeof info->version_id, "null");
    fanout *f = fanout_new(kind, bucket, key);
    f->tmpl.versioning = versioning;
    f->tmpl.upload_id = upload_id ? strdup(upload_id) : NULL;
    f->tmpl.part_number = part_number;
    f->tmpl.if_match = cond && cond->if_match ? strdup(cond->if_match) : NULL;
    f->tmpl.if_none_match = cond && cond->if_none_match ? strdup(cond->if_none_match) : NULL;
    if (record_encode_object(info, long_key(bucket, key), &f->tmpl.record, &f->tmpl.record_len) != 0) abort();
    fanout_submit(p->s, f, put_commit_done, p);
}

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

/* ---------- multipart uploads ---------- */

void store_upload_create(store *s, const char *bucket, const char *key, object_info *meta_info,
                         char upload_id[33], store_done_cb cb, void *arg)
{
    data_id id;
    data_id_random(&id);
    data_id_hex(&id, upload_id);
    fanout *f = fanout_new(META_UPLOAD_CREATE, bucket, key);
    f->tmpl.upload_id = strdup(upload_id);
    meta_info->mtime_ns = now_ns();
    meta_info->parity = (int8_t)volume_parity(&s->vol, meta_info->reduced);
    meta_info->flags = OBJ_INLINE;      /* an upload record holds no data */
    meta_info->inline_data = (const unsigned char *)"";
    meta_info->inline_len = 0;
    if (!f->tmpl.upload_id ||
        record_encode_object(meta_info, long_key(bucket, key), &f->tmpl.record, &f->tmpl.record_len) != 0)
        abort();
    submit_simple(s, f, cb, arg);
}

store_status store_upload_get(store *s, arena *a, const char *bucket, const char *key, const char *upload_id,
                              object_info *out)
{
    meta *m = read_meta(s);
    return m ? meta_get_upload(m, a, bucket, key, upload_id, out) : ST_NO_READ_QUORUM;
}

store_status store_part_list(store *s, arena *a, const char *upload_id, uint32_t marker, size_t max,
                             obj_part **out, size_t *n, int *truncated)
{
    meta *m = read_meta(s);
    return m ? meta_list_parts(m, a, upload_id, marker, max, out, n, truncated) : ST_NO_READ_QUORUM;
}

store_status store_upload_list(store *s, arena *a, const char *bucket, const upload_list_params *p,
                               upload_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                               int *truncated)
{
    meta *m = read_meta(s);
    return m ? meta_list_uploads(m, a, bucket, p, out, n, prefixes, n_prefixes, truncated) : ST_NO_READ_QUORUM;
}

store_status store_stale_uploads(store *s, arena *a, int64_t cutoff_ns, size_t max, const char ***buckets,
                                 upload_entry **out, size_t *n)
{
    meta *m = read_meta(s);
    *n = 0;
    return m ? meta_stale_uploads(m, a, cutoff_ns, max, buckets, out, n) : ST_NO_READ_QUORUM;
}

void store_upload_complete(store *s, const char *bucket, const char *key, const char *upload_id,
                           object_info *final, const put_conditions *cond, store_done_cb cb, void *arg)
{
    fanout *f = fanout_new(META_UPLOAD_COMPLETE, bucket, key);
    meta_op *op = &f->tmpl;
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
    op->versioning = store_bucket_versioning(s, bucket);
    if (op->versioning == 1) new_version_id(final->version_id);
    else if (op->versioning == 2) snprintf(final->version_id, sizeof final->version_id, "null");
    const char *store_key = long_key(bucket, key);
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
    submit_simple(s, f, cb, arg);
}

void store_upload_abort(store *s, const char *bucket, const char *key, const char *upload_id, store_done_cb cb,
                        void *arg)
{
    fanout *f = fanout_new(META_UPLOAD_ABORT, bucket, key);
    f->tmpl.upload_id = strdup(upload_id);
    if (!f->tmpl.upload_id) abort();
    submit_simple(s, f, cb, arg);
}

/* ---------- reading ---------- */

typedef struct read_segment { data_id id; uint64_t start, size; int parity; } read_segment;

struct store_reader {
    store *s;
    read_segment *segs;          /* one per data file set, in object order */
    size_t n_segs;
    size_t cur_seg;
    vol_reader *vr;              /* open for cur_seg */
    int damaged_seg;             /* a segment that needed reconstruction */
    uv_work_t work;
    int error;
    store_open_cb open_cb;
    uint64_t off;
    void *buf;
    size_t n;
    ssize_t got;
    store_read_cb read_cb;
    void *arg;
    int closing;
    int busy;
};

static void heal_enqueue(store *s, const data_id *id, uint64_t size, int parity, int deep);

static int reader_open_seg(store_reader *r, size_t i)
{
    if (r->vr && r->cur_seg == i) return 0;
    if (r->vr) {
        if (vol_reader_damage(r->vr)) r->damaged_seg = (int)r->cur_seg + 1;
        vol_reader_close(r->vr);
    }
    r->vr = NULL;
    int e = vol_reader_open(&r->s->vol, &r->segs[i].id, r->segs[i].size, r->segs[i].parity, &r->vr);
    if (e) return e;
    r->cur_seg = i;
    return 0;
}

static void open_work(uv_work_t *req)
{
    store_reader *r = req->data;
    r->error = 0;
    if (!r->n_segs) return;
    r->error = reader_open_seg(r, 0);
    /* a data file set that is gone on every drive: the object was replaced */
    if (!r->error && r->segs[0].size) {
        unsigned char probe;
        ssize_t got = vol_reader_read(r->vr, &probe, 1, 0);
        /* no shard anywhere: the object was replaced meanwhile (the caller
         * reads the metadata again); some, but too few: below quorum */
        if (got == -EIO) r->error = vol_reader_available(r->vr) ? -EAGAIN : -ENOENT;
        else if (got < 0) r->error = (int)got;
    }
}

static void reader_close_work(uv_work_t *req)
{
    store_reader *r = req->data;
    if (r->vr) {
        if (vol_reader_damage(r->vr)) r->damaged_seg = (int)r->cur_seg + 1;
        vol_reader_close(r->vr);
    }
    r->vr = NULL;
}

static void reader_free(store_reader *r)
{
    free(r->segs);
    free(r);
}

static void reader_free_after(uv_work_t *req, int status)
{
    (void)status;
    store_reader *r = req->data;
    store *s = r->s;
    if (r->damaged_seg && !r->s->closing) {
        /* a read that met damage queues its data for healing */
        const read_segment *sg = &r->segs[r->damaged_seg - 1];
        heal_enqueue(r->s, &sg->id, sg->size, sg->parity, 1);
    }
    reader_free(r);
    job_done(s);
}

static void open_after(uv_work_t *req, int status)
{
    (void)status;
    store_reader *r = req->data;
    store *s = r->s;
    r->busy = 0;
    if (r->error) {
        store_open_cb cb = r->open_cb;
        void *arg = r->arg;
        store_status st = from_errno(r->error);
        if (r->vr) vol_reader_close(r->vr);
        reader_free(r);
        cb(arg, st, NULL);
    } else {
        r->open_cb(r->arg, ST_OK, r);
    }
    job_done(s);
}

void store_read_open(store *s, const object_info *o, store_open_cb cb, void *arg)
{
    if (online_count(s) < s->vol.read_quorum) {
        cb(arg, ST_NO_READ_QUORUM, NULL);
        return;
    }
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
            r->segs[i].parity = o->parity;
            start += o->parts[i].size;
        }
        r->n_segs = o->n_parts;
    } else {
        r->segs = calloc(1, sizeof *r->segs);
        if (!r->segs) abort();
        r->segs[0].id = o->data;
        r->segs[0].size = o->size;
        r->segs[0].parity = o->parity;
        r->n_segs = 1;
    }
    r->open_cb = cb;
    r->arg = arg;
    r->work.data = r;
    r->busy = 1;
    if (store_queue(s, &r->work, open_work, open_after) != 0) {
        reader_free(r);
        cb(arg, ST_IO_ERROR, NULL);
    }
}

/* Reads across part boundaries; a short read is an error, not EOF. */
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
        ssize_t got = vol_reader_read(r->vr, (char *)r->buf + done, want, in_seg);
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
    store *s = r->s;
    r->busy = 0;
    if (r->closing) {
        r->work.data = r;
        if (store_queue(s, &r->work, reader_close_work, reader_free_after) != 0) {
            reader_close_work(&r->work);
            reader_free(r);
        }
    } else {
        r->read_cb(r->arg, r->got);
    }
    job_done(s);
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
    if (store_queue(r->s, &r->work, read_work, read_after) != 0) {
        r->busy = 0;
        cb(arg, -EIO);
    }
}

void store_read_close(store_reader *r)
{
    r->closing = 1;
    if (r->busy) return;   /* read_after closes */
    r->work.data = r;
    if (store_queue(r->s, &r->work, reader_close_work, reader_free_after) != 0) {
        reader_close_work(&r->work);
        reader_free(r);
    }
}

/* ---------- healing ----------
 *
 * A queue of data file sets to check and rebuild, served one at a time by
 * a worker (vol_heal), fed by reads that met damage and by a scanner that
 * walks every object record at a bounded rate (a full pass at once after
 * a drive was replaced, or when an operator asks). */

static void heal_run_next(store *s);

static void heal_after(uv_work_t *req, int status)
{
    (void)status;
    store *s = req->data;
    s->heal_busy = 0;
    if (s->closing) { job_done(s); return; }
    if (s->heal_result == 0) {
        if (s->heal_shards) {
            s->heal.objects_healed++;
            s->heal.shards_healed += (uint64_t)s->heal_shards;
            s->heal.bytes_healed += s->heal_bytes;
        }
    } else {
        s->heal.objects_failed++;
    }
    heal_run_next(s);
    job_done(s);
}

static void heal_work_fn(uv_work_t *req)
{
    store *s = req->data;
    s->heal_result = vol_heal(&s->vol, &s->heal_current.id, s->heal_current.size, s->heal_current.parity,
                              s->heal_current.deep, &s->heal_shards, &s->heal_bytes);
}

static void heal_run_next(store *s)
{
    if (s->heal_busy || !s->q_len || s->closing) return;
    s->heal_current = s->queue[s->q_head];
    s->q_head = (s->q_head + 1) % HEAL_QUEUE;
    s->q_len--;
    s->heal_busy = 1;
    s->heal_work.data = s;
    if (store_queue(s, &s->heal_work, heal_work_fn, heal_after) != 0) s->heal_busy = 0;
}

static void heal_enqueue(store *s, const data_id *id, uint64_t size, int parity, int deep)
{
    if (s->vol.m == 0 && !deep) return;     /* one drive: nothing to rebuild from */
    if (s->q_len == HEAL_QUEUE) { s->heal.dropped++; return; }
    heal_item *it = &s->queue[(s->q_head + s->q_len) % HEAL_QUEUE];
    it->id = *id;
    it->size = size;
    it->parity = parity;
    it->deep = deep;
    s->q_len++;
    heal_run_next(s);
}

typedef struct scan_ctx { store *s; } scan_ctx;

static int scan_one(void *vctx, const char *bucket, const char *key, const object_info *o)
{
    (void)bucket;
    (void)key;
    scan_ctx *c = vctx;
    store *s = c->s;
    s->heal.objects_scanned++;
    if (o->flags & OBJ_DELETE_MARKER) return 0;
    if (o->flags & OBJ_MULTIPART) {
        for (size_t i = 0; i < o->n_parts; i++)
            heal_enqueue(s, &o->parts[i].data, o->parts[i].size, o->parity, s->scan_deep);
    } else if (!(o->flags & OBJ_INLINE)) {
        heal_enqueue(s, &o->data, o->size, o->parity, s->scan_deep);
    }
    /* leave room in the queue: stop the batch when it is half full */
    return s->q_len > HEAL_QUEUE / 2;
}

static void scan_reset(store *s)
{
    s->scan_phase = 0;
    free(s->scan_token);
    s->scan_token = NULL;
    s->scan_token_len = 0;
}

/* A pass walks the latest objects, then every version (noncurrent
 * versions have data too). */
static void on_scan_timer(uv_timer_t *t)
{
    store *s = t->data;
    if (!s->scan_active) return;
    if (s->q_len > HEAL_QUEUE / 2) return;       /* the healer is behind: wait */
    meta *m = read_meta(s);
    if (!m) return;
    arena a;
    arena_init(&a);
    scan_ctx c = { .s = s };
    size_t batch = s->scan_fast ? 2000 : (size_t)(s->scan_rate / 10 + 1);
    int more = 0;
    void *last = NULL;
    size_t last_len = 0;
    meta_scan(m, &a, s->scan_phase, s->scan_token, s->scan_token_len, batch, scan_one, &c, &last, &last_len, &more);
    if (last) {
        void *tok = malloc(last_len);
        if (tok) {
            memcpy(tok, last, last_len);
            free(s->scan_token);
            s->scan_token = tok;
            s->scan_token_len = last_len;
        }
    }
    if (!more) {
        if (s->scan_phase == 0) {
            s->scan_phase = 1;
            free(s->scan_token);
            s->scan_token = NULL;
            s->scan_token_len = 0;
        } else {
            s->heal.passes++;
            scan_reset(s);
            if (s->scan_fast) {
                s->scan_fast = 0;
                s->scan_deep = s->scan_deep_background;
                s->heal.running = 0;
            }
        }
    }
    arena_reset(&a);
}

static void ensure_scan_timer(store *s)
{
    if (s->scan_timer) return;
    s->scan_timer = malloc(sizeof *s->scan_timer);
    if (!s->scan_timer) return;
    uv_timer_init(s->loop, s->scan_timer);
    s->scan_timer->data = s;
    uv_timer_start(s->scan_timer, on_scan_timer, 100, 100);
}

static void heal_schedule_full(store *s, int fast)
{
    s->scan_active = 1;
    s->scan_fast = fast;
    scan_reset(s);
    if (fast) s->heal.running = 1;
    if (s->loop) ensure_scan_timer(s);
}

void store_start_background_heal(store *s, uint64_t objects_per_second, int deep)
{
    if (s->vol.m == 0) return;                  /* nothing to heal from on one drive */
    s->scan_rate = objects_per_second ? objects_per_second : 1;
    s->scan_active = 1;
    s->scan_deep_background = deep;
    if (!s->scan_fast) s->scan_deep = deep;
    ensure_scan_timer(s);
}

void store_heal_start(store *s, int deep)
{
    heal_schedule_full(s, 1);
    s->scan_deep = deep;
    s->heal.started_ns = now_ns();
}

store_heal_status store_heal_get_status(store *s)
{
    store_heal_status st = s->heal;
    st.queued = s->q_len + (size_t)s->heal_busy;
    return st;
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

/* ---------- for the peers' calls (cluster/) ---------- */

drive *store_local_drive(store *s, int i)
{
    if (i < 0 || i >= s->vol.n_drives || s->is_remote[i] || !volume_online(&s->vol, i)) return NULL;
    return s->vol.drives[i];
}

int store_meta_apply(store *s, int i, meta_op *op)
{
    if (s->stale) return -1;   /* its copy is about to be replaced: it takes no part */
    if (i < 0 || i >= s->vol.n_drives || s->is_remote[i] || !s->metas[i] || !volume_online(&s->vol, i)) return -1;
    meta_submit(s->metas[i], op);
    return 0;
}

int store_meta_snapshot(store *s, int fd)
{
    for (int i = 0; i < s->vol.n_drives; i++)
        if (!s->is_remote[i] && s->metas[i] && volume_online(&s->vol, i))
            return meta_snapshot_fd(s->metas[i], fd) == 0 ? 0 : -EIO;
    return -EIO;
}

void store_meta_incoming_path(const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/.cairn.sys/meta/data.mdb.incoming", dir);
}

int store_install_meta_snapshot(const char *dir)
{
    char meta_dir[1200], tmp[1300], final[1300], lock[1300];
    snprintf(meta_dir, sizeof meta_dir, "%s/.cairn.sys/meta", dir);
    store_meta_incoming_path(dir, tmp, sizeof tmp);
    snprintf(final, sizeof final, "%s/data.mdb", meta_dir);
    snprintf(lock, sizeof lock, "%s/lock.mdb", meta_dir);
    int r = fsio_rename(tmp, final);
    if (!r) {
        unlink(lock);   /* the reader table of a closed environment */
        r = fsio_fsync_dir(meta_dir);
    }
    if (r) unlink(tmp);
    return r;
}

uint64_t store_config_generation(const store *s, int system) { return s->config_gen[system ? 1 : 0]; }

void store_meta_applied(store *s, const meta_op *op)
{
    if (op->status != ST_OK) return;
    if (op->kind == META_BUCKET_CONFIG || op->kind == META_BUCKET_VERSIONING || op->kind == META_BUCKET_CREATE ||
        op->kind == META_BUCKET_DELETE)
        s->config_gen[op->bucket && !*op->bucket ? 1 : 0]++;
}

void store_set_stale(store *s) { s->stale = 1; }

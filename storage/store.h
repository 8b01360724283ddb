/*
 * store — the object store as s3api sees it: buckets, and objects written,
 * read, listed and deleted, asynchronously, on one drive for now.
 *
 * All calls are made on the event-loop thread and their callbacks run
 * there.  Blocking work (data writes, fsync, renames, reads, hashing done by
 * the caller's observer) runs on the libuv thread pool; metadata writes go
 * to meta's writer thread.
 *
 * A PUT streams: store_put_write copies into the current 1 MiB block (or
 * finds the bytes already there, read in through store_put_buffer); a
 * full block goes to two workers (observer and write) while the next one
 * fills; when both are busy the writer asks its caller to pause reading,
 * and calls it back when there is room.  Memory per upload is two blocks,
 * whatever the object size.  Objects up to INLINE_MAX never touch a data
 * file: they are stored in the metadata record.
 *
 * Crash safety: data goes to tmp, is fsynced and renamed into place (and
 * its directory fsynced) before the metadata that points to it commits;
 * the replaced object's file is removed only after that commit.  A crash
 * leaves the old record or the new one; tmp leftovers are swept at start.
 * A crash between rename and commit can leave an unreferenced data file
 * (space, never wrong data).
 *
 * Does not know HTTP or S3.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "../common/arena.h"
#include "drive.h"
#include "format.h"
#include "meta.h"
#include "record.h"
#include "store_status.h"

enum { STORE_BLOCK = 1024 * 1024 };

typedef struct store store;

/* Opens a deployment on one or more drives (directories): formats blank
 * ones, refuses foreign or misplaced ones, brings drives that missed
 * writes level, and schedules healing of replaced drives.  parity < 0
 * takes the default for the set size (MinIO's: EC:1 for 2-3 drives, EC:2
 * for 4-5, EC:3 for 6-7, EC:4 for 8 and more). */
int store_open_drives(uv_loop_t *loop, const char *const *dirs, int n_dirs, int parity, store **out);
int store_open(uv_loop_t *loop, const char *dir, store **out);   /* one drive */

/* A distributed deployment: some drives are on other nodes.  cluster/
 * supplies how to reach them; the store stays unaware of the network.
 * Drive numbers are deployment positions.  Calls are made on the event
 * loop unless said otherwise. */
typedef struct store_remote {
    void *ctx;
    int (*is_remote)(void *ctx, int drive);
    /* a drive object whose calls go to the drive's node (worker threads) */
    drive *(*drive_open)(void *ctx, int drive);
    void (*drive_close)(void *ctx, drive *d);
    /* as format_read (0 read, 1 blank, -1 unreadable), or -2 unreachable */
    int (*format_read)(void *ctx, int drive, drive_format *out);
    int (*format_write)(void *ctx, int drive, const drive_format *f);
    /* applies ops[k] (copies of one operation) to drives[k]'s metadata;
     * each op->done runs on the loop */
    void (*meta_submit)(void *ctx, const int *drives, meta_op *const *ops, int n);
    /* the drive's node answers and says the drive is online */
    int (*drive_online)(void *ctx, int drive);
    /* a lock on resource held by a majority of nodes: cb gets a token,
     * or NULL when it could not be had in time; unlock releases it */
    void (*lock)(void *ctx, const char *resource, void (*cb)(void *arg, void *token), void *arg);
    void (*unlock)(void *ctx, void *token);
    /* a metadata write left these drives out (offline, or they failed):
     * their nodes' copies of the metadata are behind until they rejoin;
     * done(arg) runs (on the loop) once the nodes that can be told know */
    void (*missed)(void *ctx, const int *drives, int n, void (*done)(void *arg), void *arg);
    /* this node's copy of the metadata may answer reads now (it holds a
     * lease from a majority of nodes); event loop, every read */
    int (*can_read)(void *ctx);
    /* a remote drive's capacity as its node last reported it */
    void (*drive_stats)(void *ctx, int drive, uint64_t *total, uint64_t *free_bytes, uint64_t *used);
} store_remote;

/* dirs: local paths, or (remote drives) a name for logs.  may_create:
 * this node creates the deployment when every drive is blank (one node
 * does, the others wait: -EAGAIN). */
int store_open_cluster(uv_loop_t *loop, const char *const *dirs, int n_dirs, int parity, const store_remote *remote,
                       int may_create, store **out);
/* For the peers' calls: a local drive (NULL when not local or offline),
 * and applying a metadata operation to a local drive's metadata (0, or -1
 * when that drive is not here and online). */
drive *store_local_drive(store *s, int drive_index);
int store_meta_apply(store *s, int drive_index, meta_op *op);
/* A snapshot of this node's metadata (a local online drive's) into fd,
 * for a node that rejoins.  Blocks: worker threads. 0 or -errno. */
int store_meta_snapshot(store *s, int fd);
/* Where a snapshot for the (closed) drive at dir is written (the caller
 * creates the directories, writes and fsyncs it); installing it replaces
 * the drive's metadata durably.  Before store_open_cluster. 0 or -errno. */
void store_meta_incoming_path(const char *dir, char *out, size_t cap);
int store_install_meta_snapshot(const char *dir);
/* Configuration generations: bumped once a change to a bucket's
 * configuration (or existence, versioning) or to a system document is
 * applied here, whichever node made it, so caches built from them (bucket
 * policies, the IAM state) know to rebuild.  system: bucket "" only. */
uint64_t store_config_generation(const store *s, int system);
/* A peer's metadata operation was applied to a local drive. */
void store_meta_applied(store *s, const meta_op *op);
/* This node's metadata is behind (a peer left it out of a write): reads
 * and writes answer the quorum errors from now on, until a restart. */
void store_set_stale(store *s);
/* Runs the drive health check now (a peer said it is back). */
void store_check_drives(store *s);
void store_close(store *s);
const char *store_dir(const store *s);
const char *store_deployment(const store *s);
int store_online_drives(store *s);
/* Notices drives that disappear while running (every 2 s). */
void store_start_health_checks(store *s);

/* Healing: a background scanner checks every object's shards at a bounded
 * rate and rebuilds what is missing; reads that meet damage queue their
 * object; store_heal_start runs a full pass now (deep: verify every
 * shard's checksum, not only presence and size). */
typedef struct store_heal_status {
    int running;                 /* a requested full pass is under way */
    uint64_t passes;             /* full passes completed */
    uint64_t objects_scanned, objects_healed, objects_failed, shards_healed, bytes_healed, dropped;
    size_t queued;
    int64_t started_ns;
} store_heal_status;
/* deep: the background passes verify every shard's checksum too
 * (scrubbing for bitrot), not only presence and size. */
void store_start_background_heal(store *s, uint64_t objects_per_second, int deep);
void store_heal_start(store *s, int deep);
store_heal_status store_heal_get_status(store *s);

typedef void (*store_done_cb)(void *arg, store_status st);

/* What operators see of the drives (admin API, metrics, health). */
typedef struct drive_info {
    const char *path;
    int online;
    uint64_t total_bytes, free_bytes, used_bytes;
    int set_index, drive_index;        /* erasure set and position in it */
} drive_info;
typedef struct store_layout {
    int n_drives, n_sets, set_size, parity, write_quorum, read_quorum;
} store_layout;
/* Fills up to max entries (statvfs of each drive: cheap); returns the count. */
size_t store_drive_info(store *s, drive_info *out, size_t max);
store_layout store_get_layout(const store *s);

/* Buckets */
store_status store_bucket_get(store *s, const char *name, bucket_info *out);
store_status store_bucket_list(store *s, arena *a, bucket_info **out, size_t *n);
void store_bucket_create(store *s, const char *name, store_done_cb cb, void *arg);
void store_bucket_delete(store *s, const char *name, store_done_cb cb, void *arg);

/* Object metadata and listing (synchronous, cheap) */
store_status store_object_info(store *s, arena *a, const char *bucket, const char *key, object_info *out);
store_status store_object_list(store *s, arena *a, const char *bucket, const list_params *p, list_result *r);

/* Tags and bucket configuration documents.  A NULL or empty value
 * removes them. */
/* version_id NULL: the current version. */
void store_object_set_tags(store *s, const char *bucket, const char *key, const char *version_id, const char *tags,
                           store_done_cb cb, void *arg);
store_status store_bucket_config_get(store *s, arena *a, const char *bucket, const char *name, char **out,
                                     size_t *len);
void store_bucket_config_set(store *s, const char *bucket, const char *name, const char *doc, size_t len,
                             store_done_cb cb, void *arg);

/* System-wide documents (the IAM state), kept like bucket configuration
 * under the bucket name "", which no bucket can have. */
#define STORE_SYSTEM_BUCKET ""

/* Versioning: 0 never enabled, 1 Enabled, 2 Suspended. */
int store_bucket_versioning(store *s, const char *bucket);
void store_set_bucket_versioning(store *s, const char *bucket, int enabled, store_done_cb cb, void *arg);
store_status store_object_version(store *s, arena *a, const char *bucket, const char *key, const char *version_id,
                                  object_info *out);
int store_latest_marker(store *s, arena *a, const char *bucket, const char *key, char version_out[40]);
store_status store_list_versions(store *s, arena *a, const char *bucket, const version_list_params *p,
                                 version_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                                 int *truncated, const char **next_key, const char **next_version);
/* DeleteObject: version_id NULL deletes the object (a delete marker in a
 * versioned bucket); cb learns the version removed or created and whether
 * it is a delete marker. */
typedef void (*store_delete_cb)(void *arg, store_status st, const char *version_id, int marker);
void store_object_delete_version(store *s, const char *bucket, const char *key, const char *version_id,
                                 int bypass_governance, store_delete_cb cb, void *arg);
/* The same, only if the target still is what the caller saw (S3's
 * conditional deletes); ST_PRECONDITION_FAILED otherwise. */
typedef struct delete_conditions {
    const char *if_match;        /* unquoted ETag or "*"; NULL none */
    int has_size, has_mtime;
    int64_t size, mtime_s;
} delete_conditions;
void store_object_delete_if(store *s, const char *bucket, const char *key, const char *version_id,
                            int bypass_governance, const delete_conditions *c, store_delete_cb cb, void *arg);
/* Object lock of one version (NULL: the latest): retention (mode 0 clears
 * it) and/or legal hold, under the rules of the current retention. */
typedef struct lock_change {
    int set_retention, set_legal_hold;
    uint8_t mode, legal_hold;
    int64_t retain_until_ns;
    int bypass_governance;
} lock_change;
void store_object_set_lock(store *s, const char *bucket, const char *key, const char *version_id,
                           const lock_change *c, store_done_cb cb, void *arg);

/* Writing */
typedef struct store_put store_put;
/* Called on a worker thread with every byte of the body, in order. */
typedef void (*store_observe_fn)(void *ctx, const void *p, size_t n);

/* ctx belongs to the upload from here on: release(ctx) runs when the
 * upload is freed, after the last observe call, whatever the outcome. */
store_put *store_put_begin(store *s, int64_t size_hint, store_observe_fn observe, void *ctx,
                           void (*release)(void *ctx));
/* Takes all n bytes; returns 1 when the caller should stop reading until
 * the resume callback runs. */
int store_put_write(store_put *p, const void *data, size_t n);
/* The free rest of the current block, where the caller may read the next
 * bytes itself (from a socket, say) and then pass exactly that address to
 * store_put_write, which then copies nothing; NULL while the block is
 * full.  Valid until the next store call. */
unsigned char *store_put_buffer(store_put *p, size_t *cap);
void store_put_on_resume(store_put *p, void (*cb)(void *arg), void *arg);
uint64_t store_put_size(const store_put *p);
/* Flushes and makes the data durable; the observer has seen every byte
 * when cb runs. */
void store_put_finish(store_put *p, store_done_cb cb, void *arg);

typedef struct put_conditions {
    const char *if_match;       /* unquoted etag or "*" */
    const char *if_none_match;  /* "*" or unquoted etag */
} put_conditions;

/* Publishes the object: info carries etag, headers, checksum; size, data,
 * flags and (in a versioned bucket) version_id are filled in here.  Frees
 * p after cb. */
void store_put_commit(store_put *p, const char *bucket, const char *key, object_info *info,
                      const put_conditions *cond, store_done_cb cb, void *arg);
/* Drops the upload at any point; nothing becomes visible. */
void store_put_abort(store_put *p);

/* Multipart uploads.  Parts are written with store_put (always to data
 * files: store_put_no_inline) and published with store_part_commit. */
void store_put_no_inline(store_put *p);
/* Storage class REDUCED_REDUNDANCY: coded with the reduced parity
 * (CAIRN_STORAGE_CLASS_RRS / MINIO_STORAGE_CLASS_RRS, EC:1 by default). */
void store_put_reduced(store_put *p, int reduced);
int store_parity(const store *s, int reduced);
void store_part_commit(store_put *p, const char *bucket, const char *key, const char *upload_id,
                       uint32_t part_number, object_info *info, store_done_cb cb, void *arg);
/* meta_info carries the headers and checksum algorithm the object will
 * get; upload_id (32 hex) is written before cb runs. */
void store_upload_create(store *s, const char *bucket, const char *key, object_info *meta_info,
                         char upload_id[33], store_done_cb cb, void *arg);
store_status store_upload_get(store *s, arena *a, const char *bucket, const char *key, const char *upload_id,
                              object_info *out);
store_status store_part_list(store *s, arena *a, const char *upload_id, uint32_t marker, size_t max,
                             obj_part **out, size_t *n, int *truncated);
store_status store_upload_list(store *s, arena *a, const char *bucket, const upload_list_params *p,
                               upload_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                               int *truncated);
store_status store_stale_uploads(store *s, arena *a, int64_t cutoff_ns, size_t max, const char ***buckets,
                                 upload_entry **out, size_t *n);
/* Publishes final (parts[] = the parts chosen, with their data ids as
 * listed) as the object, atomically with removing the upload; a part
 * re-uploaded since it was listed fails with ST_INVALID_PART. */
void store_upload_complete(store *s, const char *bucket, const char *key, const char *upload_id,
                           object_info *final, const put_conditions *cond, store_done_cb cb, void *arg);
void store_upload_abort(store *s, const char *bucket, const char *key, const char *upload_id, store_done_cb cb,
                        void *arg);

/* Aborts, every interval, the uploads initiated more than max_age ago:
 * their parts' space comes back. */
void store_start_upload_expiry(store *s, uint64_t max_age_ms, uint64_t interval_ms);

/* A periodic task of the layer above (the lifecycle scanner), run on the
 * event loop every interval until the store closes. */
void store_set_periodic(store *s, void (*tick)(void *ctx), void *ctx, uint64_t interval_ms);

/* Reading object data (objects that are not inline; multipart objects
 * read across their parts' files transparently) */
typedef struct store_reader store_reader;
typedef void (*store_open_cb)(void *arg, store_status st, store_reader *r);
typedef void (*store_read_cb)(void *arg, ssize_t n_or_error);
void store_read_open(store *s, const object_info *o, store_open_cb cb, void *arg);
void store_read(store_reader *r, uint64_t off, void *buf, size_t n, store_read_cb cb, void *arg);
void store_read_close(store_reader *r);

/* Deleting */
void store_object_delete(store *s, const char *bucket, const char *key, store_done_cb cb, void *arg);

#endif

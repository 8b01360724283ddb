/*
 * meta — bucket and object metadata in LMDB, with group commit.
 *
 * Reads run on the event-loop thread: an LMDB read transaction never blocks
 * and costs a few microseconds, so a small GET is one lookup and no context
 * switch.  Writes never run there: they are queued to one writer thread,
 * which takes every operation queued while the previous commit was under
 * way and applies them all in one transaction, so N concurrent PUTs share
 * one fsync.  Preconditions (If-Match, If-None-Match, bucket existence,
 * emptiness) are evaluated inside that transaction, so they are atomic with
 * the write they guard.
 *
 * Keys are "bucket\0key".  LMDB keys are limited to 511 bytes; a longer one
 * is stored as its first bytes, 0xFF (a byte UTF-8 never contains) and a
 * hash of the whole key, with the full key kept in the record.  Listing
 * order is exact except among keys that share their first ~440 bytes.
 *
 * Owns: the LMDB environment under DIR/.cairn.sys/meta.  Does not touch data
 * files; it reports the data id a write replaced so the caller removes it.
 */
#ifndef CAIRN_META_H
#define CAIRN_META_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "../common/arena.h"
#include "record.h"
#include "store_status.h"

typedef struct meta meta;

int meta_open(uv_loop_t *loop, const char *sys_dir, meta **out);
/* Finishes queued writes, stops the writer and closes LMDB. */
void meta_close(meta *m);

/* ---- reads: event-loop thread only ---- */
store_status meta_get_bucket(meta *m, const char *bucket, bucket_info *out);
store_status meta_list_buckets(meta *m, arena *a, bucket_info **out, size_t *n);
store_status meta_get_object(meta *m, arena *a, const char *bucket, const char *key, object_info *out);

typedef struct list_params {
    const char *prefix;
    const char *delimiter;       /* NULL or "" for none */
    const char *after;           /* list strictly after this key (marker) */
    size_t max_keys;
} list_params;

typedef struct list_result {
    object_info *objects;        /* key set on each */
    size_t n_objects;
    const char **prefixes;
    size_t n_prefixes;
    int truncated;
    const char *next_marker;     /* last key or prefix returned */
} list_result;

store_status meta_list_objects(meta *m, arena *a, const char *bucket, const list_params *p, list_result *r);

/* A bucket's configuration documents (tagging, cors, ...), by name.
 * ST_NO_SUCH_KEY when the bucket has none of that name. */
store_status meta_get_bucket_config(meta *m, arena *a, const char *bucket, const char *name, char **out,
                                    size_t *len);

/* Versioning.  0 never enabled, 1 Enabled, 2 Suspended. */
int meta_bucket_versioning(meta *m, const char *bucket);
/* One version by id ("null" included); ST_NO_SUCH_VERSION when absent. */
store_status meta_get_version(meta *m, arena *a, const char *bucket, const char *key, const char *version_id,
                              object_info *out);
/* The newest version when it is a delete marker (GET of a deleted key in a
 * versioned bucket says so); 0 when there is none. */
int meta_latest_marker(meta *m, arena *a, const char *bucket, const char *key, char version_out[40]);

typedef struct version_entry {
    object_info info;            /* key and version_id set; OBJ_DELETE_MARKER for markers */
    int is_latest;
} version_entry;
typedef struct version_list_params {
    const char *prefix, *delimiter, *key_marker, *version_id_marker;
    size_t max;
} version_list_params;
store_status meta_list_versions(meta *m, arena *a, const char *bucket, const version_list_params *p,
                                version_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                                int *truncated, const char **next_key, const char **next_version);

/* Multipart uploads in progress.  An upload's record is an object record
 * (metadata the final object will get; mtime = initiation). */
typedef struct upload_entry {
    const char *key;
    const char *upload_id;
    object_info meta;
} upload_entry;

store_status meta_get_upload(meta *m, arena *a, const char *bucket, const char *key, const char *upload_id,
                             object_info *out);
/* Parts after part_marker, at most max (0: all); *truncated when more. */
store_status meta_list_parts(meta *m, arena *a, const char *upload_id, uint32_t part_marker, size_t max,
                             obj_part **out, size_t *n, int *truncated);
typedef struct upload_list_params {
    const char *prefix, *delimiter, *key_marker, *upload_id_marker;
    size_t max;
} upload_list_params;
store_status meta_list_uploads(meta *m, arena *a, const char *bucket, const upload_list_params *p,
                               upload_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                               int *truncated);
/* Every upload initiated before cutoff_ns (the stale-upload sweeper). */
store_status meta_stale_uploads(meta *m, arena *a, int64_t cutoff_ns, size_t max,
                                const char ***buckets, upload_entry **out, size_t *n);

/* ---- writes: queued to the writer thread ---- */
typedef enum {
    META_BUCKET_CREATE, META_BUCKET_DELETE, META_OBJECT_PUT, META_OBJECT_DELETE,
    META_UPLOAD_CREATE, META_PART_PUT, META_UPLOAD_COMPLETE, META_UPLOAD_ABORT,
    META_OBJECT_TAGS,          /* record = the new tag set (empty: none) */
    META_BUCKET_VERSIONING,    /* record = "Enabled" or "Suspended" */
    META_OBJECT_LOCK,          /* set retention / legal hold of a version */
    META_BUCKET_CONFIG,        /* key = config name; record = document (empty: delete) */
} meta_op_kind;

/* A part a CompleteMultipartUpload consumes, as the caller saw it. */
typedef struct meta_expected_part { uint32_t number; data_id data; } meta_expected_part;

typedef struct meta_op meta_op;
typedef void (*meta_done_cb)(meta_op *op);

struct meta_op {
    meta_op_kind kind;
    const char *bucket;
    const char *key;
    unsigned char *record;       /* malloc'd, freed by meta once applied */
    size_t record_len;
    /* conditions for META_OBJECT_PUT */
    const char *if_match;        /* etag (unquoted) the current object must have; for deletes "*" is any */
    /* META_OBJECT_DELETE: when has_if_size / has_if_mtime, the target (a
     * version, or the current object) must also have this size / this
     * Last-Modified second */
    int has_if_size, has_if_mtime;
    int64_t if_size, if_mtime_s;
    const char *if_none_match;   /* "*" or an etag the current object must not have */
    /* multipart */
    const char *upload_id;
    uint32_t part_number;
    const meta_expected_part *expected;   /* META_UPLOAD_COMPLETE */
    size_t n_expected;
    unsigned char *done_record;           /* META_UPLOAD_COMPLETE: kept as the upload's record */
    size_t done_record_len;
    /* versioning: the bucket's state when the op was made (0 never
     * versioned, 1 Enabled, 2 Suspended), the version a delete names, the
     * id a new version or delete marker gets */
    int versioning;
    const char *version_id;
    const char *new_version_id;
    char result_version[40];              /* the version written or removed */
    int result_marker;                    /* it is (or was) a delete marker */
    /* object lock: deletes of a locked version are refused unless
     * bypass_governance (GOVERNANCE only); META_OBJECT_LOCK sets these */
    int bypass_governance;
    int set_retention, set_legal_hold;
    uint8_t lock_mode, legal_hold;
    int64_t retain_until_ns;
    int64_t now_ns;
    /* results */
    store_status status;
    int replaced;                /* a previous object (or part) existed */
    data_id *garbage;            /* data files no record references any more */
    size_t n_garbage;            /* (malloc'd; the caller removes and frees) */
    meta_done_cb done;
    void *arg;
    meta_op *next;
};

void meta_submit(meta *m, meta_op *op);

/* Replication across drives: each committed batch bumps a sequence
 * number; meta_copy_from brings a blank or stale drive level. */
uint64_t meta_seq(meta *m);
/* Calls add for every data id a record references (any thread). */
int meta_collect_data_ids(meta *m, void (*add)(void *ctx, const data_id *id), void *ctx);
int meta_copy_from(meta *dst, meta *src);
/* A consistent, compacted copy of the whole database written to fd (a
 * read transaction: writers go on meanwhile).  Any thread.  0 or an LMDB
 * error. */
int meta_snapshot_fd(meta *m, int fd);

/* Every record of the objects (versions = 0) or versions database in key
 * order, resuming after the raw key `after` (NULL: from the start); *last
 * gets the raw key of the last record seen (in the arena).  Stops when fn
 * returns nonzero or after max records (*more then says there is more).
 * For the heal scanner.  Event-loop thread. */
typedef int (*meta_scan_fn)(void *ctx, const char *bucket, const char *key, const object_info *o);
store_status meta_scan(meta *m, arena *a, int versions, const void *after, size_t after_len, size_t max,
                       meta_scan_fn fn, void *ctx, void **last, size_t *last_len, int *more);

#endif

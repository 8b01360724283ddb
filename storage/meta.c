#include "meta.h"

#include <errno.h>
#include <lmdb.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "fsio.h"

enum {
    META_MAX_BATCH = 256,
    LMDB_KEY_MAX = 511,
    LONG_KEY_HASH = 16,
    UPLOAD_ID_LEN = 32,
};

struct meta {
    MDB_env *env;
    MDB_dbi buckets, objects, uploads, parts, sys, bconfig, versions;
    MDB_txn *read_txn;           /* loop thread's cached read transaction */
    uv_loop_t *loop;
    uv_async_t done_async;
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    meta_op *queue_head, *queue_tail;
    meta_op *done_head, *done_tail;
    int stopping;
    int writer_started;
};

const char *store_status_text(store_status s)
{
    switch (s) {
    case ST_OK: return "ok";
    case ST_NO_SUCH_BUCKET: return "no such bucket";
    case ST_NO_SUCH_KEY: return "no such key";
    case ST_BUCKET_EXISTS: return "bucket exists";
    case ST_BUCKET_NOT_EMPTY: return "bucket not empty";
    case ST_PRECONDITION_FAILED: return "precondition failed";
    case ST_NO_SPACE: return "no space left on drive";
    case ST_IO_ERROR: return "I/O error";
    case ST_CORRUPT: return "corrupt record";
    case ST_SHUTTING_DOWN: return "shutting down";
    case ST_NO_SUCH_UPLOAD: return "no such upload";
    case ST_INVALID_PART: return "invalid part";
    case ST_UPLOAD_COMPLETED: return "upload completed";
    case ST_NO_SUCH_VERSION: return "no such version";
    case ST_DELETE_MARKER: return "delete marker";
    case ST_LOCKED: return "locked by retention or legal hold";
    case ST_NO_WRITE_QUORUM: return "write quorum not available";
    case ST_NO_READ_QUORUM: return "read quorum not available";
    }
    return "?";
}

static store_status from_mdb(int rc)
{
    switch (rc) {
    case 0: return ST_OK;
    case MDB_NOTFOUND: return ST_NO_SUCH_KEY;
    case MDB_MAP_FULL: case ENOSPC: return ST_NO_SPACE;
    default: return ST_IO_ERROR;
    }
}

/* ---- key encoding ---- */

typedef struct meta_key { unsigned char b[LMDB_KEY_MAX]; size_t len; int is_long; } meta_key;

/* reserve: bytes the caller appends after the encoded key. */
static void key_encode_reserve(const char *bucket, const char *key, size_t reserve, meta_key *k)
{
    size_t bl = strlen(bucket), kl = strlen(key), max = LMDB_KEY_MAX - reserve;
    memcpy(k->b, bucket, bl);
    k->b[bl] = '\0';
    if (bl + 1 + kl <= max) {
        memcpy(k->b + bl + 1, key, kl);
        k->len = bl + 1 + kl;
        k->is_long = 0;
        return;
    }
    size_t keep = max - (bl + 1) - 1 - LONG_KEY_HASH;
    memcpy(k->b + bl + 1, key, keep);
    k->b[bl + 1 + keep] = 0xFF;
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)key, kl, h);
    memcpy(k->b + bl + 2 + keep, h, LONG_KEY_HASH);
    k->len = max;
    k->is_long = 1;
}

static void key_encode(const char *bucket, const char *key, meta_key *k) { key_encode_reserve(bucket, key, 0, k); }

/* uploads: encoded(bucket, key) '\0' upload id — sorted by key, then id */
static void upload_key(const char *bucket, const char *key, const char *upload_id, meta_key *k)
{
    key_encode_reserve(bucket, key, 1 + UPLOAD_ID_LEN, k);
    k->b[k->len++] = '\0';
    size_t n = strnlen(upload_id, UPLOAD_ID_LEN);
    memcpy(k->b + k->len, upload_id, n);
    k->len += n;
}

/* parts: upload id, part number big-endian — an upload's parts in order */
static void part_key(const char *upload_id, uint32_t number, unsigned char out[UPLOAD_ID_LEN + 4], size_t *len)
{
    size_t n = strnlen(upload_id, UPLOAD_ID_LEN);
    memcpy(out, upload_id, n);
    out[n] = (unsigned char)(number >> 24);
    out[n + 1] = (unsigned char)(number >> 16);
    out[n + 2] = (unsigned char)(number >> 8);
    out[n + 3] = (unsigned char)number;
    *len = n + 4;
}

/* ---- open / close ---- */

static void *writer_main(void *arg);
static void on_done_async(uv_async_t *a);

int meta_open(uv_loop_t *loop, const char *sys_dir, meta **out)
{
    meta *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    char path[1200];
    snprintf(path, sizeof path, "%s/meta", sys_dir);
    int rc = fsio_mkdirs(path, 0700);
    if (rc) { free(m); return rc; }
    if ((rc = mdb_env_create(&m->env))) goto fail;
    mdb_env_set_maxdbs(m->env, 16);
    /* Address space only: the file grows as records are written. */
    mdb_env_set_mapsize(m->env, (size_t)64 << 30);
    mdb_env_set_maxreaders(m->env, 256);
    /* NORDAHEAD: records are read at random; readahead only fills memory */
    if ((rc = mdb_env_open(m->env, path, MDB_NOTLS | MDB_NORDAHEAD, 0600))) goto fail;
    int stale = 0;
    mdb_reader_check(m->env, &stale);
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(m->env, NULL, 0, &txn))) goto fail;
    if ((rc = mdb_dbi_open(txn, "buckets", MDB_CREATE, &m->buckets)) ||
        (rc = mdb_dbi_open(txn, "objects", MDB_CREATE, &m->objects)) ||
        (rc = mdb_dbi_open(txn, "uploads", MDB_CREATE, &m->uploads)) ||
        (rc = mdb_dbi_open(txn, "parts", MDB_CREATE, &m->parts)) ||
        (rc = mdb_dbi_open(txn, "sys", MDB_CREATE, &m->sys)) ||
        (rc = mdb_dbi_open(txn, "bconfig", MDB_CREATE, &m->bconfig)) ||
        (rc = mdb_dbi_open(txn, "versions", MDB_CREATE, &m->versions))) {
        mdb_txn_abort(txn);
        goto fail;
    }
    if ((rc = mdb_txn_commit(txn))) goto fail;
    m->loop = loop;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    uv_async_init(loop, &m->done_async, on_done_async);
    m->done_async.data = m;
    if (pthread_create(&m->writer, NULL, writer_main, m) != 0) {
        rc = EAGAIN;
        goto fail;
    }
    m->writer_started = 1;
    *out = m;
    return 0;
fail:
    log_error("metadata at %s: %s", path, mdb_strerror(rc));
    if (m->env) mdb_env_close(m->env);
    free(m);
    return rc > 0 ? -rc : rc;
}

static void free_meta(uv_handle_t *h) { free(h->data); }

void meta_close(meta *m)
{
    if (m->writer_started) {
        pthread_mutex_lock(&m->mu);
        m->stopping = 1;
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->writer, NULL);
    }
    on_done_async(&m->done_async);
    if (m->read_txn) mdb_txn_abort(m->read_txn);
    m->read_txn = NULL;
    mdb_env_sync(m->env, 1);
    mdb_env_close(m->env);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    /* The async handle is freed with m once the loop has closed it. */
    uv_close((uv_handle_t *)&m->done_async, free_meta);
}

/* ---- reads ---- */

static MDB_txn *read_begin(meta *m)
{
    if (m->read_txn) {
        if (mdb_txn_renew(m->read_txn) == 0) return m->read_txn;
        mdb_txn_abort(m->read_txn);
        m->read_txn = NULL;
    }
    if (mdb_txn_begin(m->env, NULL, MDB_RDONLY, &m->read_txn) != 0) {
        m->read_txn = NULL;
        return NULL;
    }
    return m->read_txn;
}

static void read_end(meta *m) { if (m->read_txn) mdb_txn_reset(m->read_txn); }

store_status meta_get_bucket(meta *m, const char *bucket, bucket_info *out)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_val k = { strlen(bucket), (void *)bucket }, v;
    int rc = mdb_get(txn, m->buckets, &k, &v);
    store_status st = ST_OK;
    if (rc == MDB_NOTFOUND) st = ST_NO_SUCH_BUCKET;
    else if (rc) st = from_mdb(rc);
    else if (out) {
        record_decode_bucket(v.mv_data, v.mv_size, out);
        out->name = bucket;
    }
    read_end(m);
    return st;
}

store_status meta_list_buckets(meta *m, arena *a, bucket_info **out, size_t *n)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, m->buckets, &cur)) { read_end(m); return ST_IO_ERROR; }
    size_t cap = 16, count = 0;
    bucket_info *list = arena_alloc(a, cap * sizeof *list);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (count == cap) {
            bucket_info *nl = arena_alloc(a, cap * 2 * sizeof *nl);
            memcpy(nl, list, count * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        record_decode_bucket(v.mv_data, v.mv_size, &list[count]);
        list[count].name = arena_strndup(a, k.mv_data, k.mv_size);
        count++;
    }
    mdb_cursor_close(cur);
    read_end(m);
    *out = list;
    *n = count;
    return ST_OK;
}

store_status meta_get_object(meta *m, arena *a, const char *bucket, const char *key, object_info *out)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    meta_key mk;
    key_encode(bucket, key, &mk);
    MDB_val k = { mk.len, mk.b }, v;
    int rc = mdb_get(txn, m->objects, &k, &v);
    store_status st;
    if (rc == MDB_NOTFOUND) {
        MDB_val bk = { strlen(bucket), (void *)bucket }, bv;
        st = mdb_get(txn, m->buckets, &bk, &bv) == 0 ? ST_NO_SUCH_KEY : ST_NO_SUCH_BUCKET;
    } else if (rc) {
        st = from_mdb(rc);
    } else if (record_decode_object(v.mv_data, v.mv_size, a, out) != 0) {
        st = ST_CORRUPT;
    } else {
        if (!out->key) out->key = arena_strdup(a, key);
        st = ST_OK;
    }
    read_end(m);
    return st;
}

/* Key of a listed entry: from the LMDB key, or the record when long. */
static const char *entry_key(arena *a, const MDB_val *k, size_t bucket_len, const object_info *o)
{
    if (o->key) return o->key;
    return arena_strndup(a, (const char *)k->mv_data + bucket_len + 1, k->mv_size - bucket_len - 1);
}

store_status meta_list_objects(meta *m, arena *a, const char *bucket, const list_params *p, list_result *r)
{
    memset(r, 0, sizeof *r);
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_val bk = { strlen(bucket), (void *)bucket }, bv;
    if (mdb_get(txn, m->buckets, &bk, &bv) != 0) { read_end(m); return ST_NO_SUCH_BUCKET; }
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, m->objects, &cur)) { read_end(m); return ST_IO_ERROR; }

    const char *prefix = p->prefix ? p->prefix : "";
    const char *delim = p->delimiter && *p->delimiter ? p->delimiter : NULL;
    size_t plen = strlen(prefix), dlen = delim ? strlen(delim) : 0, blen = strlen(bucket);
    size_t cap_o = p->max_keys < 64 ? p->max_keys + 1 : 64, cap_p = 16;
    r->objects = arena_alloc(a, cap_o * sizeof *r->objects);
    r->prefixes = arena_alloc(a, cap_p * sizeof *r->prefixes);

    /* Where to start: the later of the prefix and just after the marker.
     * A marker inside a rolled-up prefix skips that whole prefix. */
    char *seek = arena_strdup(a, prefix);
    int skip_equal = 0;
    if (p->after && strcmp(p->after, prefix) >= 0) {
        const char *after = p->after;
        const char *d = delim && strncmp(after, prefix, plen) == 0 ? strstr(after + plen, delim) : NULL;
        if (d) {
            size_t cpl = (size_t)(d - after) + dlen;
            seek = arena_alloc(a, cpl + 2);
            memcpy(seek, after, cpl);
            seek[cpl] = (char)0xFF;
            seek[cpl + 1] = '\0';
        } else {
            seek = arena_strdup(a, after);
            skip_equal = 1;
        }
    }
    meta_key mk;
    key_encode(bucket, seek, &mk);
    MDB_val k = { mk.len, mk.b }, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    size_t count = 0;
    const char *last_prefix = NULL;
    while (rc == 0) {
        if (k.mv_size <= blen || memcmp(k.mv_data, bucket, blen) != 0 || ((char *)k.mv_data)[blen] != '\0') break;
        object_info o;
        if (record_decode_listing(v.mv_data, v.mv_size, a, &o) != 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        const char *key = entry_key(a, &k, blen, &o);
        if (strncmp(key, prefix, plen) != 0) {
            /* Sorted order ends the prefix range, except that a long key's
             * stored position only follows its first bytes. */
            if (strcmp(key, prefix) > 0 && !o.key) break;
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        if (skip_equal && strcmp(key, p->after) <= 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        const char *d = delim ? strstr(key + plen, delim) : NULL;
        if (d) {
            size_t cpl = (size_t)(d - key) + dlen;
            if (!last_prefix || strncmp(last_prefix, key, cpl) != 0 || last_prefix[cpl] != '\0') {
                if (count == p->max_keys) { r->truncated = 1; break; }
                if (r->n_prefixes == cap_p) {
                    const char **np = arena_alloc(a, cap_p * 2 * sizeof *np);
                    memcpy(np, r->prefixes, r->n_prefixes * sizeof *np);
                    r->prefixes = np;
                    cap_p *= 2;
                }
                last_prefix = arena_strndup(a, key, cpl);
                r->prefixes[r->n_prefixes++] = last_prefix;
                r->next_marker = last_prefix;
                count++;
            }
            /* Jump past every key under this prefix. */
            char *next = arena_alloc(a, cpl + 2);
            memcpy(next, key, cpl);
            next[cpl] = (char)0xFF;
            next[cpl + 1] = '\0';
            key_encode(bucket, next, &mk);
            k.mv_size = mk.len;
            k.mv_data = mk.b;
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
            continue;
        }
        if (count == p->max_keys) { r->truncated = 1; break; }
        if (r->n_objects == cap_o) {
            object_info *no = arena_alloc(a, cap_o * 2 * sizeof *no);
            memcpy(no, r->objects, r->n_objects * sizeof *no);
            r->objects = no;
            cap_o *= 2;
        }
        o.key = key;
        r->objects[r->n_objects++] = o;
        r->next_marker = key;
        count++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    read_end(m);
    return ST_OK;
}

/* ---- writer thread ---- */

void meta_submit(meta *m, meta_op *op)
{
    op->next = NULL;
    op->status = ST_OK;
    op->replaced = 0;
    op->garbage = NULL;
    op->n_garbage = 0;
    pthread_mutex_lock(&m->mu);
    if (m->queue_tail) m->queue_tail->next = op; else m->queue_head = op;
    m->queue_tail = op;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

/* Whether a database keyed "bucket\0..." has any record of the bucket. */
static int db_has_bucket(MDB_txn *txn, MDB_dbi db, const char *bucket)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, db, &cur)) return 1;
    size_t bl = strlen(bucket);
    unsigned char kb[LMDB_KEY_MAX];
    memcpy(kb, bucket, bl);
    kb[bl] = '\0';
    MDB_val k = { bl + 1, kb }, v;
    int has = 0;
    if (mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == 0)
        has = k.mv_size > bl && memcmp(k.mv_data, bucket, bl) == 0 && ((char *)k.mv_data)[bl] == '\0';
    mdb_cursor_close(cur);
    return has;
}

static void push_garbage(meta_op *op, const data_id *id)
{
    if (data_id_is_zero(id)) return;
    data_id *g = realloc(op->garbage, (op->n_garbage + 1) * sizeof *g);
    if (!g) return;   /* a leaked file, never a lost one */
    op->garbage = g;
    g[op->n_garbage++] = *id;
}

/* Every data file a record references. */
static void garbage_of(meta_op *op, const object_info *o)
{
    if (o->flags & OBJ_MULTIPART) {
        for (size_t i = 0; i < o->n_parts; i++) push_garbage(op, &o->parts[i].data);
    } else if (!(o->flags & OBJ_INLINE)) {
        push_garbage(op, &o->data);
    }
}

static void clear_results(meta_op *op)
{
    free(op->garbage);
    op->garbage = NULL;
    op->n_garbage = 0;
    op->replaced = 0;
}

static int bucket_exists(meta *m, MDB_txn *txn, const char *bucket)
{
    MDB_val bk = { strlen(bucket), (void *)bucket }, bv;
    return mdb_get(txn, m->buckets, &bk, &bv) == 0;
}


/* ---- versions ----
 * versions: encoded(bucket, key) '\0' (UINT64_MAX - mtime) big-endian,
 * version id -- a key's versions newest first.  A bucket gets entries here
 * once versioning was enabled on it (its objects then move in as "null"
 * versions); the objects database keeps serving the latest version. */

enum { VERSION_ID_MAX = 40, VERSION_SUFFIX = 1 + 8 + VERSION_ID_MAX };

static void version_prefix(const char *bucket, const char *key, meta_key *k)
{
    key_encode_reserve(bucket, key, VERSION_SUFFIX, k);
    k->b[k->len++] = '\0';
}

static void version_key(const char *bucket, const char *key, int64_t mtime_ns, const char *vid, meta_key *k)
{
    version_prefix(bucket, key, k);
    uint64_t inv = UINT64_MAX - (uint64_t)mtime_ns;
    for (int i = 7; i >= 0; i--) k->b[k->len++] = (unsigned char)(inv >> (8 * i));
    size_t n = strnlen(vid, VERSION_ID_MAX);
    memcpy(k->b + k->len, vid, n);
    k->len += n;
}

typedef struct stored_version {
    object_info info;
    MDB_val key;                 /* copy of the LMDB key (for deletion) */
} stored_version;

/* Every version of one key, newest first. */
static size_t versions_of(meta *m, MDB_txn *txn, const char *bucket, const char *key, arena *a, stored_version **out)
{
    meta_key pk;
    version_prefix(bucket, key, &pk);
    MDB_cursor *cur;
    *out = NULL;
    if (mdb_cursor_open(txn, m->versions, &cur)) return 0;
    size_t n = 0, cap = 8;
    stored_version *list = arena_alloc(a, cap * sizeof *list);
    MDB_val k = { pk.len, pk.b }, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size > pk.len && memcmp(k.mv_data, pk.b, pk.len) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (n == cap) {
            stored_version *nl = arena_alloc(a, cap * 2 * sizeof *nl);
            memcpy(nl, list, n * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        if (record_decode_object(v.mv_data, v.mv_size, a, &list[n].info) != 0) continue;
        list[n].key.mv_size = k.mv_size;
        list[n].key.mv_data = arena_strndup(a, k.mv_data, k.mv_size);
        if (!list[n].info.key) list[n].info.key = key;
        n++;
    }
    mdb_cursor_close(cur);
    *out = list;
    return n;
}

static int versioning_in_txn(meta *m, MDB_txn *txn, const char *bucket)
{
    size_t bl = strlen(bucket);
    char ck[80];
    if (bl + 12 > sizeof ck) return 0;
    memcpy(ck, bucket, bl);
    ck[bl] = '\0';
    memcpy(ck + bl + 1, "versioning", 10);
    MDB_val k = { bl + 11, ck }, v;
    if (mdb_get(txn, m->bconfig, &k, &v) != 0) return 0;
    if (v.mv_size == 7 && memcmp(v.mv_data, "Enabled", 7) == 0) return 1;
    if (v.mv_size == 9 && memcmp(v.mv_data, "Suspended", 9) == 0) return 2;
    return 0;
}

/* Conditional deletes (If-Match, x-amz-if-match-size and
 * -last-modified-time, or a DeleteObjects entry's ETag/Size/
 * LastModifiedTime): judged in the delete's own transaction against what
 * it would remove.  1 the conditions hold; 0 there is nothing at all (the
 * delete succeeds doing nothing, not even a delete marker); -1 they do not
 * hold (a delete marker in the way fails all but a bare "*"). */
static int delete_conditions_hold(meta *m, MDB_txn *txn, const meta_op *op, arena *scratch)
{
    object_info cur;
    int found = 0, marker = 0;
    if (op->version_id) {
        stored_version *vs;
        size_t n = versions_of(m, txn, op->bucket, op->key, scratch, &vs);
        for (size_t i = 0; i < n && !found; i++) {
            if (strcmp(vs[i].info.version_id, op->version_id) != 0) continue;
            cur = vs[i].info;
            found = 1;
            marker = (cur.flags & OBJ_DELETE_MARKER) != 0;
        }
        if (!found && strcmp(op->version_id, "null") == 0) goto plain;
        if (!found) return 0;
    } else {
    plain:;
        meta_key mk;
        key_encode(op->bucket, op->key, &mk);
        MDB_val k = { mk.len, mk.b }, v;
        if (mdb_get(txn, m->objects, &k, &v) == 0 && record_decode_object(v.mv_data, v.mv_size, scratch, &cur) == 0) {
            found = 1;
        } else {
            stored_version *vs;
            if (versions_of(m, txn, op->bucket, op->key, scratch, &vs) == 0) return 0;
            marker = 1;                  /* the newest version is a delete marker */
        }
    }
    /* a delete marker in the way: only "*" alone lets the delete go on
     * (it removes nothing that exists) */
    if (marker) return op->if_match && !strcmp(op->if_match, "*") && !op->has_if_size && !op->has_if_mtime ? 1 : -1;
    if (op->if_match && strcmp(op->if_match, "*") != 0 && strcmp(op->if_match, cur.etag) != 0) return -1;
    if (op->has_if_size && (int64_t)cur.size != op->if_size) return -1;
    if (op->has_if_mtime && cur.mtime_ns / 1000000000 != op->if_mtime_s) return -1;
    return 1;
}

static int put_version_record(meta *m, MDB_txn *txn, const char *bucket, const char *key, int64_t mtime,
                              const char *vid, const void *rec, size_t len)
{
    meta_key vk;
    version_key(bucket, key, mtime, vid, &vk);
    MDB_val k = { vk.len, vk.b }, v = { len, (void *)rec };
    return mdb_put(txn, m->versions, &k, &v, 0);
}

/* Object lock: a version under legal hold, or retained until a time
 * still to come, cannot be removed -- GOVERNANCE yields to a bypass,
 * COMPLIANCE to nobody. */
static int version_locked(const object_info *o, int64_t now_ns, int bypass)
{
    if (o->legal_hold) return 1;
    if (!o->lock_mode || o->retain_until_ns <= now_ns) return 0;
    return o->lock_mode == LOCK_COMPLIANCE || !bypass;
}

/* Removes the "null" version of a key (Suspended writes replace it). */
static int drop_null_version(meta *m, MDB_txn *txn, meta_op *op, arena *scratch)
{
    stored_version *vs;
    size_t n = versions_of(m, txn, op->bucket, op->key, scratch, &vs);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(vs[i].info.version_id, "null") != 0) continue;
        if (!(vs[i].info.flags & OBJ_DELETE_MARKER)) garbage_of(op, &vs[i].info);
        return mdb_del(txn, m->versions, &vs[i].key, NULL);
    }
    return 0;
}

/* After a version is removed, the objects database serves the newest
 * remaining one, unless that is a delete marker. */
static int refresh_latest(meta *m, MDB_txn *txn, const char *bucket, const char *key, arena *scratch)
{
    stored_version *vs;
    size_t n = versions_of(m, txn, bucket, key, scratch, &vs);
    meta_key mk;
    key_encode(bucket, key, &mk);
    MDB_val k = { mk.len, mk.b };
    if (n == 0 || (vs[0].info.flags & OBJ_DELETE_MARKER)) {
        int rc = mdb_del(txn, m->objects, &k, NULL);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    MDB_val vk = vs[0].key, vv;
    int rc = mdb_get(txn, m->versions, &vk, &vv);
    if (rc) return rc;
    return mdb_put(txn, m->objects, &k, &vv, 0);
}

/* Turning versioning on moves the bucket's objects in as "null" versions. */
static int migrate_to_versions(meta *m, MDB_txn *txn, const char *bucket, arena *scratch)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, m->objects, &cur);
    if (rc) return rc;
    size_t bl = strlen(bucket);
    unsigned char start[LMDB_KEY_MAX];
    memcpy(start, bucket, bl);
    start[bl] = '\0';
    MDB_val k = { bl + 1, start }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size > bl && memcmp(k.mv_data, start, bl + 1) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        object_info o;
        if (record_decode_object(v.mv_data, v.mv_size, scratch, &o) != 0) continue;
        const char *key = o.key ? o.key : arena_strndup(scratch, (char *)k.mv_data + bl + 1, k.mv_size - bl - 1);
        snprintf(o.version_id, sizeof o.version_id, "null");
        unsigned char *rec;
        size_t len;
        if (record_encode_object(&o, o.key, &rec, &len) != 0) { rc = ENOMEM; break; }
        int r2 = put_version_record(m, txn, bucket, key, o.mtime_ns, "null", rec, len);
        /* the latest record says it is the null version too */
        if (r2 == 0) {
            MDB_val nv = { len, rec };
            r2 = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
        }
        free(rec);
        if (r2) { rc = r2; break; }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}


/* Writes an object record in place of the current one, under the op's
 * conditions; the replaced record's data becomes garbage (unversioned), or
 * stays as a noncurrent version (versioned). */
static int put_object_record(meta *m, MDB_txn *txn, meta_op *op, arena *scratch)
{
    meta_key mk;
    key_encode(op->bucket, op->key, &mk);
    MDB_val k = { mk.len, mk.b }, v;
    int rc = mdb_get(txn, m->objects, &k, &v);
    if (rc && rc != MDB_NOTFOUND) return rc;
    int exists = rc == 0;
    object_info prev;
    memset(&prev, 0, sizeof prev);
    if (exists && record_decode_object(v.mv_data, v.mv_size, scratch, &prev) != 0) exists = 1;
    if (op->if_match) {
        if (!exists) { op->status = ST_NO_SUCH_KEY; return 0; }
        if (strcmp(op->if_match, "*") != 0 && strcmp(op->if_match, prev.etag) != 0) {
            op->status = ST_PRECONDITION_FAILED;
            return 0;
        }
    }
    if (op->if_none_match && exists &&
        (strcmp(op->if_none_match, "*") == 0 || strcmp(op->if_none_match, prev.etag) == 0)) {
        op->status = ST_PRECONDITION_FAILED;
        return 0;
    }
    MDB_val nv = { op->record_len, op->record };
    if (op->versioning) {
        object_info cur;
        if (record_decode_listing(op->record, op->record_len, scratch, &cur) != 0) return EINVAL;
        const char *vid = op->versioning == 1 && cur.version_id[0] ? cur.version_id : "null";
        if (op->versioning == 2 && (rc = drop_null_version(m, txn, op, scratch)) != 0) return rc;
        if ((rc = put_version_record(m, txn, op->bucket, op->key, cur.mtime_ns, vid, op->record, op->record_len)) != 0)
            return rc;
        snprintf(op->result_version, sizeof op->result_version, "%s", vid);
        op->replaced = exists;
        return mdb_put(txn, m->objects, &k, &nv, 0);
    }
    rc = mdb_put(txn, m->objects, &k, &nv, 0);
    if (rc == 0 && exists) {
        op->replaced = 1;
        garbage_of(op, &prev);
    }
    return rc;
}

/* Deletes every part record of an upload; parts not among op->expected
 * become garbage. */
static int drop_parts(meta *m, MDB_txn *txn, meta_op *op, const char *upload_id, arena *scratch)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, m->parts, &cur);
    if (rc) return rc;
    unsigned char pk[UPLOAD_ID_LEN + 4];
    size_t pl;
    part_key(upload_id, 0, pk, &pl);
    size_t idl = pl - 4, n = 0, cap = 16;
    unsigned char **keys = arena_alloc(scratch, cap * sizeof *keys);
    MDB_val k = { pl, pk }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size == pl && memcmp(k.mv_data, upload_id, idl) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        object_info part;
        if (record_decode_listing(v.mv_data, v.mv_size, scratch, &part) == 0) {
            int kept = 0;
            for (size_t i = 0; i < op->n_expected; i++)
                if (memcmp(op->expected[i].data.b, part.data.b, 16) == 0) kept = 1;
            if (!kept) push_garbage(op, &part.data);
        }
        if (n == cap) {
            unsigned char **nk = arena_alloc(scratch, cap * 2 * sizeof *nk);
            memcpy(nk, keys, n * sizeof *nk);
            keys = nk;
            cap *= 2;
        }
        keys[n] = arena_alloc(scratch, pl);
        memcpy(keys[n++], k.mv_data, pl);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc != 0) return rc;
    for (size_t i = 0; i < n; i++) {
        MDB_val dk = { pl, keys[i] };
        if ((rc = mdb_del(txn, m->parts, &dk, NULL)) != 0) return rc;
    }
    return 0;
}

/* Aborts every upload in progress in a bucket (the bucket is going away). */
static int drop_bucket_uploads(meta *m, MDB_txn *txn, meta_op *op, const char *bucket, arena *scratch)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, m->uploads, &cur);
    if (rc) return rc;
    size_t bl = strlen(bucket);
    unsigned char start[LMDB_KEY_MAX];
    memcpy(start, bucket, bl);
    start[bl] = '\0';
    MDB_val k = { bl + 1, start }, v;
    size_t n = 0, cap = 16;
    MDB_val *keys = arena_alloc(scratch, cap * sizeof *keys);
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size > bl + 1 + UPLOAD_ID_LEN && memcmp(k.mv_data, start, bl + 1) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (n == cap) {
            MDB_val *nk = arena_alloc(scratch, cap * 2 * sizeof *nk);
            memcpy(nk, keys, n * sizeof *nk);
            keys = nk;
            cap *= 2;
        }
        keys[n].mv_size = k.mv_size;
        keys[n].mv_data = arena_strndup(scratch, k.mv_data, k.mv_size);
        n++;
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc != 0) return rc;
    for (size_t i = 0; i < n; i++) {
        char id[UPLOAD_ID_LEN + 1];
        memcpy(id, (char *)keys[i].mv_data + keys[i].mv_size - UPLOAD_ID_LEN, UPLOAD_ID_LEN);
        id[UPLOAD_ID_LEN] = '\0';
        if ((rc = drop_parts(m, txn, op, id, scratch)) != 0) return rc;
        if ((rc = mdb_del(txn, m->uploads, &keys[i], NULL)) != 0) return rc;
    }
    return 0;
}

/* A deleted bucket takes its configuration documents with it. */
static int drop_bucket_configs(meta *m, MDB_txn *txn, const char *bucket, arena *scratch)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, m->bconfig, &cur);
    if (rc) return rc;
    size_t bl = strlen(bucket);
    char *start = arena_alloc(scratch, bl + 1);
    memcpy(start, bucket, bl);
    start[bl] = '\0';
    MDB_val k = { bl + 1, start }, v;
    size_t n = 0;
    MDB_val keys[64];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && n < 64 && k.mv_size > bl && memcmp(k.mv_data, start, bl + 1) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        keys[n].mv_size = k.mv_size;
        keys[n].mv_data = arena_strndup(scratch, k.mv_data, k.mv_size);
        n++;
    }
    mdb_cursor_close(cur);
    for (size_t i = 0; i < n; i++)
        if ((rc = mdb_del(txn, m->bconfig, &keys[i], NULL)) != 0) return rc;
    return 0;
}

/* An upload record that is still open (not a completion record). */
static int upload_open(const MDB_val *v, arena *scratch)
{
    object_info u;
    return record_decode_listing(v->mv_data, v->mv_size, scratch, &u) == 0 && !(u.flags & OBJ_UPLOAD_DONE);
}

/* Applies one op inside the batch transaction.  A failing precondition
 * fails only its op; an LMDB error fails the batch. */
/* The version op->version_id names among vs (newest first), or the
 * latest when it names none.  Returns n, with op->status set, when there
 * is no such version or it is a delete marker (which has no tags and no
 * lock). */
static size_t find_version(meta_op *op, const stored_version *vs, size_t n)
{
    size_t i = 0;
    if (op->version_id) {
        while (i < n && strcmp(vs[i].info.version_id, op->version_id) != 0) i++;
        if (i == n) { op->status = ST_NO_SUCH_VERSION; return n; }
    } else if (n == 0) {
        op->status = ST_NO_SUCH_KEY;
        return n;
    }
    if (vs[i].info.flags & OBJ_DELETE_MARKER) { op->status = ST_DELETE_MARKER; return n; }
    return i;
}

/* Rewrites one version's record in place; the latest version's record is
 * also the key's current record in the objects DB. */
static int rewrite_version(meta *m, MDB_txn *txn, meta_op *op, const object_info *o, MDB_val *version_key,
                           int latest)
{
    unsigned char *rec;
    size_t len;
    if (record_encode_object(o, o->key && strlen(op->bucket) + 1 + strlen(op->key) > 400 ? o->key : NULL, &rec, &len) != 0)
        return ENOMEM;
    MDB_val nv = { len, rec };
    int rc = mdb_put(txn, m->versions, version_key, &nv, 0);
    if (rc == 0 && latest) {
        meta_key mk;
        key_encode(op->bucket, op->key, &mk);
        MDB_val k = { mk.len, mk.b };
        rc = mdb_put(txn, m->objects, &k, &nv, 0);
    }
    free(rec);
    snprintf(op->result_version, sizeof op->result_version, "%s", o->version_id);
    return rc;
}

static int apply(meta *m, MDB_txn *txn, meta_op *op, arena *scratch)
{
    int rc;
    switch (op->kind) {
    case META_BUCKET_CREATE: {
        MDB_val k = { strlen(op->bucket), (void *)op->bucket }, v = { op->record_len, op->record };
        rc = mdb_put(txn, m->buckets, &k, &v, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST) { op->status = ST_BUCKET_EXISTS; return 0; }
        return rc;
    }
    case META_BUCKET_DELETE: {
        MDB_val k = { strlen(op->bucket), (void *)op->bucket }, v;
        if (mdb_get(txn, m->buckets, &k, &v) == MDB_NOTFOUND) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        if (db_has_bucket(txn, m->objects, op->bucket) || db_has_bucket(txn, m->versions, op->bucket)) {
            op->status = ST_BUCKET_NOT_EMPTY;
            return 0;
        }
        if ((rc = drop_bucket_uploads(m, txn, op, op->bucket, scratch)) != 0) return rc;
        if ((rc = drop_bucket_configs(m, txn, op->bucket, scratch)) != 0) return rc;
        return mdb_del(txn, m->buckets, &k, NULL);
    }
    case META_OBJECT_PUT:
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        return put_object_record(m, txn, op, scratch);
    case META_OBJECT_DELETE: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        if (op->if_match || op->has_if_size || op->has_if_mtime) {
            int held = delete_conditions_hold(m, txn, op, scratch);
            if (held < 0) op->status = ST_PRECONDITION_FAILED;
            if (held <= 0) return 0;
        }
        if (op->version_id && (versioning_in_txn(m, txn, op->bucket) || strcmp(op->version_id, "null") != 0)) {
            /* one version, by id */
            stored_version *vs;
            size_t n = versions_of(m, txn, op->bucket, op->key, scratch, &vs);
            snprintf(op->result_version, sizeof op->result_version, "%s", op->version_id);
            for (size_t i = 0; i < n; i++) {
                if (strcmp(vs[i].info.version_id, op->version_id) != 0) continue;
                if (version_locked(&vs[i].info, op->now_ns, op->bypass_governance)) {
                    op->status = ST_LOCKED;
                    return 0;
                }
                op->result_marker = (vs[i].info.flags & OBJ_DELETE_MARKER) != 0;
                if (!op->result_marker) garbage_of(op, &vs[i].info);
                if ((rc = mdb_del(txn, m->versions, &vs[i].key, NULL)) != 0) return rc;
                return i == 0 ? refresh_latest(m, txn, op->bucket, op->key, scratch) : 0;
            }
            return 0;                                   /* deleting nothing succeeds */
        }
        if (op->versioning) {
            /* a delete marker becomes the newest version */
            object_info mark;
            if (record_decode_listing(op->record, op->record_len, scratch, &mark) != 0) return EINVAL;
            const char *vid = op->versioning == 1 ? mark.version_id : "null";
            if (op->versioning == 2 && (rc = drop_null_version(m, txn, op, scratch)) != 0) return rc;
            if ((rc = put_version_record(m, txn, op->bucket, op->key, mark.mtime_ns, vid, op->record,
                                         op->record_len)) != 0)
                return rc;
            snprintf(op->result_version, sizeof op->result_version, "%s", vid);
            op->result_marker = 1;
            meta_key dk;
            key_encode(op->bucket, op->key, &dk);
            MDB_val k = { dk.len, dk.b };
            rc = mdb_del(txn, m->objects, &k, NULL);
            return rc == MDB_NOTFOUND ? 0 : rc;
        }
        meta_key mk;
        key_encode(op->bucket, op->key, &mk);
        MDB_val k = { mk.len, mk.b }, v;
        rc = mdb_get(txn, m->objects, &k, &v);
        if (rc == MDB_NOTFOUND) return 0;              /* deleting nothing succeeds */
        if (rc) return rc;
        object_info prev;
        if (record_decode_object(v.mv_data, v.mv_size, scratch, &prev) == 0) {
            op->replaced = 1;
            garbage_of(op, &prev);
        }
        return mdb_del(txn, m->objects, &k, NULL);
    }
    case META_UPLOAD_CREATE: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        meta_key uk;
        upload_key(op->bucket, op->key, op->upload_id, &uk);
        MDB_val k = { uk.len, uk.b }, v = { op->record_len, op->record };
        return mdb_put(txn, m->uploads, &k, &v, MDB_NOOVERWRITE);
    }
    case META_PART_PUT: {
        meta_key uk;
        upload_key(op->bucket, op->key, op->upload_id, &uk);
        MDB_val k = { uk.len, uk.b }, v;
        if (mdb_get(txn, m->uploads, &k, &v) != 0 || !upload_open(&v, scratch)) {
            op->status = ST_NO_SUCH_UPLOAD;
            return 0;
        }
        unsigned char pk[UPLOAD_ID_LEN + 4];
        size_t pl;
        part_key(op->upload_id, op->part_number, pk, &pl);
        MDB_val pkv = { pl, pk }, pv;
        if (mdb_get(txn, m->parts, &pkv, &pv) == 0) {
            object_info prev;
            if (record_decode_listing(pv.mv_data, pv.mv_size, scratch, &prev) == 0) {
                op->replaced = 1;
                push_garbage(op, &prev.data);
            }
        }
        MDB_val nv = { op->record_len, op->record };
        return mdb_put(txn, m->parts, &pkv, &nv, 0);
    }
    case META_UPLOAD_COMPLETE: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        meta_key uk;
        upload_key(op->bucket, op->key, op->upload_id, &uk);
        MDB_val k = { uk.len, uk.b }, v;
        if (mdb_get(txn, m->uploads, &k, &v) != 0) { op->status = ST_NO_SUCH_UPLOAD; return 0; }
        if (!upload_open(&v, scratch)) { op->status = ST_UPLOAD_COMPLETED; return 0; }
        /* The parts must still be the ones the caller validated: a part
         * re-uploaded meanwhile changes its data id. */
        for (size_t i = 0; i < op->n_expected; i++) {
            unsigned char pk[UPLOAD_ID_LEN + 4];
            size_t pl;
            part_key(op->upload_id, op->expected[i].number, pk, &pl);
            MDB_val pkv = { pl, pk }, pv;
            object_info part;
            if (mdb_get(txn, m->parts, &pkv, &pv) != 0 ||
                record_decode_listing(pv.mv_data, pv.mv_size, scratch, &part) != 0 ||
                memcmp(part.data.b, op->expected[i].data.b, 16) != 0) {
                op->status = ST_INVALID_PART;
                return 0;
            }
        }
        rc = put_object_record(m, txn, op, scratch);
        if (rc || op->status) return rc;
        if ((rc = drop_parts(m, txn, op, op->upload_id, scratch)) != 0) return rc;
        /* Keep a completion record (the object's record minus its parts)
         * until the stale-upload sweeper removes it. */
        if (op->done_record) {
            MDB_val dv = { op->done_record_len, op->done_record };
            return mdb_put(txn, m->uploads, &k, &dv, 0);
        }
        return mdb_del(txn, m->uploads, &k, NULL);
    }
    case META_OBJECT_TAGS: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        stored_version *vs;
        size_t n = versions_of(m, txn, op->bucket, op->key, scratch, &vs), i;
        if (n > 0) {
            /* a bucket that has been versioned: the version's record in
             * the versions DB, and the current record too when it is the
             * latest, so both views keep the same tags */
            if ((i = find_version(op, vs, n)) == n) return 0;
            object_info o = vs[i].info;
            o.tags = op->record_len ? arena_strndup(scratch, (const char *)op->record, op->record_len) : NULL;
            return rewrite_version(m, txn, op, &o, &vs[i].key, i == 0);
        }
        if (op->version_id && strcmp(op->version_id, "null") != 0) { op->status = ST_NO_SUCH_VERSION; return 0; }
        meta_key mk;
        key_encode(op->bucket, op->key, &mk);
        MDB_val k = { mk.len, mk.b }, v;
        rc = mdb_get(txn, m->objects, &k, &v);
        if (rc == MDB_NOTFOUND) { op->status = ST_NO_SUCH_KEY; return 0; }
        if (rc) return rc;
        object_info o;
        if (record_decode_object(v.mv_data, v.mv_size, scratch, &o) != 0) { op->status = ST_CORRUPT; return 0; }
        o.tags = op->record_len ? arena_strndup(scratch, (const char *)op->record, op->record_len) : NULL;
        unsigned char *rec;
        size_t len;
        if (record_encode_object(&o, o.key, &rec, &len) != 0) return ENOMEM;
        MDB_val nv = { len, rec };
        rc = mdb_put(txn, m->objects, &k, &nv, 0);
        free(rec);
        return rc;
    }
    case META_BUCKET_VERSIONING: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        if (versioning_in_txn(m, txn, op->bucket) == 0 && (rc = migrate_to_versions(m, txn, op->bucket, scratch)) != 0)
            return rc;
        size_t bl = strlen(op->bucket);
        char *ck = arena_alloc(scratch, bl + 11);
        memcpy(ck, op->bucket, bl);
        ck[bl] = '\0';
        memcpy(ck + bl + 1, "versioning", 10);
        MDB_val k = { bl + 11, ck }, v = { op->record_len, op->record };
        return mdb_put(txn, m->bconfig, &k, &v, 0);
    }
    case META_OBJECT_LOCK: {
        if (!bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        stored_version *vs;
        size_t n = versions_of(m, txn, op->bucket, op->key, scratch, &vs), i;
        if ((i = find_version(op, vs, n)) == n) return 0;
        object_info o = vs[i].info;
        if (op->set_retention) {
            int active = o.lock_mode && o.retain_until_ns > op->now_ns;
            int weaker = !op->lock_mode || op->retain_until_ns < o.retain_until_ns ||
                         (o.lock_mode == LOCK_COMPLIANCE && op->lock_mode != LOCK_COMPLIANCE);
            if (active && weaker && (o.lock_mode == LOCK_COMPLIANCE || !op->bypass_governance)) {
                op->status = ST_LOCKED;
                return 0;
            }
            o.lock_mode = op->lock_mode;
            o.retain_until_ns = op->lock_mode ? op->retain_until_ns : 0;
        }
        if (op->set_legal_hold) o.legal_hold = op->legal_hold;
        return rewrite_version(m, txn, op, &o, &vs[i].key, i == 0);
    }
    case META_BUCKET_CONFIG: {
        /* bucket "" holds the system's own documents (IAM): a name no
         * bucket can have, so it needs no bucket record */
        if (op->bucket[0] && !bucket_exists(m, txn, op->bucket)) { op->status = ST_NO_SUCH_BUCKET; return 0; }
        size_t bl = strlen(op->bucket), nl = strlen(op->key);
        char *ck = arena_alloc(scratch, bl + 1 + nl);
        memcpy(ck, op->bucket, bl);
        ck[bl] = '\0';
        memcpy(ck + bl + 1, op->key, nl);
        MDB_val k = { bl + 1 + nl, ck };
        if (!op->record_len) {
            rc = mdb_del(txn, m->bconfig, &k, NULL);
            return rc == MDB_NOTFOUND ? 0 : rc;
        }
        MDB_val v = { op->record_len, op->record };
        return mdb_put(txn, m->bconfig, &k, &v, 0);
    }
    case META_UPLOAD_ABORT: {
        meta_key uk;
        upload_key(op->bucket, op->key, op->upload_id, &uk);
        MDB_val k = { uk.len, uk.b }, v;
        if (mdb_get(txn, m->uploads, &k, &v) != 0) { op->status = ST_NO_SUCH_UPLOAD; return 0; }
        if (!upload_open(&v, scratch)) {
            /* a completion record: removed, and to the client it is gone */
            if ((rc = mdb_del(txn, m->uploads, &k, NULL)) != 0) return rc;
            op->status = ST_NO_SUCH_UPLOAD;
            return 0;
        }
        if ((rc = drop_parts(m, txn, op, op->upload_id, scratch)) != 0) return rc;
        return mdb_del(txn, m->uploads, &k, NULL);
    }
    }
    return EINVAL;
}

/* Every committed batch advances the drive's sequence number: a drive
 * that missed writes (it was offline) is behind the others at start. */
static int bump_seq(meta *m, MDB_txn *txn)
{
    MDB_val k = { 3, "seq" }, v;
    uint64_t seq = 0;
    if (mdb_get(txn, m->sys, &k, &v) == 0 && v.mv_size == sizeof seq) memcpy(&seq, v.mv_data, sizeof seq);
    seq++;
    MDB_val nv = { sizeof seq, &seq };
    return mdb_put(txn, m->sys, &k, &nv, 0);
}

uint64_t meta_seq(meta *m)
{
    MDB_txn *txn;
    uint64_t seq = 0;
    if (mdb_txn_begin(m->env, NULL, MDB_RDONLY, &txn) != 0) return 0;
    MDB_val k = { 3, "seq" }, v;
    if (mdb_get(txn, m->sys, &k, &v) == 0 && v.mv_size == sizeof seq) memcpy(&seq, v.mv_data, sizeof seq);
    mdb_txn_abort(txn);
    return seq;
}

/* Replaces everything in dst with src's records (a drive that is blank
 * or missed writes).  Blocking; run before serving. */
int meta_copy_from(meta *dst, meta *src)
{
    MDB_txn *rt, *wt;
    int rc = mdb_txn_begin(src->env, NULL, MDB_RDONLY, &rt);
    if (rc) return rc;
    if ((rc = mdb_txn_begin(dst->env, NULL, 0, &wt)) != 0) { mdb_txn_abort(rt); return rc; }
    MDB_dbi sd[7] = { src->buckets, src->objects, src->uploads, src->parts, src->sys, src->bconfig, src->versions };
    MDB_dbi dd[7] = { dst->buckets, dst->objects, dst->uploads, dst->parts, dst->sys, dst->bconfig, dst->versions };
    for (int i = 0; i < 7 && rc == 0; i++) {
        if ((rc = mdb_drop(wt, dd[i], 0)) != 0) break;
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(rt, sd[i], &cur)) != 0) break;
        MDB_val k, v;
        int g;
        for (g = mdb_cursor_get(cur, &k, &v, MDB_FIRST); g == 0; g = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
            if ((rc = mdb_put(wt, dd[i], &k, &v, MDB_APPEND)) != 0) break;
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(rt);
    if (rc) { mdb_txn_abort(wt); return rc; }
    return mdb_txn_commit(wt);
}

int meta_snapshot_fd(meta *m, int fd)
{
    return mdb_env_copyfd2(m->env, fd, MDB_CP_COMPACT);
}

static void run_batch(meta *m, meta_op *batch)
{
    arena scratch;
    arena_init(&scratch);
    MDB_txn *txn;
    int rc = mdb_txn_begin(m->env, NULL, 0, &txn);
    for (meta_op *op = batch; rc == 0 && op; op = op->next) rc = apply(m, txn, op, &scratch);
    if (rc == 0) rc = bump_seq(m, txn);
    if (rc == 0) rc = mdb_txn_commit(txn);
    else mdb_txn_abort(txn);
    if (rc != 0) {
        /* One op may have been too big for the map or the disk: retry each
         * alone so the others are not failed with it. */
        if (batch->next) {
            for (meta_op *op = batch, *next; op; op = next) {
                next = op->next;
                op->next = NULL;
                op->status = ST_OK;
                clear_results(op);
                run_batch(m, op);
                op->next = next;
            }
            arena_reset(&scratch);
            return;
        }
        log_error("metadata commit failed: %s", mdb_strerror(rc));
        for (meta_op *op = batch; op; op = op->next) {
            op->status = from_mdb(rc);
            clear_results(op);
        }
    }
    /* An op that failed its own precondition changed nothing. */
    for (meta_op *op = batch; op; op = op->next)
        if (op->status != ST_OK) clear_results(op);
    arena_reset(&scratch);
}

static void *writer_main(void *arg)
{
    meta *m = arg;
    for (;;) {
        pthread_mutex_lock(&m->mu);
        while (!m->queue_head && !m->stopping) pthread_cond_wait(&m->cv, &m->mu);
        if (!m->queue_head && m->stopping) {
            pthread_mutex_unlock(&m->mu);
            break;
        }
        /* Take everything queued: this is the group commit. */
        meta_op *batch = m->queue_head, *last = batch;
        int n = 1;
        while (last->next && n < META_MAX_BATCH) { last = last->next; n++; }
        m->queue_head = last->next;
        if (!m->queue_head) m->queue_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&m->mu);

        run_batch(m, batch);
        for (meta_op *op = batch; op; op = op->next) { free(op->record); op->record = NULL; }

        pthread_mutex_lock(&m->mu);
        if (m->done_tail) m->done_tail->next = batch; else m->done_head = batch;
        m->done_tail = last;
        pthread_mutex_unlock(&m->mu);
        uv_async_send(&m->done_async);
    }
    return NULL;
}

static void on_done_async(uv_async_t *a)
{
    meta *m = a->data;
    pthread_mutex_lock(&m->mu);
    meta_op *op = m->done_head;
    m->done_head = m->done_tail = NULL;
    pthread_mutex_unlock(&m->mu);
    while (op) {
        meta_op *next = op->next;
        op->next = NULL;
        op->done(op);
        op = next;
    }
}

/* ---- multipart reads (event-loop thread) ---- */

store_status meta_get_upload(meta *m, arena *a, const char *bucket, const char *key, const char *upload_id,
                             object_info *out)
{
    if (strlen(upload_id) != UPLOAD_ID_LEN) return ST_NO_SUCH_UPLOAD;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    store_status st = ST_OK;
    if (bucket[0] && !bucket_exists(m, txn, bucket)) {   /* "": the system's documents */
        st = ST_NO_SUCH_BUCKET;
    } else {
        meta_key uk;
        upload_key(bucket, key, upload_id, &uk);
        MDB_val k = { uk.len, uk.b }, v;
        int rc = mdb_get(txn, m->uploads, &k, &v);
        if (rc == MDB_NOTFOUND) st = ST_NO_SUCH_UPLOAD;
        else if (rc) st = from_mdb(rc);
        else if (record_decode_object(v.mv_data, v.mv_size, a, out) != 0) st = ST_CORRUPT;
        else {
            if (!out->key) out->key = arena_strdup(a, key);
            if (out->flags & OBJ_UPLOAD_DONE) st = ST_UPLOAD_COMPLETED;
        }
    }
    read_end(m);
    return st;
}

store_status meta_list_parts(meta *m, arena *a, const char *upload_id, uint32_t part_marker, size_t max,
                             obj_part **out, size_t *n, int *truncated)
{
    *out = NULL;
    *n = 0;
    *truncated = 0;
    if (strlen(upload_id) != UPLOAD_ID_LEN) return ST_NO_SUCH_UPLOAD;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, m->parts, &cur)) { read_end(m); return ST_IO_ERROR; }
    unsigned char pk[UPLOAD_ID_LEN + 4];
    size_t pl;
    part_key(upload_id, part_marker + 1, pk, &pl);
    size_t cap = 16, count = 0;
    obj_part *list = arena_alloc(a, cap * sizeof *list);
    MDB_val k = { pl, pk }, v;
    int rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size == pl && memcmp(k.mv_data, upload_id, UPLOAD_ID_LEN) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (max && count == max) { *truncated = 1; break; }
        object_info part;
        if (record_decode_object(v.mv_data, v.mv_size, a, &part) != 0) continue;
        if (count == cap) {
            obj_part *nl = arena_alloc(a, cap * 2 * sizeof *nl);
            memcpy(nl, list, count * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        obj_part *pt = &list[count++];
        memset(pt, 0, sizeof *pt);
        const unsigned char *kb = k.mv_data;
        pt->number = (uint32_t)kb[UPLOAD_ID_LEN] << 24 | (uint32_t)kb[UPLOAD_ID_LEN + 1] << 16 |
                     (uint32_t)kb[UPLOAD_ID_LEN + 2] << 8 | kb[UPLOAD_ID_LEN + 3];
        pt->size = part.size;
        pt->data = part.data;
        snprintf(pt->etag, sizeof pt->etag, "%s", part.etag);
        snprintf(pt->cksum, sizeof pt->cksum, "%s", part.cksum);
        pt->mtime_ns = part.mtime_ns;
    }
    mdb_cursor_close(cur);
    read_end(m);
    *out = list;
    *n = count;
    return ST_OK;
}

static int upload_entry_from(arena *a, const MDB_val *k, const MDB_val *v, size_t bucket_len, upload_entry *e)
{
    if (k->mv_size < bucket_len + 2 + UPLOAD_ID_LEN) return -1;
    if (record_decode_object(v->mv_data, v->mv_size, a, &e->meta) != 0) return -1;
    const char *kb = k->mv_data;
    e->upload_id = arena_strndup(a, kb + k->mv_size - UPLOAD_ID_LEN, UPLOAD_ID_LEN);
    e->key = e->meta.key ? e->meta.key
                         : arena_strndup(a, kb + bucket_len + 1, k->mv_size - bucket_len - 2 - UPLOAD_ID_LEN);
    return 0;
}

store_status meta_list_uploads(meta *m, arena *a, const char *bucket, const upload_list_params *p,
                               upload_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                               int *truncated)
{
    *out = NULL;
    *n = 0;
    *prefixes = NULL;
    *n_prefixes = 0;
    *truncated = 0;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    if (!bucket_exists(m, txn, bucket)) { read_end(m); return ST_NO_SUCH_BUCKET; }
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, m->uploads, &cur)) { read_end(m); return ST_IO_ERROR; }
    const char *prefix = p->prefix ? p->prefix : "";
    const char *delim = p->delimiter && *p->delimiter ? p->delimiter : NULL;
    size_t plen = strlen(prefix), dlen = delim ? strlen(delim) : 0, blen = strlen(bucket);
    size_t cap = 16, cap_p = 8, count = 0;
    upload_entry *list = arena_alloc(a, cap * sizeof *list);
    const char **pre = arena_alloc(a, cap_p * sizeof *pre);
    const char *start = p->key_marker && strcmp(p->key_marker, prefix) > 0 ? p->key_marker : prefix;
    meta_key mk;
    key_encode_reserve(bucket, start, 1 + UPLOAD_ID_LEN, &mk);
    MDB_val k = { mk.len, mk.b }, v;
    const char *last_prefix = NULL;
    int rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= blen || memcmp(k.mv_data, bucket, blen) != 0 || ((char *)k.mv_data)[blen] != '\0') break;
        upload_entry e;
        if (upload_entry_from(a, &k, &v, blen, &e) != 0 || (e.meta.flags & OBJ_UPLOAD_DONE)) continue;
        if (strncmp(e.key, prefix, plen) != 0) {
            if (strcmp(e.key, prefix) > 0 && !e.meta.key) break;
            continue;
        }
        if (p->key_marker && *p->key_marker) {
            int c = strcmp(e.key, p->key_marker);
            if (c < 0) continue;
            /* same key: only uploads after the upload-id marker */
            if (c == 0 && (!p->upload_id_marker || strcmp(e.upload_id, p->upload_id_marker) <= 0)) continue;
        }
        const char *d = delim ? strstr(e.key + plen, delim) : NULL;
        if (d) {
            size_t cpl = (size_t)(d - e.key) + dlen;
            if (last_prefix && strncmp(last_prefix, e.key, cpl) == 0 && last_prefix[cpl] == '\0') continue;
            if (p->max && count == p->max) { *truncated = 1; break; }
            if (*n_prefixes == cap_p) {
                const char **np = arena_alloc(a, cap_p * 2 * sizeof *np);
                memcpy(np, pre, *n_prefixes * sizeof *np);
                pre = np;
                cap_p *= 2;
            }
            last_prefix = arena_strndup(a, e.key, cpl);
            pre[(*n_prefixes)++] = last_prefix;
            count++;
            continue;
        }
        if (p->max && count == p->max) { *truncated = 1; break; }
        if (*n == cap) {
            upload_entry *nl = arena_alloc(a, cap * 2 * sizeof *nl);
            memcpy(nl, list, *n * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        list[(*n)++] = e;
        count++;
    }
    mdb_cursor_close(cur);
    read_end(m);
    *out = list;
    *prefixes = pre;
    return ST_OK;
}

store_status meta_stale_uploads(meta *m, arena *a, int64_t cutoff_ns, size_t max,
                                const char ***buckets, upload_entry **out, size_t *n)
{
    *n = 0;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, m->uploads, &cur)) { read_end(m); return ST_IO_ERROR; }
    upload_entry *list = arena_alloc(a, (max ? max : 1) * sizeof *list);
    const char **bl = arena_alloc(a, (max ? max : 1) * sizeof *bl);
    MDB_val k, v;
    int rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && *n < max; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const char *kb = k.mv_data;
        size_t blen = strnlen(kb, k.mv_size);
        if (blen == k.mv_size) continue;
        upload_entry e;
        if (upload_entry_from(a, &k, &v, blen, &e) != 0) continue;
        if (e.meta.mtime_ns >= cutoff_ns) continue;
        bl[*n] = arena_strndup(a, kb, blen);
        list[(*n)++] = e;
    }
    mdb_cursor_close(cur);
    read_end(m);
    *buckets = bl;
    *out = list;
    return ST_OK;
}

store_status meta_scan(meta *m, arena *a, int versions, const void *after, size_t after_len, size_t max,
                       meta_scan_fn fn, void *ctx, void **last, size_t *last_len, int *more)
{
    *more = 0;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, versions ? m->versions : m->objects, &cur)) { read_end(m); return ST_IO_ERROR; }
    MDB_val k = { after_len, (void *)after }, v;
    int rc;
    if (after) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc == 0 && k.mv_size == after_len && memcmp(k.mv_data, after, after_len) == 0)
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    } else {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    size_t seen = 0;
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (seen == max) { *more = 1; break; }
        const char *kb = k.mv_data;
        size_t bl = strnlen(kb, k.mv_size);
        if (bl == k.mv_size) continue;
        object_info o;
        if (record_decode_object(v.mv_data, v.mv_size, a, &o) != 0) continue;
        const char *bucket = arena_strndup(a, kb, bl);
        const char *key = o.key;
        if (!key) {
            size_t rest = k.mv_size - bl - 1;
            key = arena_strndup(a, kb + bl + 1, versions ? strnlen(kb + bl + 1, rest) : rest);
        }
        seen++;
        *last = arena_strndup(a, kb, k.mv_size);
        *last_len = k.mv_size;
        if (fn(ctx, bucket, key, &o)) { *more = 1; break; }
    }
    mdb_cursor_close(cur);
    read_end(m);
    return ST_OK;
}

/* Every data id a record references (objects, their parts, parts of
 * uploads in progress).  Own read transaction: any thread. */
int meta_collect_data_ids(meta *m, void (*add)(void *ctx, const data_id *id), void *ctx)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(m->env, NULL, MDB_RDONLY, &txn);
    if (rc) return rc;
    arena a;
    arena_init(&a);
    MDB_dbi dbs[3] = { m->objects, m->parts, m->versions };
    for (int d = 0; d < 3 && rc == 0; d++) {
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, dbs[d], &cur)) != 0) break;
        MDB_val k, v;
        for (int g = mdb_cursor_get(cur, &k, &v, MDB_FIRST); g == 0; g = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            object_info o;
            if (record_decode_object(v.mv_data, v.mv_size, &a, &o) == 0) {
                if (o.flags & OBJ_MULTIPART)
                    for (size_t i = 0; i < o.n_parts; i++) add(ctx, &o.parts[i].data);
                else if (!(o.flags & OBJ_INLINE))
                    add(ctx, &o.data);
            }
            arena_reset(&a);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    arena_reset(&a);
    return rc;
}

store_status meta_get_bucket_config(meta *m, arena *a, const char *bucket, const char *name, char **out,
                                    size_t *len)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    store_status st = ST_OK;
    if (bucket[0] && !bucket_exists(m, txn, bucket)) {   /* "": the system's documents */
        st = ST_NO_SUCH_BUCKET;
    } else {
        size_t bl = strlen(bucket), nl = strlen(name);
        char *ck = arena_alloc(a, bl + 1 + nl);
        memcpy(ck, bucket, bl);
        ck[bl] = '\0';
        memcpy(ck + bl + 1, name, nl);
        MDB_val k = { bl + 1 + nl, ck }, v;
        int rc = mdb_get(txn, m->bconfig, &k, &v);
        if (rc == MDB_NOTFOUND) st = ST_NO_SUCH_KEY;
        else if (rc) st = from_mdb(rc);
        else {
            *out = arena_strndup(a, v.mv_data, v.mv_size);
            *len = v.mv_size;
        }
    }
    read_end(m);
    return st;
}

/* ---- versioning reads (event-loop thread) ---- */

int meta_bucket_versioning(meta *m, const char *bucket)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return 0;
    int v = versioning_in_txn(m, txn, bucket);
    read_end(m);
    return v;
}

store_status meta_get_version(meta *m, arena *a, const char *bucket, const char *key, const char *version_id,
                              object_info *out)
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    store_status st = ST_NO_SUCH_VERSION;
    if (!bucket_exists(m, txn, bucket)) {
        st = ST_NO_SUCH_BUCKET;
    } else if (!versioning_in_txn(m, txn, bucket)) {
        /* never versioned: the only version is the object, called "null" */
        if (strcmp(version_id, "null") == 0) {
            meta_key mk;
            key_encode(bucket, key, &mk);
            MDB_val k = { mk.len, mk.b }, v;
            if (mdb_get(txn, m->objects, &k, &v) == 0 && record_decode_object(v.mv_data, v.mv_size, a, out) == 0) {
                if (!out->key) out->key = arena_strdup(a, key);
                st = ST_OK;
            }
        }
    } else {
        stored_version *vs;
        size_t n = versions_of(m, txn, bucket, key, a, &vs);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(vs[i].info.version_id, version_id) != 0) continue;
            *out = vs[i].info;
            st = out->flags & OBJ_DELETE_MARKER ? ST_DELETE_MARKER : ST_OK;
            break;
        }
    }
    read_end(m);
    return st;
}

int meta_latest_marker(meta *m, arena *a, const char *bucket, const char *key, char version_out[40])
{
    MDB_txn *txn = read_begin(m);
    if (!txn) return 0;
    int marker = 0;
    if (versioning_in_txn(m, txn, bucket)) {
        stored_version *vs;
        size_t n = versions_of(m, txn, bucket, key, a, &vs);
        if (n && (vs[0].info.flags & OBJ_DELETE_MARKER)) {
            marker = 1;
            snprintf(version_out, 40, "%s", vs[0].info.version_id);
        }
    }
    read_end(m);
    return marker;
}

store_status meta_list_versions(meta *m, arena *a, const char *bucket, const version_list_params *p,
                                version_entry **out, size_t *n, const char ***prefixes, size_t *n_prefixes,
                                int *truncated, const char **next_key, const char **next_version)
{
    *out = NULL;
    *n = *n_prefixes = 0;
    *prefixes = NULL;
    *truncated = 0;
    *next_key = *next_version = NULL;
    MDB_txn *txn = read_begin(m);
    if (!txn) return ST_IO_ERROR;
    if (!bucket_exists(m, txn, bucket)) { read_end(m); return ST_NO_SUCH_BUCKET; }
    int versioned = versioning_in_txn(m, txn, bucket);
    MDB_dbi db = versioned ? m->versions : m->objects;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, db, &cur)) { read_end(m); return ST_IO_ERROR; }
    const char *prefix = p->prefix ? p->prefix : "";
    const char *delim = p->delimiter && *p->delimiter ? p->delimiter : NULL;
    size_t plen = strlen(prefix), dlen = delim ? strlen(delim) : 0, blen = strlen(bucket);
    size_t cap = 32, cap_p = 8, count = 0;
    version_entry *list = arena_alloc(a, cap * sizeof *list);
    const char **pre = arena_alloc(a, cap_p * sizeof *pre);
    const char *start = p->key_marker && strcmp(p->key_marker, prefix) > 0 ? p->key_marker : prefix;
    meta_key mk;
    if (versioned) key_encode_reserve(bucket, start, VERSION_SUFFIX, &mk);
    else key_encode(bucket, start, &mk);
    MDB_val k = { mk.len, mk.b }, v;
    /* a page that starts inside a key's versions starts after its latest */
    const char *last_key = p->key_marker && *p->key_marker && p->version_id_marker && *p->version_id_marker
                               ? p->key_marker : NULL;
    const char *last_prefix = NULL;
    int passed_marker = !(p->key_marker && *p->key_marker && p->version_id_marker && *p->version_id_marker);
    int rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= blen || memcmp(k.mv_data, bucket, blen) != 0 || ((char *)k.mv_data)[blen] != '\0') break;
        object_info o;
        if (record_decode_listing(v.mv_data, v.mv_size, a, &o) != 0) continue;
        const char *key;
        if (o.key) key = o.key;
        else if (versioned) key = arena_strndup(a, (char *)k.mv_data + blen + 1, strnlen((char *)k.mv_data + blen + 1, k.mv_size - blen - 1));
        else key = arena_strndup(a, (char *)k.mv_data + blen + 1, k.mv_size - blen - 1);
        if (!versioned) snprintf(o.version_id, sizeof o.version_id, "null");
        if (strncmp(key, prefix, plen) != 0) {
            if (strcmp(key, prefix) > 0 && !o.key) break;
            continue;
        }
        if (p->key_marker && *p->key_marker) {
            int c = strcmp(key, p->key_marker);
            if (c < 0) continue;
            if (c == 0) {
                /* within the marker's key: only versions after the version marker */
                if (!p->version_id_marker || !*p->version_id_marker) continue;
                if (!passed_marker) {
                    if (strcmp(o.version_id, p->version_id_marker) == 0) passed_marker = 1;
                    continue;
                }
            }
        }
        int is_latest = !last_key || strcmp(last_key, key) != 0;
        last_key = key;
        const char *d = delim ? strstr(key + plen, delim) : NULL;
        if (d) {
            size_t cpl = (size_t)(d - key) + dlen;
            if (last_prefix && strncmp(last_prefix, key, cpl) == 0 && last_prefix[cpl] == '\0') continue;
            if (count == p->max) { *truncated = 1; break; }
            if (*n_prefixes == cap_p) {
                const char **np = arena_alloc(a, cap_p * 2 * sizeof *np);
                memcpy(np, pre, *n_prefixes * sizeof *np);
                pre = np;
                cap_p *= 2;
            }
            last_prefix = arena_strndup(a, key, cpl);
            pre[(*n_prefixes)++] = last_prefix;
            *next_key = last_prefix;
            *next_version = NULL;
            count++;
            continue;
        }
        if (count == p->max) { *truncated = 1; break; }
        if (*n == cap) {
            version_entry *nl = arena_alloc(a, cap * 2 * sizeof *nl);
            memcpy(nl, list, *n * sizeof *nl);
            list = nl;
            cap *= 2;
        }
        o.key = key;
        list[*n].info = o;
        list[*n].is_latest = is_latest;
        (*n)++;
        *next_key = key;
        *next_version = arena_strdup(a, o.version_id);
        count++;
    }
    mdb_cursor_close(cur);
    read_end(m);
    *out = list;
    *prefixes = pre;
    return ST_OK;
}

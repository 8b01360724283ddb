/*
 * object — GetObject, HeadObject and DeleteObject.
 *
 * A GET of an inline object is one metadata read and one socket write.  A
 * GET of a file-backed object streams through two buffers: the next block
 * is read from the drive while the previous one is being written to the
 * client, and reading waits for the client (write-queue backpressure), so
 * memory stays at two blocks per download.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { GET_BLOCK = 1024 * 1024 };   /* one volume block: read straight into the buffer (volume.c) */

static const struct { const char *param, *header; } response_overrides[] = {
    { "response-content-type", "content-type" },
    { "response-content-language", "content-language" },
    { "response-expires", "expires" },
    { "response-cache-control", "cache-control" },
    { "response-content-disposition", "content-disposition" },
    { "response-content-encoding", "content-encoding" },
};
enum { N_OVERRIDES = sizeof response_overrides / sizeof response_overrides[0] };

static void add_get_headers(s3_req *r, const object_info *o)
{
    http_exchange *ex = r->ex;
    const char *override[N_OVERRIDES];
    for (int i = 0; i < N_OVERRIDES; i++) override[i] = query_get(&r->q, response_overrides[i].param);
    http_add_header(ex, "ETag", arena_printf(r->a, "\"%s\"", o->etag));
    char date[64];
    format_http_date((time_t)(o->mtime_ns / 1000000000), date, sizeof date);
    http_add_header(ex, "Last-Modified", date);
    http_add_header(ex, "Accept-Ranges", "bytes");
    if (o->reduced) http_add_header(ex, "x-amz-storage-class", "REDUCED_REDUNDANCY");
    if (o->tags) http_add_header(ex, "x-amz-tagging-count", arena_printf(r->a, "%zu", s3_tag_count(o->tags)));
    if (!(o->flags & OBJ_DELETE_MARKER)) s3_lifecycle_expiration_header(r, o);
    int has_type = 0;
    for (size_t i = 0; i < o->n_headers; i++) {
        const char *n = o->headers[i].name;
        int skip = 0;
        for (int k = 0; k < N_OVERRIDES; k++)
            if (override[k] && strcmp(n, response_overrides[k].header) == 0) skip = 1;
        if (skip) continue;
        if (strcmp(n, "content-type") == 0) has_type = 1;
        http_add_header(ex, n, o->headers[i].value);
    }
    for (int k = 0; k < N_OVERRIDES; k++) {
        if (!override[k]) continue;
        if (k == 0) has_type = 1;
        http_add_header(ex, response_overrides[k].header, override[k]);
    }
    if (!has_type) http_add_header(ex, "Content-Type", "binary/octet-stream");
}

typedef struct get_op {
    s3_req *r;
    object_info o;
    int status;
    range_result rr;
    uint64_t first, total;
    store_reader *rd;
    uint64_t next_off, end;
    unsigned char *buf[2];
    size_t len[2];
    uint64_t reads_issued, reads_done, writes_issued, writes_done, blocks;
    int reading, writing, failed, retried;
} get_op;

static void get_pump(get_op *g);

static void get_cleanup(get_op *g)
{
    if (g->rd) store_read_close(g->rd);
    g->rd = NULL;
    free(g->buf[0]);
    free(g->buf[1]);
    g->buf[0] = g->buf[1] = NULL;
    http_release(g->r->ex);
}

static void get_write_done(http_exchange *ex, int status, void *arg)
{
    (void)ex;
    get_op *g = arg;
    g->writing = 0;
    g->writes_done++;
    if (status != 0) g->failed = 1;
    get_pump(g);
}

static void get_read_done(void *arg, ssize_t n)
{
    get_op *g = arg;
    g->reading = 0;
    size_t want = g->len[g->reads_done % 2];
    if (n < 0 || (size_t)n != want) {
        /* The data file is shorter than its record says, or unreadable:
         * the response has begun, so the client sees a cut transfer. */
        g->failed = 1;
    }
    g->reads_done++;
    get_pump(g);
}

static void get_pump(get_op *g)
{
    s3_req *r = g->r;
    if (g->failed || http_is_aborted(r->ex)) {
        if (g->reading || g->writing) return;
        if (!http_is_aborted(r->ex)) s3_send_error(r->ex, S3E_INTERNAL, r->resource, NULL);
        get_cleanup(g);
        return;
    }
    if (!g->writing && g->writes_issued < g->reads_done) {
        int i = (int)(g->writes_issued % 2);
        g->writes_issued++;
        g->writing = 1;
        http_send_body(r->ex, g->buf[i], g->len[i], get_write_done, g);
        if (g->failed) return;
    }
    if (!g->reading && g->next_off < g->end && g->reads_issued < g->writes_done + 2) {
        int i = (int)(g->reads_issued % 2);
        size_t n = g->end - g->next_off > GET_BLOCK ? GET_BLOCK : (size_t)(g->end - g->next_off);
        g->len[i] = n;
        g->reads_issued++;
        g->reading = 1;
        uint64_t off = g->next_off;
        g->next_off += n;
        store_read(g->rd, off, g->buf[i], n, get_read_done, g);
        return;
    }
    if (g->writes_done == g->blocks && !g->reading && !g->writing) {
        http_finish(r->ex);
        get_cleanup(g);
    }
}

static void get_abort(s3_req *r)
{
    get_op *g = r->op;
    g->failed = 1;
}

static void get_start(s3_req *r, int head, int retried);
static void add_response_headers(s3_req *r, const object_info *o, range_result rr, uint64_t first, uint64_t len);

static void get_opened(void *arg, store_status st, store_reader *rd)
{
    get_op *g = arg;
    s3_req *r = g->r;
    if (http_is_aborted(r->ex)) {
        if (rd) store_read_close(rd);
        free(g->buf[0]);
        free(g->buf[1]);
        http_release(r->ex);
        return;
    }
    if (st == ST_NO_SUCH_KEY && !g->retried) {
        /* Replaced between the metadata read and the open: the new
         * record points to a new file.  Read the metadata again. */
        free(g->buf[0]);
        free(g->buf[1]);
        g->buf[0] = g->buf[1] = NULL;
        http_release(r->ex);
        r->op = NULL;
        get_start(r, 0, 1);
        return;
    }
    if (st) {
        free(g->buf[0]);
        free(g->buf[1]);
        if (st == ST_NO_READ_QUORUM) s3_error_reply(r, S3E_NO_READ_QUORUM, NULL);
        else s3_error_reply(r, S3E_INTERNAL, "The object's data could not be read.");
        http_release(r->ex);
        return;
    }
    g->rd = rd;
    r->abort_op = get_abort;
    add_response_headers(r, &g->o, g->rr, g->first, g->total);
    http_send_head(r->ex, g->status, (int64_t)g->total);
    get_pump(g);
}

static void add_checksum(s3_req *r, const object_info *o, const char *value)
{
    if (!o->cksum_algo || !cksum_algo_header((cksum_algo)o->cksum_algo) || !value[0]) return;
    http_add_header(r->ex, cksum_algo_header((cksum_algo)o->cksum_algo), value);
    http_add_header(r->ex, "x-amz-checksum-type", o->cksum_type == CKSUM_TYPE_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
}

/* Checksums: the object's when x-amz-checksum-mode is ENABLED and the
 * whole object is sent; a part's (as uploaded) when partNumber names one,
 * since those bytes are exactly what it covers; none for other ranges. */
static void add_response_headers(s3_req *r, const object_info *o, range_result rr, uint64_t first, uint64_t len)
{
    add_get_headers(r, o);
    const char *pn = query_get(&r->q, "partNumber");
    if (pn) {
        long n = strtol(pn, NULL, 10);
        if ((o->flags & OBJ_MULTIPART) && n >= 1 && (size_t)n <= o->n_parts) add_checksum(r, o, o->parts[n - 1].cksum);
        else if (n == 1) add_checksum(r, o, o->cksum);
    }
    if (rr == RANGE_OK) {
        http_add_header(r->ex, "Content-Range",
                        arena_printf(r->a, "bytes %llu-%llu/%llu", (unsigned long long)first,
                                     (unsigned long long)(first + len - 1), (unsigned long long)o->size));
        return;
    }
    const char *mode = s3_header(r, "x-amz-checksum-mode");
    if (!pn && mode && strcmp(mode, "ENABLED") == 0) add_checksum(r, o, o->cksum);
}

store_status s3_lookup_object(s3_req *r, object_info *o)
{
    const char *vid = query_get(&r->q, "versionId");
    return vid ? store_object_version(r->api->cfg.store, r->a, r->bucket, r->key, vid, o)
               : store_object_info(r->api->cfg.store, r->a, r->bucket, r->key, o);
}

static void get_start(s3_req *r, int head, int retried)
{
    object_info o;
    const char *vid = query_get(&r->q, "versionId");
    store_status st = s3_lookup_object(r, &o);
    if (st == ST_DELETE_MARKER) {
        /* a delete marker asked for by version: it has no body */
        http_add_header(r->ex, "x-amz-delete-marker", "true");
        http_add_header(r->ex, "x-amz-version-id", o.version_id);
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, "The specified method is not allowed against a delete marker.");
        return;
    }
    if (st == ST_OK) s3_add_lock_headers(r, &o);
    if (r->authz_after_lookup) {
        /* AWS: a missing key is a 404 only for a caller who may list the
         * bucket (else 403, so nothing is learnt); an existing one needs
         * s3:GetObject */
        s3_error ae = st == ST_NO_SUCH_KEY || st == ST_NO_SUCH_VERSION
                          ? (s3_may_learn_absence(r) ? S3E_NONE : S3E_ACCESS_DENIED)
                      : st == ST_NO_SUCH_BUCKET ? S3E_NONE
                      : s3_authorize(r, vid ? "s3:GetObjectVersion" : "s3:GetObject", r->bucket, r->key);
        if (ae) { s3_error_reply(r, ae, NULL); return; }
    }
    if (st == ST_NO_SUCH_KEY && !vid) {
        char marker[40];
        if (store_latest_marker(r->api->cfg.store, r->a, r->bucket, r->key, marker)) {
            http_add_header(r->ex, "x-amz-delete-marker", "true");
            http_add_header(r->ex, "x-amz-version-id", marker);
        }
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    if (o.version_id[0]) http_add_header(r->ex, "x-amz-version-id", o.version_id);

    s3_error ce = s3_check_conditions(&o, s3_header(r, "if-match"), s3_header(r, "if-none-match"),
                                      s3_header(r, "if-modified-since"), s3_header(r, "if-unmodified-since"), 0);
    if (ce == S3E_NOT_MODIFIED) {
        http_add_header(r->ex, "ETag", arena_printf(r->a, "\"%s\"", o.etag));
        char date[64];
        format_http_date((time_t)(o.mtime_ns / 1000000000), date, sizeof date);
        http_add_header(r->ex, "Last-Modified", date);
        http_send_head(r->ex, 304, -1);
        http_finish(r->ex);
        return;
    }
    if (ce) { s3_error_reply(r, ce, NULL); return; }

    uint64_t first = 0, last = o.size ? o.size - 1 : 0;
    range_result rr;
    const char *pn = query_get(&r->q, "partNumber");
    if (pn) {
        /* One part of a multipart object, as the client uploaded it. */
        char *end;
        long n = strtol(pn, &end, 10);
        if (!*pn || *end || n < 1 || n > 10000) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive.");
            return;
        }
        if (s3_header(r, "range")) {
            s3_error_reply(r, S3E_INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter.");
            return;
        }
        if (o.flags & OBJ_MULTIPART) {
            if ((size_t)n > o.n_parts) { s3_error_reply(r, S3E_INVALID_PART_NUMBER, NULL); return; }
            for (long i = 0; i < n - 1; i++) first += o.parts[i].size;
            last = first + o.parts[n - 1].size - 1;
            http_add_header(r->ex, "x-amz-mp-parts-count", arena_printf(r->a, "%zu", o.n_parts));
            rr = o.parts[n - 1].size ? RANGE_OK : RANGE_NONE;
            if (rr == RANGE_NONE) first = last = 0;
        } else {
            if (n != 1) { s3_error_reply(r, S3E_INVALID_PART_NUMBER, NULL); return; }
            rr = RANGE_NONE;
        }
    } else {
        rr = parse_range(s3_header(r, "range"), o.size, &first, &last);
    }
    if (rr == RANGE_UNSATISFIABLE) {
        http_add_header(r->ex, "Content-Range", arena_printf(r->a, "bytes */%llu", (unsigned long long)o.size));
        s3_error_reply(r, S3E_INVALID_RANGE, NULL);
        return;
    }
    uint64_t len = rr == RANGE_OK ? last - first + 1 : (pn && (o.flags & OBJ_MULTIPART)) ? 0 : o.size;
    int status = rr == RANGE_OK ? 206 : 200;
    if (head || len == 0 || (o.flags & OBJ_INLINE)) add_response_headers(r, &o, rr, first, len);
    if (head || len == 0) {
        http_send_head(r->ex, status, (int64_t)len);
        http_finish(r->ex);
        return;
    }
    if (o.flags & OBJ_INLINE) {
        if (first + len > o.inline_len) {
            s3_error_reply(r, S3E_INTERNAL, "Stored object is inconsistent.");
            return;
        }
        http_send_head(r->ex, status, (int64_t)len);
        http_send_body(r->ex, o.inline_data + first, (size_t)len, NULL, NULL);
        http_finish(r->ex);
        return;
    }
    get_op *g = arena_calloc(r->a, sizeof *g);
    g->r = r;
    g->o = o;
    g->status = status;
    g->rr = rr;
    g->first = first;
    g->total = len;
    g->next_off = first;
    g->end = first + len;
    g->blocks = (len + GET_BLOCK - 1) / GET_BLOCK;
    g->retried = retried;
    size_t bs = len < GET_BLOCK ? (size_t)len : GET_BLOCK;
    g->buf[0] = malloc(bs);
    g->buf[1] = malloc(bs);
    if (!g->buf[0] || !g->buf[1]) abort();
    r->op = g;
    http_hold(r->ex);
    store_read_open(r->api->cfg.store, &g->o, get_opened, g);
}

void op_get_object(s3_req *r, int head)
{
    r->op = NULL;
    get_start(r, head, 0);
}

static void delete_done(void *arg, store_status st, const char *version_id, int marker)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st == ST_LOCKED) {
            s3_error_reply(r, S3E_ACCESS_DENIED, "Object is WORM protected and cannot be deleted.");
        } else if (st) {
            s3_error_reply(r, s3_error_from_store(st, 1), NULL);
        } else {
            if (version_id) http_add_header(r->ex, "x-amz-version-id", version_id);
            if (marker) http_add_header(r->ex, "x-amz-delete-marker", "true");
            http_respond(r->ex, 204, NULL, NULL, 0);
        }
    }
    http_release(r->ex);
}

s3_error s3_delete_conditions(s3_req *r, const char *etag, const char *size, const char *mtime,
                              delete_conditions *out)
{
    memset(out, 0, sizeof *out);
    out->if_match = etag_unquote(r->a, etag);
    if (size) {
        char *end;
        long long v = strtoll(size, &end, 10);
        if (!*size || *end || v < 0) return S3E_INVALID_ARGUMENT;
        out->has_size = 1;
        out->size = v;
    }
    if (mtime) {
        time_t t;
        int64_t ns;
        /* SDKs send an HTTP date, in the header and in DeleteObjects' XML alike */
        if (parse_http_date(mtime, &t) == 0) out->mtime_s = (int64_t)t;
        else if (parse_iso8601(mtime, &ns) == 0) out->mtime_s = ns / 1000000000;
        else return S3E_INVALID_ARGUMENT;
        out->has_mtime = 1;
    }
    return S3E_NONE;
}

/* DeleteObject, conditional when If-Match, x-amz-if-match-size or
 * x-amz-if-match-last-modified-time is given: the condition is judged in
 * the delete's own metadata transaction, so nothing can slip between. */
void op_delete_object(s3_req *r)
{
    delete_conditions c;
    s3_error e = s3_delete_conditions(r, s3_header(r, "if-match"), s3_header(r, "x-amz-if-match-size"),
                                      s3_header(r, "x-amz-if-match-last-modified-time"), &c);
    if (e) { s3_error_reply(r, e, "x-amz-if-match-size and x-amz-if-match-last-modified-time must be a size and an HTTP date."); return; }
    http_hold(r->ex);
    store_object_delete_if(r->api->cfg.store, r->bucket, r->key, query_get(&r->q, "versionId"),
                           s3_bypass_governance(r), &c, delete_done, r);
}

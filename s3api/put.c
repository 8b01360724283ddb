/*
 * put — PutObject and CopyObject.
 *
 * The body streams into store_put; digests (MD5 for the ETag, SHA-256 when
 * the payload is signed, the x-amz-checksum-* the client asked for) are
 * computed by the store's observer on a worker as blocks are written, and
 * compared with what the client declared before anything is published.  A
 * mismatch, a bad chunk signature or a cut body discards the upload: the
 * old object stays.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define MAX_PUT_SIZE ((int64_t)5 * 1024 * 1024 * 1024)
enum { MAX_USER_METADATA = 2048 };

typedef struct digests {
    cksum_ctx md5;
    cksum_ctx sha256;
    cksum_ctx ck;
    int want_sha256;
    cksum_algo ck_algo;
} digests;

static void observe(void *ctx, const void *p, size_t n)
{
    digests *d = ctx;
    cksum_update(&d->md5, p, n);
    if (d->want_sha256) cksum_update(&d->sha256, p, n);
    if (d->ck_algo) cksum_update(&d->ck, p, n);
}

/* Digests live as long as the upload that feeds them (the store releases
 * them), never in the request arena: a worker may still be hashing when
 * the client goes away. */
static void digests_release(void *ctx)
{
    digests *d = ctx;
    cksum_free(&d->md5);
    cksum_free(&d->sha256);
    cksum_free(&d->ck);
    free(d);
}

static digests *digests_new(void)
{
    digests *d = calloc(1, sizeof *d);
    if (!d) abort();
    return d;
}

/* Headers S3 stores with an object and returns on GET/HEAD. */
static int is_stored_header(const char *name)
{
    static const char *const stored[] = { "content-type", "content-encoding", "content-disposition",
                                          "content-language", "cache-control", "expires",
                                          "x-amz-website-redirect-location", NULL };
    for (int i = 0; stored[i]; i++) if (strcmp(name, stored[i]) == 0) return 1;
    return strncmp(name, "x-amz-meta-", 11) == 0;
}

/* Metadata from the request; "aws-chunked" is transfer framing, not a
 * property of the object, so it is dropped from Content-Encoding.
 * Storage class is accepted and not stored: every object is STANDARD. */
s3_error s3_request_metadata(s3_req *r, object_info *o)
{
    size_t n = 0, user_bytes = 0;
    o->headers = arena_alloc(r->a, (r->http->n_headers + 1) * sizeof *o->headers);
    for (size_t i = 0; i < r->http->n_headers; i++) {
        const http_header *h = &r->http->headers[i];
        if (!is_stored_header(h->name)) continue;
        const char *value = h->value;
        if (strcmp(h->name, "content-encoding") == 0) {
            strbuf b;
            strbuf_init(&b, r->a, strlen(value) + 1);
            const char *p = value;
            while (*p) {
                size_t len = strcspn(p, ",");
                const char *s = p, *e = p + len;
                while (s < e && *s == ' ') s++;
                while (e > s && e[-1] == ' ') e--;
                if ((size_t)(e - s) != 11 || strncasecmp(s, "aws-chunked", 11) != 0) {
                    if (b.len) strbuf_puts(&b, ", ");   /* the list form HTTP writes */
                    strbuf_append(&b, s, (size_t)(e - s));
                }
                p += len;
                if (*p == ',') p++;
            }
            if (b.len == 0) continue;
            value = b.data;
        }
        if (strncmp(h->name, "x-amz-meta-", 11) == 0) user_bytes += strlen(h->name) - 11 + strlen(value);
        o->headers[n].name = h->name;
        o->headers[n].value = value;
        n++;
    }
    o->n_headers = n;
    if (user_bytes > MAX_USER_METADATA) return S3E_METADATA_TOO_LARGE;
    return S3E_NONE;
}

int s3_storage_class(s3_req *r, int dflt)
{
    const char *sc = s3_header(r, "x-amz-storage-class");
    if (!sc) return dflt;
    if (strcmp(sc, "STANDARD") == 0) return 0;
    if (strcmp(sc, "REDUCED_REDUNDANCY") == 0) return 1;
    return -1;
}

/* ---------- PutObject ---------- */

typedef struct put_op {
    s3_req *r;
    store_put *sp;
    digests *d;
    object_info info;
    unsigned char content_md5[16];
    int has_content_md5;
    const char *ck_header_value;     /* x-amz-checksum-<algo> sent as a header */
    put_conditions cond;
    const char *upload_id;           /* UploadPart: the upload and part number */
    uint32_t part_number;
    int reduced;                     /* REDUCED_REDUNDANCY */
    int done;
} put_op;

static void put_fail(put_op *p, s3_error e, const char *msg)
{
    if (p->done) return;
    p->done = 1;
    s3_req *r = p->r;
    r->abort_op = NULL;
    if (r->body.chunked) aws_chunked_free(&r->body.dec);
    if (p->sp) store_put_abort(p->sp);
    p->sp = NULL;
    if (!http_is_aborted(r->ex)) s3_error_reply(r, e, msg);
    http_release(r->ex);
}

static void put_abort(s3_req *r)
{
    put_op *p = r->op;
    put_fail(p, S3E_INCOMPLETE_BODY, NULL);
}

static void put_resume(void *arg)
{
    put_op *p = arg;
    http_resume_body(p->r->ex);
}

static int put_consume(s3_req *r, const unsigned char *data, size_t n)
{
    put_op *p = r->op;
    if (p->done) return 0;
    if (store_put_size(p->sp) + n > (uint64_t)MAX_PUT_SIZE) {
        put_fail(p, S3E_ENTITY_TOO_LARGE, NULL);
        return 0;
    }
    if (store_put_write(p->sp, data, n)) {
        http_pause_body(r->ex);
        return 1;
    }
    return 0;
}

static unsigned char *put_buffer(s3_req *r, size_t *cap)
{
    put_op *p = r->op;
    if (p->done || !p->sp) return NULL;
    return store_put_buffer(p->sp, cap);
}

static void put_committed(void *arg, store_status st)
{
    put_op *p = arg;
    s3_req *r = p->r;
    p->sp = NULL;               /* store_put_commit freed it */
    if (st) {
        put_fail(p, s3_error_from_store(st, 1), NULL);
        return;
    }
    p->done = 1;
    r->abort_op = NULL;
    if (!http_is_aborted(r->ex)) {
        http_add_header(r->ex, "ETag", arena_printf(r->a, "\"%s\"", p->info.etag));
        if (!p->upload_id && s3_real_version(p->info.version_id)) http_add_header(r->ex, "x-amz-version-id", p->info.version_id);
        if (p->info.cksum_algo) {
            http_add_header(r->ex, cksum_algo_header((cksum_algo)p->info.cksum_algo), p->info.cksum);
            if (!p->upload_id) http_add_header(r->ex, "x-amz-checksum-type", "FULL_OBJECT");
        }
        http_respond(r->ex, 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void put_flushed(void *arg, store_status st)
{
    put_op *p = arg;
    s3_req *r = p->r;
    if (p->done) return;
    if (st) { put_fail(p, s3_error_from_store(st, 1), NULL); return; }
    unsigned char md5[16];
    cksum_final_raw(&p->d->md5, md5, sizeof md5);
    hex_encode(md5, 16, p->info.etag);
    if (p->has_content_md5 && memcmp(md5, p->content_md5, 16) != 0) {
        put_fail(p, S3E_BAD_DIGEST, NULL);
        return;
    }
    if (p->d->want_sha256) {
        unsigned char sha[32];
        char hex[65];
        cksum_final_raw(&p->d->sha256, sha, sizeof sha);
        hex_encode(sha, 32, hex);
        if (strcmp(hex, r->auth.sha256_hex) != 0) { put_fail(p, S3E_CONTENT_SHA256_MISMATCH, NULL); return; }
    }
    if (p->d->ck_algo) {
        char b64[CKSUM_MAX_BASE64];
        cksum_final_base64(&p->d->ck, b64, sizeof b64);
        const char *want = p->ck_header_value;
        if (!want && r->body.chunked) want = aws_chunked_trailer(&r->body.dec, cksum_algo_header(p->d->ck_algo));
        if (want && strcmp(want, b64) != 0) {
            put_fail(p, S3E_BAD_DIGEST,
                     arena_printf(r->a, "The %s you specified did not match the calculated checksum.",
                                  cksum_algo_header(p->d->ck_algo)));
            return;
        }
        if (!want && r->auth.streaming_trailer) {
            put_fail(p, S3E_INVALID_REQUEST, "The declared checksum trailer was not sent.");
            return;
        }
        p->info.cksum_algo = (uint8_t)p->d->ck_algo;
        snprintf(p->info.cksum, sizeof p->info.cksum, "%s", b64);
    }
    store_put *sp = p->sp;
    if (p->upload_id)
        store_part_commit(sp, r->bucket, r->key, p->upload_id, p->part_number, &p->info, put_committed, p);
    else
        store_put_commit(sp, r->bucket, r->key, &p->info, &p->cond, put_committed, p);
}

static void put_body_complete(s3_req *r, s3_error e)
{
    put_op *p = r->op;
    if (r->body.chunked) aws_chunked_free(&r->body.dec);   /* trailers stay readable */
    if (p->done) return;
    if (e) { put_fail(p, e, NULL); return; }
    store_put_finish(p->sp, put_flushed, p);
}

/* Which x-amz-checksum algorithm the client declared, from a header value
 * or a trailer announcement.  More than one is an error, as on AWS. */
static s3_error declared_checksum(s3_req *r, cksum_algo *algo, const char **header_value)
{
    *algo = CKSUM_NONE;
    *header_value = NULL;
    for (size_t i = 0; i < r->http->n_headers; i++) {
        cksum_algo a = cksum_algo_from_header(r->http->headers[i].name);
        if (a == CKSUM_NONE) continue;
        if (*algo != CKSUM_NONE) return S3E_INVALID_REQUEST;
        *algo = a;
        *header_value = r->http->headers[i].value;
    }
    const char *trailer = s3_header(r, "x-amz-trailer");
    if (trailer) {
        cksum_algo a = cksum_algo_from_header(trailer);
        if (a == CKSUM_NONE && r->auth.streaming_trailer) return S3E_INVALID_REQUEST;
        if (a != CKSUM_NONE) {
            if (*algo != CKSUM_NONE && *algo != a) return S3E_INVALID_REQUEST;
            *algo = a;
        }
    }
    if (*algo == CKSUM_NONE) {
        const char *sdk = s3_header(r, "x-amz-sdk-checksum-algorithm");
        if (sdk) {
            *algo = cksum_algo_from_name(sdk);
            if (*algo == CKSUM_NONE) return S3E_INVALID_REQUEST;
        }
    }
    return S3E_NONE;
}

void op_put_object(s3_req *r)
{
    put_op *p = arena_calloc(r->a, sizeof *p);
    p->r = r;
    r->op = p;
    if (r->http->content_length > MAX_PUT_SIZE) { s3_error_reply(r, S3E_ENTITY_TOO_LARGE, NULL); return; }
    const char *md5 = s3_header(r, "content-md5");
    if (md5) {
        if (b64_decode(md5, strlen(md5), p->content_md5, sizeof p->content_md5) != 16) {
            s3_error_reply(r, S3E_INVALID_DIGEST, NULL);
            return;
        }
        p->has_content_md5 = 1;
    }
    cksum_algo algo;
    if (declared_checksum(r, &algo, &p->ck_header_value) != S3E_NONE) {
        s3_error_reply(r, S3E_INVALID_REQUEST, "Expecting a single, known x-amz-checksum- algorithm.");
        return;
    }
    const char *upload_id = query_get(&r->q, "uploadId");
    if (upload_id || query_find(&r->q, "partNumber")) {
        object_info upload;
        s3_error pe = s3_part_target(r, upload_id, &p->part_number, &upload);
        if (pe) { s3_error_reply(r, pe, NULL); return; }
        p->upload_id = upload_id;
        cksum_algo ua = (cksum_algo)upload.cksum_algo;
        if (ua && algo && algo != ua) {
            s3_error_reply(r, S3E_INVALID_REQUEST,
                           arena_printf(r->a, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
                                        cksum_algo_name(ua), cksum_algo_name(algo)));
            return;
        }
        if (ua) algo = ua;     /* every part carries the upload's checksum */
        p->reduced = upload.reduced;
    }
    if (p->ck_header_value) {
        unsigned char raw[CKSUM_MAX_DIGEST];
        long n = b64_decode(p->ck_header_value, strlen(p->ck_header_value), raw, sizeof raw);
        if (n != (long)cksum_digest_len(algo)) {
            s3_error_reply(r, S3E_INVALID_REQUEST,
                           arena_printf(r->a, "Value for %s header is invalid.", cksum_algo_header(algo)));
            return;
        }
    }
    s3_error e = p->upload_id ? S3E_NONE : s3_request_metadata(r, &p->info);
    if (e) { s3_error_reply(r, e, NULL); return; }
    if (!p->upload_id) {
        int sc = s3_storage_class(r, 0);
        if (sc < 0) { s3_error_reply(r, S3E_INVALID_STORAGE_CLASS, NULL); return; }
        p->reduced = sc;
        const char *msg = NULL;
        s3_error te = s3_tags_from_header(r, &p->info.tags, &msg);
        if (te) { s3_error_reply(r, te, msg); return; }
        te = s3_lock_from_headers(r, &p->info, &msg);
        if (te) { s3_error_reply(r, te, msg); return; }
    }
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        return;
    }
    p->cond.if_match = p->upload_id ? NULL : etag_unquote(r->a, s3_header(r, "if-match"));
    /* "*": only if the key is new; an ETag: only if the current object is
     * not that one (as MinIO and RGW accept; AWS documents "*" alone) */
    p->cond.if_none_match = p->upload_id ? NULL : etag_unquote(r->a, s3_header(r, "if-none-match"));
    p->d = digests_new();
    p->d->want_sha256 = r->auth.mode == PAYLOAD_SHA256;
    p->d->ck_algo = algo;
    if (cksum_init(&p->d->md5, CKSUM_MD5) != 0 ||
        (p->d->want_sha256 && cksum_init(&p->d->sha256, CKSUM_SHA256) != 0) ||
        (algo && cksum_init(&p->d->ck, algo) != 0)) {
        digests_release(p->d);
        s3_error_reply(r, S3E_INTERNAL, NULL);
        return;
    }
    int64_t hint = r->http->content_length;
    if (r->auth.mode == PAYLOAD_STREAMING) {
        const char *dl = s3_header(r, "x-amz-decoded-content-length");
        hint = dl ? atoll(dl) : -1;
    }
    if (r->http->chunked) hint = -1;
    p->sp = store_put_begin(r->api->cfg.store, hint, observe, p->d, digests_release);
    if (p->upload_id) store_put_no_inline(p->sp);
    store_put_reduced(p->sp, p->reduced);
    store_put_on_resume(p->sp, put_resume, p);
    http_hold(r->ex);
    r->abort_op = put_abort;
    s3_body_start(r, put_consume, put_body_complete);
    r->body.buffer = put_buffer;
}

/* ---------- CopyObject and UploadPartCopy ---------- */

enum { COPY_BLOCK = 1024 * 1024 };

typedef struct copy_op {
    s3_req *r;
    object_info src;
    object_info info;
    store_put *sp;
    store_reader *rd;
    digests *d;
    unsigned char *buf;
    uint64_t off, end;               /* the source bytes being copied */
    const char *upload_id;           /* UploadPartCopy */
    uint32_t part_number;
    int reduced;
    int waiting_resume;
    int done;
} copy_op;

static void copy_read_next(copy_op *c);

static void copy_fail(copy_op *c, s3_error e, const char *msg)
{
    if (c->done) return;
    c->done = 1;
    s3_req *r = c->r;
    r->abort_op = NULL;
    if (c->sp) store_put_abort(c->sp);
    if (c->rd) store_read_close(c->rd);
    free(c->buf);
    if (!http_is_aborted(r->ex)) s3_error_reply(r, e, msg);
    http_release(r->ex);
}

static void copy_committed(void *arg, store_status st)
{
    copy_op *c = arg;
    s3_req *r = c->r;
    c->sp = NULL;
    if (st) { copy_fail(c, s3_error_from_store(st, 1), NULL); return; }
    c->done = 1;
    r->abort_op = NULL;
    if (!http_is_aborted(r->ex)) {
        char date[40];
        format_iso8601_ms(c->info.mtime_ns, date, sizeof date);
        if (c->src.version_id[0]) http_add_header(r->ex, "x-amz-copy-source-version-id", c->src.version_id);
        if (!c->upload_id && s3_real_version(c->info.version_id)) http_add_header(r->ex, "x-amz-version-id", c->info.version_id);
        strbuf b;
        strbuf_init(&b, r->a, 512);
        const char *root = c->upload_id ? "CopyPartResult" : "CopyObjectResult";
        strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"" S3_XMLNS "\">"
                          "<LastModified>%s</LastModified><ETag>&quot;%s&quot;</ETag>",
                      root, date, c->info.etag);
        if (c->info.cksum_algo)
            strbuf_printf(&b, "<Checksum%s>%s</Checksum%s>", cksum_algo_name((cksum_algo)c->info.cksum_algo),
                          c->info.cksum, cksum_algo_name((cksum_algo)c->info.cksum_algo));
        strbuf_printf(&b, "</%s>", root);
        s3_xml_reply(r, 200, &b);
    }
    http_release(r->ex);
}

static void copy_flushed(void *arg, store_status st)
{
    copy_op *c = arg;
    s3_req *r = c->r;
    if (c->done) return;
    if (st) { copy_fail(c, s3_error_from_store(st, 1), NULL); return; }
    unsigned char md5[16];
    cksum_final_raw(&c->d->md5, md5, sizeof md5);
    hex_encode(md5, 16, c->info.etag);
    if (c->d->ck_algo) {
        c->info.cksum_algo = (uint8_t)c->d->ck_algo;
        cksum_final_base64(&c->d->ck, c->info.cksum, sizeof c->info.cksum);
    }
    c->info.mtime_ns = 0;
    if (c->upload_id)
        store_part_commit(c->sp, r->bucket, r->key, c->upload_id, c->part_number, &c->info, copy_committed, c);
    else
        store_put_commit(c->sp, r->bucket, r->key, &c->info, NULL, copy_committed, c);
}

static void copy_finish_data(copy_op *c)
{
    if (c->rd) store_read_close(c->rd);
    c->rd = NULL;
    free(c->buf);
    c->buf = NULL;
    store_put_finish(c->sp, copy_flushed, c);
}

static void copy_resume(void *arg)
{
    copy_op *c = arg;
    if (!c->waiting_resume) return;
    c->waiting_resume = 0;
    copy_read_next(c);
}

static size_t copy_chunk(const copy_op *c)
{
    return c->end - c->off > COPY_BLOCK ? COPY_BLOCK : (size_t)(c->end - c->off);
}

static void copy_read_done(void *arg, ssize_t n)
{
    copy_op *c = arg;
    if (c->done) return;
    if (http_is_aborted(c->r->ex)) { copy_fail(c, S3E_INTERNAL, NULL); return; }
    if (n < 0 || (size_t)n != copy_chunk(c)) {
        copy_fail(c, S3E_INTERNAL, "The source object's data could not be read.");
        return;
    }
    c->off += (uint64_t)n;
    if (store_put_write(c->sp, c->buf, (size_t)n)) {
        c->waiting_resume = 1;
        return;
    }
    copy_read_next(c);
}

static void copy_read_next(copy_op *c)
{
    if (c->off >= c->end) { copy_finish_data(c); return; }
    store_read(c->rd, c->off, c->buf, copy_chunk(c), copy_read_done, c);
}

static void copy_opened(void *arg, store_status st, store_reader *rd)
{
    copy_op *c = arg;
    if (st) { copy_fail(c, st == ST_NO_SUCH_KEY ? S3E_NO_SUCH_KEY : S3E_INTERNAL, NULL); return; }
    c->rd = rd;
    copy_read_next(c);
}

static void copy_abort(s3_req *r)
{
    (void)r; /* the running step sees http_is_aborted and stops */
}

/* "bytes=first-last", both required, inside the source. */
/* -1 malformed (InvalidArgument), -2 well formed but not inside the
 * source (InvalidRange, as AWS answers). */
static int parse_copy_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
    unsigned long long a, b;
    char tail;
    if (sscanf(h, "bytes=%llu-%llu%c", &a, &b, &tail) != 2 || a > b) return -1;
    if (b >= size) return -2;
    *first = a;
    *last = b;
    return 0;
}

void op_copy_object(s3_req *r)
{
    const char *src_raw = s3_header(r, "x-amz-copy-source");
    size_t n = strcspn(src_raw, "?");
    char *src = url_decode(r->a, src_raw, n, 0, NULL);
    if (!src) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid copy source encoding."); return; }
    const char *src_version = NULL;
    if (src_raw[n] == '?') {
        const char *vid = src_raw + n + 1;
        if (strncmp(vid, "versionId=", 10) != 0 || !vid[10]) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "The copy source may name only a versionId.");
            return;
        }
        src_version = url_decode(r->a, vid + 10, strlen(vid + 10), 0, NULL);
    }
    if (*src == '/') src++;
    char *slash = strchr(src, '/');
    if (!slash || slash == src || !slash[1]) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
        return;
    }
    *slash = '\0';
    const char *src_bucket = src, *src_key = slash + 1;
    if (object_key_check(src_key, strlen(src_key)) != KEY_OK) {
        s3_error_reply(r, S3E_KEY_TOO_LONG, NULL);
        return;
    }
    /* reading the source is a GetObject of its own */
    s3_error ae = s3_authorize(r, src_version ? "s3:GetObjectVersion" : "s3:GetObject", src_bucket, src_key);
    if (ae) { s3_error_reply(r, ae, NULL); return; }
    copy_op *c = arena_calloc(r->a, sizeof *c);
    c->r = r;
    r->op = c;
    const char *upload_id = query_get(&r->q, "uploadId");
    if (upload_id || query_find(&r->q, "partNumber")) {
        object_info upload;
        s3_error pe = s3_part_target(r, upload_id, &c->part_number, &upload);
        if (pe) { s3_error_reply(r, pe, NULL); return; }
        c->upload_id = upload_id;
        c->info.cksum_algo = upload.cksum_algo;
        c->reduced = upload.reduced;
    }
    store_status st = src_version ? store_object_version(r->api->cfg.store, r->a, src_bucket, src_key, src_version, &c->src)
                                  : store_object_info(r->api->cfg.store, r->a, src_bucket, src_key, &c->src);
    if (st == ST_DELETE_MARKER) {
        s3_error_reply(r, S3E_INVALID_REQUEST, "The source of a copy request may not specifically refer to a delete marker by version id.");
        return;
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    s3_error ce = s3_check_conditions(&c->src, s3_header(r, "x-amz-copy-source-if-match"),
                                      s3_header(r, "x-amz-copy-source-if-none-match"),
                                      s3_header(r, "x-amz-copy-source-if-modified-since"),
                                      s3_header(r, "x-amz-copy-source-if-unmodified-since"), 1);
    if (ce) { s3_error_reply(r, ce, NULL); return; }
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        return;
    }
    c->off = 0;
    c->end = c->src.size;
    const char *range = s3_header(r, "x-amz-copy-source-range");
    if (range) {
        uint64_t first, last;
        if (!c->upload_id) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "x-amz-copy-source-range is valid only for UploadPartCopy.");
            return;
        }
        int rc = parse_copy_range(range, c->src.size, &first, &last);
        if (rc == -2) {
            s3_error_reply(r, S3E_INVALID_RANGE, "The x-amz-copy-source-range goes beyond the source object.");
            return;
        }
        if (rc != 0) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT,
                           "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
                           "and last are the zero-based offsets of the first and last bytes to copy, within the source.");
            return;
        }
        c->off = first;
        c->end = last + 1;
    }
    if (!c->upload_id) {
        const char *directive = s3_header(r, "x-amz-metadata-directive");
        int replace = 0;
        if (directive) {
            if (strcmp(directive, "REPLACE") == 0) replace = 1;
            else if (strcmp(directive, "COPY") != 0) {
                s3_error_reply(r, S3E_INVALID_ARGUMENT, "Unknown metadata directive.");
                return;
            }
        }
        int sc = s3_storage_class(r, 0);
        if (sc < 0) { s3_error_reply(r, S3E_INVALID_STORAGE_CLASS, NULL); return; }
        c->reduced = sc;
        if (!replace && !src_version && strcmp(src_bucket, r->bucket) == 0 && strcmp(src_key, r->key) == 0 &&
            (!s3_header(r, "x-amz-storage-class") || sc == c->src.reduced)) {
            s3_error_reply(r, S3E_INVALID_REQUEST,
                           "This copy request is illegal because it is trying to copy an object to itself without "
                           "changing the object's metadata, storage class, website redirect location or encryption attributes.");
            return;
        }
        if (replace) {
            s3_error e = s3_request_metadata(r, &c->info);
            if (e) { s3_error_reply(r, e, NULL); return; }
        } else {
            c->info.headers = c->src.headers;
            c->info.n_headers = c->src.n_headers;
        }
        const char *lmsg = NULL;
        s3_error le = s3_lock_from_headers(r, &c->info, &lmsg);
        if (le) { s3_error_reply(r, le, lmsg); return; }
        const char *td = s3_header(r, "x-amz-tagging-directive");
        if (td && strcmp(td, "REPLACE") == 0) {
            const char *msg = NULL;
            s3_error te = s3_tags_from_header(r, &c->info.tags, &msg);
            if (te) { s3_error_reply(r, te, msg); return; }
        } else if (!td || strcmp(td, "COPY") == 0) {
            c->info.tags = c->src.tags;
        } else {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "Unknown tagging directive.");
            return;
        }
        /* a multipart source's composite checksum does not describe a
         * single-part copy: recompute the algorithm over the bytes */
        c->info.cksum_algo = c->src.cksum_algo;
    } else if (c->end - c->off > (uint64_t)MAX_PUT_SIZE) {
        s3_error_reply(r, S3E_ENTITY_TOO_LARGE, NULL);
        return;
    }
    c->d = digests_new();
    if (cksum_init(&c->d->md5, CKSUM_MD5) != 0) {
        digests_release(c->d);
        s3_error_reply(r, S3E_INTERNAL, NULL);
        return;
    }
    if (c->info.cksum_algo && cksum_init(&c->d->ck, (cksum_algo)c->info.cksum_algo) == 0)
        c->d->ck_algo = (cksum_algo)c->info.cksum_algo;
    c->info.cksum_algo = 0;
    http_hold(r->ex);
    r->abort_op = copy_abort;
    c->sp = store_put_begin(r->api->cfg.store, (int64_t)(c->end - c->off), observe, c->d, digests_release);
    if (c->upload_id) store_put_no_inline(c->sp);
    store_put_reduced(c->sp, c->reduced);
    store_put_on_resume(c->sp, copy_resume, c);
    if (c->src.flags & OBJ_INLINE) {
        store_put_write(c->sp, c->src.inline_data + c->off, (size_t)(c->end - c->off));
        store_put_finish(c->sp, copy_flushed, c);
        return;
    }
    c->buf = malloc(COPY_BLOCK);
    if (!c->buf) abort();
    store_read_open(r->api->cfg.store, &c->src, copy_opened, c);
}

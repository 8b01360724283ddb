/*
 * multipart — CreateMultipartUpload, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads and
 * GetObjectAttributes.  UploadPart and UploadPartCopy are PutObject and
 * CopyObject writing a part (put.c).
 *
 * Completion validates the client's part list against the stored parts
 * (order, ETags, the 5 MiB minimum for every part but the last), computes
 * the multipart ETag (MD5 of the parts' binary MD5s, "-N") and the object
 * checksum (COMPOSITE: the algorithm over the parts' checksums, "-N";
 * FULL_OBJECT: the parts' CRCs combined), and hands storage the exact part
 * data it validated, so a part re-uploaded meanwhile cannot slip in.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml.h"

enum {
    MAX_PARTS = 10000,
    MAX_COMPLETE_BODY = 4 * 1024 * 1024,
};


static int parse_part_number(const char *s, uint32_t *out)
{
    if (!s || !*s) return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1 || v > MAX_PARTS) return -1;
    *out = (uint32_t)v;
    return 0;
}

s3_error s3_part_target(s3_req *r, const char *upload_id, uint32_t *part_number, object_info *upload)
{
    if (!upload_id || parse_part_number(query_get(&r->q, "partNumber"), part_number) != 0)
        return S3E_INVALID_ARGUMENT;
    store_status st = store_upload_get(r->api->cfg.store, r->a, r->bucket, r->key, upload_id, upload);
    if (st) return s3_error_from_store(st, 1);
    return S3E_NONE;
}

static void field(strbuf *b, const char *tag, const char *value)
{
    strbuf_printf(b, "<%s>", tag);
    strbuf_xml_escape(b, value, strlen(value));
    strbuf_printf(b, "</%s>", tag);
}

/* ---------- CreateMultipartUpload ---------- */

typedef struct create_state {
    char upload_id[33];
    object_info meta;            /* what the completed object will carry */
} create_state;

static void created(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st) {
            s3_error_reply(r, s3_error_from_store(st, 1), NULL);
        } else {
            create_state *cs = r->op;
            const char *id = cs->upload_id;
            object_info *meta = &cs->meta;
            if (meta->cksum_algo) {
                http_add_header(r->ex, "x-amz-checksum-algorithm", cksum_algo_name((cksum_algo)meta->cksum_algo));
                http_add_header(r->ex, "x-amz-checksum-type",
                                meta->cksum_type == CKSUM_TYPE_FULL_OBJECT ? "FULL_OBJECT" : "COMPOSITE");
            }
            strbuf b;
            strbuf_init(&b, r->a, 512);
            strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
            field(&b, "Bucket", r->bucket);
            field(&b, "Key", r->key);
            field(&b, "UploadId", id);
            strbuf_puts(&b, "</InitiateMultipartUploadResult>");
            s3_xml_reply(r, 200, &b);
        }
    }
    http_release(r->ex);
}

void op_create_multipart(s3_req *r)
{
    create_state *state = arena_calloc(r->a, sizeof *state);
    object_info *meta = &state->meta;
    s3_error e = s3_request_metadata(r, meta);
    if (e) { s3_error_reply(r, e, NULL); return; }
    int sc = s3_storage_class(r, 0);
    if (sc < 0) { s3_error_reply(r, S3E_INVALID_STORAGE_CLASS, NULL); return; }
    meta->reduced = (uint8_t)sc;
    const char *msg = NULL;
    e = s3_tags_from_header(r, &meta->tags, &msg);
    if (e) { s3_error_reply(r, e, msg); return; }
    e = s3_lock_from_headers(r, meta, &msg);
    if (e) { s3_error_reply(r, e, msg); return; }
    const char *algo_name = s3_header(r, "x-amz-checksum-algorithm");
    const char *type = s3_header(r, "x-amz-checksum-type");
    if (algo_name) {
        cksum_algo a = cksum_algo_from_name(algo_name);
        if (a == CKSUM_NONE) { s3_error_reply(r, S3E_INVALID_REQUEST, "Invalid x-amz-checksum-algorithm."); return; }
        meta->cksum_algo = (uint8_t)a;
        int crc = a == CKSUM_CRC32 || a == CKSUM_CRC32C || a == CKSUM_CRC64NVME;
        if (type && strcmp(type, "FULL_OBJECT") == 0) {
            if (!crc) {
                s3_error_reply(r, S3E_INVALID_REQUEST, "The FULL_OBJECT checksum type needs a CRC algorithm.");
                return;
            }
            meta->cksum_type = CKSUM_TYPE_FULL_OBJECT;
        } else if (type && strcmp(type, "COMPOSITE") == 0) {
            if (a == CKSUM_CRC64NVME) {
                s3_error_reply(r, S3E_INVALID_REQUEST, "CRC64NVME supports only the FULL_OBJECT checksum type.");
                return;
            }
            meta->cksum_type = CKSUM_TYPE_COMPOSITE;
        } else if (type) {
            s3_error_reply(r, S3E_INVALID_REQUEST, "x-amz-checksum-type must be COMPOSITE or FULL_OBJECT.");
            return;
        } else {
            meta->cksum_type = a == CKSUM_CRC64NVME ? CKSUM_TYPE_FULL_OBJECT : CKSUM_TYPE_COMPOSITE;
        }
    } else if (type) {
        s3_error_reply(r, S3E_INVALID_REQUEST, "x-amz-checksum-type needs x-amz-checksum-algorithm.");
        return;
    }
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        return;
    }
    r->op = state;
    http_hold(r->ex);
    store_upload_create(r->api->cfg.store, r->bucket, r->key, meta, state->upload_id, created, r);
}

/* ---------- CompleteMultipartUpload ---------- */

typedef struct complete_state {
    object_info final;
    const char *upload_id;
} complete_state;

static void complete_reply(s3_req *r, const object_info *final);

static void completed(void *arg, store_status st)
{
    s3_req *r = arg;
    complete_state *cs = r->op;
    if (!http_is_aborted(r->ex)) {
        object_info done;
        if (st == ST_UPLOAD_COMPLETED &&
            store_upload_get(r->api->cfg.store, r->a, r->bucket, r->key, cs->upload_id, &done) == ST_UPLOAD_COMPLETED)
            complete_reply(r, &done);      /* another Complete of this upload won the race */
        else if (st)
            s3_error_reply(r, s3_error_from_store(st, 1), NULL);
        else {
            if (s3_real_version(cs->final.version_id)) http_add_header(r->ex, "x-amz-version-id", cs->final.version_id);
            complete_reply(r, &cs->final);
        }
    }
    http_release(r->ex);
}

static void complete_reply(s3_req *r, const object_info *final)
{
    strbuf b;
    strbuf_init(&b, r->a, 512);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
    const char *host = s3_header(r, "host");
    field(&b, "Location", arena_printf(r->a, "http://%s/%s/%s", host ? host : "", r->bucket,
                                       url_encode(r->a, r->key, 1)));
    field(&b, "Bucket", r->bucket);
    field(&b, "Key", r->key);
    strbuf_printf(&b, "<ETag>&quot;%s&quot;</ETag>", final->etag);
    if (final->cksum_algo) {
        const char *name = cksum_algo_name((cksum_algo)final->cksum_algo);
        strbuf_printf(&b, "<Checksum%s>%s</Checksum%s><ChecksumType>%s</ChecksumType>", name, final->cksum, name,
                      final->cksum_type == CKSUM_TYPE_FULL_OBJECT ? "FULL_OBJECT" : "COMPOSITE");
    }
    strbuf_puts(&b, "</CompleteMultipartUploadResult>");
    s3_xml_reply(r, 200, &b);
}

/* The object checksum from the parts' checksums, or an error. */
static s3_error final_checksum(const object_info *upload, object_info *final)
{
    cksum_algo a = (cksum_algo)upload->cksum_algo;
    if (!a) return S3E_NONE;
    size_t dl = cksum_digest_len(a);
    unsigned char raw[CKSUM_MAX_DIGEST];
    final->cksum_algo = (uint8_t)a;
    final->cksum_type = upload->cksum_type;
    if (upload->cksum_type == CKSUM_TYPE_FULL_OBJECT) {
        uint64_t crc = 0;
        for (size_t i = 0; i < final->n_parts; i++) {
            const obj_part *p = &final->parts[i];
            if (b64_decode(p->cksum, strlen(p->cksum), raw, sizeof raw) != (long)dl) return S3E_INVALID_PART;
            uint64_t v = 0;
            for (size_t k = 0; k < dl; k++) v = v << 8 | raw[k];
            crc = i == 0 ? v : cksum_crc_combine(a, crc, v, p->size);
        }
        for (size_t k = 0; k < dl; k++) raw[k] = (unsigned char)(crc >> (8 * (dl - 1 - k)));
        b64_encode(raw, dl, final->cksum, sizeof final->cksum);
        return S3E_NONE;
    }
    cksum_ctx c;
    if (cksum_init(&c, a) != 0) return S3E_INTERNAL;
    for (size_t i = 0; i < final->n_parts; i++) {
        const obj_part *p = &final->parts[i];
        if (b64_decode(p->cksum, strlen(p->cksum), raw, sizeof raw) != (long)dl) {
            cksum_free(&c);
            return S3E_INVALID_PART;
        }
        cksum_update(&c, raw, dl);
    }
    char b64[CKSUM_MAX_BASE64];
    cksum_final_base64(&c, b64, sizeof b64);
    cksum_free(&c);
    snprintf(final->cksum, sizeof final->cksum, "%s-%zu", b64, final->n_parts);
    return S3E_NONE;
}

/* An x-amz-checksum-* header on Complete states the object's checksum
 * (COMPOSITE ones with or without their "-N" part count): it must be the
 * one the parts make. */
static s3_error declared_checksum_matches(s3_req *r, const object_info *final)
{
    for (size_t i = 0; i < r->http->n_headers; i++) {
        cksum_algo a = cksum_algo_from_header(r->http->headers[i].name);
        if (a == CKSUM_NONE) continue;
        const char *want = r->http->headers[i].value;
        if (a != (cksum_algo)final->cksum_algo) return S3E_BAD_DIGEST;
        size_t have = strcspn(final->cksum, "-"), wl = strlen(want);
        int same = (wl == strlen(final->cksum) && !strcmp(want, final->cksum)) ||
                   (wl == have && !strncmp(want, final->cksum, have));
        if (!same) return S3E_BAD_DIGEST;
    }
    return S3E_NONE;
}

static void complete_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    const char *upload_id = query_get(&r->q, "uploadId");
    object_info upload;
    store_status st = store_upload_get(r->api->cfg.store, r->a, r->bucket, r->key, upload_id, &upload);
    if (st == ST_UPLOAD_COMPLETED) {
        /* A retried Complete (say, after a lost response) gets the answer
         * the first one got. */
        complete_reply(r, &upload);
        return;
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    complete_request req;
    if (xml_parse_complete(r->a, body, n, MAX_PARTS, &req) != 0) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    obj_part *stored;
    size_t n_stored;
    int truncated;
    st = store_part_list(r->api->cfg.store, r->a, upload_id, 0, 0, &stored, &n_stored, &truncated);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }

    complete_state *cs = arena_calloc(r->a, sizeof *cs);
    object_info *final = &cs->final;
    final->parts = arena_alloc(r->a, req.n * sizeof *final->parts);
    cksum_ctx md5;
    if (cksum_init(&md5, CKSUM_MD5) != 0) { s3_error_reply(r, S3E_INTERNAL, NULL); return; }
    uint64_t total = 0;
    size_t j = 0;
    e = S3E_NONE;
    /* The list's order is judged before its contents. */
    for (size_t i = 1; i < req.n; i++)
        if (req.parts[i].number <= req.parts[i - 1].number) e = S3E_INVALID_PART_ORDER;
    for (size_t i = 0; i < req.n && !e; i++) {
        const complete_part *cp = &req.parts[i];
        while (j < n_stored && stored[j].number < cp->number) j++;
        if (j == n_stored || stored[j].number != cp->number) { e = S3E_INVALID_PART; break; }
        const obj_part *sp = &stored[j];
        if (!cp->etag || strcmp(etag_unquote(r->a, cp->etag), sp->etag) != 0) { e = S3E_INVALID_PART; break; }
        if (cp->checksum && cp->checksum_algo && (cp->checksum_algo != upload.cksum_algo || strcmp(cp->checksum, sp->cksum) != 0)) {
            e = S3E_INVALID_PART;
            break;
        }
        if (i + 1 < req.n && sp->size < r->api->min_part_size) { e = S3E_ENTITY_TOO_SMALL; break; }
        unsigned char raw[16];
        if (strlen(sp->etag) != 32) { e = S3E_INVALID_PART; break; }
        for (int k = 0; k < 16; k++) {
            unsigned int byte;
            if (sscanf(sp->etag + 2 * k, "%2x", &byte) != 1) { e = S3E_INVALID_PART; break; }
            raw[k] = (unsigned char)byte;
        }
        cksum_update(&md5, raw, 16);
        final->parts[final->n_parts++] = *sp;
        total += sp->size;
    }
    unsigned char digest[16];
    cksum_final_raw(&md5, digest, sizeof digest);
    cksum_free(&md5);
    if (e) { s3_error_reply(r, e, NULL); return; }
    char hex[33];
    hex_encode(digest, 16, hex);
    snprintf(final->etag, sizeof final->etag, "%s-%zu", hex, final->n_parts);
    final->size = total;
    final->headers = upload.headers;
    final->n_headers = upload.n_headers;
    final->reduced = upload.reduced;
    final->tags = upload.tags;
    final->lock_mode = upload.lock_mode;
    final->retain_until_ns = upload.retain_until_ns;
    final->legal_hold = upload.legal_hold;
    final->parity = upload.parity;      /* the parts were coded with the upload's parity */
    if ((e = final_checksum(&upload, final)) != S3E_NONE) { s3_error_reply(r, e, NULL); return; }
    if ((e = declared_checksum_matches(r, final)) != S3E_NONE) { s3_error_reply(r, e, NULL); return; }
    cs->upload_id = upload_id;
    r->op = cs;
    put_conditions cond = { 0 };
    const char *im = s3_header(r, "if-match"), *inm = s3_header(r, "if-none-match");
    if (im) cond.if_match = etag_unquote(r->a, im);
    if (inm) cond.if_none_match = etag_unquote(r->a, inm);
    http_hold(r->ex);
    store_upload_complete(r->api->cfg.store, r->bucket, r->key, upload_id, final, &cond, completed, r);
}

void op_complete_multipart(s3_req *r)
{
    r->checksums_name_object = 1;
    s3_body_collect(r, MAX_COMPLETE_BODY, complete_body);
}

/* ---------- AbortMultipartUpload ---------- */

static void aborted(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 1), NULL);
        else http_respond(r->ex, 204, NULL, NULL, 0);
    }
    http_release(r->ex);
}

void op_abort_multipart(s3_req *r)
{
    const char *upload_id = query_get(&r->q, "uploadId");
    object_info upload;
    store_status st = store_upload_get(r->api->cfg.store, r->a, r->bucket, r->key, upload_id, &upload);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    http_hold(r->ex);
    store_upload_abort(r->api->cfg.store, r->bucket, r->key, upload_id, aborted, r);
}

/* ---------- ListParts ---------- */

static int parse_max(const char *s, size_t def, size_t cap, size_t *out)
{
    if (!s) { *out = def; return 0; }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0) return -1;
    *out = (size_t)v > cap ? cap : (size_t)v;
    return 0;
}

static void part_xml(strbuf *b, const obj_part *p, cksum_algo algo)
{
    char date[40];
    format_iso8601_ms(p->mtime_ns, date, sizeof date);
    strbuf_printf(b, "<Part><PartNumber>%u</PartNumber><LastModified>%s</LastModified>"
                     "<ETag>&quot;%s&quot;</ETag><Size>%llu</Size>",
                  p->number, date, p->etag, (unsigned long long)p->size);
    if (algo && p->cksum[0])
        strbuf_printf(b, "<Checksum%s>%s</Checksum%s>", cksum_algo_name(algo), p->cksum, cksum_algo_name(algo));
    strbuf_puts(b, "</Part>");
}

void op_list_parts(s3_req *r)
{
    const char *upload_id = query_get(&r->q, "uploadId");
    object_info upload;
    store_status st = store_upload_get(r->api->cfg.store, r->a, r->bucket, r->key, upload_id, &upload);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    size_t max;
    if (parse_max(query_get(&r->q, "max-parts"), 1000, 1000, &max) != 0) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "max-parts must be a non-negative integer.");
        return;
    }
    uint32_t marker = 0;
    const char *m = query_get(&r->q, "part-number-marker");
    if (m && *m) {
        char *end;
        long v = strtol(m, &end, 10);
        if (*end || v < 0 || v > MAX_PARTS) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "part-number-marker must be an integer between 0 and 10000.");
            return;
        }
        marker = (uint32_t)v;
    }
    obj_part *parts = NULL;
    size_t n = 0;
    int truncated = 0;
    if (max > 0) {
        st = store_part_list(r->api->cfg.store, r->a, upload_id, marker, max, &parts, &n, &truncated);
        if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    }
    cksum_algo algo = (cksum_algo)upload.cksum_algo;
    strbuf b;
    strbuf_init(&b, r->a, 1024 + n * 256);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult xmlns=\"" S3_XMLNS "\">");
    field(&b, "Bucket", r->bucket);
    field(&b, "Key", r->key);
    field(&b, "UploadId", upload_id);
    s3_xml_owner(&b, r, "Initiator");
    s3_xml_owner(&b, r, "Owner");
    strbuf_printf(&b, "<StorageClass>%s</StorageClass>", S3_STORAGE_CLASS_NAME(upload.reduced));
    strbuf_printf(&b, "<PartNumberMarker>%u</PartNumberMarker>", marker);
    if (n) strbuf_printf(&b, "<NextPartNumberMarker>%u</NextPartNumberMarker>", parts[n - 1].number);
    strbuf_printf(&b, "<MaxParts>%zu</MaxParts><IsTruncated>%s</IsTruncated>", max, truncated ? "true" : "false");
    if (algo) {
        strbuf_printf(&b, "<ChecksumAlgorithm>%s</ChecksumAlgorithm><ChecksumType>%s</ChecksumType>",
                      cksum_algo_name(algo), upload.cksum_type == CKSUM_TYPE_FULL_OBJECT ? "FULL_OBJECT" : "COMPOSITE");
    }
    for (size_t i = 0; i < n; i++) part_xml(&b, &parts[i], algo);
    strbuf_puts(&b, "</ListPartsResult>");
    s3_xml_reply(r, 200, &b);
}

/* ---------- ListMultipartUploads ---------- */

void op_list_multipart_uploads(s3_req *r)
{
    upload_list_params p = {
        .prefix = query_get(&r->q, "prefix"),
        .delimiter = query_get(&r->q, "delimiter"),
        .key_marker = query_get(&r->q, "key-marker"),
        .upload_id_marker = query_get(&r->q, "upload-id-marker"),
    };
    const char *enc = query_get(&r->q, "encoding-type");
    int url = enc && strcmp(enc, "url") == 0;
    if (enc && !url) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid Encoding Method specified in Request"); return; }
    if (parse_max(query_get(&r->q, "max-uploads"), 1000, 1000, &p.max) != 0) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "max-uploads must be a non-negative integer.");
        return;
    }
    upload_entry *ups = NULL;
    const char **prefixes = NULL;
    size_t n = 0, np = 0;
    int truncated = 0;
    store_status st = ST_OK;
    if (p.max > 0) {
        st = store_upload_list(r->api->cfg.store, r->a, r->bucket, &p, &ups, &n, &prefixes, &np, &truncated);
    } else {
        st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    strbuf b;
    strbuf_init(&b, r->a, 1024 + n * 384);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListMultipartUploadsResult xmlns=\"" S3_XMLNS "\">");
#define ENC(s) (url ? url_encode(r->a, (s), 1) : (s))
    field(&b, "Bucket", r->bucket);
    field(&b, "KeyMarker", ENC(p.key_marker ? p.key_marker : ""));
    field(&b, "UploadIdMarker", p.upload_id_marker ? p.upload_id_marker : "");
    if (truncated && n) {
        field(&b, "NextKeyMarker", ENC(ups[n - 1].key));
        field(&b, "NextUploadIdMarker", ups[n - 1].upload_id);
    }
    if (p.delimiter && *p.delimiter) field(&b, "Delimiter", ENC(p.delimiter));
    if (p.prefix) field(&b, "Prefix", ENC(p.prefix));
    strbuf_printf(&b, "<MaxUploads>%zu</MaxUploads><IsTruncated>%s</IsTruncated>", p.max, truncated ? "true" : "false");
    if (url) strbuf_puts(&b, "<EncodingType>url</EncodingType>");
    for (size_t i = 0; i < n; i++) {
        char date[40];
        format_iso8601_ms(ups[i].meta.mtime_ns, date, sizeof date);
        strbuf_puts(&b, "<Upload>");
        field(&b, "Key", ENC(ups[i].key));
        field(&b, "UploadId", ups[i].upload_id);
        s3_xml_owner(&b, r, "Initiator");
        s3_xml_owner(&b, r, "Owner");
        strbuf_printf(&b, "<StorageClass>%s</StorageClass><Initiated>%s</Initiated>",
                      S3_STORAGE_CLASS_NAME(ups[i].meta.reduced), date);
        if (ups[i].meta.cksum_algo)
            strbuf_printf(&b, "<ChecksumAlgorithm>%s</ChecksumAlgorithm>", cksum_algo_name((cksum_algo)ups[i].meta.cksum_algo));
        strbuf_puts(&b, "</Upload>");
    }
    for (size_t i = 0; i < np; i++) {
        strbuf_puts(&b, "<CommonPrefixes>");
        field(&b, "Prefix", ENC(prefixes[i]));
        strbuf_puts(&b, "</CommonPrefixes>");
    }
#undef ENC
    strbuf_puts(&b, "</ListMultipartUploadsResult>");
    s3_xml_reply(r, 200, &b);
}

/* ---------- GetObjectAttributes ---------- */

void op_get_object_attributes(s3_req *r)
{
    const char *want = s3_header(r, "x-amz-object-attributes");
    if (!want || !*want) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "x-amz-object-attributes must name at least one attribute.");
        return;
    }
    object_info o;
    store_status st = s3_lookup_object(r, &o);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    if (o.version_id[0]) http_add_header(r->ex, "x-amz-version-id", o.version_id);
    size_t max;
    if (parse_max(s3_header(r, "x-amz-max-parts"), 1000, 1000, &max) != 0) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "x-amz-max-parts must be a non-negative integer.");
        return;
    }
    const char *m = s3_header(r, "x-amz-part-number-marker");
    uint32_t marker = m ? (uint32_t)strtoul(m, NULL, 10) : 0;
    char date[64];
    format_http_date((time_t)(o.mtime_ns / 1000000000), date, sizeof date);
    http_add_header(r->ex, "Last-Modified", date);
    strbuf b;
    strbuf_init(&b, r->a, 1024);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetObjectAttributesResponse xmlns=\"" S3_XMLNS "\">");
    /* Attributes come back in the order S3 documents, whatever order was asked. */
    if (strstr(want, "ETag")) strbuf_printf(&b, "<ETag>%s</ETag>", o.etag);
    if (strstr(want, "Checksum") && o.cksum_algo) {
        const char *name = cksum_algo_name((cksum_algo)o.cksum_algo);
        strbuf_printf(&b, "<Checksum><Checksum%s>%s</Checksum%s><ChecksumType>%s</ChecksumType></Checksum>", name,
                      o.cksum, name, o.cksum_type == CKSUM_TYPE_COMPOSITE ? "COMPOSITE" : "FULL_OBJECT");
    }
    if (strstr(want, "ObjectParts") && (o.flags & OBJ_MULTIPART)) {
        size_t start = 0, count = 0;
        while (start < o.n_parts && o.parts[start].number <= marker) start++;
        strbuf_printf(&b, "<ObjectParts><PartsCount>%zu</PartsCount><PartNumberMarker>%u</PartNumberMarker>",
                      o.n_parts, marker);
        strbuf b_parts;
        strbuf_init(&b_parts, r->a, 256);
        uint32_t last = marker;
        for (size_t i = start; i < o.n_parts && count < max; i++, count++) {
            const obj_part *p = &o.parts[i];
            strbuf_printf(&b_parts, "<Part><PartNumber>%u</PartNumber><Size>%llu</Size>", p->number,
                          (unsigned long long)p->size);
            if (o.cksum_algo && p->cksum[0]) {
                const char *name = cksum_algo_name((cksum_algo)o.cksum_algo);
                strbuf_printf(&b_parts, "<Checksum%s>%s</Checksum%s>", name, p->cksum, name);
            }
            strbuf_puts(&b_parts, "</Part>");
            last = p->number;
        }
        int truncated = start + count < o.n_parts;
        strbuf_printf(&b, "<NextPartNumberMarker>%u</NextPartNumberMarker><MaxParts>%zu</MaxParts>"
                          "<IsTruncated>%s</IsTruncated>", last, max, truncated ? "true" : "false");
        strbuf_append(&b, b_parts.data, b_parts.len);
        strbuf_puts(&b, "</ObjectParts>");
    }
    if (strstr(want, "StorageClass")) strbuf_printf(&b, "<StorageClass>%s</StorageClass>", S3_STORAGE_CLASS_NAME(o.reduced));
    if (strstr(want, "ObjectSize")) strbuf_printf(&b, "<ObjectSize>%llu</ObjectSize>", (unsigned long long)o.size);
    strbuf_puts(&b, "</GetObjectAttributesResponse>");
    s3_xml_reply(r, 200, &b);
}

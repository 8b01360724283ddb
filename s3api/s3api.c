/*
 * s3api — routing: which bucket and key a request names (path-style or
 * virtual-host style), which operation its method and sub-resources select,
 * and the checks every operation shares (authentication, names).  Also the
 * response helpers all operations use.
 */
#include "s3api.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

s3api *s3api_new(const s3api_config *cfg)
{
    s3api *api = calloc(1, sizeof *api);
    if (!api) return NULL;
    api->cfg = *cfg;
    /* Test-only: lets a test complete uploads of many tiny parts (crash
     * during Complete, paging).  Never set in production. */
    const char *mps = getenv("CAIRN_TEST_MIN_PART_SIZE");
    api->min_part_size = mps && *mps ? strtoull(mps, NULL, 10) : 5 * 1024 * 1024;
    s3_lifecycle_start(api);
    return api;
}

void s3api_free(s3api *api)
{
    if (!api) return;   /* a node stopped before it joined its deployment never made one */
    s3_lifecycle_free(api);
    s3_authz_free(api);
    OPENSSL_cleanse(api, sizeof *api);   /* the signing-key cache holds secrets */
    free(api);
}

const char *s3_header(s3_req *r, const char *lower_name) { return http_header_get(r->ex, lower_name); }

void s3_config_written(void *arg, store_status st)
{
    s3_req *r = arg;
    /* the cached compiled policies depend on some of them (the public
     * access block); dropping the cache costs one rebuild */
    s3_bucket_policy_forget(r->api);
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, strcmp(r->http->method, "DELETE") == 0 ? 204 : 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

void s3_xml_owner(strbuf *b, s3_req *r, const char *tag)
{
    (void)r;
    strbuf_printf(b, "<%s><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME "</DisplayName></%s>", tag, tag);
}

void s3_error_reply(s3_req *r, s3_error e, const char *message) { s3_send_error(r->ex, e, r->resource, message); }

void s3_xml_reply(s3_req *r, int status, strbuf *body)
{
    http_respond(r->ex, status, "application/xml", body->data, body->len);
}

void s3_add_object_headers(s3_req *r, const object_info *o)
{
    http_exchange *ex = r->ex;
    char *etag = arena_printf(r->a, "\"%s\"", o->etag);
    http_add_header(ex, "ETag", etag);
    char date[64];
    format_http_date((time_t)(o->mtime_ns / 1000000000), date, sizeof date);
    http_add_header(ex, "Last-Modified", date);
    http_add_header(ex, "Accept-Ranges", "bytes");
    int has_type = 0;
    for (size_t i = 0; i < o->n_headers; i++) {
        const char *n = o->headers[i].name;
        if (strcmp(n, "content-type") == 0) has_type = 1;
        http_add_header(ex, n, o->headers[i].value);
    }
    if (!has_type) http_add_header(ex, "Content-Type", "binary/octet-stream");
}

/* Sub-resources S3 defines that cairn does not implement yet: answered
 * NotImplemented, never a silent success. */
static const char *const unimplemented_subresources[] = {
    "accelerate", "analytics", "encryption", "intelligent-tiering",
    "inventory", "logging", "metrics", "notification",

    "replication", "requestPayment", "restore", "select", "torrent",
    "website", "renameObject",
    NULL,
};

static const char *unimplemented(const query *q)
{
    for (int i = 0; unimplemented_subresources[i]; i++) {
        if (query_find(q, unimplemented_subresources[i])) return unimplemented_subresources[i];
    }
    return NULL;
}

/* Virtual-host style: "bucket.domain[:port]" names the bucket. */
static const char *host_bucket(s3_req *r)
{
    const char *domain = r->api->cfg.domain;
    const char *host = s3_header(r, "host");
    if (!domain || !*domain || !host) return NULL;
    size_t hl = strcspn(host, ":"), dl = strlen(domain);
    if (hl <= dl + 1 || host[hl - dl - 1] != '.' || strncasecmp(host + hl - dl, domain, dl) != 0) return NULL;
    char *b = arena_strndup(r->a, host, hl - dl - 1);
    for (char *p = b; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    return b;
}

/* The S3 API name of a request, as AWS names operations (and MinIO's
 * metrics label them). */
static const char *api_name(s3_req *r)
{
    const char *m = r->http->method;
    const query *q = &r->q;
    int get = !strcmp(m, "GET"), head = !strcmp(m, "HEAD"), put = !strcmp(m, "PUT"), del = !strcmp(m, "DELETE"),
        post = !strcmp(m, "POST");
    if (!r->bucket) return get ? "ListBuckets" : "Unknown";
    if (!r->key) {
        if (query_find(q, "location")) return "GetBucketLocation";
        if (query_find(q, "versioning")) return put ? "PutBucketVersioning" : "GetBucketVersioning";
        if (query_find(q, "acl")) return put ? "PutBucketAcl" : "GetBucketAcl";
        if (query_find(q, "tagging")) return get ? "GetBucketTagging" : put ? "PutBucketTagging" : "DeleteBucketTagging";
        if (query_find(q, "cors")) return get ? "GetBucketCors" : put ? "PutBucketCors" : "DeleteBucketCors";
        if (query_find(q, "lifecycle"))
            return get ? "GetBucketLifecycle" : put ? "PutBucketLifecycle" : "DeleteBucketLifecycle";
        if (query_find(q, "object-lock")) return get ? "GetObjectLockConfiguration" : "PutObjectLockConfiguration";
        if (query_find(q, "policyStatus")) return "GetBucketPolicyStatus";
        if (query_find(q, "ownershipControls"))
            return get ? "GetBucketOwnershipControls" : put ? "PutBucketOwnershipControls" : "DeleteBucketOwnershipControls";
        if (query_find(q, "publicAccessBlock"))
            return get ? "GetPublicAccessBlock" : put ? "PutPublicAccessBlock" : "DeletePublicAccessBlock";
        if (query_find(q, "policy")) return get ? "GetBucketPolicy" : put ? "PutBucketPolicy" : "DeleteBucketPolicy";
        if (query_find(q, "delete") && post) return "DeleteObjects";
        if (query_find(q, "uploads")) return "ListMultipartUploads";
        if (query_find(q, "versions")) return "ListObjectVersions";
        if (get) {
            const char *lt = query_get(q, "list-type");
            return lt && !strcmp(lt, "2") ? "ListObjectsV2" : "ListObjects";
        }
        if (head) return "HeadBucket";
        if (put) return "CreateBucket";
        if (del) return "DeleteBucket";
        return "Unknown";
    }
    if (query_find(q, "acl")) return put ? "PutObjectAcl" : "GetObjectAcl";
    if (query_find(q, "attributes")) return "GetObjectAttributes";
    if (query_find(q, "retention")) return get ? "GetObjectRetention" : "PutObjectRetention";
    if (query_find(q, "legal-hold")) return get ? "GetObjectLegalHold" : "PutObjectLegalHold";
    if (query_find(q, "tagging")) return get ? "GetObjectTagging" : put ? "PutObjectTagging" : "DeleteObjectTagging";
    if (query_find(q, "uploads")) return "CreateMultipartUpload";
    if (query_find(q, "uploadId")) {
        if (put) return s3_header(r, "x-amz-copy-source") ? "UploadPartCopy" : "UploadPart";
        if (get) return "ListParts";
        if (post) return "CompleteMultipartUpload";
        if (del) return "AbortMultipartUpload";
    }
    if (get) return "GetObject";
    if (head) return "HeadObject";
    if (put) return s3_header(r, "x-amz-copy-source") ? "CopyObject" : "PutObject";
    if (del) return "DeleteObject";
    return "Unknown";
}

/* Server-side encryption is not built: a write asking for it (SSE-S3,
 * SSE-KMS, SSE-C) is refused rather than stored in the clear under the
 * client's belief that it is encrypted; a read offering an SSE-C key is
 * told no object here is encrypted with one, as S3 answers for plain
 * objects. */
static s3_error sse_check(s3_req *r, int write, const char **msg)
{
    static const char *const write_headers[] = {
        "x-amz-server-side-encryption", "x-amz-server-side-encryption-customer-algorithm",
        "x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
        "x-amz-copy-source-server-side-encryption-customer-algorithm", NULL,
    };
    if (write) {
        for (int i = 0; write_headers[i]; i++) {
            if (s3_header(r, write_headers[i])) {
                *msg = "Server-side encryption (SSE-S3, SSE-KMS, SSE-C) is not implemented: cairn stores objects "
                       "unencrypted (encrypt the drives, or the data before upload).";
                return S3E_NOT_IMPLEMENTED;
            }
        }
        return S3E_NONE;
    }
    if (s3_header(r, "x-amz-server-side-encryption-customer-algorithm") ||
        s3_header(r, "x-amz-server-side-encryption-customer-key")) {
        *msg = "The encryption parameters are not applicable to this object.";
        return S3E_INVALID_REQUEST;
    }
    return S3E_NONE;
}

static void dispatch(s3_req *r)
{
    const char *m = r->http->method;
    const char *missing = unimplemented(&r->q);
    int get = strcmp(m, "GET") == 0, head = strcmp(m, "HEAD") == 0, put = strcmp(m, "PUT") == 0,
        del = strcmp(m, "DELETE") == 0, post = strcmp(m, "POST") == 0;

    if (!r->bucket) {
        if (get) op_list_buckets(r);
        else s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (!r->key) {
        if (get && query_find(&r->q, "location")) { op_get_bucket_location(r); return; }
        if ((get || put) && query_find(&r->q, "versioning")) { op_bucket_versioning(r); return; }
        if (get && query_find(&r->q, "versions")) { op_list_object_versions(r); return; }
        if (get && query_find(&r->q, "acl")) { op_get_acl(r); return; }
        if (post && query_find(&r->q, "delete")) { op_delete_objects(r); return; }
        if (get && query_find(&r->q, "uploads")) { op_list_multipart_uploads(r); return; }
        if (query_find(&r->q, "tagging") && !missing) { op_tagging(r); return; }
        if (query_find(&r->q, "cors") && !missing) { op_cors(r); return; }
        if ((get || put) && query_find(&r->q, "object-lock")) { op_object_lock_config(r); return; }
        if ((get || put || del) && query_find(&r->q, "lifecycle")) { op_lifecycle(r); return; }
        if (get && query_find(&r->q, "policyStatus")) { op_bucket_policy_status(r); return; }
        if ((get || put || del) && query_find(&r->q, "publicAccessBlock")) { op_public_access_block(r); return; }
        if ((get || put || del) && query_find(&r->q, "ownershipControls")) { op_ownership_controls(r); return; }
        if ((get || put || del) && query_find(&r->q, "policy")) { op_bucket_policy(r); return; }
        if (put && query_find(&r->q, "acl")) { op_put_bucket_acl(r); return; }
        if (missing || query_find(&r->q, "acl")) {
            s3_error_reply(r, S3E_NOT_IMPLEMENTED,
                           arena_printf(r->a, "cairn does not implement this bucket sub-resource (%s) yet.",
                                        missing ? missing : "acl"));
            return;
        }
        if (get) {
            const char *lt = query_get(&r->q, "list-type");
            if (lt && strcmp(lt, "2") == 0) op_list_objects(r, 2);
            else if (lt && strcmp(lt, "1") != 0) s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid list-type.");
            else op_list_objects(r, 0);
        } else if (head) op_head_bucket(r);
        else if (put) op_create_bucket(r);
        else if (del) op_delete_bucket(r);
        else if (post) s3_error_reply(r, S3E_MALFORMED_POST, "Bucket POST must be of the enclosure-type multipart/form-data.");
        else s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (get && query_find(&r->q, "acl")) { op_get_acl(r); return; }
    if (put && query_find(&r->q, "acl")) { op_put_object_acl(r); return; }
    if (get && query_find(&r->q, "attributes")) { op_get_object_attributes(r); return; }
    if (put || (post && query_find(&r->q, "uploads"))) {
        const char *why = NULL;
        s3_error ae = s3_object_acl_check(r, &why);
        if (!ae) ae = sse_check(r, 1, &why);
        if (ae) { s3_error_reply(r, ae, why); return; }
    }
    if (get || head) {
        const char *why = NULL;
        s3_error se = sse_check(r, 0, &why);
        if (se) { s3_error_reply(r, se, why); return; }
    }
    if (query_find(&r->q, "tagging") && !missing) { op_tagging(r); return; }
    if ((get || put) && query_find(&r->q, "retention")) { op_object_lock(r, 0); return; }
    if ((get || put) && query_find(&r->q, "legal-hold")) { op_object_lock(r, 1); return; }
    if (query_find(&r->q, "retention") || query_find(&r->q, "legal-hold")) {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (query_find(&r->q, "uploadId") && !query_find(&r->q, "partNumber")) {
        if (get) { op_list_parts(r); return; }
        if (post) { op_complete_multipart(r); return; }
        if (del) { op_abort_multipart(r); return; }
    }
    if (post && query_find(&r->q, "uploads")) { op_create_multipart(r); return; }
    if (query_find(&r->q, "uploads") || query_find(&r->q, "attributes")) {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
        return;
    }
    if (missing || query_find(&r->q, "acl")) {
        s3_error_reply(r, S3E_NOT_IMPLEMENTED,
                       arena_printf(r->a, "cairn does not implement this object sub-resource (%s) yet.",
                                    missing ? missing : "acl"));
        return;
    }
    if (get) op_get_object(r, 0);
    else if (head) op_get_object(r, 1);
    else if (put) {
        if (s3_header(r, "x-amz-copy-source")) op_copy_object(r);
        else op_put_object(r);
    } else if (del) op_delete_object(r);
    else if (post) s3_error_reply(r, S3E_NOT_IMPLEMENTED, "This POST operation is not implemented yet.");
    else s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
}

static void on_exchange_abort(http_exchange *ex)
{
    s3_req *r = http_get_user(ex);
    if (r && r->abort_op) {
        void (*abort_op)(s3_req *) = r->abort_op;
        r->abort_op = NULL;
        abort_op(r);
    }
}

/* x-amz-expected-bucket-owner (and the copy source's): a caller that
 * names another owner is refused, so it never writes into or reads from
 * a bucket it did not mean (one account owns every bucket here). */
static s3_error expected_owner_check(s3_req *r)
{
    const char *names[] = { "x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner" };
    for (size_t i = 0; i < 2; i++) {
        const char *v = s3_header(r, names[i]);
        if (v && r->bucket && strcmp(v, S3_OWNER_ID) != 0) return S3E_ACCESS_DENIED;
    }
    return S3E_NONE;
}

/* path: the raw request path naming bucket and key.  trusted_user: set
 * when another front door (the console's session) already authenticated
 * the caller; the request is then routed and authorized as that user. */
static void handle(s3api *api, http_exchange *ex, const char *path, const char *trusted_user)
{
    arena *a = http_arena(ex);
    s3_req *r = arena_calloc(a, sizeof *r);
    r->ex = ex;
    r->api = api;
    r->a = a;
    r->http = http_req(ex);
    r->resource = path;
    http_set_user(ex, r);
    http_on_abort(ex, on_exchange_abort);

    if (query_parse(a, r->http->query, &r->q) != 0) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "The query string has an invalid percent-encoding.");
        return;
    }
    /* Split the path into bucket and key. */
    if (path[0] != '/') {
        s3_error_reply(r, S3E_INVALID_REQUEST, "The request target must be an absolute path.");
        return;
    }
    size_t decoded_len;
    char *decoded = url_decode(a, path, strlen(path), 0, &decoded_len);
    if (!decoded) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "The path has an invalid percent-encoding.");
        return;
    }
    const char *vhost = trusted_user ? NULL : host_bucket(r);
    const char *key_start = NULL;
    if (vhost) {
        r->bucket = vhost;
        key_start = decoded + 1;
    } else if (decoded[1]) {
        char *slash = strchr(decoded + 1, '/');
        if (slash) {
            r->bucket = arena_strndup(a, decoded + 1, (size_t)(slash - decoded - 1));
            key_start = slash + 1;
        } else {
            r->bucket = decoded + 1;
        }
    }
    if (key_start && (size_t)(key_start - decoded) < decoded_len) {
        size_t klen = decoded_len - (size_t)(key_start - decoded);
        r->key = key_start;
        int kc = object_key_check(key_start, klen);
        if (kc == KEY_TOO_LONG) { s3_error_reply(r, S3E_KEY_TOO_LONG, NULL); return; }
        if (kc != KEY_OK) { s3_error_reply(r, S3E_INVALID_OBJECT_NAME, NULL); return; }
    }
    size_t bucket_part = key_start ? (size_t)(key_start - decoded) : decoded_len;
    if (!vhost && memchr(decoded, '\0', bucket_part)) {
        s3_error_reply(r, S3E_INVALID_BUCKET_NAME, NULL);
        return;
    }

    http_log_fields lf = { .api = api_name(r), .bucket = r->bucket, .key = r->key, .user = NULL };
    if (strcmp(r->http->method, "OPTIONS") == 0) {
        /* a browser's preflight carries no credentials */
        lf.api = "PreflightCors";
        http_set_log_fields(ex, &lf);
        s3_cors_preflight(r);
        return;
    }
    http_set_log_fields(ex, &lf);
    s3_cors_apply(r);
    const char *ct = s3_header(r, "content-type");
    if (strcmp(r->http->method, "POST") == 0 && r->bucket && !r->key && r->q.n == 0 && ct &&
        strncasecmp(ct, "multipart/form-data", 19) == 0) {
        /* a browser form upload: its policy and signature are in the form */
        lf.api = "PostObject";
        http_set_log_fields(ex, &lf);
        op_post_object(r);
        return;
    }
    if (!trusted_user && strcmp(r->http->method, "POST") == 0 && !r->bucket && ct &&
        strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        /* STS on the S3 endpoint, as MinIO serves it */
        lf.api = "AssumeRole";
        http_set_log_fields(ex, &lf);
        op_assume_role(r);
        return;
    }
    const char *msg = NULL;
    s3_error e = S3E_NONE;
    if (trusted_user) {
        r->auth.mode = PAYLOAD_UNSIGNED;
        e = s3_identify(r, trusted_user, NULL, &msg);
    } else {
        e = s3_authenticate(r, &msg);
    }
    if (!e) e = s3_authorize_request(r, lf.api);
    if (!e) e = expected_owner_check(r);
    if (e) {
        s3_error_reply(r, e, msg);
        return;
    }
    lf.user = r->auth.access_key;
    http_set_log_fields(ex, &lf);
    dispatch(r);
}

void s3api_handle(s3api *api, http_exchange *ex) { handle(api, ex, http_req(ex)->path, NULL); }

void s3api_handle_as(s3api *api, http_exchange *ex, const char *path, const char *access_key)
{
    handle(api, ex, path, access_key);
}

/*
 * bucket_policy — PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy,
 * GetBucketPolicyStatus, and canned ACLs, which cairn expresses as bucket
 * policy statements rather than keeping a second permission system:
 *
 *   private, bucket-owner-read, bucket-owner-full-control   no grant
 *   public-read          anyone may GetBucketLocation and ListBucket
 *   public-read-write    and PutObject, DeleteObject, multipart uploads
 *   authenticated-read   public-read for signed callers only
 *
 * As on AWS, a bucket ACL grants READ (listing) and WRITE (creating,
 * overwriting and deleting objects) on the bucket, never reading its
 * objects: those stay private unless a bucket policy says otherwise.
 *
 * Canned statements carry Sids starting "CannedAcl", so setting another
 * canned ACL replaces them and leaves the owner's own statements alone.
 * GetBucketAcl/GetObjectAcl answer the owner's FULL_CONTROL plus the
 * grants the bucket policy makes to everyone, so ACL-reading clients see
 * what is public.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/log.h"
#include "internal.h"

#define CANNED_SID "CannedAcl"

static void policy_written(void *arg, store_status st)
{
    s3_req *r = arg;
    s3_bucket_policy_forget(r->api);
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, 204, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void put_policy_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e == S3E_ENTITY_TOO_LARGE || e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED) {
        s3_error_reply(r, S3E_MALFORMED_POLICY, "Policy exceeds the maximum allowed document size (20 KiB).");
        return;
    }
    if (e) { s3_error_reply(r, e, NULL); return; }
    char err[256];
    policy *p = policy_parse(body ? body : "", n, POLICY_RESOURCE, r->bucket, err, sizeof err);
    if (!p) { s3_error_reply(r, S3E_MALFORMED_POLICY, arena_strdup(r->a, err)); return; }
    int is_public = s3_policy_is_public(p, r->bucket, r->a);
    policy_free(p);
    if (is_public && s3_public_access(r, r->bucket).block_public_policy) {
        s3_error_reply(r, S3E_ACCESS_DENIED, "The bucket's public access block (BlockPublicPolicy) refuses public policies.");
        return;
    }
    http_hold(r->ex);
    store_bucket_config_set(r->api->cfg.store, r->bucket, "policy", body, n, policy_written, r);
}

void op_bucket_policy(s3_req *r)
{
    const char *m = r->http->method;
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    if (!strcmp(m, "GET")) {
        char *doc;
        size_t len;
        st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "policy", &doc, &len);
        if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_SUCH_BUCKET_POLICY, NULL); return; }
        if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
        http_respond(r->ex, 200, "application/json", doc, len);
    } else if (!strcmp(m, "PUT")) {
        s3_body_collect(r, POLICY_MAX_BYTES, put_policy_body);
    } else {
        http_hold(r->ex);
        store_bucket_config_set(r->api->cfg.store, r->bucket, "policy", NULL, 0, policy_written, r);
    }
}

/* Access the bucket policy grants everyone on a resource (anonymous
 * callers, or with signed_callers any signed caller at all). */
static int granted_to_all(s3_req *r, const char *action, const char *resource, int signed_callers)
{
    return s3_policy_grants_all(s3_bucket_policy(r, r->bucket), action, resource, signed_callers);
}

static int public_can(s3_req *r, const char *action, const char *resource)
{
    return granted_to_all(r, action, resource, 0);
}

void op_bucket_policy_status(s3_req *r)
{
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    int pub = s3_policy_is_public(s3_bucket_policy(r, r->bucket), r->bucket, r->a);
    strbuf b;
    strbuf_init(&b, r->a, 256);
    strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PolicyStatus xmlns=\"" S3_XMLNS
                      "\"><IsPublic>%s</IsPublic></PolicyStatus>", pub ? "true" : "false");
    s3_xml_reply(r, 200, &b);
}

/* ---------- canned ACLs ---------- */

static int object_acl_private(const char *acl)
{
    return !strcmp(acl, "private") || !strcmp(acl, "bucket-owner-read") || !strcmp(acl, "bucket-owner-full-control");
}

static int acl_is_public(const char *acl) { return !object_acl_private(acl); }

int s3_canned_acl_valid(const char *acl)
{
    static const char *const known[] = { "private", "public-read", "public-read-write", "authenticated-read",
                                         "bucket-owner-read", "bucket-owner-full-control", NULL };
    for (int i = 0; known[i]; i++) if (!strcmp(acl, known[i])) return 1;
    return 0;
}

static json_t *canned_statement(const char *bucket, const char *sid, int write, int signed_only)
{
    json_t *actions = json_pack("[s,s]", "s3:GetBucketLocation", "s3:ListBucket");
    if (write) {
        const char *more[] = { "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                               "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads" };
        for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) json_array_append_new(actions, json_string(more[i]));
    }
    char bucket_arn[128], objects_arn[128];
    snprintf(bucket_arn, sizeof bucket_arn, "arn:aws:s3:::%s", bucket);
    snprintf(objects_arn, sizeof objects_arn, "arn:aws:s3:::%s/*", bucket);
    json_t *st = json_pack("{s:s,s:s,s:{s:[s]},s:o,s:[s,s]}", "Sid", sid, "Effect", "Allow", "Principal", "AWS", "*",
                           "Action", actions, "Resource", bucket_arn, objects_arn);
    /* aws:username exists only for signed callers */
    if (signed_only) json_object_set_new(st, "Condition", json_pack("{s:{s:s}}", "Null", "aws:username", "false"));
    return st;
}

static void drop_canned(json_t *stmts)
{
    for (size_t i = json_array_size(stmts); i-- > 0;) {
        const char *sid = json_string_value(json_object_get(json_array_get(stmts, i), "Sid"));
        if (sid && !strncmp(sid, CANNED_SID, strlen(CANNED_SID))) json_array_remove(stmts, i);
    }
}

char *s3_policy_without_canned(arena *a, const char *doc, size_t *len)
{
    json_t *root = json_loadb(doc, *len, 0, NULL);
    json_t *stmts = json_object_get(root, "Statement");
    if (!json_is_array(stmts)) {   /* one statement, or not a policy: judged as it is */
        json_decref(root);
        return (char *)doc;
    }
    drop_canned(stmts);
    char *out = NULL;
    if (json_array_size(stmts)) {
        char *s = json_dumps(root, JSON_COMPACT);
        if (s) {
            out = arena_strdup(a, s);
            *len = strlen(out);
            free(s);
        }
    }
    json_decref(root);
    return out;
}

int s3_bucket_has_public_acl(s3_req *r)
{
    char *doc;
    size_t len;
    if (store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "policy", &doc, &len) != ST_OK) return 0;
    json_t *root = json_loadb(doc, len, 0, NULL);
    json_t *stmts = json_object_get(root, "Statement");
    int found = 0;
    for (size_t i = 0; i < json_array_size(stmts) && !found; i++) {
        const char *sid = json_string_value(json_object_get(json_array_get(stmts, i), "Sid"));
        found = sid && !strncmp(sid, CANNED_SID, strlen(CANNED_SID));
    }
    json_decref(root);
    return found;
}

/* The bucket's policy document with its canned statements replaced by the
 * ones acl calls for; NULL when nothing would remain.  *err on failure. */
static char *policy_with_acl(s3_req *r, const char *acl, const char **err)
{
    char *doc;
    size_t len;
    json_t *root = NULL;
    if (store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "policy", &doc, &len) == ST_OK)
        root = json_loadb(doc, len, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        root = json_pack("{s:s,s:[]}", "Version", "2012-10-17", "Statement");
    }
    json_t *stmts = json_object_get(root, "Statement");
    if (json_is_object(stmts)) {
        json_t *one = json_incref(stmts);
        json_object_set_new(root, "Statement", json_pack("[o]", one));
        stmts = json_object_get(root, "Statement");
    }
    drop_canned(stmts);
    if (!strcmp(acl, "public-read")) json_array_append_new(stmts, canned_statement(r->bucket, CANNED_SID "PublicRead", 0, 0));
    else if (!strcmp(acl, "public-read-write"))
        json_array_append_new(stmts, canned_statement(r->bucket, CANNED_SID "PublicReadWrite", 1, 0));
    else if (!strcmp(acl, "authenticated-read"))
        json_array_append_new(stmts, canned_statement(r->bucket, CANNED_SID "AuthenticatedRead", 0, 1));
    char *out = NULL;
    if (json_array_size(stmts)) {
        char *s = json_dumps(root, JSON_COMPACT);
        char perr[200];
        policy *p = s ? policy_parse(s, strlen(s), POLICY_RESOURCE, r->bucket, perr, sizeof perr) : NULL;
        if (p) out = arena_strdup(r->a, s);
        else *err = s ? arena_strdup(r->a, perr) : "out of memory";
        policy_free(p);
        free(s);
    }
    json_decref(root);
    return out;
}

typedef struct acl_op {
    s3_req *r;
    void (*done)(s3_req *r, store_status st);
} acl_op;

static void acl_written(void *arg, store_status st)
{
    acl_op *op = arg;
    s3_bucket_policy_forget(op->r->api);
    op->done(op->r, st);
}

void s3_canned_acl_apply(s3_req *r, const char *acl, void (*done)(s3_req *r, store_status st))
{
    const char *err = NULL;
    char *doc = policy_with_acl(r, acl, &err);
    if (err) {
        log_error("canned ACL %s on %s: %s", acl, r->bucket, err);
        done(r, ST_IO_ERROR);
        return;
    }
    acl_op *op = arena_alloc(r->a, sizeof *op);
    op->r = r;
    op->done = done;
    store_bucket_config_set(r->api->cfg.store, r->bucket, "policy", doc, doc ? strlen(doc) : 0, acl_written, op);
}

static void put_acl_done(s3_req *r, store_status st)
{
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void put_acl_body(s3_req *r, s3_error e, char *body, size_t n)
{
    (void)n;
    if (e) { s3_error_reply(r, e, NULL); return; }
    const char *acl = s3_header(r, "x-amz-acl");
    if (!acl) {
        /* an explicit grant list: the owner's own grant is all cairn has */
        if (body && (strstr(body, "AllUsers") || strstr(body, "AuthenticatedUsers") || strstr(body, "emailAddress"))) {
            s3_error_reply(r, S3E_NOT_IMPLEMENTED,
                           "cairn expresses ACLs as bucket policies: use a canned ACL (x-amz-acl) or PutBucketPolicy.");
            return;
        }
        acl = "private";
    }
    http_hold(r->ex);
    s3_canned_acl_apply(r, acl, put_acl_done);
}

void op_put_bucket_acl(s3_req *r)
{
    const char *acl = s3_header(r, "x-amz-acl");
    if (acl && !s3_canned_acl_valid(acl)) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid canned ACL."); return; }
    if (s3_header(r, "x-amz-grant-read") || s3_header(r, "x-amz-grant-write") ||
        s3_header(r, "x-amz-grant-full-control") || s3_header(r, "x-amz-grant-read-acp") ||
        s3_header(r, "x-amz-grant-write-acp")) {
        s3_error_reply(r, S3E_NOT_IMPLEMENTED,
                       "cairn expresses ACLs as bucket policies: use a canned ACL (x-amz-acl) or PutBucketPolicy.");
        return;
    }
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    s3_error oe = s3_acl_allowed(r, acl ? acl : "private");
    if (oe) { s3_error_reply(r, oe, NULL); return; }
    if (acl && acl_is_public(acl) && s3_public_access(r, r->bucket).block_public_acls) {
        s3_error_reply(r, S3E_ACCESS_DENIED, "The bucket's public access block (BlockPublicAcls) refuses public ACLs.");
        return;
    }
    s3_body_collect(r, 64 * 1024, put_acl_body);
}

/* The public grants an ACL shows: READ/WRITE to AllUsers when anonymous
 * callers may list (bucket) or get (object) / put. */
void s3_acl_public_grants(s3_req *r, strbuf *b)
{
    static const char all_users[] = "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                                    "xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"
                                    "</Grantee><Permission>";
    const char *target = r->key ? arena_printf(r->a, "arn:aws:s3:::%s/%s", r->bucket, r->key)
                                : arena_printf(r->a, "arn:aws:s3:::%s", r->bucket);
    int read = public_can(r, r->key ? "s3:GetObject" : "s3:ListBucket", target);
    int write = !r->key && public_can(r, "s3:PutObject", arena_printf(r->a, "arn:aws:s3:::%s/*", r->bucket));
    if (read) strbuf_printf(b, "%sREAD</Permission></Grant>", all_users);
    if (write) strbuf_printf(b, "%sWRITE</Permission></Grant>", all_users);
}

/* Object ACLs: an object carries no grants of its own in cairn, so only
 * the ACLs that grant nothing beyond the owner are accepted (as no-ops);
 * making one object public is a bucket-policy statement's job. */


/* A public object ACL is accepted when the bucket policy already gives the
 * object that access: asking for what holds changes nothing (a CDN
 * bucket's uploaders often send public-read on every object). */
static int object_acl_already_holds(s3_req *r, const char *acl)
{
    if (!r->key) return 0;
    const char *arn = arena_printf(r->a, "arn:aws:s3:::%s/%s", r->bucket, r->key);
    if (!strcmp(acl, "authenticated-read")) return granted_to_all(r, "s3:GetObject", arn, 1);
    return granted_to_all(r, "s3:GetObject", arn, 0);   /* public-read; public-read-write adds nothing an object uses */
}

s3_error s3_object_acl_check(s3_req *r, const char **msg)
{
    return s3_object_acl_value_check(r, s3_header(r, "x-amz-acl"), msg);
}

s3_error s3_object_acl_value_check(s3_req *r, const char *acl, const char **msg)
{
    if (s3_header(r, "x-amz-grant-read") || s3_header(r, "x-amz-grant-full-control") ||
        s3_header(r, "x-amz-grant-read-acp") || s3_header(r, "x-amz-grant-write-acp")) {
        *msg = "cairn has no per-object grants: use a bucket policy.";
        return S3E_NOT_IMPLEMENTED;
    }
    if (!acl) return S3E_NONE;
    if (!s3_canned_acl_valid(acl)) {
        *msg = "Invalid canned ACL.";
        return S3E_INVALID_ARGUMENT;
    }
    s3_error e = s3_acl_allowed(r, acl);
    if (e) return e;
    if (acl_is_public(acl) && s3_public_access(r, r->bucket).block_public_acls) {
        *msg = "The bucket's public access block (BlockPublicAcls) refuses public ACLs.";
        return S3E_ACCESS_DENIED;
    }
    if (!object_acl_private(acl) && !object_acl_already_holds(r, acl)) {
        *msg = "cairn has no per-object grants: a bucket policy (or the bucket's canned ACL) makes objects public.";
        return S3E_NOT_IMPLEMENTED;
    }
    return S3E_NONE;
}

static void put_object_acl_body(s3_req *r, s3_error e, char *body, size_t n)
{
    (void)n;
    if (e) { s3_error_reply(r, e, NULL); return; }
    if (!s3_header(r, "x-amz-acl") && body && (strstr(body, "AllUsers") || strstr(body, "AuthenticatedUsers") ||
                                                strstr(body, "emailAddress"))) {
        s3_error_reply(r, S3E_NOT_IMPLEMENTED, "cairn has no per-object grants: use a bucket policy.");
        return;
    }
    http_respond(r->ex, 200, NULL, NULL, 0);
}

void op_put_object_acl(s3_req *r)
{
    const char *msg = NULL;
    s3_error e = s3_object_acl_check(r, &msg);
    if (e) { s3_error_reply(r, e, msg); return; }
    object_info o;
    store_status st = s3_lookup_object(r, &o);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    s3_body_collect(r, 64 * 1024, put_object_acl_body);
}

/*
 * bucket — bucket-level operations: ListBuckets, CreateBucket, HeadBucket,
 * DeleteBucket, GetBucketLocation, GetBucketVersioning and GetBucketAcl /
 * GetObjectAcl (the canned owner-full-control answer, since ACLs beyond
 * the owner are not implemented).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"


static void xml_head(strbuf *b, s3_req *r, const char *root)
{
    strbuf_init(b, r->a, 1024);
    strbuf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"" S3_XMLNS "\">", root);
}


/* ListBuckets, with the paging AWS added in 2024: max-buckets (1-10000),
 * continuation-token (the last name of the previous page) and prefix. */
void op_list_buckets(s3_req *r)
{
    bucket_info *list;
    size_t n;
    const char *max_s = query_get(&r->q, "max-buckets"), *token = query_get(&r->q, "continuation-token"),
               *prefix = query_get(&r->q, "prefix");
    long max = 10000;
    if (max_s) {
        char *end;
        max = strtol(max_s, &end, 10);
        if (!*max_s || *end || max < 1 || max > 10000) {
            s3_error_reply(r, S3E_INVALID_ARGUMENT, "max-buckets must be an integer between 1 and 10000.");
            return;
        }
    }
    store_status st = store_bucket_list(r->api->cfg.store, r->a, &list, &n);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    /* Without s3:ListAllMyBuckets a signed caller sees the buckets it may
     * list, possibly none (as MinIO answers: tools list buckets to check
     * their keys work). */
    int all = s3_is_allowed(r, "s3:ListAllMyBuckets", NULL, NULL);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (token && *token && strcmp(list[i].name, token) <= 0) continue;
        if (prefix && strncmp(list[i].name, prefix, strlen(prefix)) != 0) continue;
        if (all || s3_is_allowed(r, "s3:ListBucket", list[i].name, NULL)) list[shown++] = list[i];
    }
    int truncated = shown > (size_t)max;
    n = truncated ? (size_t)max : shown;
    strbuf b;
    xml_head(&b, r, "ListAllMyBucketsResult");
    s3_xml_owner(&b, r, "Owner");
    strbuf_puts(&b, "<Buckets>");
    for (size_t i = 0; i < n; i++) {
        char date[40];
        format_iso8601_ms(list[i].created_ns, date, sizeof date);
        strbuf_puts(&b, "<Bucket><Name>");
        strbuf_xml_escape(&b, list[i].name, strlen(list[i].name));
        strbuf_printf(&b, "</Name><CreationDate>%s</CreationDate><BucketRegion>", date);
        strbuf_xml_escape(&b, r->api->cfg.region, strlen(r->api->cfg.region));
        strbuf_puts(&b, "</BucketRegion></Bucket>");
    }
    strbuf_puts(&b, "</Buckets>");
    if (truncated) {
        strbuf_puts(&b, "<ContinuationToken>");
        strbuf_xml_escape(&b, list[n - 1].name, strlen(list[n - 1].name));
        strbuf_puts(&b, "</ContinuationToken>");
    }
    if (prefix) {
        strbuf_puts(&b, "<Prefix>");
        strbuf_xml_escape(&b, prefix, strlen(prefix));
        strbuf_puts(&b, "</Prefix>");
    }
    strbuf_puts(&b, "</ListAllMyBucketsResult>");
    s3_xml_reply(r, 200, &b);
}

static void lock_config_set(void *arg, store_status st);

/* A bucket created with object lock: versioning on, then the lock. */
static void lock_versioning_set(void *arg, store_status st)
{
    s3_req *r = arg;
    if (st || http_is_aborted(r->ex)) { lock_config_set(arg, st); return; }
    static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ObjectLockConfiguration xmlns=\"" S3_XMLNS
                              "\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
    store_bucket_config_set(r->api->cfg.store, r->bucket, "object-lock", doc, sizeof doc - 1, lock_config_set, r);
}

static void create_done(void *arg, store_status st);

static void lock_config_set(void *arg, store_status st) { create_done(arg, st); }

static void create_then_lock(void *arg, store_status st)
{
    s3_req *r = arg;
    if (st || http_is_aborted(r->ex)) { create_done(arg, st); return; }
    store_set_bucket_versioning(r->api->cfg.store, r->bucket, 1, lock_versioning_set, r);
}

static void create_answer(s3_req *r, store_status st)
{
    if (!http_is_aborted(r->ex)) {
        if (st) {
            s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        } else {
            http_add_header(r->ex, "Location", arena_printf(r->a, "/%s", r->bucket));
            http_respond(r->ex, 200, NULL, NULL, 0);
        }
    }
    http_release(r->ex);
}

static void ownership_stored(void *arg, store_status st) { create_answer(arg, st); }

static void acl_applied(s3_req *r, store_status st)
{
    const char *ownership = s3_header(r, "x-amz-object-ownership");
    if (!st && ownership && !http_is_aborted(r->ex)) {
        s3_ownership_store(r, ownership, ownership_stored, r);
        return;
    }
    create_answer(r, st);
}

/* The bucket exists: then its canned ACL, then its ownership setting. */
static void create_done(void *arg, store_status st)
{
    s3_req *r = arg;
    const char *acl = s3_header(r, "x-amz-acl");
    s3_bucket_policy_forget(r->api);   /* a recreated bucket starts without the old one's policy */
    if (!st && acl && strcmp(acl, "private") != 0 && !http_is_aborted(r->ex)) {
        s3_canned_acl_apply(r, acl, acl_applied);
        return;
    }
    acl_applied(r, st);
}

static void create_body_done(s3_req *r, s3_error e, char *body, size_t n)
{
    (void)n;
    if (e) { s3_error_reply(r, e, NULL); return; }
    /* A LocationConstraint naming another region is a client aiming at the
     * wrong endpoint. */
    const char *lc = body ? strstr(body, "<LocationConstraint>") : NULL;
    if (lc) {
        lc += strlen("<LocationConstraint>");
        const char *end = strstr(lc, "</LocationConstraint>");
        const char *region = r->api->cfg.region;
        if (end && (size_t)(end - lc) > 0 && strncmp(lc, "US<", 3) != 0 &&
            !((size_t)(end - lc) == strlen(region) && strncmp(lc, region, (size_t)(end - lc)) == 0)) {
            s3_error_reply(r, S3E_INVALID_LOCATION,
                           arena_printf(r->a, "The specified location-constraint is not valid; this endpoint serves region %s.", region));
            return;
        }
    }
    http_hold(r->ex);
    const char *lock = s3_header(r, "x-amz-bucket-object-lock-enabled");
    int with_lock = lock && strcasecmp(lock, "true") == 0;
    store_bucket_create(r->api->cfg.store, r->bucket, with_lock ? create_then_lock : create_done, r);
}

void op_create_bucket(s3_req *r)
{
    if (!bucket_name_valid(r->bucket)) { s3_error_reply(r, S3E_INVALID_BUCKET_NAME, NULL); return; }
    const char *acl = s3_header(r, "x-amz-acl");
    if (acl && !s3_canned_acl_valid(acl)) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid canned ACL."); return; }
    int public_acl = acl && strcmp(acl, "private") && strcmp(acl, "bucket-owner-full-control") &&
                     strcmp(acl, "bucket-owner-read");
    s3_error oe = s3_ownership_check(s3_header(r, "x-amz-object-ownership"), public_acl);
    if (oe) { s3_error_reply(r, oe, NULL); return; }
    s3_body_collect(r, 64 * 1024, create_body_done);
}

static void delete_done(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!st) s3_bucket_policy_forget(r->api);
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, 204, NULL, NULL, 0);
    }
    http_release(r->ex);
}

void op_delete_bucket(s3_req *r)
{
    http_hold(r->ex);
    store_bucket_delete(r->api->cfg.store, r->bucket, delete_done, r);
}

void op_head_bucket(s3_req *r)
{
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    http_add_header(r->ex, "x-amz-bucket-region", r->api->cfg.region);
    http_respond(r->ex, 200, NULL, NULL, 0);
}

void op_get_bucket_location(s3_req *r)
{
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    strbuf b;
    strbuf_init(&b, r->a, 256);
    const char *region = r->api->cfg.region;
    /* us-east-1 is the empty constraint, as on AWS. */
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"" S3_XMLNS "\">");
    if (strcmp(region, "us-east-1") != 0) strbuf_xml_escape(&b, region, strlen(region));
    strbuf_puts(&b, "</LocationConstraint>");
    s3_xml_reply(r, 200, &b);
}

void op_get_acl(s3_req *r)
{
    store_status st;
    if (r->key) {
        object_info o;
        st = s3_lookup_object(r, &o);
    } else {
        st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, r->key != NULL), NULL); return; }
    strbuf b;
    xml_head(&b, r, "AccessControlPolicy");
    s3_xml_owner(&b, r, "Owner");
    strbuf_puts(&b, "<AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                    "xsi:type=\"CanonicalUser\"><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
                    "</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>");
    s3_acl_public_grants(r, &b);
    strbuf_puts(&b, "</AccessControlList></AccessControlPolicy>");
    s3_xml_reply(r, 200, &b);
}

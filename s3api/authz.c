/*
 * authz — what a request may do.  Owns the mapping from each S3 operation
 * to its IAM action and resource ARN, the condition context a request
 * offers its policies (aws:SourceIp, aws:SecureTransport, aws:CurrentTime,
 * aws:username, s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl and the
 * other x-amz-* headers, s3:ExistingObjectTag/KEY, s3:RequestObjectTag/KEY,
 * s3:versionid), and the
 * compiled bucket policies, cached per bucket.
 *
 * Root is decided without looking at anything, so the hot path of the
 * common deployment costs one comparison.  Every other caller is looked up
 * again at each check (a cheap scan), so a key disabled a moment ago is
 * refused by the next check, and no policy pointer outlives an
 * asynchronous step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/log.h"
#include "internal.h"

/* ---------- bucket policies, compiled once ---------- */

enum { POLICY_CACHE = 128 };

typedef struct cached_policy {
    char bucket[64];
    policy *compiled;            /* NULL: the bucket has none */
    public_access pa;            /* the bucket's PublicAccessBlock */
    int is_public;               /* the policy grants everyone something */
} cached_policy;

typedef struct policy_cache {
    cached_policy e[POLICY_CACHE];
    size_t n, next;
    uint64_t generation;         /* the store's configuration generation they were read at */
} policy_cache;

static policy_cache *cache_of(s3api *api)
{
    if (!api->policy_cache) api->policy_cache = calloc(1, sizeof(policy_cache));
    return api->policy_cache;
}

void s3_bucket_policy_forget(s3api *api)
{
    policy_cache *c = api->policy_cache;
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) policy_free(c->e[i].compiled);
    memset(c, 0, sizeof *c);
}

void s3_authz_free(s3api *api)
{
    s3_bucket_policy_forget(api);
    free(api->policy_cache);
    api->policy_cache = NULL;
}

static const cached_policy *bucket_entry(s3_req *r, const char *bucket)
{
    policy_cache *c = cache_of(r->api);
    if (!c || strlen(bucket) >= sizeof c->e[0].bucket) return NULL;
    /* a bucket's configuration changed (maybe through another node) */
    uint64_t generation = store_config_generation(r->api->cfg.store, 0);
    if (c->generation != generation) {
        s3_bucket_policy_forget(r->api);
        c->generation = generation;
    }
    for (size_t i = 0; i < c->n; i++) if (strcmp(c->e[i].bucket, bucket) == 0) return &c->e[i];
    char *doc = NULL;
    size_t len = 0;
    policy *p = NULL;
    public_access pa = s3_public_access(r, bucket);
    if (store_bucket_config_get(r->api->cfg.store, r->a, bucket, "policy", &doc, &len) == ST_OK) {
        char err[200];
        /* IgnorePublicAcls: the grants canned ACLs made do not count */
        if (pa.ignore_public_acls) doc = s3_policy_without_canned(r->a, doc, &len);
        /* stored documents were validated when put; one that no longer
         * parses (a stricter cairn) fails closed: every non-root request
         * on the bucket is denied until the owner puts a valid one */
        p = doc ? policy_parse(doc, len, POLICY_RESOURCE, bucket, err, sizeof err) : NULL;
        if (doc && !p) {
            log_error("bucket %s: its stored policy no longer parses (%s); denying all but root", bucket, err);
            const char *deny = arena_printf(r->a, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                                                  "\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":"
                                                  "[\"arn:aws:s3:::%s\",\"arn:aws:s3:::%s/*\"]}]}", bucket, bucket);
            p = policy_parse(deny, strlen(deny), POLICY_RESOURCE, bucket, err, sizeof err);
        }
    }
    size_t slot = c->n < POLICY_CACHE ? c->n++ : c->next++ % POLICY_CACHE;
    policy_free(c->e[slot].compiled);
    snprintf(c->e[slot].bucket, sizeof c->e[slot].bucket, "%s", bucket);
    c->e[slot].compiled = p;
    c->e[slot].pa = pa;
    c->e[slot].is_public = s3_policy_is_public(p, bucket, r->a);
    return &c->e[slot];
}

const policy *s3_bucket_policy(s3_req *r, const char *bucket)
{
    const cached_policy *e = bucket_entry(r, bucket);
    return e ? e->compiled : NULL;
}

/* The policy that applies to this caller: RestrictPublicBuckets takes a
 * public policy away from anonymous callers. */
static const policy *policy_for(s3_req *r, const char *bucket)
{
    const cached_policy *e = bucket_entry(r, bucket);
    if (!e) return NULL;
    if (r->auth.anonymous && e->pa.restrict_public_buckets && e->is_public) return NULL;
    return e->compiled;
}



/* ---------- condition context ---------- */

typedef struct ctx {
    s3_req *r;
    const char *bucket, *key;
    int list_op;                 /* s3:prefix etc. apply */
    const char *prefix;          /* s3:prefix when it is not the query's */
    char now[32], epoch[24];
    const char *tags;            /* the object's tags, looked up on first use */
    int tags_loaded;
} ctx;

/* The value of name in a tag set written as a URL query ("k1=v1&k2=v2"). */
static const char *tag_in(arena *a, const char *tags, const char *name)
{
    if (!tags) return NULL;
    size_t nl = strlen(name);
    for (const char *p = tags; *p;) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        size_t dl;
        char *k = url_decode(a, p, kl, 1, &dl);
        if (k && dl == nl && memcmp(k, name, nl) == 0) return eq ? url_decode(a, eq + 1, n - kl - 1, 1, &dl) : "";
        p += n;
        if (*p == '&') p++;
    }
    return NULL;
}

static const char *tag_value(ctx *c, const char *name)
{
    if (!c->tags_loaded) {
        c->tags_loaded = 1;
        object_info o;
        if (c->key && store_object_info(c->r->api->cfg.store, c->r->a, c->bucket, c->key, &o) == ST_OK)
            c->tags = o.tags;
    }
    return tag_in(c->r->a, c->tags, name);
}

static const char *context_value(void *arg, const char *key)
{
    ctx *c = arg;
    s3_req *r = c->r;
    if (strncasecmp(key, "aws:", 4) == 0) {
        const char *k = key + 4;
        if (!strcasecmp(k, "SourceIp")) return r->http->remote_addr;
        if (!strcasecmp(k, "SecureTransport"))
            return http_server_is_tls(http_exchange_server(r->ex)) ? "true" : "false";
        if (!strcasecmp(k, "CurrentTime") || !strcasecmp(k, "EpochTime")) {
            if (!c->now[0]) {
                time_t t = time(NULL);
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(c->now, sizeof c->now, "%Y-%m-%dT%H:%M:%SZ", &tm);
                snprintf(c->epoch, sizeof c->epoch, "%lld", (long long)t);
            }
            return !strcasecmp(k, "CurrentTime") ? c->now : c->epoch;
        }
        if (!strcasecmp(k, "username") || !strcasecmp(k, "userid"))
            return r->auth.anonymous ? NULL : r->auth.id.username;
        if (!strcasecmp(k, "UserAgent")) return s3_header(r, "user-agent");
        if (!strcasecmp(k, "Referer")) return s3_header(r, "referer");
        return NULL;
    }
    if (strncasecmp(key, "s3:", 3) != 0) return NULL;
    const char *k = key + 3;
    if (c->list_op && !strcasecmp(k, "prefix")) {
        if (c->prefix) return c->prefix;
        const char *v = query_get(&r->q, "prefix");
        return v ? v : "";   /* a listing without a prefix lists from "" */
    }
    if (c->list_op && !strcasecmp(k, "delimiter")) return query_get(&r->q, "delimiter");
    if (c->list_op && !strcasecmp(k, "max-keys")) return query_get(&r->q, "max-keys");
    if (!strcasecmp(k, "versionid")) return query_get(&r->q, "versionId");
    if (!strcasecmp(k, "signatureversion")) return r->auth.anonymous ? NULL : "AWS4-HMAC-SHA256";
    if (!strcasecmp(k, "authType")) {
        if (r->auth.anonymous) return NULL;
        return query_find(&r->q, "X-Amz-Signature") ? "REST-QUERY-STRING" : "REST-HEADER";
    }
    if (!strncasecmp(k, "ExistingObjectTag/", 18)) return tag_value(c, k + 18);
    if (!strncasecmp(k, "RequestObjectTag/", 17)) return tag_in(r->a, s3_header(r, "x-amz-tagging"), k + 17);
    if (!strncasecmp(k, "x-amz-", 6)) {
        char lower[128];
        size_t n = strlen(k);
        if (n >= sizeof lower) return NULL;
        for (size_t i = 0; i <= n; i++) lower[i] = (char)((k[i] >= 'A' && k[i] <= 'Z') ? k[i] + 32 : k[i]);
        return s3_header(r, lower);
    }
    return NULL;
}

/* ---------- the decision ---------- */

static char *resource_arn(s3_req *r, const char *bucket, const char *key)
{
    if (!bucket) return "arn:aws:s3:::*";
    if (!key) return arena_printf(r->a, "arn:aws:s3:::%s", bucket);
    return arena_printf(r->a, "arn:aws:s3:::%s/%s", bucket, key);
}

/* fresh: r->auth.id was resolved in this same turn of the event loop
 * (authentication just ran), so it need not be looked up again.
 * prefix: the s3:prefix a ListBucket check sees, NULL for the query's. */
static s3_error decide_as(s3_req *r, const char *action, const char *bucket, const char *key, int fresh,
                          const char *prefix)
{
    if (!r->auth.anonymous && r->auth.id.kind == IAM_ROOT) return S3E_NONE;
    iam_identity *id = NULL;
    if (!r->auth.anonymous) {
        /* look the caller up again: it may have changed since it signed */
        if (!fresh && iam_lookup(r->api->cfg.iam, r->auth.access_key, r->auth.session_token, (int64_t)time(NULL),
                                 &r->auth.id) != IAM_OK)
            return S3E_ACCESS_DENIED;
        id = &r->auth.id;
    }
    ctx c = { .r = r, .bucket = bucket, .key = key, .prefix = prefix };
    c.list_op = !strcmp(action, "s3:ListBucket") || !strcmp(action, "s3:ListBucketVersions") ||
                !strcmp(action, "s3:ListBucketMultipartUploads");
    policy_request req = { .action = action, .resource = resource_arn(r, bucket, key), .context = context_value,
                           .context_arg = &c };
    const policy *bp = bucket ? policy_for(r, bucket) : NULL;
    return iam_authorize(r->api->cfg.iam, id, bp, &req) ? S3E_NONE : S3E_ACCESS_DENIED;
}

static s3_error decide(s3_req *r, const char *action, const char *bucket, const char *key, int fresh)
{
    return decide_as(r, action, bucket, key, fresh, NULL);
}

s3_error s3_authorize(s3_req *r, const char *action, const char *bucket, const char *key)
{
    return decide(r, action, bucket, key, 0);
}

int s3_may_learn_absence(s3_req *r)
{
    /* ListBucket on the bucket, as if listing with the key as prefix */
    return decide_as(r, "s3:ListBucket", r->bucket, NULL, 0, r->key) == S3E_NONE;
}

s3_error s3_identity_refresh(s3_req *r)
{
    if (r->auth.anonymous || r->auth.id.kind == IAM_ROOT) return S3E_NONE;
    return iam_lookup(r->api->cfg.iam, r->auth.access_key, r->auth.session_token, (int64_t)time(NULL), &r->auth.id) ==
                   IAM_OK
               ? S3E_NONE
               : S3E_ACCESS_DENIED;
}

s3_error s3_authorize_now(s3_req *r, const char *action, const char *bucket, const char *key)
{
    return decide(r, action, bucket, key, 1);
}

int s3_is_allowed(s3_req *r, const char *action, const char *bucket, const char *key)
{
    return s3_authorize_now(r, action, bucket, key) == S3E_NONE;
}

/* The action of each operation, as the AWS reference pairs them.  level:
 * 0 service, 1 bucket, 2 object.  versioned: the action when versionId is
 * given. */
typedef struct op_action {
    const char *api, *action, *versioned;
    int level;
} op_action;

static const op_action op_actions[] = {
    { "ListBuckets", "s3:ListAllMyBuckets", NULL, 0 },
    { "GetBucketLocation", "s3:GetBucketLocation", NULL, 1 },
    { "GetBucketVersioning", "s3:GetBucketVersioning", NULL, 1 },
    { "PutBucketVersioning", "s3:PutBucketVersioning", NULL, 1 },
    { "GetBucketAcl", "s3:GetBucketAcl", NULL, 1 },
    { "PutBucketAcl", "s3:PutBucketAcl", NULL, 1 },
    { "GetBucketTagging", "s3:GetBucketTagging", NULL, 1 },
    { "PutBucketTagging", "s3:PutBucketTagging", NULL, 1 },
    { "DeleteBucketTagging", "s3:PutBucketTagging", NULL, 1 },
    { "GetBucketCors", "s3:GetBucketCORS", NULL, 1 },
    { "PutBucketCors", "s3:PutBucketCORS", NULL, 1 },
    { "DeleteBucketCors", "s3:PutBucketCORS", NULL, 1 },
    { "GetBucketLifecycle", "s3:GetLifecycleConfiguration", NULL, 1 },
    { "PutBucketLifecycle", "s3:PutLifecycleConfiguration", NULL, 1 },
    { "DeleteBucketLifecycle", "s3:PutLifecycleConfiguration", NULL, 1 },
    { "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", NULL, 1 },
    { "PutObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", NULL, 1 },
    { "GetBucketPolicy", "s3:GetBucketPolicy", NULL, 1 },
    { "PutBucketPolicy", "s3:PutBucketPolicy", NULL, 1 },
    { "DeleteBucketPolicy", "s3:DeleteBucketPolicy", NULL, 1 },
    { "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", NULL, 1 },
    { "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", NULL, 1 },
    { "GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", NULL, 1 },
    { "PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", NULL, 1 },
    { "DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls", NULL, 1 },
    { "PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", NULL, 1 },
    { "DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock", NULL, 1 },
    { "ListMultipartUploads", "s3:ListBucketMultipartUploads", NULL, 1 },
    { "ListObjectVersions", "s3:ListBucketVersions", NULL, 1 },
    { "ListObjects", "s3:ListBucket", NULL, 1 },
    { "ListObjectsV2", "s3:ListBucket", NULL, 1 },
    { "HeadBucket", "s3:ListBucket", NULL, 1 },
    { "CreateBucket", "s3:CreateBucket", NULL, 1 },
    { "DeleteBucket", "s3:DeleteBucket", NULL, 1 },
    { "GetObjectAcl", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", 2 },
    { "PutObjectAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", 2 },
    { "GetObjectAttributes", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", 2 },
    { "GetObjectTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", 2 },
    { "PutObjectTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging", 2 },
    { "DeleteObjectTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", 2 },
    { "GetObjectRetention", "s3:GetObjectRetention", NULL, 2 },
    { "PutObjectRetention", "s3:PutObjectRetention", NULL, 2 },
    { "GetObjectLegalHold", "s3:GetObjectLegalHold", NULL, 2 },
    { "PutObjectLegalHold", "s3:PutObjectLegalHold", NULL, 2 },
    { "CreateMultipartUpload", "s3:PutObject", NULL, 2 },
    { "UploadPart", "s3:PutObject", NULL, 2 },
    { "UploadPartCopy", "s3:PutObject", NULL, 2 },
    { "CompleteMultipartUpload", "s3:PutObject", NULL, 2 },
    { "ListParts", "s3:ListMultipartUploadParts", NULL, 2 },
    { "AbortMultipartUpload", "s3:AbortMultipartUpload", NULL, 2 },
    { "GetObject", "s3:GetObject", "s3:GetObjectVersion", 2 },
    { "HeadObject", "s3:GetObject", "s3:GetObjectVersion", 2 },
    { "PutObject", "s3:PutObject", NULL, 2 },
    { "CopyObject", "s3:PutObject", NULL, 2 },
    { "DeleteObject", "s3:DeleteObject", "s3:DeleteObjectVersion", 2 },
};

s3_error s3_authorize_request(s3_req *r, const char *api)
{
    if (!r->auth.anonymous && r->auth.id.kind == IAM_ROOT) return S3E_NONE;
    /* decided inside the operation: per key (DeleteObjects), or a
     * filtered answer (ListBuckets) */
    if (!strcmp(api, "DeleteObjects") || (!strcmp(api, "ListBuckets") && !r->auth.anonymous)) return S3E_NONE;
    /* whether a missing key answers 404 or 403 depends on s3:ListBucket,
     * so reads are decided after the lookup (object.c) */
    if (!strcmp(api, "GetObject") || !strcmp(api, "HeadObject")) {
        r->authz_after_lookup = 1;
        return S3E_NONE;
    }
    for (size_t i = 0; i < sizeof op_actions / sizeof op_actions[0]; i++) {
        const op_action *oa = &op_actions[i];
        if (strcmp(oa->api, api) != 0) continue;
        const char *action = oa->versioned && query_find(&r->q, "versionId") ? oa->versioned : oa->action;
        s3_error e = decide(r, action, oa->level ? r->bucket : NULL, oa->level == 2 ? r->key : NULL, 1);
        if (e) return e;
        /* deleting or shortening a GOVERNANCE lock needs its own permission */
        const char *bypass = s3_header(r, "x-amz-bypass-governance-retention");
        if (bypass && !strcasecmp(bypass, "true") && r->key)
            e = decide(r, "s3:BypassGovernanceRetention", r->bucket, r->key, 1);
        return e;
    }
    /* an operation without an action here is one cairn refuses anyway
     * (unknown method, not implemented): only root reaches its error */
    return S3E_ACCESS_DENIED;
}

/*
 * public_access — a bucket's PublicAccessBlock configuration
 * (Put/Get/DeletePublicAccessBlock) and what it enforces, as AWS defines
 * the four settings:
 *
 *   BlockPublicAcls        PutBucketAcl, and object writes, with a public
 *                          canned ACL are refused (403)
 *   IgnorePublicAcls       the public grants canned ACLs made (the bucket
 *                          policy's CannedAcl statements) stop counting
 *   BlockPublicPolicy      PutBucketPolicy with a public policy is refused
 *   RestrictPublicBuckets  while the bucket policy is public, it grants
 *                          nothing to anonymous callers
 *
 * A bucket without a configuration blocks nothing (as MinIO, and AWS
 * before 2023).  "Public" is judged by evaluation, not by reading the
 * text: a policy is public when it lets anonymous callers, or any signed
 * caller, list, read, write or delete in the bucket with no request
 * context at all (so conditions on aws:SourceIp and the like keep it
 * private).
 */
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "xml.h"

#define PAB_DOC "public-access-block"

static const char *const pab_fields[] = { "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                          "RestrictPublicBuckets" };
enum { N_PAB = 4 };

/* 0 no, 1 yes, -1 not a boolean. */
static int flag(const char *v)
{
    if (!v) return 0;
    if (!strcasecmp(v, "true")) return 1;
    if (!strcasecmp(v, "false")) return 0;
    return -1;
}

static int parse(arena *a, const char *doc, size_t len, public_access *out)
{
    const char *v[N_PAB];
    if (xml_parse_fields(a, doc, len, "PublicAccessBlockConfiguration", pab_fields, v, N_PAB) != 0) return -1;
    int f[N_PAB];
    for (int i = 0; i < N_PAB; i++)
        if ((f[i] = flag(v[i])) < 0) return -1;
    out->block_public_acls = f[0];
    out->ignore_public_acls = f[1];
    out->block_public_policy = f[2];
    out->restrict_public_buckets = f[3];
    return 0;
}

public_access s3_public_access(s3_req *r, const char *bucket)
{
    public_access pa = { 0 };
    char *doc;
    size_t len;
    if (store_bucket_config_get(r->api->cfg.store, r->a, bucket, PAB_DOC, &doc, &len) == ST_OK &&
        parse(r->a, doc, len, &pa) != 0) {
        /* validated when put: a document that no longer parses blocks all */
        pa.block_public_acls = pa.ignore_public_acls = pa.block_public_policy = pa.restrict_public_buckets = 1;
    }
    return pa;
}

int s3_policy_grants_all(const policy *p, const char *action, const char *resource, int signed_callers)
{
    if (!p) return 0;
    policy_request req = { .action = action, .resource = resource };
    if (signed_callers) {
        req.principal_arn = "arn:aws:iam::cairn:user/\x01";   /* a name no user can have */
        req.username = "\x01";
    }
    return policy_evaluate(p, &req) == POLICY_ALLOW;
}

int s3_policy_is_public(const policy *p, const char *bucket, arena *a)
{
    static const char *const probes[][2] = {
        { "s3:ListBucket", "" }, { "s3:GetObject", "/*" }, { "s3:PutObject", "/*" }, { "s3:DeleteObject", "/*" },
    };
    for (int signed_callers = 0; signed_callers < 2 && p; signed_callers++)
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
            if (s3_policy_grants_all(p, probes[i][0], arena_printf(a, "arn:aws:s3:::%s%s", bucket, probes[i][1]),
                                     signed_callers))
                return 1;
    return 0;
}

static void put_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    public_access pa;
    if (!body || parse(r->a, body, n, &pa) != 0) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    http_hold(r->ex);
    store_bucket_config_set(r->api->cfg.store, r->bucket, PAB_DOC, body, n, s3_config_written, r);
}

void op_public_access_block(s3_req *r)
{
    const char *m = r->http->method;
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    if (!strcmp(m, "PUT")) {
        s3_body_collect(r, 16 * 1024, put_body);
    } else if (!strcmp(m, "DELETE")) {
        http_hold(r->ex);
        store_bucket_config_set(r->api->cfg.store, r->bucket, PAB_DOC, NULL, 0, s3_config_written, r);
    } else if (!strcmp(m, "GET")) {
        char *doc;
        size_t len;
        st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, PAB_DOC, &doc, &len);
        if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_SUCH_PUBLIC_ACCESS_BLOCK, NULL); return; }
        if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
        public_access pa;
        if (parse(r->a, doc, len, &pa) != 0) { s3_error_reply(r, S3E_INTERNAL, NULL); return; }
        strbuf b;
        strbuf_init(&b, r->a, 512);
        strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PublicAccessBlockConfiguration xmlns=\""
                          S3_XMLNS "\"><BlockPublicAcls>%s</BlockPublicAcls><IgnorePublicAcls>%s</IgnorePublicAcls>"
                          "<BlockPublicPolicy>%s</BlockPublicPolicy><RestrictPublicBuckets>%s</RestrictPublicBuckets>"
                          "</PublicAccessBlockConfiguration>",
                      pa.block_public_acls ? "true" : "false", pa.ignore_public_acls ? "true" : "false",
                      pa.block_public_policy ? "true" : "false", pa.restrict_public_buckets ? "true" : "false");
        s3_xml_reply(r, 200, &b);
    } else {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
    }
}

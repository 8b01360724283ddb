/*
 * ownership — Put/Get/DeleteBucketOwnershipControls and x-amz-object-ownership
 * on CreateBucket.  One account owns every object here, so the setting's
 * only effect is AWS's for BucketOwnerEnforced: ACLs are disabled, and a
 * request that sets one other than bucket-owner-full-control is refused
 * with AccessControlListNotSupported (reading ACLs still works).  A bucket
 * whose canned ACL grants the public (CannedAcl statements) cannot switch
 * to BucketOwnerEnforced until that ACL is removed.
 */
#include <string.h>

#include "internal.h"
#include "xml.h"

#define OWNERSHIP_DOC "ownership"

static int valid(const char *v)
{
    return v && (!strcmp(v, "BucketOwnerEnforced") || !strcmp(v, "BucketOwnerPreferred") ||
                 !strcmp(v, "ObjectWriter"));
}

int s3_acls_disabled(s3_req *r, const char *bucket)
{
    char *doc;
    size_t len;
    if (store_bucket_config_get(r->api->cfg.store, r->a, bucket, OWNERSHIP_DOC, &doc, &len) != ST_OK) return 0;
    return len == 19 && !memcmp(doc, "BucketOwnerEnforced", 19);
}

s3_error s3_acl_allowed(s3_req *r, const char *acl)
{
    if (!acl || strcmp(acl, "bucket-owner-full-control") == 0) return S3E_NONE;
    return s3_acls_disabled(r, r->bucket) ? S3E_ACL_NOT_SUPPORTED : S3E_NONE;
}

s3_error s3_ownership_check(const char *ownership, int public_acl)
{
    if (!ownership) return S3E_NONE;
    if (!valid(ownership)) return S3E_INVALID_ARGUMENT;
    return public_acl && !strcmp(ownership, "BucketOwnerEnforced") ? S3E_INVALID_BUCKET_ACL_WITH_OWNERSHIP : S3E_NONE;
}

void s3_ownership_store(s3_req *r, const char *ownership, store_done_cb done, void *arg)
{
    store_bucket_config_set(r->api->cfg.store, r->bucket, OWNERSHIP_DOC, ownership, ownership ? strlen(ownership) : 0,
                            done, arg);
}

static void put_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    static const char *const fields[] = { "Rule/ObjectOwnership" };
    const char *v[1];
    if (!body || xml_parse_fields(r->a, body, n, "OwnershipControls", fields, v, 1) != 0 || !valid(v[0])) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    e = s3_ownership_check(v[0], s3_bucket_has_public_acl(r));
    if (e) { s3_error_reply(r, e, NULL); return; }
    http_hold(r->ex);
    s3_ownership_store(r, v[0], s3_config_written, r);
}

void op_ownership_controls(s3_req *r)
{
    const char *m = r->http->method;
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    if (!strcmp(m, "PUT")) {
        s3_body_collect(r, 4096, put_body);
    } else if (!strcmp(m, "DELETE")) {
        http_hold(r->ex);
        s3_ownership_store(r, NULL, s3_config_written, r);
    } else if (!strcmp(m, "GET")) {
        char *doc;
        size_t len;
        st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, OWNERSHIP_DOC, &doc, &len);
        if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_OWNERSHIP_NOT_FOUND, NULL); return; }
        if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
        strbuf b;
        strbuf_init(&b, r->a, 256);
        strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OwnershipControls xmlns=\"" S3_XMLNS
                        "\"><Rule><ObjectOwnership>");
        strbuf_xml_escape(&b, doc, len);
        strbuf_puts(&b, "</ObjectOwnership></Rule></OwnershipControls>");
        s3_xml_reply(r, 200, &b);
    } else {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
    }
}

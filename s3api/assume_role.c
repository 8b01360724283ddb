/*
 * assume_role — STS AssumeRole on the S3 endpoint, as MinIO serves it: a
 * form POST to "/" (Action=AssumeRole, Version=2011-06-15, DurationSeconds,
 * Policy), signed with SigV4 for service "sts" by a user's (or root's)
 * long-term key.  Answers temporary credentials (iam/sts.h) whose power is
 * the caller's, narrowed by the session policy when one is given.
 *
 * Errors use STS's own XML shape (ErrorResponse), which AWS SDKs parse for
 * this protocol.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../iam/sts.h"
#include "internal.h"

enum { MAX_STS_BODY = 64 * 1024 };

static void sts_error(s3_req *r, int status, const char *code, const char *message)
{
    strbuf b;
    strbuf_init(&b, r->a, 512);
    strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/"
                      "2011-06-15/\"><Error><Type>Sender</Type><Code>%s</Code><Message>", code);
    strbuf_xml_escape(&b, message, strlen(message));
    strbuf_printf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", http_request_id(r->ex));
    http_respond(r->ex, status, "text/xml", b.data, b.len);
}

/* One form field, decoded ('+' is a space in forms); NULL when absent. */
static const char *form_get(s3_req *r, const char *body, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = body; *p;) {
        size_t n = strcspn(p, "&");
        if (n > nl && p[nl] == '=' && memcmp(p, name, nl) == 0) {
            size_t len;
            char *v = url_decode(r->a, p + nl + 1, n - nl - 1, 1, &len);
            return v && strlen(v) == len ? v : NULL;
        }
        p += n;
        if (*p == '&') p++;
    }
    return NULL;
}

static void answer(s3_req *r, const char *ak, const char *sk, const char *token, int64_t expires)
{
    char exp[32];
    time_t t = (time_t)expires;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(exp, sizeof exp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strbuf b;
    strbuf_init(&b, r->a, 2048);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/"
                    "doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::cairn:assumed-role/");
    strbuf_xml_escape(&b, r->auth.id.username, strlen(r->auth.id.username));
    strbuf_printf(&b, "</Arn><AssumedRoleId>%s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>%s"
                      "</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>", ak, ak, sk);
    strbuf_xml_escape(&b, token, strlen(token));
    strbuf_printf(&b, "</SessionToken><Expiration>%s</Expiration></Credentials></AssumeRoleResult><ResponseMetadata>"
                      "<RequestId>%s</RequestId></ResponseMetadata></AssumeRoleResponse>",
                  exp, http_request_id(r->ex));
    http_add_header(r->ex, "Cache-Control", "no-store");
    http_respond(r->ex, 200, "text/xml", b.data, b.len);
}

static void body_done(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED) { sts_error(r, 400, "InvalidParameterValue", "The request body is too large."); return; }
    if (e) { s3_error_reply(r, e, NULL); return; }
    if (!body) body = "";
    unsigned char md[32];
    char hex[65];
    EVP_Digest(body, n, md, NULL, EVP_sha256(), NULL);
    hex_encode(md, 32, hex);
    const char *msg = NULL;
    e = s3_authenticate_sts(r, hex, &msg);
    if (e) {
        const s3_error_info *info = s3_error_lookup(e);
        sts_error(r, info->status, info->code, msg ? msg : info->message);
        return;
    }
    http_set_log_fields(r->ex, &(http_log_fields){ .api = "AssumeRole", .user = r->auth.access_key });
    const char *action = form_get(r, body, "Action"), *version = form_get(r, body, "Version");
    if (!action || strcmp(action, "AssumeRole") != 0) {
        sts_error(r, 400, "InvalidAction", "cairn's STS answers AssumeRole only.");
        return;
    }
    if (version && strcmp(version, "2011-06-15") != 0) {
        sts_error(r, 400, "InvalidParameterValue", "Version must be 2011-06-15.");
        return;
    }
    if (r->auth.id.kind == IAM_SERVICE_ACCOUNT || r->auth.id.kind == IAM_TEMPORARY) {
        sts_error(r, 403, "AccessDenied", "Temporary credentials are issued to users' long-term keys only.");
        return;
    }
    int64_t duration = STS_DEFAULT_DURATION;
    const char *ds = form_get(r, body, "DurationSeconds");
    if (ds) {
        char *end;
        long long v = strtoll(ds, &end, 10);
        /* Test-only: lets a test watch credentials expire in seconds.
         * Never set in production. */
        const char *test_min = getenv("CAIRN_TEST_STS_MIN_DURATION");
        long long min = test_min && *test_min ? strtoll(test_min, NULL, 10) : STS_MIN_DURATION;
        if (!*ds || *end || v < min || v > STS_MAX_DURATION) {
            sts_error(r, 400, "InvalidParameterValue",
                      "DurationSeconds must be between 900 (15 minutes) and 43200 (12 hours).");
            return;
        }
        duration = v;
    }
    const char *pol = form_get(r, body, "Policy");
    if (pol) {
        if (strlen(pol) > STS_MAX_POLICY) {
            sts_error(r, 400, "PackedPolicyTooLarge", "The session policy exceeds 2048 bytes.");
            return;
        }
        char err[256];
        policy *p = policy_parse(pol, strlen(pol), POLICY_IDENTITY, NULL, err, sizeof err);
        if (!p) { sts_error(r, 400, "MalformedPolicyDocument", err); return; }
        policy_free(p);
    }
    char ak[STS_ACCESS_KEY_LEN + 1], sk[STS_SECRET_LEN + 1], *token = NULL;
    int64_t expires = (int64_t)time(NULL) + duration;
    if (sts_mint(iam_sts_key(r->api->cfg.iam), r->auth.id.username, pol, expires, ak, sk, &token) != 0) {
        sts_error(r, 500, "InternalError", "could not mint credentials");
        return;
    }
    answer(r, ak, sk, token, expires);
    free(token);
}

void op_assume_role(s3_req *r)
{
    s3_body_collect(r, MAX_STS_BODY, body_done);
}

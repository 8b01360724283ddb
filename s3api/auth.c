/*
 * auth — deciding who sent a request: SigV4 in the Authorization header or
 * in a presigned URL's query, the clock-skew and expiry rules, and the set
 * up of streaming (aws-chunked) verification.  The signature arithmetic is
 * sigv4.c's; this file owns the policy around it.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

enum { MAX_SKEW_SECONDS = 15 * 60 };

static const char EMPTY_SHA256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static const unsigned char *signing_key(s3_req *r, const char *date8, const char *region, const char *service)
{
    s3api *api = r->api;
    const char *ak = r->auth.access_key, *secret = r->auth.id.secret_key;
    size_t n = sizeof api->signing_keys / sizeof api->signing_keys[0];
    for (size_t i = 0; i < n; i++) {
        struct signing_key_entry *e = &api->signing_keys[i];
        if (!strcmp(e->access_key, ak) && !strcmp(e->date, date8) && !strcmp(e->region, region) &&
            !strcmp(e->service, service) && !strcmp(e->secret, secret))
            return e->key;
    }
    struct signing_key_entry *e = &api->signing_keys[api->signing_next++ % n];
    if (strlen(ak) >= sizeof e->access_key || strlen(secret) >= sizeof e->secret ||
        strlen(region) >= sizeof e->region || strlen(service) >= sizeof e->service) {
        sigv4_signing_key(secret, date8, region, service, r->auth.key);
        return r->auth.key;
    }
    sigv4_signing_key(secret, date8, region, service, e->key);
    strcpy(e->access_key, ak);
    strcpy(e->secret, secret);
    snprintf(e->date, sizeof e->date, "%s", date8);
    strcpy(e->region, region);
    strcpy(e->service, service);
    return e->key;
}

static sigv4_request to_sigv4(s3_req *r)
{
    sigv4_header *h = arena_alloc(r->a, (r->http->n_headers + 1) * sizeof *h);
    for (size_t i = 0; i < r->http->n_headers; i++) {
        h[i].name = r->http->headers[i].name;
        h[i].value = r->http->headers[i].value;
    }
    sigv4_request req = { .method = r->http->method, .raw_path = r->http->path,
                          .raw_query = r->http->query, .headers = h, .n_headers = r->http->n_headers };
    return req;
}

/* Who the access key (and session token) names, or why nobody. */
s3_error s3_identify(s3_req *r, const char *access_key, const char *token, const char **msg)
{
    if (token && !*token) token = NULL;
    switch (iam_lookup(r->api->cfg.iam, access_key, token, (int64_t)time(NULL), &r->auth.id)) {
    case IAM_OK:
        r->auth.access_key = arena_strdup(r->a, access_key);
        r->auth.session_token = token ? arena_strdup(r->a, token) : NULL;
        return S3E_NONE;
    case IAM_DISABLED:
        *msg = "Your account is disabled; please contact your administrator.";
        return S3E_INVALID_ACCESS_KEY;
    case IAM_EXPIRED:
        return S3E_EXPIRED_TOKEN;
    case IAM_BAD_TOKEN:
        return S3E_INVALID_TOKEN;
    case IAM_UNAVAILABLE:
        *msg = "The identity store cannot be read yet: too few drives are online. Retry later.";
        return S3E_NO_READ_QUORUM;
    case IAM_NO_SUCH_KEY:
        break;
    }
    return S3E_INVALID_ACCESS_KEY;
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64) return 0;
    for (int i = 0; i < 64; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}

static s3_error verify(s3_req *r, const sigv4_credential *cred, const char *amz_date, const char *payload_hash,
                       int presigned, char scope_out[128])
{
    sigv4_request req = to_sigv4(r);
    char *canon = sigv4_canonical_request(&req, cred->signed_headers, payload_hash, presigned);
    if (!canon) return S3E_SIGNATURE_DOES_NOT_MATCH;
    char canon_hash[65], sts[512], sig[65];
    sigv4_sha256_hex(canon, strlen(canon), canon_hash);
    free(canon);
    if (!sigv4_scope(cred->date, cred->region, cred->service, scope_out, 128)) return S3E_AUTH_HEADER_MALFORMED;
    if (!sigv4_string_to_sign(amz_date, scope_out, canon_hash, sts, sizeof sts)) return S3E_AUTH_HEADER_MALFORMED;
    sigv4_signature_hex(signing_key(r, cred->date, cred->region, cred->service), sts, sig);
    if (!sigv4_hex_equal(sig, cred->signature)) return S3E_SIGNATURE_DOES_NOT_MATCH;
    return S3E_NONE;
}

static s3_error auth_presigned(s3_req *r, const char **msg)
{
    sigv4_presigned ps;
    sigv4_status st = sigv4_parse_presigned(r->http->query, &ps);
    if (st == SIGV4_BAD_EXPIRES) return S3E_INVALID_EXPIRES;
    if (st != SIGV4_OK) {
        *msg = "Query-string authentication requires X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, "
               "X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.";
        return S3E_INVALID_EXPIRES;
    }
    if (strcmp(ps.cred.service, "s3") != 0) return S3E_AUTH_HEADER_MALFORMED;
    s3_error ie = s3_identify(r, ps.cred.access_key, query_get(&r->q, "X-Amz-Security-Token"), msg);
    if (ie) return ie;
    time_t signed_at, now = time(NULL);
    if (parse_amz_date(ps.amz_date, &signed_at) != 0) return S3E_INVALID_EXPIRES;
    if (signed_at > now + MAX_SKEW_SECONDS) {
        *msg = "Request is not valid yet.";
        return S3E_ACCESS_DENIED;
    }
    if (now > signed_at + ps.expires) return S3E_EXPIRED_PRESIGN;
    char scope[128];
    const char *payload = s3_header(r, "x-amz-content-sha256");
    if (!payload || !is_hex64(payload)) payload = "UNSIGNED-PAYLOAD";
    s3_error e = verify(r, &ps.cred, ps.amz_date, payload, 1, scope);
    if (e) return e;
    r->auth.mode = PAYLOAD_UNSIGNED;
    if (strcmp(payload, "UNSIGNED-PAYLOAD") != 0) {
        r->auth.mode = PAYLOAD_SHA256;
        snprintf(r->auth.sha256_hex, sizeof r->auth.sha256_hex, "%s", payload);
    }
    return S3E_NONE;
}

/* service: "s3", or "sts" for STS requests, whose payload_hash the caller
 * computed from the body it read (STS clients send no
 * x-amz-content-sha256). */
static s3_error auth_header(s3_req *r, const char *authz, const char *service, const char *sts_payload_hash,
                            const char **msg)
{
    sigv4_credential cred;
    sigv4_status st = sigv4_parse_authorization(authz, &cred);
    if (st == SIGV4_BAD_ALGORITHM) return S3E_INVALID_SIGV2;
    if (st != SIGV4_OK) return S3E_AUTH_HEADER_MALFORMED;
    if (strcmp(cred.service, service) != 0) {
        *msg = arena_printf(r->a, "The authorization header is malformed; the credential scope must name service %s.",
                            service);
        return S3E_AUTH_HEADER_MALFORMED;
    }
    s3_error ie = s3_identify(r, cred.access_key, s3_header(r, "x-amz-security-token"), msg);
    if (ie) return ie;

    const char *amz_date = s3_header(r, "x-amz-date");
    char date_buf[17];
    time_t t, now = time(NULL);
    if (amz_date) {
        if (parse_amz_date(amz_date, &t) != 0) {
            *msg = "X-Amz-Date must be in the ISO8601 basic format YYYYMMDDTHHMMSSZ.";
            return S3E_ACCESS_DENIED;
        }
    } else {
        const char *date = s3_header(r, "date");
        if (!date || parse_http_date(date, &t) != 0) {
            *msg = "AWS authentication requires a valid Date or x-amz-date header.";
            return S3E_ACCESS_DENIED;
        }
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date_buf, sizeof date_buf, "%Y%m%dT%H%M%SZ", &tm);
        amz_date = date_buf;
    }
    if (t > now + MAX_SKEW_SECONDS || t < now - MAX_SKEW_SECONDS) return S3E_REQUEST_TIME_TOO_SKEWED;
    if (strncmp(amz_date, cred.date, 8) != 0) {
        *msg = "Invalid credential date. Date is not the same as X-Amz-Date.";
        return S3E_AUTH_HEADER_MALFORMED;
    }

    const char *payload = sts_payload_hash ? sts_payload_hash : s3_header(r, "x-amz-content-sha256");
    if (!payload) {
        if (r->http->has_body) {
            *msg = "Missing required header for this request: x-amz-content-sha256.";
            return S3E_INVALID_REQUEST;
        }
        payload = EMPTY_SHA256;
    }
    int streaming_signed = 0, trailer = 0;
    if (strcmp(payload, "UNSIGNED-PAYLOAD") == 0) {
        r->auth.mode = PAYLOAD_UNSIGNED;
    } else if (strcmp(payload, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") == 0) {
        r->auth.mode = PAYLOAD_STREAMING;
        streaming_signed = 1;
    } else if (strcmp(payload, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") == 0) {
        r->auth.mode = PAYLOAD_STREAMING;
        streaming_signed = 1;
        trailer = 1;
    } else if (strcmp(payload, "STREAMING-UNSIGNED-PAYLOAD-TRAILER") == 0) {
        r->auth.mode = PAYLOAD_STREAMING;
        trailer = 1;
    } else if (is_hex64(payload)) {
        r->auth.mode = PAYLOAD_SHA256;
        for (int i = 0; i < 64; i++) {
            char c = payload[i];
            r->auth.sha256_hex[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
        }
        r->auth.sha256_hex[64] = '\0';
    } else {
        return S3E_INVALID_CONTENT_SHA256;
    }

    char scope[128];
    s3_error e = verify(r, &cred, amz_date, payload, 0, scope);
    if (e) return e;
    if (r->auth.mode == PAYLOAD_STREAMING) {
        aws_chunked_config *c = &r->auth.chunked;
        memset(c, 0, sizeof *c);
        c->signed_chunks = streaming_signed;
        c->has_trailer = trailer;
        r->auth.streaming_trailer = trailer;
        if (streaming_signed) {
            memcpy(c->signing_key, signing_key(r, cred.date, cred.region, "s3"), 32);
            snprintf(c->amz_date, sizeof c->amz_date, "%s", amz_date);
            snprintf(c->scope, sizeof c->scope, "%s", scope);
            snprintf(c->seed_signature, sizeof c->seed_signature, "%s", cred.signature);
        }
    }
    return S3E_NONE;
}

s3_error s3_authenticate(s3_req *r, const char **msg)
{
    *msg = NULL;
    memset(&r->auth, 0, sizeof r->auth);
    if (query_find(&r->q, "X-Amz-Signature") || query_find(&r->q, "X-Amz-Algorithm") ||
        query_find(&r->q, "X-Amz-Credential"))
        return auth_presigned(r, msg);
    const char *authz = s3_header(r, "authorization");
    if (authz) {
        if (strncasecmp(authz, "AWS ", 4) == 0) return S3E_INVALID_SIGV2;
        return auth_header(r, authz, "s3", NULL, msg);
    }
    if (query_find(&r->q, "Signature") && query_find(&r->q, "AWSAccessKeyId")) return S3E_INVALID_SIGV2;
    /* Anonymous: what it may do is the bucket policy's to say (authz.c). */
    r->auth.anonymous = 1;
    r->auth.mode = PAYLOAD_UNSIGNED;
    return S3E_NONE;
}

s3_error s3_authenticate_sts(s3_req *r, const char *payload_sha256_hex, const char **msg)
{
    *msg = NULL;
    memset(&r->auth, 0, sizeof r->auth);
    const char *authz = s3_header(r, "authorization");
    if (!authz) return S3E_ACCESS_DENIED;
    if (strncasecmp(authz, "AWS ", 4) == 0) return S3E_INVALID_SIGV2;
    return auth_header(r, authz, "sts", payload_sha256_hex, msg);
}

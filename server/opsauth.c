#include "opsauth.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../s3api/sigv4.h"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        if (o + chars + 1 > cap) return 0;
        for (size_t k = 0; k < chars; k++) out[o++] = B64URL[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64url_val(char c)
{
    const char *p = c ? strchr(B64URL, c) : NULL;
    return p ? (int)(p - B64URL) : -1;
}

/* Returns the decoded length or (size_t)-1. */
static size_t b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(in[i]);
        if (v < 0) return (size_t)-1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap) return (size_t)-1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

static void token_key(const char *secret, unsigned char key[32])
{
    static const char label[] = "cairn prometheus token v1";
    unsigned int len = 32;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)label, sizeof label - 1, key, &len))
        memset(key, 0, 32);
}

static size_t sign_part(const char *secret, const char *signing_input, size_t n, char *out, size_t cap)
{
    unsigned char key[32], mac[32];
    unsigned int len = sizeof mac;
    token_key(secret, key);
    if (!HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)signing_input, n, mac, &len)) return 0;
    OPENSSL_cleanse(key, sizeof key);
    return b64url_encode(mac, sizeof mac, out, cap);
}

size_t token_mint(const char *access_key, const char *secret, int64_t now, int64_t ttl_s, char *out, size_t cap)
{
    static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    json_t *claims = json_pack("{s:I,s:s,s:s}", "exp", (json_int_t)(now + ttl_s), "sub", access_key, "iss", "prometheus");
    if (!claims) return 0;
    char *payload = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    if (!payload) return 0;
    size_t o = b64url_encode((const unsigned char *)hdr, sizeof hdr - 1, out, cap);
    size_t ret = 0;
    if (o && o + 1 < cap) {
        out[o++] = '.';
        size_t p = b64url_encode((const unsigned char *)payload, strlen(payload), out + o, cap - o);
        if (p && o + p + 1 < cap) {
            o += p;
            size_t signed_len = o;
            out[o++] = '.';
            size_t s = sign_part(secret, out, signed_len, out + o, cap - o);
            if (s) ret = o + s;
        }
    }
    free(payload);
    if (!ret && cap) out[0] = '\0';
    return ret;
}

const char *token_status_str(token_status s)
{
    switch (s) {
    case TOKEN_OK: return "ok";
    case TOKEN_MALFORMED: return "malformed token";
    case TOKEN_BAD_SIGNATURE: return "bad token signature";
    case TOKEN_EXPIRED: return "token expired";
    case TOKEN_WRONG_SUBJECT: return "token not issued for this server's credentials";
    }
    return "?";
}

token_status token_verify(const char *token, const char *access_key, const char *secret, int64_t now)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > TOKEN_MAX) return TOKEN_MALFORMED;
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.')) return TOKEN_MALFORMED;
    char want[64];
    size_t wl = sign_part(secret, token, (size_t)(d2 - token), want, sizeof want);
    size_t gl = strlen(d2 + 1);
    if (!wl || wl != gl || CRYPTO_memcmp(want, d2 + 1, wl) != 0) return TOKEN_BAD_SIGNATURE;
    /* The signature is ours: the header is the one we write, and the claims parse. */
    unsigned char buf[TOKEN_MAX];
    size_t pl = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), buf, sizeof buf - 1);
    if (pl == (size_t)-1) return TOKEN_MALFORMED;
    buf[pl] = '\0';
    json_error_t err;
    json_t *c = json_loadb((const char *)buf, pl, 0, &err);
    if (!c || !json_is_object(c)) { json_decref(c); return TOKEN_MALFORMED; }
    json_t *exp = json_object_get(c, "exp"), *sub = json_object_get(c, "sub");
    token_status st = TOKEN_OK;
    if (!json_is_integer(exp) || !json_is_string(sub)) st = TOKEN_MALFORMED;
    else if (strcmp(json_string_value(sub), access_key) != 0) st = TOKEN_WRONG_SUBJECT;
    else if ((int64_t)json_integer_value(exp) <= now) st = TOKEN_EXPIRED;
    json_decref(c);
    return st;
}

/* ---- SigV4 for the admin API ---- */

static int parse_amz_date(const char *s, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

const char *admin_auth_check(const http_exchange *ex, const char *access_key, const char *secret,
                             const char *region, const char *payload_sha256_hex, int64_t now, int *status)
{
    *status = 403;
    const http_request *r = http_req(ex);
    const char *authz = http_header_get(ex, "authorization");
    if (!authz) return "AccessDenied: the admin API needs a SigV4 Authorization header";
    sigv4_credential cred;
    if (sigv4_parse_authorization(authz, &cred) != SIGV4_OK) {
        *status = 400;
        return "AuthorizationHeaderMalformed";
    }
    if (strcmp(cred.access_key, access_key) != 0) return "InvalidAccessKeyId: the admin API takes the root credentials";
    if (strcmp(cred.region, region) != 0 || strcmp(cred.service, "s3") != 0) {
        *status = 400;
        return "AuthorizationHeaderMalformed: wrong region or service in the credential scope";
    }
    const char *amz_date = http_header_get(ex, "x-amz-date");
    int64_t t;
    if (parse_amz_date(amz_date, &t) != 0 || strncmp(amz_date, cred.date, 8) != 0) {
        *status = 400;
        return "AuthorizationHeaderMalformed: x-amz-date missing or not the credential date";
    }
    if (t > now + 900 || t < now - 900) return "RequestTimeTooSkewed";
    const char *sha = http_header_get(ex, "x-amz-content-sha256");
    if (!sha || strcasecmp(sha, payload_sha256_hex) != 0) {
        *status = 400;
        return "XAmzContentSHA256Mismatch: the admin API needs the body's SHA-256 in x-amz-content-sha256";
    }
    sigv4_header hs[HTTP_MAX_HEADERS];
    size_t nh = r->n_headers < HTTP_MAX_HEADERS ? r->n_headers : HTTP_MAX_HEADERS;
    for (size_t i = 0; i < nh; i++) { hs[i].name = r->headers[i].name; hs[i].value = r->headers[i].value; }
    sigv4_request sr = { .method = r->method, .raw_path = r->path, .raw_query = r->query, .headers = hs, .n_headers = nh };
    char *canon = sigv4_canonical_request(&sr, cred.signed_headers, sha, 0);
    if (!canon) return "SignatureDoesNotMatch";
    char hash[65], scope[128], sts[512], sig[65];
    unsigned char key[32];
    sigv4_sha256_hex(canon, strlen(canon), hash);
    free(canon);
    sigv4_scope(cred.date, cred.region, cred.service, scope, sizeof scope);
    sigv4_string_to_sign(amz_date, scope, hash, sts, sizeof sts);
    sigv4_signing_key(secret, cred.date, cred.region, cred.service, key);
    sigv4_signature_hex(key, sts, sig);
    OPENSSL_cleanse(key, sizeof key);
    if (!sigv4_hex_equal(sig, cred.signature)) return "SignatureDoesNotMatch";
    return NULL;
}

int admin_sign(const char *method, const char *raw_path, const char *raw_query, const char *host,
               const void *body, size_t body_len, const char *access_key, const char *secret,
               const char *region, int64_t now, char amz_date[17], char content_sha[65],
               char *authorization, size_t auth_cap)
{
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm);
    char date8[9];
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    sigv4_sha256_hex(body ? body : "", body_len, content_sha);
    sigv4_header hs[3] = { { "host", host }, { "x-amz-content-sha256", content_sha }, { "x-amz-date", amz_date } };
    const char *signed_headers = "host;x-amz-content-sha256;x-amz-date";
    sigv4_request sr = { .method = method, .raw_path = raw_path, .raw_query = raw_query, .headers = hs, .n_headers = 3 };
    char *canon = sigv4_canonical_request(&sr, signed_headers, content_sha, 0);
    if (!canon) return -1;
    char hash[65], scope[128], sts[512], sig[65];
    unsigned char key[32];
    sigv4_sha256_hex(canon, strlen(canon), hash);
    free(canon);
    sigv4_scope(date8, region, "s3", scope, sizeof scope);
    sigv4_string_to_sign(amz_date, scope, hash, sts, sizeof sts);
    sigv4_signing_key(secret, date8, region, "s3", key);
    sigv4_signature_hex(key, sts, sig);
    OPENSSL_cleanse(key, sizeof key);
    int n = snprintf(authorization, auth_cap, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                     access_key, scope, signed_headers, sig);
    return n > 0 && (size_t)n < auth_cap ? 0 : -1;
}

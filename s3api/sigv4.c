/*
 * sigv4 — see sigv4.h for what this module owns.
 */
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char ALGORITHM[] = "AWS4-HMAC-SHA256";
static const char EMPTY_SHA256_HEX[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const char *sigv4_status_str(sigv4_status s)
{
    switch (s) {
    case SIGV4_OK: return "ok";
    case SIGV4_MALFORMED: return "malformed";
    case SIGV4_MISSING_FIELD: return "missing field";
    case SIGV4_BAD_ALGORITHM: return "unsupported algorithm";
    case SIGV4_BAD_SCOPE: return "bad credential scope";
    case SIGV4_TOO_LONG: return "field too long";
    case SIGV4_BAD_EXPIRES: return "bad X-Amz-Expires";
    }
    return "unknown";
}

/* ---- small helpers ------------------------------------------------------ */

static void to_hex(const unsigned char *bin, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[bin[i] >> 4];
        hex[2 * i + 1] = digits[bin[i] & 15];
    }
    hex[2 * n] = '\0';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Copies s[0..n) into dst (cap bytes with NUL); 0 if it does not fit. */
static int copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return 0;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 1;
}

/* SHA-256 fetched from OpenSSL's provider once: EVP_sha256() and the
 * one-shot HMAC() look the algorithm up by name on every call, which took
 * a tenth of a small GET's CPU. */
static EVP_MD *fetched_sha256;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) { fetched_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL); }

const EVP_MD *sigv4_sha256_md(void)
{
    pthread_once(&fetch_once, fetch_sha256);
    return fetched_sha256 ? fetched_sha256 : EVP_sha256();
}

/* One digest context per thread, made on first use and freed when the
 * thread ends: EVP_Digest builds and frees a context on every call, and a
 * signed request takes three digests. */
static pthread_key_t digest_ctx_key;
static pthread_once_t digest_ctx_once = PTHREAD_ONCE_INIT;

static void free_digest_ctx(void *ctx) { EVP_MD_CTX_free(ctx); }
static void make_digest_ctx_key(void) { (void)pthread_key_create(&digest_ctx_key, free_digest_ctx); }

static EVP_MD_CTX *thread_digest_ctx(void)
{
    pthread_once(&digest_ctx_once, make_digest_ctx_key);
    EVP_MD_CTX *ctx = pthread_getspecific(digest_ctx_key);
    if (!ctx && (ctx = EVP_MD_CTX_new()) != NULL && pthread_setspecific(digest_ctx_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static int sha256_of(const void *data, size_t len, unsigned char out[32])
{
    unsigned int got = 0;
    EVP_MD_CTX *ctx = thread_digest_ctx();
    if (!ctx) return EVP_Digest(data, len, out, &got, sigv4_sha256_md(), NULL) == 1 && got == 32;
    return EVP_DigestInit_ex2(ctx, sigv4_sha256_md(), NULL) == 1 && EVP_DigestUpdate(ctx, data, len) == 1 &&
           EVP_DigestFinal_ex(ctx, out, &got) == 1 && got == 32;
}

enum { SHA256_BLOCK = 64, HMAC_STACK_MESSAGE = 1024 };

/* HMAC-SHA256 (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m))) over two
 * digests with the fetched SHA-256, for keys up to one block and the
 * short messages SigV4 signs; anything larger goes through HMAC().  On
 * OpenSSL failure the output is zeroed so nothing built on it can match a
 * client's signature. */
static void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                        unsigned char out[32])
{
    if (key_len > SHA256_BLOCK || len > HMAC_STACK_MESSAGE) {
        unsigned int out_len = 0;
        if (!HMAC(sigv4_sha256_md(), key, (int)key_len, data, len, out, &out_len) || out_len != 32)
            memset(out, 0, 32);
        return;
    }
    unsigned char inner_msg[SHA256_BLOCK + HMAC_STACK_MESSAGE], outer_msg[SHA256_BLOCK + 32];
    memset(inner_msg, 0x36, SHA256_BLOCK);
    memset(outer_msg, 0x5c, SHA256_BLOCK);
    const unsigned char *k = key;
    for (size_t i = 0; i < key_len; i++) {
        inner_msg[i] ^= k[i];
        outer_msg[i] ^= k[i];
    }
    memcpy(inner_msg + SHA256_BLOCK, data, len);
    int ok = sha256_of(inner_msg, SHA256_BLOCK + len, outer_msg + SHA256_BLOCK) &&
             sha256_of(outer_msg, sizeof outer_msg, out);
    OPENSSL_cleanse(inner_msg, SHA256_BLOCK);
    OPENSSL_cleanse(outer_msg, sizeof outer_msg);
    if (!ok) memset(out, 0, 32);
}

/* ---- URI encoding ------------------------------------------------------- */

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

size_t sigv4_uri_encode(const char *in, size_t n, int keep_slash, char *out, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            if (cap - o < 2) /* this byte and the NUL */
                goto too_small;
            out[o++] = (char)c;
        } else {
            if (cap - o < 4)
                goto too_small;
            out[o++] = '%';
            out[o++] = digits[c >> 4];
            out[o++] = digits[c & 15];
        }
    }
    if (cap - o < 1)
        goto too_small;
    out[o] = '\0';
    return o;
too_small:
    if (cap > 0)
        out[0] = '\0';
    return (size_t)-1;
}

size_t sigv4_uri_decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            int hi, lo;
            if (n - i < 3 || (hi = hex_value((unsigned char)in[i + 1])) < 0 ||
                (lo = hex_value((unsigned char)in[i + 2])) < 0)
                goto fail;
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        if (cap - o < 2)
            goto fail;
        out[o++] = (char)c;
    }
    if (cap - o < 1)
        goto fail;
    out[o] = '\0';
    return o;
fail:
    if (cap > 0)
        out[0] = '\0';
    return (size_t)-1;
}

/* ---- credential parsing ------------------------------------------------- */

/* "AKIA.../20130524/us-east-1/s3/aws4_request". Split from the right: the
 * scope has exactly four parts after the access key. */
static sigv4_status parse_credential(const char *s, size_t n, sigv4_credential *out)
{
    size_t slash[4];
    size_t found = 0;
    for (size_t i = n; i > 0 && found < 4; i--)
        if (s[i - 1] == '/')
            slash[found++] = i - 1; /* slash[0] is the rightmost */
    if (found < 4)
        return SIGV4_BAD_SCOPE;
    const char *term = s + slash[0] + 1;
    size_t term_len = n - slash[0] - 1;
    const char *service = s + slash[1] + 1;
    size_t service_len = slash[0] - slash[1] - 1;
    const char *region = s + slash[2] + 1;
    size_t region_len = slash[1] - slash[2] - 1;
    const char *date = s + slash[3] + 1;
    size_t date_len = slash[2] - slash[3] - 1;
    size_t ak_len = slash[3];

    if (term_len != 12 || memcmp(term, "aws4_request", 12) != 0)
        return SIGV4_BAD_SCOPE;
    if (date_len != 8 || !is_digits(date, 8))
        return SIGV4_BAD_SCOPE;
    if (region_len == 0 || service_len == 0 || ak_len == 0)
        return SIGV4_BAD_SCOPE;
    if (!copy_field(out->access_key, sizeof out->access_key, s, ak_len) ||
        !copy_field(out->region, sizeof out->region, region, region_len) ||
        !copy_field(out->service, sizeof out->service, service, service_len))
        return SIGV4_TOO_LONG;
    copy_field(out->date, sizeof out->date, date, 8);
    return SIGV4_OK;
}

/* Lowercase header-name tokens separated by single ';'. Uppercase is
 * refused rather than folded: the client signed the list as it sent it. */
static sigv4_status parse_signed_headers(const char *s, size_t n, sigv4_credential *out)
{
    if (n == 0)
        return SIGV4_MALFORMED;
    if (n >= sizeof out->signed_headers)
        return SIGV4_TOO_LONG;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ';') {
            if (i == 0 || i == n - 1 || s[i - 1] == ';')
                return SIGV4_MALFORMED;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     strchr("!#$%&'*+-.^_`|~", c))) {
            return SIGV4_MALFORMED;
        }
    }
    copy_field(out->signed_headers, sizeof out->signed_headers, s, n);
    return SIGV4_OK;
}

static sigv4_status parse_signature(const char *s, size_t n, sigv4_credential *out)
{
    if (n != 64)
        return n > 64 ? SIGV4_TOO_LONG : SIGV4_MALFORMED;
    for (size_t i = 0; i < 64; i++) {
        int v = hex_value((unsigned char)s[i]);
        if (v < 0)
            return SIGV4_MALFORMED;
        out->signature[i] = "0123456789abcdef"[v];
    }
    out->signature[64] = '\0';
    return SIGV4_OK;
}

sigv4_status sigv4_parse_authorization(const char *header_value, sigv4_credential *out)
{
    memset(out, 0, sizeof *out);
    if (!header_value)
        return SIGV4_MISSING_FIELD;
    const char *p = header_value;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t alen = sizeof ALGORITHM - 1;
    if (strncmp(p, ALGORITHM, alen) != 0 || (p[alen] != ' ' && p[alen] != '\t'))
        return SIGV4_BAD_ALGORITHM;
    p += alen;

    int have_cred = 0, have_sh = 0, have_sig = 0;
    sigv4_status st = SIGV4_OK;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *key = p;
        while (*p && *p != '=' && *p != ',' && *p != ' ')
            p++;
        if (*p != '=') {
            st = SIGV4_MALFORMED;
            goto fail;
        }
        size_t key_len = (size_t)(p - key);
        const char *val = ++p;
        while (*p && *p != ',')
            p++;
        size_t val_len = (size_t)(p - val);
        while (val_len > 0 && (val[val_len - 1] == ' ' || val[val_len - 1] == '\t'))
            val_len--;

        if (key_len == 10 && memcmp(key, "Credential", 10) == 0) {
            if (have_cred++) {
                st = SIGV4_MALFORMED;
                goto fail;
            }
            st = parse_credential(val, val_len, out);
        } else if (key_len == 13 && memcmp(key, "SignedHeaders", 13) == 0) {
            if (have_sh++) {
                st = SIGV4_MALFORMED;
                goto fail;
            }
            st = parse_signed_headers(val, val_len, out);
        } else if (key_len == 9 && memcmp(key, "Signature", 9) == 0) {
            if (have_sig++) {
                st = SIGV4_MALFORMED;
                goto fail;
            }
            st = parse_signature(val, val_len, out);
        } else {
            st = SIGV4_MALFORMED;
        }
        if (st != SIGV4_OK)
            goto fail;
    }
    if (!have_cred || !have_sh || !have_sig) {
        st = SIGV4_MISSING_FIELD;
        goto fail;
    }
    return SIGV4_OK;
fail:
    memset(out, 0, sizeof *out);
    return st;
}

static int is_amz_date(const char *s)
{
    return strlen(s) == 16 && is_digits(s, 8) && s[8] == 'T' && is_digits(s + 9, 6) &&
           s[15] == 'Z';
}

sigv4_status sigv4_parse_presigned(const char *raw_query, sigv4_presigned *out)
{
    enum { P_ALGO, P_CRED, P_DATE, P_EXPIRES, P_SH, P_SIG, P_COUNT };
    static const char *const names[P_COUNT] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
        "X-Amz-Expires",   "X-Amz-SignedHeaders", "X-Amz-Signature",
    };
    /* Decoded values; each bounded by the largest field it feeds
     * (credential: access key + scope). */
    char value[P_COUNT][1280];
    size_t value_len[P_COUNT];
    int seen[P_COUNT] = {0};
    sigv4_status st = SIGV4_OK;

    memset(out, 0, sizeof *out);
    if (!raw_query)
        return SIGV4_MISSING_FIELD;
    const char *p = raw_query;
    while (*p) {
        const char *param = p;
        while (*p && *p != '&')
            p++;
        size_t len = (size_t)(p - param);
        if (*p == '&')
            p++;
        const char *eq = memchr(param, '=', len);
        size_t name_len = eq ? (size_t)(eq - param) : len;
        char name[32];
        /* Names longer than ours cannot be ours; skip without decoding. */
        if (name_len >= 3 * sizeof name)
            continue;
        size_t dn = sigv4_uri_decode(param, name_len, name, sizeof name);
        if (dn == (size_t)-1)
            continue; /* not one of ours, or a bad escape the canonical query will refuse */
        for (int k = 0; k < P_COUNT; k++) {
            if (strlen(names[k]) != dn || memcmp(names[k], name, dn) != 0)
                continue;
            if (seen[k]++)
                return SIGV4_MALFORMED;
            const char *v = eq ? eq + 1 : param + len;
            size_t vlen = (size_t)(param + len - v);
            size_t dv = sigv4_uri_decode(v, vlen, value[k], sizeof value[k]);
            if (dv == (size_t)-1)
                return vlen >= sizeof value[k] ? SIGV4_TOO_LONG : SIGV4_MALFORMED;
            if (strlen(value[k]) != dv)
                return SIGV4_MALFORMED; /* an embedded %00 */
            value_len[k] = dv;
        }
    }
    for (int k = 0; k < P_COUNT; k++)
        if (!seen[k])
            return SIGV4_MISSING_FIELD;

    if (strcmp(value[P_ALGO], ALGORITHM) != 0)
        return SIGV4_BAD_ALGORITHM;
    if ((st = parse_credential(value[P_CRED], value_len[P_CRED], &out->cred)) != SIGV4_OK ||
        (st = parse_signed_headers(value[P_SH], value_len[P_SH], &out->cred)) != SIGV4_OK ||
        (st = parse_signature(value[P_SIG], value_len[P_SIG], &out->cred)) != SIGV4_OK)
        goto fail;
    if (!is_amz_date(value[P_DATE])) {
        st = SIGV4_MALFORMED;
        goto fail;
    }
    if (memcmp(value[P_DATE], out->cred.date, 8) != 0) {
        st = SIGV4_BAD_SCOPE;
        goto fail;
    }
    memcpy(out->amz_date, value[P_DATE], 17);
    /* 1..604800: at most 6 digits, so no overflow before the range check. */
    if (value_len[P_EXPIRES] == 0 || value_len[P_EXPIRES] > 6 ||
        !is_digits(value[P_EXPIRES], value_len[P_EXPIRES])) {
        st = SIGV4_BAD_EXPIRES;
        goto fail;
    }
    out->expires = strtol(value[P_EXPIRES], NULL, 10);
    if (out->expires < 1 || out->expires > 604800) {
        st = SIGV4_BAD_EXPIRES;
        goto fail;
    }
    return SIGV4_OK;
fail:
    memset(out, 0, sizeof *out);
    return st;
}

/* ---- signing ------------------------------------------------------------ */

void sigv4_signing_key(const char *secret, const char *date8, const char *region,
                       const char *service, unsigned char key[32])
{
    unsigned char k[64 + 32];
    size_t secret_len = strlen(secret);
    size_t k_len;
    /* HMAC hashes a key longer than the SHA-256 block (64 bytes) down to its
     * digest first; doing it here ourselves keeps any secret length off the
     * heap and out of fixed buffers, with an identical result. */
    if (4 + secret_len <= 64) {
        memcpy(k, "AWS4", 4);
        memcpy(k + 4, secret, secret_len);
        k_len = 4 + secret_len;
    } else {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned int got = 0;
        int ok = md && EVP_DigestInit_ex(md, sigv4_sha256_md(), NULL) == 1 &&
                 EVP_DigestUpdate(md, "AWS4", 4) == 1 &&
                 EVP_DigestUpdate(md, secret, secret_len) == 1 &&
                 EVP_DigestFinal_ex(md, k, &got) == 1 && got == 32;
        EVP_MD_CTX_free(md);
        if (!ok) {
            memset(key, 0, 32);
            return;
        }
        k_len = 32;
    }
    unsigned char a[32], b[32];
    hmac_sha256(k, k_len, date8, strlen(date8), a);
    hmac_sha256(a, 32, region, strlen(region), b);
    hmac_sha256(b, 32, service, strlen(service), a);
    hmac_sha256(a, 32, "aws4_request", 12, key);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
}

size_t sigv4_scope(const char *date8, const char *region, const char *service, char *out,
                   size_t cap)
{
    int n = snprintf(out, cap, "%s/%s/%s/aws4_request", date8, region, service);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

void sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    if (!sha256_of(data, len, md)) {
        hex[0] = '\0'; /* matches nothing */
        return;
    }
    to_hex(md, 32, hex);
}

size_t sigv4_string_to_sign(const char *amz_date, const char *scope,
                            const char *canonical_hash_hex, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s\n%s\n%s\n%s", ALGORITHM, amz_date, scope, canonical_hash_hex);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

void sigv4_signature_hex(const unsigned char key[32], const char *string_to_sign, char hex[65])
{
    unsigned char mac[32];
    hmac_sha256(key, 32, string_to_sign, strlen(string_to_sign), mac);
    to_hex(mac, 32, hex);
}

void sigv4_chunk_signature(const unsigned char key[32], const char *amz_date, const char *scope,
                           const char *prev_sig, const char *chunk_sha256_hex, char hex[65])
{
    char sts[512];
    int n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n%s\n%s", amz_date,
                     scope, prev_sig, EMPTY_SHA256_HEX, chunk_sha256_hex);
    if (n < 0 || (size_t)n >= sizeof sts) {
        hex[0] = '\0'; /* no real scope is this long; sign nothing */
        return;
    }
    sigv4_signature_hex(key, sts, hex);
}

void sigv4_trailer_signature(const unsigned char key[32], const char *amz_date, const char *scope,
                             const char *prev_sig, const char *trailer_sha256_hex, char hex[65])
{
    char sts[512];
    int n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%s\n%s", amz_date, scope,
                     prev_sig, trailer_sha256_hex);
    if (n < 0 || (size_t)n >= sizeof sts) {
        hex[0] = '\0';
        return;
    }
    sigv4_signature_hex(key, sts, hex);
}

/* strnlen is POSIX, not C17. */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int sigv4_hex_equal(const char *a, const char *b)
{
    if (!a || !b || bounded_len(a, 65) != 64 || bounded_len(b, 65) != 64)
        return 0;
    unsigned diff = 0;
    /* |0x20 folds A-F onto a-f and leaves digits alone; the loop always
     * runs all 64 steps so timing does not reveal the first difference. */
    for (size_t i = 0; i < 64; i++)
        diff |= (unsigned)((unsigned char)(a[i] | 0x20) ^ (unsigned char)(b[i] | 0x20));
    return diff == 0;
}

/* ---- canonical request -------------------------------------------------- */

/* Append-only string with a hard size cap; the first failure sticks, so
 * callers check once at the end. */
typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} strbuf;

static int sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->failed)
        return 0;
    if (extra > SIGV4_MAX_CANONICAL || sb->len + extra > SIGV4_MAX_CANONICAL) {
        sb->failed = 1;
        return 0;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 1;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(sb->buf, cap);
    if (!p) {
        sb->failed = 1;
        return 0;
    }
    sb->buf = p;
    sb->cap = cap;
    return 1;
}

static void sb_append(strbuf *sb, const char *s, size_t n)
{
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s) { sb_append(sb, s, strlen(s)); }

static void sb_putc(strbuf *sb, char c) { sb_append(sb, &c, 1); }

/* Decodes in[0..n) and appends its AWS encoding. */
static void sb_reencode(strbuf *sb, const char *in, size_t n, int keep_slash, char *scratch,
                        size_t scratch_cap)
{
    size_t dn = sigv4_uri_decode(in, n, scratch, scratch_cap);
    if (dn == (size_t)-1) {
        sb->failed = 1;
        return;
    }
    if (!sb_reserve(sb, 3 * dn))
        return;
    size_t en = sigv4_uri_encode(scratch, dn, keep_slash, sb->buf + sb->len, sb->cap - sb->len);
    if (en == (size_t)-1) {
        sb->failed = 1;
        return;
    }
    sb->len += en;
}

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} query_param;

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Sort by encoded name, then encoded value (byte order). Comparing the
 * joined "name=value" would misorder "a" against "a-b", since '=' > '-'. */
static int cmp_params(const void *pa, const void *pb)
{
    const query_param *a = pa, *b = pb;
    int c = cmp_bytes(a->name, a->name_len, b->name, b->name_len);
    return c ? c : cmp_bytes(a->value, a->value_len, b->value, b->value_len);
}

static void append_canonical_query(strbuf *sb, const char *q, int presigned)
{
    size_t qlen = strlen(q);
    if (qlen == 0)
        return;
    if (qlen > SIGV4_MAX_CANONICAL) {
        sb->failed = 1;
        return;
    }
    size_t count = 1;
    for (size_t i = 0; i < qlen; i++)
        count += q[i] == '&';
    /* Encoded text is at most 3x the decoded, which is at most the raw. */
    size_t store_cap = 3 * qlen + 2 * count + 1;
    query_param *params = calloc(count, sizeof *params);
    char *store = malloc(store_cap);
    char *scratch = malloc(qlen + 1);
    size_t used = 0, n_params = 0;
    if (!params || !store || !scratch) {
        sb->failed = 1;
        goto out;
    }
    for (const char *p = q; *p;) {
        const char *param = p;
        while (*p && *p != '&')
            p++;
        size_t len = (size_t)(p - param);
        if (*p == '&')
            p++;
        if (len == 0)
            continue; /* "a=1&&b=2", a trailing '&': nothing was signed there */
        const char *eq = memchr(param, '=', len);
        size_t name_raw = eq ? (size_t)(eq - param) : len;
        const char *vraw = eq ? eq + 1 : param + len;
        size_t value_raw = (size_t)(param + len - vraw);

        size_t dn = sigv4_uri_decode(param, name_raw, scratch, qlen + 1);
        if (dn == (size_t)-1) {
            sb->failed = 1;
            goto out;
        }
        if (presigned && dn == 15 && memcmp(scratch, "X-Amz-Signature", 15) == 0)
            continue;
        query_param *qp = &params[n_params++];
        qp->name = store + used;
        qp->name_len = sigv4_uri_encode(scratch, dn, 0, store + used, store_cap - used);
        if (qp->name_len == (size_t)-1) {
            sb->failed = 1;
            goto out;
        }
        used += qp->name_len + 1;
        size_t dv = sigv4_uri_decode(vraw, value_raw, scratch, qlen + 1);
        if (dv == (size_t)-1) {
            sb->failed = 1;
            goto out;
        }
        qp->value = store + used;
        qp->value_len = sigv4_uri_encode(scratch, dv, 0, store + used, store_cap - used);
        if (qp->value_len == (size_t)-1) {
            sb->failed = 1;
            goto out;
        }
        used += qp->value_len + 1;
    }
    qsort(params, n_params, sizeof *params, cmp_params);
    for (size_t i = 0; i < n_params; i++) {
        if (i > 0)
            sb_putc(sb, '&');
        sb_append(sb, params[i].name, params[i].name_len);
        sb_putc(sb, '=');
        sb_append(sb, params[i].value, params[i].value_len);
    }
out:
    free(params);
    free(store);
    free(scratch);
}

/* Appends a header value trimmed, with inner runs of spaces/tabs collapsed
 * to one space, as SigV4 canonical headers require. */
static void append_header_value(strbuf *sb, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    int pending_space = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending_space = 1;
            continue;
        }
        if (pending_space)
            sb_putc(sb, ' ');
        pending_space = 0;
        sb_putc(sb, *v);
    }
}

static const char *find_header(const sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

/* Returns 0 when a signed header is absent. */
static int append_canonical_headers(strbuf *sb, const sigv4_request *req, const char *signed_headers)
{
    const char *p = signed_headers;
    while (*p) {
        const char *name = p;
        while (*p && *p != ';')
            p++;
        size_t name_len = (size_t)(p - name);
        if (*p == ';')
            p++;
        if (name_len == 0)
            continue;
        int found = 0;
        sb_append(sb, name, name_len);
        sb_putc(sb, ':');
        for (size_t i = 0; i < req->n_headers; i++) {
            const char *hn = req->headers[i].name;
            if (!hn || strlen(hn) != name_len || strncasecmp(hn, name, name_len) != 0)
                continue;
            if (found++)
                sb_putc(sb, ',');
            append_header_value(sb, req->headers[i].value ? req->headers[i].value : "");
        }
        if (!found)
            return 0;
        sb_putc(sb, '\n');
    }
    return 1;
}

char *sigv4_canonical_request(const sigv4_request *req, const char *signed_headers,
                              const char *payload_hash, int presigned)
{
    strbuf sb = {0};
    const char *path = req->raw_path && *req->raw_path ? req->raw_path : "/";
    const char *query = req->raw_query ? req->raw_query : "";
    size_t path_len = strlen(path);

    if (!payload_hash)
        payload_hash = presigned ? "UNSIGNED-PAYLOAD" : find_header(req, "x-amz-content-sha256");
    if (!payload_hash || !req->method || !signed_headers ||
        strlen(signed_headers) > SIGV4_MAX_CANONICAL || path_len > SIGV4_MAX_CANONICAL)
        return NULL;

    sb_puts(&sb, req->method);
    sb_putc(&sb, '\n');

    char *scratch = malloc(path_len + 1);
    if (!scratch) {
        free(sb.buf);
        return NULL;
    }
    sb_reencode(&sb, path, path_len, 1, scratch, path_len + 1);
    free(scratch);
    sb_putc(&sb, '\n');

    append_canonical_query(&sb, query, presigned);
    sb_putc(&sb, '\n');

    if (!append_canonical_headers(&sb, req, signed_headers))
        sb.failed = 1;
    sb_putc(&sb, '\n');
    sb_puts(&sb, signed_headers);
    sb_putc(&sb, '\n');
    sb_puts(&sb, payload_hash);

    if (sb.failed) {
        free(sb.buf);
        return NULL;
    }
    return sb.buf;
}

/*
 * sigv4 — AWS Signature Version 4 computation, as S3 does it.
 *
 * Owns: parsing the Authorization header and the presigned-URL query
 * parameters, the canonical request, the string to sign, the signing-key
 * derivation, request / chunk / trailer signatures, constant-time signature
 * comparison, and AWS URI encoding.
 *
 * Must not touch: I/O, clocks, credential lookup, global state, HTTP
 * parsing. Deciding whether a request is allowed (is the access key known,
 * is the date within 15 minutes, has a presigned URL expired, does the
 * credential date match x-amz-date) belongs to the caller; this module only
 * computes and compares. Allocation: only sigv4_canonical_request, which
 * returns a malloc'd string (OpenSSL may allocate inside HMAC/EVP calls).
 *
 * The flow for a header-signed request:
 *     sigv4_parse_authorization(hdr, &cred);
 *     canon = sigv4_canonical_request(&req, cred.signed_headers, NULL, 0);
 *     sigv4_sha256_hex(canon, strlen(canon), canon_hash);
 *     sigv4_scope(cred.date, cred.region, cred.service, scope, sizeof scope);
 *     sigv4_string_to_sign(amz_date, scope, canon_hash, sts, sizeof sts);
 *     sigv4_signing_key(secret, cred.date, cred.region, cred.service, key);
 *     sigv4_signature_hex(key, sts, sig);
 *     ok = sigv4_hex_equal(sig, cred.signature);
 * The signing key depends only on (secret, date, region, service): callers
 * cache it per day and credential.
 *
 * Canonicalisation follows S3, which differs from other AWS services:
 * the path is not normalised ('..' and '//' stay) and is encoded once.
 */
#ifndef CAIRN_S3API_SIGV4_H
#define CAIRN_S3API_SIGV4_H

#include <openssl/evp.h>
#include <stddef.h>

/* A request header as received: name in any case, value untrimmed. */
typedef struct {
    const char *name;
    const char *value;
} sigv4_header;

typedef struct {
    const char *method;     /* "GET" */
    const char *raw_path;   /* as on the wire, percent-encoded, no query: "/bucket/my%20key" */
    const char *raw_query;  /* text after '?', as on the wire, or "" (NULL is taken as "") */
    const sigv4_header *headers;
    size_t n_headers;
} sigv4_request;

typedef struct {
    char access_key[129];
    char date[9];            /* YYYYMMDD from the credential scope */
    char region[64];
    char service[32];
    char signed_headers[1024]; /* "host;range;x-amz-date", lowercase */
    char signature[65];      /* 64 lowercase hex */
} sigv4_credential;

typedef enum {
    SIGV4_OK = 0,
    SIGV4_MALFORMED,      /* syntax: not "k=v" parts, bad hex, bad date, duplicates */
    SIGV4_MISSING_FIELD,  /* Credential / SignedHeaders / Signature (or a query X-Amz-*) absent */
    SIGV4_BAD_ALGORITHM,  /* not AWS4-HMAC-SHA256 (e.g. SigV2 "AWS ak:sig" or SigV4a) */
    SIGV4_BAD_SCOPE,      /* credential not ak/YYYYMMDD/region/service/aws4_request */
    SIGV4_TOO_LONG,       /* a field does not fit its buffer */
    SIGV4_BAD_EXPIRES,    /* presigned X-Amz-Expires not an integer in 1..604800 */
} sigv4_status;

/* Short name of a status, for logs ("malformed", ...). */
const char *sigv4_status_str(sigv4_status s);

/* Parses "AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<64 hex>". Parts may come in any
 * order, separated by ',' with optional spaces. The signature is stored
 * lowercased. On error *out is left zeroed. */
sigv4_status sigv4_parse_authorization(const char *header_value, sigv4_credential *out);

typedef struct {
    sigv4_credential cred;
    char amz_date[17];   /* X-Amz-Date, "20130524T000000Z" */
    long expires;        /* X-Amz-Expires in seconds, 1..604800 */
} sigv4_presigned;

/* Parses X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders and X-Amz-Signature from raw_query (values are
 * percent-decoded). Also checks that X-Amz-Date is YYYYMMDDTHHMMSSZ and
 * starts with the credential date (else SIGV4_BAD_SCOPE). Whether the URL
 * has expired is the caller's check (it owns the clock). */
sigv4_status sigv4_parse_presigned(const char *raw_query, sigv4_presigned *out);

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date8), region), service), "aws4_request").
 * Any secret length works, nothing is allocated by us. If OpenSSL fails
 * (allocation), key is zeroed, which signs nothing anyone can match. */
void sigv4_signing_key(const char *secret, const char *date8, const char *region,
                       const char *service, unsigned char key[32]);

/* "20130524/us-east-1/s3/aws4_request" into out; returns its length, or 0
 * if it does not fit (out is then ""). */
size_t sigv4_scope(const char *date8, const char *region, const char *service, char *out,
                   size_t cap);

/* The canonical request (malloc'd, caller frees) — hashed for signing, and
 * also what S3 returns in the SignatureDoesNotMatch error body.
 *   signed_headers: "host;x-amz-date" as in the credential (lowercase,
 *     sorted by the client, ';'-separated); each is looked up in
 *     req->headers case-insensitively; several headers of one name are
 *     joined with ','; values are trimmed and inner runs of spaces/tabs
 *     collapse to one space.
 *   payload_hash: the last line. NULL means: "UNSIGNED-PAYLOAD" when
 *     presigned, else the request's x-amz-content-sha256 header value.
 *   presigned: nonzero drops X-Amz-Signature from the canonical query.
 * Returns NULL when a signed header is absent from the request, when the
 * path or query has a bad %-escape, when payload_hash is NULL and there is
 * nothing to default to, when the result would exceed
 * SIGV4_MAX_CANONICAL bytes, or on allocation failure. */
#define SIGV4_MAX_CANONICAL (256u * 1024u)
char *sigv4_canonical_request(const sigv4_request *req, const char *signed_headers,
                              const char *payload_hash, int presigned);

/* OpenSSL's SHA-256, fetched once (thread-safe); for every SHA-256 here. */
const EVP_MD *sigv4_sha256_md(void);
void sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<canonical_hash_hex>" into out;
 * returns its length, or 0 if it does not fit (out is then ""). */
size_t sigv4_string_to_sign(const char *amz_date, const char *scope,
                            const char *canonical_hash_hex, char *out, size_t cap);

/* hex(HMAC-SHA256(key, string_to_sign)), lowercase. */
void sigv4_signature_hex(const unsigned char key[32], const char *string_to_sign, char hex[65]);

/* Streaming uploads. Chunk n is signed over
 *   "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<prev_sig>\n<sha256("")>\n<sha256(chunk data)>"
 * where prev_sig is the seed (request) signature for the first chunk; the
 * final zero-length chunk is signed the same way. The trailer is signed over
 *   "AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<prev_sig>\n<sha256(trailer text)>"
 * with prev_sig the final chunk's signature and trailer text the trailing
 * headers as "name:value\n" each. */
void sigv4_chunk_signature(const unsigned char key[32], const char *amz_date, const char *scope,
                           const char *prev_sig, const char *chunk_sha256_hex, char hex[65]);
void sigv4_trailer_signature(const unsigned char key[32], const char *amz_date, const char *scope,
                             const char *prev_sig, const char *trailer_sha256_hex, char hex[65]);

/* 1 when a and b are both exactly 64 characters and equal ignoring hex
 * letter case; the comparison of the 64 characters takes the same time
 * wherever they differ. Anything else (NULL, other length) -> 0. */
int sigv4_hex_equal(const char *a, const char *b);

/* AWS URI encoding of in[0..n): every byte except A-Z a-z 0-9 - . _ ~ becomes
 * %XX (uppercase hex); '/' is kept when keep_slash. Writes a NUL; returns the
 * length written, or (size_t)-1 if out (cap bytes, NUL included) is too
 * small. */
size_t sigv4_uri_encode(const char *in, size_t n, int keep_slash, char *out, size_t cap);

/* %XX decoding of in[0..n) ('+' stays '+': path semantics, and what the
 * signer encoded). Writes a NUL after the decoded bytes (which may contain
 * NUL themselves, from %00); returns the decoded length, or (size_t)-1 on a
 * bad escape or when out is too small. */
size_t sigv4_uri_decode(const char *in, size_t n, char *out, size_t cap);

#endif

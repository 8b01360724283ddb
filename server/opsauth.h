/*
 * opsauth — authentication of the operator endpoints: Prometheus bearer
 * tokens and SigV4-signed admin API requests by the root credentials.
 *
 * Tokens are JWTs (HS256) whose key is derived from the root secret
 * (HMAC-SHA256(secret, "cairn prometheus token v1")), so a token never
 * reveals the secret and every token dies when the secret changes.  Claims:
 * sub = root access key, iss = "prometheus", exp (seconds since the epoch).
 * Signatures are compared in constant time.
 *
 * Admin requests are signed like S3 requests (SigV4 in the Authorization
 * header, service "s3", the server's region); the signing code is s3api's
 * sigv4.h, used read-only.  Pure functions: the caller owns the clock.
 */
#ifndef CAIRN_OPSAUTH_H
#define CAIRN_OPSAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum { TOKEN_MAX = 1024 };

/* Writes a token valid until now + ttl_s; returns its length, 0 if it does not fit. */
size_t token_mint(const char *access_key, const char *secret, int64_t now, int64_t ttl_s, char *out, size_t cap);

typedef enum { TOKEN_OK = 0, TOKEN_MALFORMED, TOKEN_BAD_SIGNATURE, TOKEN_EXPIRED, TOKEN_WRONG_SUBJECT } token_status;
token_status token_verify(const char *token, const char *access_key, const char *secret, int64_t now);
const char *token_status_str(token_status s);

/* SigV4 check of an admin request (header signature only: no presigned
 * URLs, no streaming).  payload_sha256_hex is the hash of the body as
 * received ("" body included); the request's x-amz-content-sha256 must
 * equal it.  Returns NULL when the request is the root user's, else a
 * short reason; *status gets 403 (or 400 for malformed requests). */
const char *admin_auth_check(const http_exchange *ex, const char *access_key, const char *secret,
                             const char *region, const char *payload_sha256_hex, int64_t now, int *status);

/* The CLI side: Authorization, x-amz-date and x-amz-content-sha256 for a
 * request to host (the Host header value).  Writes into the buffers. */
int admin_sign(const char *method, const char *raw_path, const char *raw_query, const char *host,
               const void *body, size_t body_len, const char *access_key, const char *secret,
               const char *region, int64_t now, char amz_date[17], char content_sha[65],
               char *authorization, size_t auth_cap);

#endif

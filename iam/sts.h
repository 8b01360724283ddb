/*
 * sts — temporary credentials (STS AssumeRole) that need no server state.
 *
 * The session token is the credentials' own record, sealed: AES-256-GCM
 * over {access key, parent user, expiry, session policy} under a key only
 * the cluster knows (iam_sts_key), base64 encoded.  The secret is
 * HMAC-SHA256(key, access key), so any node that holds the key can check a
 * request signed with temporary credentials without asking anyone, and a
 * token cannot be forged or altered.  Revocation is by expiry (15 min to
 * 12 h) or by disabling the parent user, which every lookup checks.
 */
#ifndef CAIRN_STS_H
#define CAIRN_STS_H

#include <stddef.h>
#include <stdint.h>

enum {
    STS_MIN_DURATION = 15 * 60,
    STS_MAX_DURATION = 12 * 3600,
    STS_DEFAULT_DURATION = 3600,
    STS_ACCESS_KEY_LEN = 20,
    STS_SECRET_LEN = 40,
    STS_MAX_POLICY = 2048,         /* AWS's packed session-policy bound */
};

typedef struct sts_claims {
    char access_key[STS_ACCESS_KEY_LEN + 1];
    char parent[129];
    int64_t expires;               /* unix seconds */
    char *policy;                  /* malloc'd session policy, NULL none */
} sts_claims;

/* Mints credentials; *token_out is malloc'd.  Returns 0 or -1. */
int sts_mint(const unsigned char key[32], const char *parent, const char *policy, int64_t expires,
             char ak_out[STS_ACCESS_KEY_LEN + 1], char sk_out[STS_SECRET_LEN + 1], char **token_out);
/* Opens a token: 0 with claims (free with sts_claims_free), -1 when it is
 * not one this key sealed. */
int sts_open(const unsigned char key[32], const char *token, sts_claims *out);
void sts_claims_free(sts_claims *c);
void sts_secret(const unsigned char key[32], const char *access_key, char sk_out[STS_SECRET_LEN + 1]);

/* Base64 used by the sealed documents (standard alphabet, padded). */
char *sts_seal(const unsigned char key[32], const void *plain, size_t n);        /* malloc'd; NULL on failure */
void *sts_unseal(const unsigned char key[32], const char *sealed, size_t *n_out);  /* malloc'd, NUL-terminated */

#endif

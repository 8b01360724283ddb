/*
 * sts — sealing (AES-256-GCM, random 96-bit nonce) and the temporary
 * credentials built on it.  See sts.h for why tokens carry their own state.
 */
#include "sts.h"

#include "../common/base64.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

enum { NONCE = 12, TAG = 16 };

/* A malloc'd base64 string of p[0..n). */
static char *b64_alloc(const unsigned char *p, size_t n)
{
    char *out = malloc(B64_ENCODED_LEN(n) + 1);
    if (out && !b64_encode(p, n, out, B64_ENCODED_LEN(n) + 1) && n) { free(out); out = NULL; }
    return out;
}

char *sts_seal(const unsigned char key[32], const void *plain, size_t n)
{
    unsigned char *buf = malloc(NONCE + n + TAG);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    char *out = NULL;
    int len = 0, fin = 0;
    if (!buf || !c || RAND_bytes(buf, NONCE) != 1) goto done;
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1 ||
        EVP_EncryptUpdate(c, buf + NONCE, &len, plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(c, buf + NONCE + len, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG, buf + NONCE + n) != 1)
        goto done;
    out = b64_alloc(buf, NONCE + n + TAG);
done:
    EVP_CIPHER_CTX_free(c);
    free(buf);
    return out;
}

void *sts_unseal(const unsigned char key[32], const char *sealed, size_t *n_out)
{
    size_t sl = strlen(sealed);
    if (sl > 64 * 1024) return NULL;
    unsigned char *raw = malloc(sl / 4 * 3 + 1);
    long dn = raw ? b64_decode(sealed, sl, raw, sl / 4 * 3 + 1) : -1;
    if (dn < 0) { free(raw); return NULL; }
    size_t n = (size_t)dn;
    unsigned char *plain = NULL;
    EVP_CIPHER_CTX *c = NULL;
    if (n < NONCE + TAG) goto fail;
    size_t body = n - NONCE - TAG;
    plain = malloc(body + 1);
    c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    if (!plain || !c || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
        EVP_DecryptUpdate(c, plain, &len, raw + NONCE, (int)body) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG, raw + NONCE + body) != 1 ||
        EVP_DecryptFinal_ex(c, plain + len, &fin) != 1)
        goto fail;
    plain[body] = '\0';
    *n_out = body;
    EVP_CIPHER_CTX_free(c);
    free(raw);
    return plain;
fail:
    EVP_CIPHER_CTX_free(c);
    free(plain);
    free(raw);
    return NULL;
}

void sts_secret(const unsigned char key[32], const char *access_key, char sk_out[STS_SECRET_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char mac[32];
    unsigned int ml = 0;
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)access_key, strlen(access_key), mac, &ml);
    /* 40 characters of 6 bits: 240 bits of the 256 */
    for (int i = 0; i < STS_SECRET_LEN; i++) {
        int bit = i * 6, byte = bit / 8, shift = bit % 8;
        unsigned v = ((unsigned)mac[byte] << 8 | (byte + 1 < 32 ? mac[byte + 1] : 0)) >> (10 - shift);
        sk_out[i] = alphabet[v & 63];
    }
    sk_out[STS_SECRET_LEN] = '\0';
}

int sts_mint(const unsigned char key[32], const char *parent, const char *policy, int64_t expires,
             char ak_out[STS_ACCESS_KEY_LEN + 1], char sk_out[STS_SECRET_LEN + 1], char **token_out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char rnd[STS_ACCESS_KEY_LEN];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return -1;
    for (int i = 0; i < STS_ACCESS_KEY_LEN; i++) ak_out[i] = alphabet[rnd[i] % 36];
    ak_out[STS_ACCESS_KEY_LEN] = '\0';
    json_t *j = json_pack("{s:s,s:s,s:I}", "a", ak_out, "p", parent, "e", (json_int_t)expires);
    if (j && policy) json_object_set_new(j, "s", json_string(policy));
    char *doc = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!doc) return -1;
    *token_out = sts_seal(key, doc, strlen(doc));
    free(doc);
    if (!*token_out) return -1;
    sts_secret(key, ak_out, sk_out);
    return 0;
}

int sts_open(const unsigned char key[32], const char *token, sts_claims *out)
{
    memset(out, 0, sizeof *out);
    size_t n;
    char *doc = sts_unseal(key, token, &n);
    if (!doc) return -1;
    json_t *j = json_loadb(doc, n, 0, NULL);
    free(doc);
    const char *ak = NULL, *parent = NULL, *policy = NULL;
    json_int_t exp = 0;
    int rc = -1;
    if (j && json_unpack(j, "{s:s,s:s,s:I,s?s}", "a", &ak, "p", &parent, "e", &exp, "s", &policy) == 0 &&
        strlen(ak) == STS_ACCESS_KEY_LEN && strlen(parent) < sizeof out->parent) {
        memcpy(out->access_key, ak, STS_ACCESS_KEY_LEN + 1);
        strcpy(out->parent, parent);
        out->expires = exp;
        out->policy = policy ? strdup(policy) : NULL;
        rc = 0;
    }
    json_decref(j);
    return rc;
}

void sts_claims_free(sts_claims *c)
{
    free(c->policy);
    c->policy = NULL;
}

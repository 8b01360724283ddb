#include "tls.h"

#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void path_in(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

int tls_certs_present(const char *dir)
{
    char crt[4200], key[4200];
    if (!dir || !*dir) return 0;
    path_in(dir, "public.crt", crt, sizeof crt);
    path_in(dir, "private.key", key, sizeof key);
    return access(crt, R_OK) == 0 && access(key, R_OK) == 0;
}

void tls_default_dir(char *out, size_t cap)
{
    const char *home = getenv("HOME");
    if (home && *home) snprintf(out, cap, "%s/.cairn/certs", home);
    else if (cap) out[0] = '\0';
}

static void ssl_reason(const char *what, const char *path, char *err, size_t cap)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "unknown error";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    snprintf(err, cap, "%s %s: %s", what, path, buf);
}

/* ALPN: this server speaks HTTP/1.1 only; say so to clients that offer
 * it (and let the others go on without ALPN). */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    unsigned char *sel = NULL;
    unsigned char sel_len = 0;
    if (SSL_select_next_proto(&sel, &sel_len, http11, sizeof http11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    *outlen = sel_len;
    return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *tls_context_new(const char *dir, char *err, size_t errcap)
{
    char crt[4200], key[4200];
    path_in(dir, "public.crt", crt, sizeof crt);
    path_in(dir, "private.key", key, sizeof key);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_reason("cannot create a TLS context for", dir, err, errcap);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* Session tickets would need a shared key across nodes and restarts;
     * a full handshake per connection is what MinIO does too. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1) {
        ssl_reason("cannot load the certificate", crt, err, errcap);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ssl_reason("cannot load the private key", key, err, errcap);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ssl_reason("the private key does not match the certificate in", dir, err, errcap);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

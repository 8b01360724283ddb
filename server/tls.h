/*
 * tls — the server's certificate and key, in MinIO's certs-dir layout:
 *   CERTS_DIR/public.crt    the certificate chain (PEM), leaf first
 *   CERTS_DIR/private.key   its private key (PEM)
 *   CERTS_DIR/CAs/          CAs this server trusts as a client (not used yet:
 *                           cairn makes no outgoing TLS connections)
 * loaded into an OpenSSL SSL_CTX speaking TLS 1.2 and 1.3 (no
 * renegotiation, no compression, OpenSSL's default cipher lists).
 * http.c does the record layer (memory BIOs between libuv and OpenSSL);
 * this module only builds contexts, so a reload (SIGHUP) is: build a new
 * one, hand it to http_server_set_tls, and connections already open keep
 * the one they started with.
 */
#ifndef CAIRN_TLS_H
#define CAIRN_TLS_H

#include <openssl/ssl.h>

/* 1 when CERTS_DIR holds public.crt and private.key (TLS is wanted). */
int tls_certs_present(const char *certs_dir);
/* A new context, or NULL with the reason in err. */
SSL_CTX *tls_context_new(const char *certs_dir, char *err, size_t errcap);
/* The default certs dir: $HOME/.cairn/certs ("" when HOME is unset). */
void tls_default_dir(char *out, size_t cap);

#endif

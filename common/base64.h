/*
 * base64 — standard base64 (RFC 4648, with '=' padding, no line breaks).
 */
#ifndef CAIRN_BASE64_H
#define CAIRN_BASE64_H

#include <stddef.h>

#define B64_ENCODED_LEN(n) (4 * (((n) + 2) / 3))
/* Writes base64 of in[0..n) plus a NUL; returns strlen(out), or 0 when
 * cap < B64_ENCODED_LEN(n) + 1 (n == 0 also gives 0, with out = ""). */
size_t b64_encode(const void *in, size_t n, char *out, size_t cap);
/* Strict decode of in[0..n): length a multiple of 4, alphabet only, '='
 * only as the last one or two characters, no whitespace. Returns the
 * decoded byte count, or -1 for malformed input or cap too small. */
long b64_decode(const char *in, size_t n, unsigned char *out, size_t cap);

#endif

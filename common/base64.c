/*
 * base64 — standard base64 (RFC 4648, '=' padding, no line breaks),
 * strict on decode.  Shared by the S3 checksums and POST policies
 * (s3api) and IAM's sealed documents and tokens (iam).
 */
#include "base64.h"

#include <limits.h>
#include <stdint.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t b64_encode(const void *in, size_t n, char *out, size_t cap)
{
    const unsigned char *p = in;
    if (n > (SIZE_MAX - 1) / 4 * 3 - 3 || cap < B64_ENCODED_LEN(n) + 1) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

long b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n % 4 != 0 || n / 4 * 3 > (size_t)LONG_MAX)
        return -1;
    size_t pad = 0;
    if (n >= 4 && in[n - 1] == '=')
        pad = in[n - 2] == '=' ? 2 : 1;
    size_t len = n / 4 * 3 - pad;
    if (len > cap)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int last = i + 4 == n;
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            int d;
            if (last && j >= 4 - pad)
                d = 0; /* the '=' padding checked above */
            else if ((d = b64_value(in[i + j])) < 0)
                return -1; /* includes a '=' anywhere but the tail */
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        if (!last || pad < 2)
            out[o++] = (unsigned char)(v >> 8);
        if (!last || pad < 1)
            out[o++] = (unsigned char)v;
    }
    return (long)o;
}

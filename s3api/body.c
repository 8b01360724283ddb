/*
 * body — reading a request body the way S3 frames it: plain bytes
 * (Content-Length or HTTP chunked) or aws-chunked streaming with chunk
 * signatures and checksum trailers.  Operations see decoded bytes only and
 * learn once, through complete(), whether the body was whole and genuine.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static s3_req *req_of(http_exchange *ex) { return http_get_user(ex); }

static void body_fail(s3_req *r, s3_error e)
{
    s3_body *b = &r->body;
    if (b->done) return;
    b->done = 1;
    b->complete(r, e);
}

static s3_error from_chunked(aws_chunked_status st)
{
    switch (st) {
    case AWSCH_BAD_SIGNATURE: return S3E_SIGNATURE_DOES_NOT_MATCH;
    case AWSCH_TOO_LARGE: return S3E_ENTITY_TOO_LARGE;
    case AWSCH_NOMEM: return S3E_INTERNAL;
    default: return S3E_INCOMPLETE_BODY;
    }
}

static int sink_data(http_exchange *ex, const char *p, size_t n)
{
    s3_req *r = req_of(ex);
    s3_body *b = &r->body;
    if (b->done) return 0;
    if (!b->chunked) {
        b->received += n;
        return b->consume(r, (const unsigned char *)p, n);
    }
    int pause = 0;
    const unsigned char *in = (const unsigned char *)p;
    while (n > 0 && !b->done) {
        size_t used = 0, dl = 0;
        const unsigned char *d = NULL;
        aws_chunked_status st = aws_chunked_feed(&b->dec, in, n, &used, &d, &dl);
        if (dl) {
            b->received += dl;
            if (b->expected >= 0 && b->received > (uint64_t)b->expected) {
                body_fail(r, S3E_INCOMPLETE_BODY);
                return 0;
            }
            pause |= b->consume(r, d, dl);
        }
        in += used;
        n -= used;
        if (st == AWSCH_DONE) {
            if (n > 0) body_fail(r, S3E_INCOMPLETE_BODY);
            break;
        }
        if (st != AWSCH_OK) {
            body_fail(r, from_chunked(st));
            return 0;
        }
        if (used == 0 && dl == 0) break;
    }
    return pause;
}

static void sink_end(http_exchange *ex)
{
    s3_req *r = req_of(ex);
    s3_body *b = &r->body;
    if (b->done) return;
    if (b->chunked) {
        aws_chunked_status st = aws_chunked_finish(&b->dec);
        if (st != AWSCH_DONE) { body_fail(r, from_chunked(st)); return; }
    }
    if (b->expected >= 0 && b->received != (uint64_t)b->expected) {
        body_fail(r, S3E_INCOMPLETE_BODY);
        return;
    }
    b->done = 1;
    b->complete(r, S3E_NONE);
}

/* Plain bodies only: aws-chunked framing must pass through the decoder. */
static char *sink_buffer(http_exchange *ex, size_t *cap)
{
    s3_req *r = req_of(ex);
    s3_body *b = &r->body;
    if (b->done || b->chunked || !b->buffer) return NULL;
    return (char *)b->buffer(r, cap);
}

static const http_body_sink s3_sink = { sink_data, sink_end, sink_buffer };

void s3_body_start(s3_req *r, int (*consume)(s3_req *, const unsigned char *, size_t),
                   void (*complete)(s3_req *, s3_error))
{
    s3_body *b = &r->body;
    b->consume = consume;
    b->complete = complete;
    b->buffer = NULL;
    b->received = 0;
    b->done = 0;
    b->expected = r->http->content_length;
    if (r->http->chunked) b->expected = -1;
    if (r->auth.mode == PAYLOAD_STREAMING) {
        b->chunked = 1;
        const char *dl = s3_header(r, "x-amz-decoded-content-length");
        char *end = NULL;
        long long v = dl ? strtoll(dl, &end, 10) : -1;
        if (!dl || *end || v < 0) {
            body_fail(r, S3E_MISSING_CONTENT_LENGTH);
            return;
        }
        b->expected = v;
        if (aws_chunked_init(&b->dec, &r->auth.chunked) != AWSCH_OK) {
            body_fail(r, S3E_INTERNAL);
            return;
        }
    }
    if (!r->http->has_body) {
        /* Nothing will arrive: finish now (the exchange sees no body). */
        if (b->chunked) {
            body_fail(r, S3E_INCOMPLETE_BODY);
            return;
        }
        b->done = 1;
        complete(r, S3E_NONE);
        return;
    }
    http_accept_body(r->ex, &s3_sink);
}

/* ---- small bodies ---- */

typedef struct collect_state {
    strbuf buf;
    size_t max;
    void (*done)(s3_req *, s3_error, char *, size_t);
} collect_state;

static int collect_consume(s3_req *r, const unsigned char *p, size_t n)
{
    collect_state *c = r->op;
    if (c->buf.len + n > c->max) {
        body_fail(r, S3E_MAX_MESSAGE_LENGTH_EXCEEDED);
        return 0;
    }
    strbuf_append(&c->buf, (const char *)p, n);
    return 0;
}

/* Verifies what the client declared about the bytes it sent. */
static s3_error verify_small_body(s3_req *r, const char *p, size_t n)
{
    if (r->auth.mode == PAYLOAD_SHA256) {
        char hex[65];
        sigv4_sha256_hex(p, n, hex);
        if (strcmp(hex, r->auth.sha256_hex) != 0) return S3E_CONTENT_SHA256_MISMATCH;
    }
    const char *md5 = s3_header(r, "content-md5");
    if (md5) {
        unsigned char want[16], got[16];
        if (b64_decode(md5, strlen(md5), want, sizeof want) != 16) return S3E_INVALID_DIGEST;
        unsigned int len = 16;
        EVP_Digest(p, n, got, &len, EVP_md5(), NULL);
        if (memcmp(want, got, 16) != 0) return S3E_BAD_DIGEST;
    }
    for (size_t i = 0; i < r->http->n_headers && !r->checksums_name_object; i++) {
        cksum_algo algo = cksum_algo_from_header(r->http->headers[i].name);
        if (algo == CKSUM_NONE) continue;
        cksum_ctx c;
        char b64[CKSUM_MAX_BASE64];
        if (cksum_init(&c, algo) != 0) return S3E_INTERNAL;
        cksum_update(&c, p, n);
        cksum_final_base64(&c, b64, sizeof b64);
        cksum_free(&c);
        if (strcmp(b64, r->http->headers[i].value) != 0) return S3E_BAD_DIGEST;
    }
    if (r->body.chunked) {
        for (int a = CKSUM_CRC32; a <= CKSUM_SHA256; a++) {
            const char *want = aws_chunked_trailer(&r->body.dec, cksum_algo_header((cksum_algo)a));
            if (!want) continue;
            cksum_ctx c;
            char b64[CKSUM_MAX_BASE64];
            if (cksum_init(&c, (cksum_algo)a) != 0) return S3E_INTERNAL;
            cksum_update(&c, p, n);
            cksum_final_base64(&c, b64, sizeof b64);
            cksum_free(&c);
            if (strcmp(b64, want) != 0) return S3E_BAD_DIGEST;
        }
    }
    return S3E_NONE;
}

static void collect_complete(s3_req *r, s3_error e)
{
    collect_state *c = r->op;
    if (r->body.chunked) aws_chunked_free(&r->body.dec);
    if (e == S3E_NONE) e = verify_small_body(r, c->buf.data, c->buf.len);
    c->done(r, e, c->buf.data, c->buf.len);
}

void s3_body_collect(s3_req *r, size_t max, void (*done)(s3_req *, s3_error, char *, size_t))
{
    collect_state *c = arena_calloc(r->a, sizeof *c);
    strbuf_init(&c->buf, r->a, 1024);
    c->max = max;
    c->done = done;
    r->op = c;
    if (r->http->content_length > (int64_t)max && r->auth.mode != PAYLOAD_STREAMING) {
        done(r, S3E_MAX_MESSAGE_LENGTH_EXCEEDED, NULL, 0);
        return;
    }
    s3_body_start(r, collect_consume, collect_complete);
}

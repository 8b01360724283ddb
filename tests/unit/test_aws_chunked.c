/*
 * Unit tests for s3api/aws_chunked: the AWS documentation's chunked upload
 * example (65 KiB of 'a': 64 KiB + 1 KiB + final chunk) and its trailer
 * variant, fed whole, one byte at a time and at random splits; corrupted
 * signatures and data; truncation; oversized and garbage chunk headers;
 * unsigned trailer bodies as botocore / SDK v3 send them; signed trailer
 * bodies built with sigv4 and checked to round-trip.
 */
#include "aws_chunked.h"

#include "sigv4.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SECRET[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
static const char AMZ_DATE[] = "20130524T000000Z";
static const char SCOPE[] = "20130524/us-east-1/s3/aws4_request";
static const char SEED[] = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
static const char SEED_TRAILER[] = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
static const char EMPTY_SHA[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* ---- a growable byte buffer for building bodies ---- */
typedef struct {
    unsigned char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_repeat(buf *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, &c, 1);
}

/* ---- the feeding harness ---- */
enum { SPLIT_WHOLE, SPLIT_BYTE, SPLIT_RANDOM };

typedef struct {
    aws_chunked_status status;
    unsigned char *out;
    size_t out_len;
    aws_chunked dec;       /* kept for trailer lookups */
} result;

static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Feeds body in pieces; loops on each piece as the API asks; calls
 * aws_chunked_finish at the end unless DONE came first. Bytes left after
 * DONE make the result MALFORMED, as the server will treat them. */
static void run(result *r, const aws_chunked_config *cfg, const unsigned char *body, size_t len,
                int split, uint32_t seed)
{
    memset(r, 0, sizeof *r);
    r->out = malloc(len + 1);
    rng_state = seed;
    aws_chunked_status st = aws_chunked_init(&r->dec, cfg);
    size_t pos = 0;
    int done = 0;
    while (st == AWSCH_OK && pos < len) {
        size_t piece = len - pos;
        if (split == SPLIT_BYTE)
            piece = 1;
        else if (split == SPLIT_RANDOM)
            piece = 1 + rng() % (rng() % 4 == 0 ? 70000 : 300);
        if (piece > len - pos)
            piece = len - pos;
        size_t off = 0;
        while (off < piece) {
            size_t used;
            const unsigned char *d;
            size_t dl;
            st = aws_chunked_feed(&r->dec, body + pos + off, piece - off, &used, &d, &dl);
            if (dl) {
                if (d < body + pos + off || d + dl > body + pos + off + used) {
                    st = AWSCH_MALFORMED; /* span must lie in the consumed input */
                    break;
                }
                memcpy(r->out + r->out_len, d, dl);
                r->out_len += dl;
            }
            off += used;
            if (st == AWSCH_DONE) {
                done = 1;
                if (off < piece || pos + piece < len)
                    st = AWSCH_MALFORMED;
                break;
            }
            if (st != AWSCH_OK)
                break;
            if (used == 0 && piece - off > 0) {
                fprintf(stderr, "no progress\n");
                st = AWSCH_MALFORMED;
                break;
            }
        }
        pos += piece;
    }
    if (st == AWSCH_OK && !done)
        st = aws_chunked_finish(&r->dec);
    r->status = st;
    aws_chunked_free(&r->dec);
}

static void result_free(result *r) { free(r->out); }

static aws_chunked_config make_cfg(int signed_chunks, int has_trailer, const char *seed)
{
    aws_chunked_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.signed_chunks = signed_chunks;
    cfg.has_trailer = has_trailer;
    sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", cfg.signing_key);
    snprintf(cfg.amz_date, sizeof cfg.amz_date, "%s", AMZ_DATE);
    snprintf(cfg.scope, sizeof cfg.scope, "%s", SCOPE);
    snprintf(cfg.seed_signature, sizeof cfg.seed_signature, "%s", seed ? seed : "");
    return cfg;
}

static int all_a(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 'a')
            return 0;
    return 1;
}

/* The documented body, byte for byte. */
static void aws_example_body(buf *b, int final_blank)
{
    puts_(b, "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    put_repeat(b, 'a', 65536);
    puts_(b, "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    put_repeat(b, 'a', 1024);
    puts_(b, "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n");
    if (final_blank)
        puts_(b, "\r\n");
}

static void test_aws_example(void)
{
    aws_chunked_config cfg = make_cfg(1, 0, SEED);
    buf b = {0};
    aws_example_body(&b, 1);
    CHECK(b.len == 66824); /* the example's Content-Length */
    result r;
    const int splits[] = {SPLIT_WHOLE, SPLIT_BYTE, SPLIT_RANDOM, SPLIT_RANDOM, SPLIT_RANDOM};
    for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++) {
        run(&r, &cfg, b.p, b.len, splits[k], (uint32_t)k * 7919u + 1);
        CHECK(r.status == AWSCH_DONE);
        CHECK(r.out_len == 66560 && all_a(r.out, r.out_len));
        CHECK(aws_chunked_decoded_bytes(&r.dec) == 66560);
        CHECK(aws_chunked_trailer_count(&r.dec) == 0);
        result_free(&r);
    }
    /* Body ending right after the final chunk's line: accepted at finish. */
    b.len -= 2;
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_DONE && r.out_len == 66560);
    result_free(&r);
    /* ... but half a CRLF is truncation. */
    b.len += 1;
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    b.len += 1;
    /* Trailing garbage after the end. */
    puts_(&b, "x");
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    run(&r, &cfg, b.p, b.len, SPLIT_BYTE, 0); /* DONE, then a later feed of 1 byte */
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    b.len -= 1;

    /* Wrong seed (the request was signed otherwise): the first chunk fails. */
    aws_chunked_config wrong = make_cfg(1, 0, SEED_TRAILER);
    run(&r, &wrong, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    result_free(&r);
    free(b.p);
}

static void test_aws_example_corrupted(void)
{
    aws_chunked_config cfg = make_cfg(1, 0, SEED);
    buf b = {0};
    aws_example_body(&b, 1);
    result r;
    const size_t sig2 = 22 + 64 + 2 + 65536 + 2 + 20 + 10; /* inside chunk 2's signature */
    const size_t sig3 = b.len - 2 - 2 - 30;              /* inside the final chunk's */
    const size_t sig1 = 30;
    const size_t positions[] = {sig1, sig2, sig3};
    for (size_t k = 0; k < 3; k++) {
        unsigned char saved = b.p[positions[k]];
        b.p[positions[k]] = saved == '0' ? '1' : '0';
        run(&r, &cfg, b.p, b.len, SPLIT_RANDOM, (uint32_t)k + 3);
        CHECK(r.status == AWSCH_BAD_SIGNATURE);
        result_free(&r);
        b.p[positions[k]] = saved;
    }
    /* A non-hex byte in a signature is a framing error. */
    unsigned char saved = b.p[sig1];
    b.p[sig1] = 'g';
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    b.p[sig1] = saved;
    /* Corrupted data: the bytes of chunk 1 are handed out, then its
     * signature check at the chunk's end fails (documented behaviour). */
    b.p[88 + 1000] = 'b';
    run(&r, &cfg, b.p, b.len, SPLIT_BYTE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    CHECK(r.out_len == 65536);
    result_free(&r);
    b.p[88 + 1000] = 'a';
    /* Sanity: restored body decodes again (the edits above were undone). */
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_DONE);
    result_free(&r);
    /* Swapping two chunks' order breaks the chain. */
    free(b.p);
    memset(&b, 0, sizeof b);
    puts_(&b, "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    put_repeat(&b, 'a', 1024);
    puts_(&b, "\r\n");
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    result_free(&r);
    free(b.p);
}

static void test_truncated(void)
{
    aws_chunked_config cfg = make_cfg(1, 0, SEED);
    buf b = {0};
    aws_example_body(&b, 1);
    result r;
    /* Every cut in the framing, and some in the data. Only a cut exactly
     * before the final empty line is a complete body. */
    size_t cuts[400], n = 0;
    for (size_t i = 0; i < 120; i++)
        cuts[n++] = i;
    for (size_t i = 65536 + 60; i < 65536 + 200; i++)
        cuts[n++] = i;
    for (size_t i = b.len - 120; i < b.len; i++)
        cuts[n++] = i;
    int ok = 1;
    for (size_t k = 0; k < n; k++) {
        run(&r, &cfg, b.p, cuts[k], SPLIT_WHOLE, 0);
        aws_chunked_status want = cuts[k] == b.len - 2 ? AWSCH_DONE : AWSCH_MALFORMED;
        if (r.status != want) {
            fprintf(stderr, "cut at %zu: status %d\n", cuts[k], r.status);
            ok = 0;
        }
        result_free(&r);
    }
    CHECK(ok);
    free(b.p);
}

static void test_bad_headers(void)
{
    aws_chunked_config sig = make_cfg(1, 0, SEED);
    aws_chunked_config plain = make_cfg(0, 0, NULL);
    struct {
        const aws_chunked_config *cfg;
        const char *body;
        aws_chunked_status want;
    } cases[] = {
        {&plain, "1000001\r\n", AWSCH_TOO_LARGE},                   /* 16 MiB + 1 */
        {&plain, "ffffffffffffffffffffffff\r\n", AWSCH_TOO_LARGE},  /* would overflow */
        {&plain, "1000000\r\n", AWSCH_MALFORMED},                   /* 16 MiB ok, then truncated */
        {&plain, "00000000000000000005\r\nhello\r\n0\r\n\r\n", AWSCH_DONE}, /* leading zeros */
        {&plain, "5\r\nhello\r\n0\r\n\r\n", AWSCH_DONE},
        {&plain, "5;ext=1\r\nhello\r\n0\r\n\r\n", AWSCH_DONE},       /* extension ignored */
        {&plain, "xyz\r\n", AWSCH_MALFORMED},
        {&plain, "\r\n", AWSCH_MALFORMED},
        {&plain, " 5\r\nhello\r\n0\r\n\r\n", AWSCH_MALFORMED},
        {&plain, "5 \r\nhello\r\n0\r\n\r\n", AWSCH_MALFORMED},
        {&plain, "5\nhello\r\n0\r\n\r\n", AWSCH_MALFORMED},         /* bare LF */
        {&plain, "5\r\nhelloX\r\n0\r\n\r\n", AWSCH_MALFORMED},      /* data longer than size */
        {&plain, "5\r\nhello\rX0\r\n\r\n", AWSCH_MALFORMED},
        {&plain, "5\r\nhello\r\n0\r\nX\r\n", AWSCH_MALFORMED},      /* not an empty end line */
        {&plain, "5\r\nhello\r\n0\r\n\r\n\r\n", AWSCH_MALFORMED},   /* extra bytes */
        {&plain, "5\r\nhello\r\n", AWSCH_MALFORMED},                /* no final chunk */
        {&plain, "", AWSCH_MALFORMED},
        {&sig, "5\r\nhello\r\n0\r\n\r\n", AWSCH_MALFORMED},         /* signature missing */
        {&sig, "5;chunk-signature=abc\r\n", AWSCH_MALFORMED},
        {&sig, "5;chunk-signatur=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
         AWSCH_MALFORMED},
        {&sig, "5;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648 \r\n",
         AWSCH_MALFORMED},
    };
    result r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int split = SPLIT_WHOLE; split <= SPLIT_BYTE; split++) {
            run(&r, cases[i].cfg, (const unsigned char *)cases[i].body, strlen(cases[i].body), split, 0);
            if (r.status != cases[i].want)
                fprintf(stderr, "case %zu split %d: status %d, want %d\n", i, split, r.status,
                        cases[i].want);
            CHECK(r.status == cases[i].want);
            result_free(&r);
        }
    }
    /* A header line longer than 256 bytes, with no LF in sight. */
    char long_line[600];
    memset(long_line, '0', sizeof long_line);
    run(&r, &plain, (const unsigned char *)long_line, sizeof long_line, SPLIT_RANDOM, 5);
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    /* Errors are sticky. */
    aws_chunked d;
    size_t used, dl;
    const unsigned char *data;
    aws_chunked_init(&d, &plain);
    CHECK(aws_chunked_feed(&d, (const unsigned char *)"zz\r\n", 4, &used, &data, &dl) == AWSCH_MALFORMED);
    CHECK(aws_chunked_feed(&d, (const unsigned char *)"5\r\n", 3, &used, &data, &dl) == AWSCH_MALFORMED);
    CHECK(aws_chunked_finish(&d) == AWSCH_MALFORMED);
    aws_chunked_free(&d);
    aws_chunked_free(&d);
}

static void test_unsigned_trailer(void)
{
    aws_chunked_config cfg = make_cfg(0, 1, NULL);
    result r;
    /* botocore / SDK v3 layout: 0\r\n, trailer, empty line. */
    const char *body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
    for (int split = SPLIT_WHOLE; split <= SPLIT_RANDOM; split++) {
        run(&r, &cfg, (const unsigned char *)body, strlen(body), split, 11);
        CHECK(r.status == AWSCH_DONE);
        CHECK(r.out_len == 5 && memcmp(r.out, "hello", 5) == 0);
        const char *v = aws_chunked_trailer(&r.dec, "x-amz-checksum-crc32");
        CHECK(v && strcmp(v, "NhCmhg==") == 0); /* CRC32("hello") = 0x3610a686 */
        CHECK(aws_chunked_trailer(&r.dec, "X-Amz-Checksum-CRC32") == v);
        CHECK(aws_chunked_trailer(&r.dec, "x-amz-checksum-crc32c") == NULL);
        CHECK(aws_chunked_trailer_count(&r.dec) == 1);
        result_free(&r);
    }
    const struct {
        const char *body;
        aws_chunked_status want;
        const char *name, *value;
    } cases[] = {
        /* No final empty line, body ends there: accepted. */
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n", AWSCH_DONE, "x-amz-checksum-crc32", "NhCmhg=="},
        /* One empty line before the trailers. */
        {"5\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", AWSCH_DONE, "x-amz-checksum-crc32", "NhCmhg=="},
        /* Upper-case name, spaces around the value, two trailers. */
        {"0\r\nX-Amz-Checksum-CRC32C : AAAAAA== \r\nx-amz-meta-x:1\r\n\r\n", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\nX-Amz-Checksum-CRC32C:  AAAAAA== \r\nx-amz-meta-x:1\r\n\r\n", AWSCH_DONE, "x-amz-checksum-crc32c", "AAAAAA=="},
        {"0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-meta-x:\r\n\r\n", AWSCH_DONE, "x-amz-meta-x", ""},
        /* No trailers at all. */
        {"0\r\n\r\n", AWSCH_DONE, "x-amz-checksum-crc32", NULL},
        {"0\r\n", AWSCH_DONE, "x-amz-checksum-crc32", NULL},
        {"0\r\n\r\n\r\n", AWSCH_DONE, NULL, NULL},   /* separator, then the end */
        {"0\r\n\r\n\r\n\r\n", AWSCH_MALFORMED, NULL, NULL},
        /* Broken trailers. */
        {"0\r\nx-amz-checksum-crc32\r\n\r\n", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\n:AAAAAA==\r\n\r\n", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\nx-amz-checksum-crc32:AAAAAA==\n\r\n", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\nx-amz-checksum-crc32:AAAAAA==", AWSCH_MALFORMED, NULL, NULL}, /* partial line */
        {"0\r\nx-amz-checksum-crc32:AAAAAA==\r", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\nmore", AWSCH_MALFORMED, NULL, NULL},
        {"0\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n",
         AWSCH_MALFORMED, NULL, NULL}, /* a signature in an unsigned stream */
        {"0\r\nx:1\r\nx:2\r\nx:3\r\nx:4\r\nx:5\r\nx:6\r\nx:7\r\nx:8\r\n\r\n", AWSCH_DONE, "x", "1"},
        {"0\r\nx:1\r\nx:2\r\nx:3\r\nx:4\r\nx:5\r\nx:6\r\nx:7\r\nx:8\r\nx:9\r\n\r\n", AWSCH_TOO_LARGE, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int split = SPLIT_WHOLE; split <= SPLIT_BYTE; split++) {
            run(&r, &cfg, (const unsigned char *)cases[i].body, strlen(cases[i].body), split, 0);
            if (r.status != cases[i].want)
                fprintf(stderr, "trailer case %zu split %d: status %d\n", i, split, r.status);
            CHECK(r.status == cases[i].want);
            if (cases[i].want == AWSCH_DONE && cases[i].name) {
                const char *v = aws_chunked_trailer(&r.dec, cases[i].name);
                CHECK(cases[i].value ? (v && strcmp(v, cases[i].value) == 0) : v == NULL);
            }
            result_free(&r);
        }
    }
    /* A trailer section over 4 KiB. */
    buf b = {0};
    puts_(&b, "0\r\nx-amz-meta-big:");
    put_repeat(&b, 'v', 5000);
    puts_(&b, "\r\n\r\n");
    run(&r, &cfg, b.p, b.len, SPLIT_RANDOM, 9);
    CHECK(r.status == AWSCH_TOO_LARGE);
    result_free(&r);
    free(b.p);
}

/* The trailer example of the AWS documentation: same 65 KiB, its own seed,
 * chunk signatures, and x-amz-checksum-crc32c signed by
 * x-amz-trailer-signature. */
static void aws_trailer_body(buf *b, const char *trailer_value, int blank_before, int final_blank)
{
    puts_(b, "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n");
    put_repeat(b, 'a', 65536);
    puts_(b, "\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n");
    put_repeat(b, 'a', 1024);
    puts_(b, "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n");
    if (blank_before)
        puts_(b, "\r\n");
    puts_(b, "x-amz-checksum-crc32c:");
    puts_(b, trailer_value);
    puts_(b, "\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n");
    if (final_blank)
        puts_(b, "\r\n");
}

static void test_signed_trailer_aws_example(void)
{
    aws_chunked_config cfg = make_cfg(1, 1, SEED_TRAILER);
    result r;
    for (int layout = 0; layout < 4; layout++) {
        buf b = {0};
        aws_trailer_body(&b, "sOO8/Q==", layout & 1, (layout & 2) != 0);
        for (int split = SPLIT_WHOLE; split <= SPLIT_RANDOM; split++) {
            run(&r, &cfg, b.p, b.len, split, (uint32_t)layout + 17);
            CHECK(r.status == AWSCH_DONE);
            CHECK(r.out_len == 66560 && all_a(r.out, r.out_len));
            const char *v = aws_chunked_trailer(&r.dec, "x-amz-checksum-crc32c");
            CHECK(v && strcmp(v, "sOO8/Q==") == 0);
            CHECK(aws_chunked_trailer(&r.dec, "x-amz-trailer-signature") == NULL);
            result_free(&r);
        }
        free(b.p);
    }
    /* A changed trailer value no longer matches its signature. */
    buf b = {0};
    aws_trailer_body(&b, "sOO8/A==", 0, 1);
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    result_free(&r);
    free(b.p);
    /* Trailer without its signature in a signed stream. */
    memset(&b, 0, sizeof b);
    aws_trailer_body(&b, "sOO8/Q==", 0, 0);
    b.len -= strlen("x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n");
    puts_(&b, "\r\n");
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    result_free(&r);
    b.len -= 2; /* and ending without the empty line */
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_BAD_SIGNATURE);
    result_free(&r);
    free(b.p);
    /* Something after the trailer signature line. */
    memset(&b, 0, sizeof b);
    aws_trailer_body(&b, "sOO8/Q==", 0, 0);
    puts_(&b, "x-amz-meta-late:1\r\n\r\n");
    run(&r, &cfg, b.p, b.len, SPLIT_WHOLE, 0);
    CHECK(r.status == AWSCH_MALFORMED);
    result_free(&r);
    free(b.p);
}

/* Builds a signed-trailer body with sigv4's signer, for any data and
 * trailers, to check the decoder verifies what the signer produces. */
static void build_signed(buf *b, const aws_chunked_config *cfg, const unsigned char *data,
                         size_t len, size_t chunk, const char *const *trailers, size_t n_trailers)
{
    char prev[65], sig[65], hash[65], line[160];
    memcpy(prev, cfg->seed_signature, 65);
    for (size_t off = 0;;) {
        size_t n = len - off < chunk ? len - off : chunk;
        off += n;
        sigv4_sha256_hex(data + off - n, n, hash);
        sigv4_chunk_signature(cfg->signing_key, cfg->amz_date, cfg->scope, prev, hash, sig);
        snprintf(line, sizeof line, "%zx;chunk-signature=%s\r\n", n, sig);
        puts_(b, line);
        put(b, data + off - n, n);
        if (n > 0)
            puts_(b, "\r\n");
        memcpy(prev, sig, 65);
        if (n == 0)
            break;
    }
    if (!cfg->has_trailer) {
        puts_(b, "\r\n");
        return;
    }
    buf canon = {0};
    for (size_t i = 0; i < n_trailers; i++) {
        puts_(b, trailers[i]);
        puts_(b, "\r\n");
        puts_(&canon, trailers[i]);
        puts_(&canon, "\n");
    }
    sigv4_sha256_hex(canon.p ? (const void *)canon.p : "", canon.len, hash);
    free(canon.p);
    sigv4_trailer_signature(cfg->signing_key, cfg->amz_date, cfg->scope, prev, hash, sig);
    snprintf(line, sizeof line, "x-amz-trailer-signature:%s\r\n\r\n", sig);
    puts_(b, line);
}

/* Offset of the first s in b (binary, not NUL-terminated), or -1. */
static long find(const buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->p + i, s, n) == 0)
            return (long)i;
    return -1;
}

static void test_signed_round_trip(void)
{
    unsigned char data[20000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 31 + (i >> 7));
    aws_chunked_config cfg = make_cfg(1, 1, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    const char *const trailers[] = {"x-amz-checksum-sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                                    "x-amz-meta-note:hi"};
    result r;
    const size_t chunk_sizes[] = {8192, 1, 19999, 20000, 65536};
    for (size_t k = 0; k < sizeof chunk_sizes / sizeof chunk_sizes[0]; k++) {
        buf b = {0};
        build_signed(&b, &cfg, data, chunk_sizes[k] == 1 ? 300 : sizeof data, chunk_sizes[k],
                     trailers, 2);
        for (int split = SPLIT_WHOLE; split <= SPLIT_RANDOM; split++) {
            run(&r, &cfg, b.p, b.len, split, (uint32_t)k);
            size_t want_len = chunk_sizes[k] == 1 ? 300 : sizeof data;
            CHECK(r.status == AWSCH_DONE);
            CHECK(r.out_len == want_len && memcmp(r.out, data, want_len) == 0);
            const char *v = aws_chunked_trailer(&r.dec, "x-amz-meta-note");
            CHECK(v && strcmp(v, "hi") == 0);
            result_free(&r);
        }
        free(b.p);
    }
    /* Signed trailer with no trailer entries, only the signature. */
    buf b = {0};
    build_signed(&b, &cfg, data, 100, 64, NULL, 0);
    run(&r, &cfg, b.p, b.len, SPLIT_BYTE, 0);
    CHECK(r.status == AWSCH_DONE && r.out_len == 100 && aws_chunked_trailer_count(&r.dec) == 0);
    result_free(&r);
    free(b.p);
    /* Signed, no trailer, built by the same signer; empty body. */
    aws_chunked_config plain = cfg;
    plain.has_trailer = 0;
    memset(&b, 0, sizeof b);
    build_signed(&b, &plain, data, 0, 64, NULL, 0);
    run(&r, &plain, b.p, b.len, SPLIT_BYTE, 0);
    CHECK(r.status == AWSCH_DONE && r.out_len == 0);
    result_free(&r);
    free(b.p);
    /* Every truncation of a small signed-trailer body is refused, except
     * the one that only drops the final empty line. */
    memset(&b, 0, sizeof b);
    build_signed(&b, &cfg, data, 40, 16, trailers, 2);
    int ok = 1;
    for (size_t cut = 0; cut < b.len; cut++) {
        run(&r, &cfg, b.p, cut, SPLIT_WHOLE, 0);
        aws_chunked_status want = cut == b.len - 2 ? AWSCH_DONE
                                  : AWSCH_MALFORMED;
        /* Cutting right after a complete trailer line, before the signature
         * line, leaves an unsigned trailer: a signature failure. */
        if ((long)cut == find(&b, "x-amz-trailer-signature") ||
            (long)cut == find(&b, "x-amz-meta-note") ||
            (long)cut == find(&b, "x-amz-checksum-sha256")) /* "0;sig\r\n" then the end */
            want = AWSCH_BAD_SIGNATURE;
        if (r.status != want) {
            fprintf(stderr, "signed cut %zu/%zu: status %d want %d\n", cut, b.len, r.status, want);
            ok = 0;
        }
        result_free(&r);
    }
    CHECK(ok);
    free(b.p);
}

/* Random one- and two-byte mutations of a signed-trailer body: whatever
 * the decoder says, it never says DONE with data or trailers other than
 * the ones signed, and never crashes (ASan/UBSan watch the rest). */
static void test_mutations(void)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7);
    aws_chunked_config cfg = make_cfg(1, 1, SEED);
    const char *const trailers[] = {"x-amz-checksum-crc32:AAAAAA=="};
    buf b = {0};
    build_signed(&b, &cfg, data, sizeof data, 128, trailers, 1);
    unsigned char *m = malloc(b.len);
    result r;
    int forged = 0, unfinished = 0;
    rng_state = 99;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, b.p, b.len);
        int edits = 1 + (int)(rng() % 2);
        for (int e = 0; e < edits; e++)
            m[rng() % b.len] = (unsigned char)rng();
        uint32_t seed = rng();
        run(&r, &cfg, m, b.len, SPLIT_RANDOM, seed);
        if (r.status == AWSCH_OK)
            unfinished++;
        if (r.status == AWSCH_DONE) {
            const char *v = aws_chunked_trailer(&r.dec, "x-amz-checksum-crc32");
            if (r.out_len != sizeof data || memcmp(r.out, data, sizeof data) != 0 || !v ||
                strcmp(v, "AAAAAA==") != 0)
                forged++;
        }
        result_free(&r);
    }
    CHECK(forged == 0);
    CHECK(unfinished == 0);
    free(m);
    free(b.p);
}

int main(void)
{
    (void)EMPTY_SHA;
    test_aws_example();
    test_aws_example_corrupted();
    test_truncated();
    test_bad_headers();
    test_unsigned_trailer();
    test_signed_trailer_aws_example();
    test_signed_round_trip();
    test_mutations();
    return checks_report();
}

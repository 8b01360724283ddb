/*
 * Unit tests for s3api/sigv4, driven by the worked examples of the AWS S3
 * SigV4 documentation (access key AKIAIOSFODNN7EXAMPLE, secret
 * wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 20130524, us-east-1): GET object,
 * PUT object, GET bucket lifecycle, list objects, the presigned URL, the
 * chunked upload (seed and chunk signatures) and the trailer variant.
 */
#include "sigv4.h"

#include "check.h"

#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char SECRET[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
static const char AMZ_DATE[] = "20130524T000000Z";
static const char SCOPE[] = "20130524/us-east-1/s3/aws4_request";
static const char EMPTY_SHA[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char HOST[] = "examplebucket.s3.amazonaws.com";

/* Signs req the way the server verifies it; returns the hex signature in
 * sig (or "" if the canonical request could not be built) and the
 * canonical request's hash in canon_hash. */
static void sign(const sigv4_request *req, const char *signed_headers, const char *payload,
                 int presigned, char sig[65], char canon_hash[65])
{
    unsigned char key[32];
    char sts[512];
    sig[0] = canon_hash[0] = '\0';
    char *canon = sigv4_canonical_request(req, signed_headers, payload, presigned);
    if (!canon)
        return;
    sigv4_sha256_hex(canon, strlen(canon), canon_hash);
    free(canon);
    sigv4_string_to_sign(AMZ_DATE, SCOPE, canon_hash, sts, sizeof sts);
    sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", key);
    sigv4_signature_hex(key, sts, sig);
}

static void test_get_object(void)
{
    const sigv4_header h[] = {
        {"Host", HOST},
        {"Range", "bytes=0-9"},
        {"x-amz-content-sha256", EMPTY_SHA},
        {"x-amz-date", AMZ_DATE},
    };
    sigv4_request req = {"GET", "/test.txt", "", h, N(h)};
    const char *sh = "host;range;x-amz-content-sha256;x-amz-date";
    char *canon = sigv4_canonical_request(&req, sh, NULL, 0);
    CHECK_STR(canon, "GET\n/test.txt\n\n"
                     "host:examplebucket.s3.amazonaws.com\n"
                     "range:bytes=0-9\n"
                     "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                     "x-amz-date:20130524T000000Z\n\n"
                     "host;range;x-amz-content-sha256;x-amz-date\n"
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    free(canon);
    char sig[65], hash[65], sts[512];
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(hash, "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK_STR(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    CHECK(sigv4_string_to_sign(AMZ_DATE, SCOPE, hash, sts, sizeof sts) > 0);
    CHECK_STR(sts, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                   "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

static void test_put_object(void)
{
    char body_hash[65];
    sigv4_sha256_hex("Welcome to Amazon S3.", 21, body_hash);
    CHECK_STR(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    const sigv4_header h[] = {
        {"Host", HOST},
        {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
        {"x-amz-date", AMZ_DATE},
        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
        {"x-amz-content-sha256", body_hash},
    };
    /* The request line has a raw '$'; the canonical URI encodes it. */
    sigv4_request req = {"PUT", "/test$file.text", "", h, N(h)};
    const char *sh = "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class";
    char *canon = sigv4_canonical_request(&req, sh, NULL, 0);
    CHECK(canon && strncmp(canon, "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n", 58) == 0);
    free(canon);
    char sig[65], hash[65];
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(hash, "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
    CHECK_STR(sig, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    /* Same request with the '$' already encoded on the wire: same result
     * (decode, then encode once: no double encoding). */
    req.raw_path = "/test%24file.text";
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(sig, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

static void test_bucket_subresources(void)
{
    const sigv4_header h[] = {
        {"host", HOST},
        {"x-amz-date", AMZ_DATE},
        {"x-amz-content-sha256", EMPTY_SHA},
    };
    const char *sh = "host;x-amz-content-sha256;x-amz-date";
    char sig[65], hash[65];
    /* GET bucket lifecycle: "?lifecycle" canonicalises as "lifecycle=". */
    sigv4_request req = {"GET", "/", "lifecycle", h, N(h)};
    char *canon = sigv4_canonical_request(&req, sh, NULL, 0);
    CHECK(canon && strncmp(canon, "GET\n/\nlifecycle=\nhost:", 22) == 0);
    free(canon);
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(sig, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    /* List objects: parameters arrive unsorted. */
    req.raw_query = "max-keys=2&prefix=J";
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(sig, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    req.raw_query = "prefix=J&max-keys=2";
    canon = sigv4_canonical_request(&req, sh, NULL, 0);
    CHECK(canon && strncmp(canon, "GET\n/\nmax-keys=2&prefix=J\n", 26) == 0);
    free(canon);
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(sig, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    /* An empty path means "/". */
    req.raw_path = "";
    sign(&req, sh, NULL, 0, sig, hash);
    CHECK_STR(sig, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

static const char PRESIGNED_QUERY[] =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

static void test_presigned(void)
{
    sigv4_presigned ps;
    CHECK(sigv4_parse_presigned(PRESIGNED_QUERY, &ps) == SIGV4_OK);
    CHECK_STR(ps.cred.access_key, "AKIAIOSFODNN7EXAMPLE");
    CHECK_STR(ps.cred.date, "20130524");
    CHECK_STR(ps.cred.region, "us-east-1");
    CHECK_STR(ps.cred.service, "s3");
    CHECK_STR(ps.cred.signed_headers, "host");
    CHECK_STR(ps.cred.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    CHECK_STR(ps.amz_date, "20130524T000000Z");
    CHECK(ps.expires == 86400);

    const sigv4_header h[] = {{"Host", HOST}};
    sigv4_request req = {"GET", "/test.txt", PRESIGNED_QUERY, h, N(h)};
    char *canon = sigv4_canonical_request(&req, ps.cred.signed_headers, NULL, 1);
    CHECK_STR(canon, "GET\n/test.txt\n"
                     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524"
                     "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
                     "&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
                     "UNSIGNED-PAYLOAD");
    free(canon);
    char sig[65], hash[65];
    sign(&req, ps.cred.signed_headers, NULL, 1, sig, hash);
    CHECK_STR(hash, "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
    CHECK_STR(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    CHECK(sigv4_hex_equal(sig, ps.cred.signature));
    /* Not presigned: X-Amz-Signature stays in the canonical query. */
    sign(&req, ps.cred.signed_headers, "UNSIGNED-PAYLOAD", 0, sig, hash);
    CHECK(sig[0] && !sigv4_hex_equal(sig, ps.cred.signature));

    /* Errors. */
    CHECK(sigv4_parse_presigned("", &ps) == SIGV4_MISSING_FIELD);
    CHECK(sigv4_parse_presigned(
              "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524"
              "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
              "&X-Amz-SignedHeaders=host", &ps) == SIGV4_MISSING_FIELD);
    CHECK(ps.cred.access_key[0] == '\0'); /* zeroed on error */
    char q[1024];
    snprintf(q, sizeof q, "%s&X-Amz-Expires=10", PRESIGNED_QUERY);
    CHECK(sigv4_parse_presigned(q, &ps) == SIGV4_MALFORMED); /* duplicate */
    const struct { const char *from, *to; sigv4_status want; } edits[] = {
        {"X-Amz-Expires=86400", "X-Amz-Expires=604801", SIGV4_BAD_EXPIRES},
        {"X-Amz-Expires=86400", "X-Amz-Expires=0", SIGV4_BAD_EXPIRES},
        {"X-Amz-Expires=86400", "X-Amz-Expires=-5", SIGV4_BAD_EXPIRES},
        {"X-Amz-Expires=86400", "X-Amz-Expires=99999999999999999999", SIGV4_BAD_EXPIRES},
        {"X-Amz-Expires=86400", "X-Amz-Expires=604800", SIGV4_OK},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", SIGV4_BAD_ALGORITHM},
        {"X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z", SIGV4_BAD_SCOPE},
        {"X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130524", SIGV4_MALFORMED},
        {"%2Faws4_request", "%2Faws5_request", SIGV4_BAD_SCOPE},
        {"X-Amz-Signature=aeee", "X-Amz-Signature=zeee", SIGV4_MALFORMED},
        {"X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=Host", SIGV4_MALFORMED},
        {"X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3B%3Bx", SIGV4_MALFORMED},
        {"X-Amz-Date=2013", "X-Amz-Date=%G013", SIGV4_MALFORMED},
    };
    for (size_t i = 0; i < N(edits); i++) {
        const char *at = strstr(PRESIGNED_QUERY, edits[i].from);
        size_t pre = (size_t)(at - PRESIGNED_QUERY);
        snprintf(q, sizeof q, "%.*s%s%s", (int)pre, PRESIGNED_QUERY, edits[i].to,
                 at + strlen(edits[i].from));
        sigv4_status st = sigv4_parse_presigned(q, &ps);
        if (st != edits[i].want)
            fprintf(stderr, "edit %zu: got %s\n", i, sigv4_status_str(st));
        CHECK(st == edits[i].want);
    }
    /* A credential far too long for its buffers. */
    char *big = malloc(20000);
    snprintf(big, 20000, "X-Amz-Credential=");
    memset(big + strlen(big), 'A', 15000);
    big[17 + 15000] = '\0';
    CHECK(sigv4_parse_presigned(big, &ps) == SIGV4_TOO_LONG);
    free(big);
}

/* The chunked upload example: seed signature over the request headers,
 * then each chunk signed over the previous signature. */
static void test_chunked_example(void)
{
    const sigv4_header h[] = {
        {"Host", "s3.amazonaws.com"},
        {"x-amz-date", AMZ_DATE},
        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
        {"Authorization", "ignored"},
        {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
        {"Content-Encoding", "aws-chunked"},
        {"x-amz-decoded-content-length", "66560"},
        {"Content-Length", "66824"},
    };
    sigv4_request req = {"PUT", "/examplebucket/chunkObject.txt", "", h, N(h)};
    char sig[65], hash[65];
    sign(&req,
         "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
         "x-amz-decoded-content-length;x-amz-storage-class",
         NULL, 0, sig, hash);
    CHECK_STR(sig, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");

    unsigned char key[32];
    sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", key);
    unsigned char *a = malloc(65536);
    memset(a, 'a', 65536);
    char data_hash[65], c1[65], c2[65], c3[65];
    sigv4_sha256_hex(a, 65536, data_hash);
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, sig, data_hash, c1);
    CHECK_STR(c1, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
    sigv4_sha256_hex(a, 1024, data_hash);
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, c1, data_hash, c2);
    CHECK_STR(c2, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, c2, EMPTY_SHA, c3);
    CHECK_STR(c3, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");

    /* The trailer example: same chunks, its own seed, then the trailer
     * signed over the final chunk's signature. */
    const sigv4_header ht[] = {
        {"Host", "s3.amazonaws.com"},
        {"x-amz-date", AMZ_DATE},
        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
        {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
        {"Content-Encoding", "aws-chunked"},
        {"x-amz-decoded-content-length", "66560"},
        {"x-amz-trailer", "x-amz-checksum-crc32c"},
    };
    sigv4_request reqt = {"PUT", "/examplebucket/chunkObject.txt", "", ht, N(ht)};
    sign(&reqt,
         "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
         "x-amz-storage-class;x-amz-trailer",
         NULL, 0, sig, hash);
    CHECK_STR(sig, "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e");
    sigv4_sha256_hex(a, 65536, data_hash);
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, sig, data_hash, c1);
    CHECK_STR(c1, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2");
    sigv4_sha256_hex(a, 1024, data_hash);
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, c1, data_hash, c2);
    CHECK_STR(c2, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7");
    sigv4_chunk_signature(key, AMZ_DATE, SCOPE, c2, EMPTY_SHA, c3);
    CHECK_STR(c3, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992");
    const char trailer[] = "x-amz-checksum-crc32c:sOO8/Q==\n";
    char trailer_hash[65], tsig[65];
    sigv4_sha256_hex(trailer, strlen(trailer), trailer_hash);
    sigv4_trailer_signature(key, AMZ_DATE, SCOPE, c3, trailer_hash, tsig);
    CHECK_STR(tsig, "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435");
    free(a);
}

static void test_parse_authorization(void)
{
    sigv4_credential c;
    const char *doc = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                      "SignedHeaders=host;range;x-amz-date, "
                      "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
    CHECK(sigv4_parse_authorization(doc, &c) == SIGV4_OK);
    CHECK_STR(c.access_key, "AKIAIOSFODNN7EXAMPLE");
    CHECK_STR(c.date, "20130524");
    CHECK_STR(c.region, "us-east-1");
    CHECK_STR(c.service, "s3");
    CHECK_STR(c.signed_headers, "host;range;x-amz-date");
    CHECK_STR(c.signature, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024");
    /* No spaces after commas (botocore style), other order, uppercase hex. */
    CHECK(sigv4_parse_authorization(
              "AWS4-HMAC-SHA256 Signature=FE5F80F77D5FA3BECA038A248FF027D0445342FE2855DDC963176630326F1024,"
              "Credential=AK/20130524/eu-west-1/s3/aws4_request,SignedHeaders=host", &c) == SIGV4_OK);
    CHECK_STR(c.signature, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024");
    CHECK_STR(c.region, "eu-west-1");

    const struct { const char *v; sigv4_status want; } bad[] = {
        {"", SIGV4_BAD_ALGORITHM},
        {"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", SIGV4_BAD_ALGORITHM},
        {"AWS4-HMAC-SHA256", SIGV4_BAD_ALGORITHM},
        {"AWS4-HMAC-SHA256Credential=a/20130524/r/s3/aws4_request", SIGV4_BAD_ALGORITHM},
        {"AWS4-ECDSA-P256-SHA256 Credential=a/20130524/s3/aws4_request", SIGV4_BAD_ALGORITHM},
        {"AWS4-HMAC-SHA256 ", SIGV4_MISSING_FIELD},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host",
         SIGV4_MISSING_FIELD},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, "
         "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f10", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, "
         "Signature=ge5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, "
         "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024, Foo=bar", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Credential=AK/20130524/us-east-1/s3/aws4_request",
         SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3, SignedHeaders=host", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 Credential=AK/2013052x/us-east-1/s3/aws4_request", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524//s3/aws4_request", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 Credential=/20130524/r/s3/aws4_request", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 Credential=AK/20130524/r/s3/aws4_requesx", SIGV4_BAD_SCOPE},
        {"AWS4-HMAC-SHA256 SignedHeaders=host;;date", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 SignedHeaders=;host", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 SignedHeaders=Host", SIGV4_MALFORMED},
        {"AWS4-HMAC-SHA256 SignedHeaders=", SIGV4_MALFORMED},
    };
    for (size_t i = 0; i < N(bad); i++) {
        sigv4_status st = sigv4_parse_authorization(bad[i].v, &c);
        if (st != bad[i].want)
            fprintf(stderr, "bad[%zu]: got %s\n", i, sigv4_status_str(st));
        CHECK(st == bad[i].want);
    }
    CHECK(sigv4_parse_authorization(NULL, &c) == SIGV4_MISSING_FIELD);

    /* Oversized fields are refused, not overflowed. */
    char *big = malloc(10000);
    int n = snprintf(big, 10000, "AWS4-HMAC-SHA256 Credential=");
    memset(big + n, 'A', 5000);
    strcpy(big + n + 5000, "/20130524/us-east-1/s3/aws4_request");
    CHECK(sigv4_parse_authorization(big, &c) == SIGV4_TOO_LONG);
    n = snprintf(big, 10000, "AWS4-HMAC-SHA256 Credential=AK/20130524/");
    memset(big + n, 'r', 64);
    strcpy(big + n + 64, "/s3/aws4_request");
    CHECK(sigv4_parse_authorization(big, &c) == SIGV4_TOO_LONG);
    n = snprintf(big, 10000, "AWS4-HMAC-SHA256 SignedHeaders=");
    memset(big + n, 'h', 2000);
    big[n + 2000] = '\0';
    CHECK(sigv4_parse_authorization(big, &c) == SIGV4_TOO_LONG);
    n = snprintf(big, 10000, "AWS4-HMAC-SHA256 Signature=");
    memset(big + n, 'a', 5000);
    big[n + 5000] = '\0';
    CHECK(sigv4_parse_authorization(big, &c) == SIGV4_TOO_LONG);
    free(big);
}

static void test_canonical_details(void)
{
    const sigv4_header h[] = {
        {"Host", "h"},
        {"X-Amz-Meta-A", "  one   two\t three  "},
        {"x-amz-meta-a", "four"},
        {"x-amz-date", AMZ_DATE},
        {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
    };
    /* Paths: no normalisation, '+' is a literal plus, reserved bytes
     * encoded, already-encoded bytes not double-encoded, UTF-8 kept as %XX. */
    sigv4_request req = {"GET", "/b/a//b/../c+d%2Fe%20f%c3%a9*", "", h, N(h)};
    char *canon = sigv4_canonical_request(&req, "host;x-amz-meta-a", "UNSIGNED-PAYLOAD", 0);
    CHECK_STR(canon, "GET\n/b/a//b/../c%2Bd/e%20f%C3%A9%2A\n\n"
                     "host:h\nx-amz-meta-a:one two three,four\n\n"
                     "host;x-amz-meta-a\nUNSIGNED-PAYLOAD");
    free(canon);
    /* Query: names and values re-encoded (slash too), no-'=' params get
     * "name=", empty params dropped, sorted by name then value. */
    req.raw_path = "/b";
    req.raw_query = "b=2&a=%2f&&a=1&uploads&prefix=x/y z&list-type=2&a-b=0";
    canon = sigv4_canonical_request(&req, "host", NULL, 0);
    CHECK_STR(canon, "GET\n/b\na=%2F&a=1&a-b=0&b=2&list-type=2&prefix=x%2Fy%20z&uploads=\n"
                     "host:h\n\nhost\nUNSIGNED-PAYLOAD");
    free(canon);
    /* A signed header that is absent -> NULL. */
    CHECK(sigv4_canonical_request(&req, "host;range", NULL, 0) == NULL);
    /* Bad escapes in path or query -> NULL. */
    req.raw_query = "a=%zz";
    CHECK(sigv4_canonical_request(&req, "host", NULL, 0) == NULL);
    req.raw_query = "";
    req.raw_path = "/b/%4";
    CHECK(sigv4_canonical_request(&req, "host", NULL, 0) == NULL);
    /* Header auth without a payload hash and no x-amz-content-sha256 -> NULL. */
    sigv4_request bare = {"GET", "/", "", h, 1};
    CHECK(sigv4_canonical_request(&bare, "host", NULL, 0) == NULL);

    /* Very long inputs give NULL, not overflow. */
    size_t big_len = SIGV4_MAX_CANONICAL + 10;
    char *big = malloc(big_len + 1);
    memset(big, 'a', big_len);
    big[0] = '/';
    big[big_len] = '\0';
    req.raw_path = big;
    CHECK(sigv4_canonical_request(&req, "host", NULL, 0) == NULL);
    /* Under the raw limit but over it once encoded (every byte -> %XX). */
    memset(big + 1, ' ', SIGV4_MAX_CANONICAL / 2);
    big[SIGV4_MAX_CANONICAL / 2] = '\0';
    CHECK(sigv4_canonical_request(&req, "host", NULL, 0) == NULL);
    req.raw_path = "/";
    memset(big, '&', SIGV4_MAX_CANONICAL / 2); /* all-empty params: allowed, empty */
    req.raw_query = big;
    canon = sigv4_canonical_request(&req, "host", NULL, 0);
    CHECK_STR(canon, "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
    free(canon);
    /* Many one-byte params: within the raw limit, but "~=&" each is over
     * the cap once canonical. */
    for (size_t i = 0; i < SIGV4_MAX_CANONICAL; i++)
        big[i] = (i % 2) ? '&' : '~';
    big[SIGV4_MAX_CANONICAL] = '\0';
    canon = sigv4_canonical_request(&req, "host", NULL, 0);
    CHECK(canon == NULL);
    free(canon);
    free(big);
}

static void test_uri_coding(void)
{
    char out[64];
    CHECK(sigv4_uri_encode("a/b c+~-._", 10, 1, out, sizeof out) == 14);
    CHECK_STR(out, "a/b%20c%2B~-._");
    CHECK(sigv4_uri_encode("a/b", 3, 0, out, sizeof out) == 5);
    CHECK_STR(out, "a%2Fb");
    CHECK(sigv4_uri_encode("\xff\x00!", 3, 0, out, sizeof out) == 9);
    CHECK_STR(out, "%FF%00%21");
    CHECK(sigv4_uri_encode("abc", 3, 0, out, 3) == (size_t)-1); /* no room for NUL */
    CHECK(sigv4_uri_encode("abc", 3, 0, out, 4) == 3);
    CHECK(sigv4_uri_encode(" ", 1, 0, out, 3) == (size_t)-1);
    CHECK(sigv4_uri_encode(" ", 1, 0, out, 4) == 3);
    CHECK(sigv4_uri_decode("a%20b+c%2f", 10, out, sizeof out) == 6);
    CHECK_STR(out, "a b+c/");
    CHECK(sigv4_uri_decode("%00x", 4, out, sizeof out) == 2 && out[0] == '\0' && out[1] == 'x');
    CHECK(sigv4_uri_decode("%", 1, out, sizeof out) == (size_t)-1);
    CHECK(sigv4_uri_decode("%4", 2, out, sizeof out) == (size_t)-1);
    CHECK(sigv4_uri_decode("%4g", 3, out, sizeof out) == (size_t)-1);
    CHECK(sigv4_uri_decode("abc", 3, out, 3) == (size_t)-1);
    CHECK(sigv4_uri_decode("abc", 3, out, 4) == 3);
}

static void test_hex_equal_and_keys(void)
{
    const char *s = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    CHECK(sigv4_hex_equal(s, s));
    CHECK(sigv4_hex_equal(s, "F0E8BDB87C964420E857BD35B5D6ED310BD44F0170ABA48DD91039C6036BDB41"));
    CHECK(!sigv4_hex_equal(s, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42"));
    CHECK(!sigv4_hex_equal(s, "0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    CHECK(!sigv4_hex_equal(s, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb411"));
    CHECK(!sigv4_hex_equal("", ""));
    CHECK(!sigv4_hex_equal(s, NULL));

    /* The documented signing key derivation, checked against plain HMAC
     * chains, for a short secret and one longer than the HMAC block. */
    const char *secrets[] = {SECRET, "0123456789012345678901234567890123456789012345678901234567890123456789xyz"};
    for (size_t i = 0; i < N(secrets); i++) {
        unsigned char want[32], got[32], a[32];
        unsigned int l;
        char k[256];
        snprintf(k, sizeof k, "AWS4%s", secrets[i]);
        HMAC(EVP_sha256(), k, (int)strlen(k), (const unsigned char *)"20130524", 8, a, &l);
        HMAC(EVP_sha256(), a, 32, (const unsigned char *)"us-east-1", 9, want, &l);
        HMAC(EVP_sha256(), want, 32, (const unsigned char *)"s3", 2, a, &l);
        HMAC(EVP_sha256(), a, 32, (const unsigned char *)"aws4_request", 12, want, &l);
        sigv4_signing_key(secrets[i], "20130524", "us-east-1", "s3", got);
        CHECK(memcmp(want, got, 32) == 0);
    }
    char scope[64];
    CHECK(sigv4_scope("20130524", "us-east-1", "s3", scope, sizeof scope) == strlen(SCOPE));
    CHECK_STR(scope, SCOPE);
    CHECK(sigv4_scope("20130524", "us-east-1", "s3", scope, 20) == 0 && scope[0] == '\0');
    char sts[32];
    CHECK(sigv4_string_to_sign(AMZ_DATE, SCOPE, EMPTY_SHA, sts, sizeof sts) == 0 && sts[0] == '\0');
}

int main(void)
{
    test_get_object();
    test_put_object();
    test_bucket_subresources();
    test_presigned();
    test_chunked_example();
    test_parse_authorization();
    test_canonical_details();
    test_uri_coding();
    test_hex_equal_and_keys();
    return checks_report();
}

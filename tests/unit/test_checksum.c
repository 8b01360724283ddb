/*
 * Unit tests for s3api/checksum: published check values, the base64 forms
 * S3 shows, split-invariance of the streaming API, and base64 strictness.
 */
#include "checksum.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char check_input[] = "123456789";

/* Bitwise CRC-64/NVME straight from the definition, to check the
 * slicing-by-8 table and its assembly. */
static uint64_t crc64nvme_bitwise(const unsigned char *p, size_t n)
{
    uint64_t crc = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x9a6c9329ac4bc9b5ull : 0);
    }
    return ~crc;
}

static uint32_t crc32c_bitwise(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
    }
    return ~crc;
}

static void b64_of(cksum_algo a, const void *p, size_t n, char *out, size_t cap)
{
    cksum_ctx c;
    out[0] = '\0';
    if (cksum_init(&c, a) != 0)
        return;
    cksum_update(&c, p, n);
    cksum_final_base64(&c, out, cap);
    cksum_free(&c);
}

static void test_check_values(void)
{
    CHECK(cksum_crc32(check_input, 9) == 0xcbf43926u);
    CHECK(cksum_crc32c(check_input, 9) == 0xe3069283u);
    CHECK(cksum_crc64nvme(check_input, 9) == 0xae8b14860a799888ull);
    CHECK(cksum_crc32("", 0) == 0);
    CHECK(cksum_crc32c("", 0) == 0);
    CHECK(cksum_crc64nvme("", 0) == 0);

    /* Streaming contexts give the same digests, big-endian. */
    unsigned char raw[CKSUM_MAX_DIGEST];
    cksum_ctx c;
    CHECK(cksum_init(&c, CKSUM_CRC64NVME) == 0);
    cksum_update(&c, check_input, 9);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 8);
    CHECK(memcmp(raw, "\xae\x8b\x14\x86\x0a\x79\x98\x88", 8) == 0);
    CHECK(cksum_init(&c, CKSUM_CRC32C) == 0);
    cksum_update(&c, check_input, 9);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 4);
    CHECK(memcmp(raw, "\xe3\x06\x92\x83", 4) == 0);
    CHECK(cksum_init(&c, CKSUM_CRC32) == 0);
    cksum_update(&c, check_input, 9);
    CHECK(cksum_final_raw(&c, raw, 3) == 0); /* too small */
    CHECK(cksum_init(&c, CKSUM_CRC32) == 0);
    cksum_update(&c, check_input, 9);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 4);
    CHECK(memcmp(raw, "\xcb\xf4\x39\x26", 4) == 0);
}

static void test_s3_base64_forms(void)
{
    char out[CKSUM_MAX_BASE64];
    /* As S3 shows them: CRC32 of the empty object, of "hello world". */
    b64_of(CKSUM_CRC32, "", 0, out, sizeof out);
    CHECK_STR(out, "AAAAAA==");
    b64_of(CKSUM_CRC32, "hello world", 11, out, sizeof out); /* 0x0d4a1185 */
    CHECK_STR(out, "DUoRhQ==");
    b64_of(CKSUM_CRC32C, "hello world", 11, out, sizeof out); /* 0xc99465aa */
    CHECK_STR(out, "yZRlqg==");
    b64_of(CKSUM_CRC64NVME, "", 0, out, sizeof out);
    CHECK_STR(out, "AAAAAAAAAAA=");
    b64_of(CKSUM_SHA256, "", 0, out, sizeof out);
    CHECK_STR(out, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    b64_of(CKSUM_SHA1, "", 0, out, sizeof out);
    CHECK_STR(out, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    b64_of(CKSUM_MD5, "", 0, out, sizeof out);
    CHECK_STR(out, "1B2M2Y8AsgTpgAmY7PhCfg==");
    /* The AWS trailer example: CRC32C of 66560 'a' bytes is sOO8/Q==. */
    unsigned char *a = malloc(66560);
    memset(a, 'a', 66560);
    b64_of(CKSUM_CRC32C, a, 66560, out, sizeof out);
    CHECK_STR(out, "sOO8/Q==");
    free(a);
    /* Too-small output buffer is refused, not overflowed. */
    cksum_ctx c;
    CHECK(cksum_init(&c, CKSUM_CRC32) == 0);
    CHECK(cksum_final_base64(&c, out, 8) == 0);
}

static void test_hash_vectors(void)
{
    unsigned char raw[CKSUM_MAX_DIGEST];
    cksum_ctx c;
    /* FIPS 180 "abc" vectors. */
    CHECK(cksum_init(&c, CKSUM_SHA256) == 0);
    cksum_update(&c, "a", 1);
    cksum_update(&c, "bc", 2);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 32);
    cksum_free(&c);
    CHECK(memcmp(raw, "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
                      "\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad", 32) == 0);
    CHECK(cksum_init(&c, CKSUM_SHA1) == 0);
    cksum_update(&c, "abc", 3);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 20);
    cksum_free(&c);
    cksum_free(&c); /* twice is harmless */
    CHECK(memcmp(raw, "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c"
                      "\x9c\xd0\xd8\x9d", 20) == 0);
    CHECK(cksum_init(&c, CKSUM_MD5) == 0);
    cksum_update(&c, "abc", 3);
    CHECK(cksum_final_raw(&c, raw, sizeof raw) == 16);
    cksum_free(&c);
    CHECK(memcmp(raw, "\x90\x01\x50\x98\x3c\xd2\x4f\xb0\xd6\x96\x3f\x7d\x28\xe1\x7f\x72", 16) == 0);
    CHECK(cksum_init(&c, CKSUM_NONE) == -1);
    CHECK(cksum_init(&c, (cksum_algo)99) == -1);
}

static void test_split_invariance(void)
{
    /* 300 pseudo-random bytes: crosses the 8-byte slicing boundary at every
     * alignment. For each algorithm, every split point (and a 3-way split)
     * gives the one-shot digest. */
    unsigned char buf[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    CHECK(cksum_crc64nvme(buf, sizeof buf) == crc64nvme_bitwise(buf, sizeof buf));
    CHECK(cksum_crc32c(buf, sizeof buf) == crc32c_bitwise(buf, sizeof buf));
    int all_lengths_match = 1;
    for (size_t n = 0; n <= sizeof buf; n++)
        if (cksum_crc64nvme(buf, n) != crc64nvme_bitwise(buf, n) ||
            cksum_crc32c(buf, n) != crc32c_bitwise(buf, n))
            all_lengths_match = 0;
    CHECK(all_lengths_match);

    const cksum_algo algos[] = {CKSUM_CRC32, CKSUM_CRC32C, CKSUM_CRC64NVME,
                                CKSUM_SHA1, CKSUM_SHA256, CKSUM_MD5};
    for (size_t k = 0; k < sizeof algos / sizeof algos[0]; k++) {
        char whole[CKSUM_MAX_BASE64], part[CKSUM_MAX_BASE64];
        b64_of(algos[k], buf, sizeof buf, whole, sizeof whole);
        CHECK(whole[0] != '\0');
        int same = 1;
        for (size_t cut = 0; cut <= sizeof buf; cut++) {
            size_t cut2 = cut + (sizeof buf - cut) / 2;
            cksum_ctx c;
            if (cksum_init(&c, algos[k]) != 0) {
                same = 0;
                break;
            }
            cksum_update(&c, buf, cut);
            cksum_update(&c, buf + cut, cut2 - cut);
            cksum_update(&c, buf + cut2, sizeof buf - cut2);
            cksum_final_base64(&c, part, sizeof part);
            cksum_free(&c);
            if (strcmp(whole, part) != 0)
                same = 0;
        }
        CHECK(same);
    }
}

static void test_names(void)
{
    CHECK(cksum_algo_from_name("CRC32") == CKSUM_CRC32);
    CHECK(cksum_algo_from_name("crc32") == CKSUM_CRC32);
    CHECK(cksum_algo_from_name("Crc32C") == CKSUM_CRC32C);
    CHECK(cksum_algo_from_name("CRC64NVME") == CKSUM_CRC64NVME);
    CHECK(cksum_algo_from_name("sha1") == CKSUM_SHA1);
    CHECK(cksum_algo_from_name("SHA256") == CKSUM_SHA256);
    CHECK(cksum_algo_from_name("MD5") == CKSUM_NONE);
    CHECK(cksum_algo_from_name("CRC32 ") == CKSUM_NONE);
    CHECK(cksum_algo_from_name("") == CKSUM_NONE);
    CHECK(cksum_algo_from_name(NULL) == CKSUM_NONE);
    CHECK(cksum_algo_from_header("x-amz-checksum-crc32") == CKSUM_CRC32);
    CHECK(cksum_algo_from_header("X-Amz-Checksum-CRC64NVME") == CKSUM_CRC64NVME);
    CHECK(cksum_algo_from_header("x-amz-checksum-algorithm") == CKSUM_NONE);
    CHECK_STR(cksum_algo_header(CKSUM_CRC32C), "x-amz-checksum-crc32c");
    CHECK_STR(cksum_algo_header(CKSUM_SHA256), "x-amz-checksum-sha256");
    CHECK(cksum_algo_header(CKSUM_MD5) == NULL);
    CHECK(cksum_algo_header(CKSUM_NONE) == NULL);
    CHECK_STR(cksum_algo_name(CKSUM_CRC64NVME), "CRC64NVME");
    CHECK(cksum_digest_len(CKSUM_CRC64NVME) == 8);
    CHECK(cksum_digest_len(CKSUM_MD5) == 16);
}

static void test_base64(void)
{
    char out[32];
    unsigned char bin[32];
    CHECK(b64_encode("", 0, out, sizeof out) == 0 && out[0] == '\0');
    CHECK(b64_encode("f", 1, out, sizeof out) == 4);
    CHECK_STR(out, "Zg==");
    CHECK(b64_encode("fo", 2, out, sizeof out) == 4);
    CHECK_STR(out, "Zm8=");
    CHECK(b64_encode("foobar", 6, out, sizeof out) == 8);
    CHECK_STR(out, "Zm9vYmFy");
    CHECK(b64_encode("foobar", 6, out, 8) == 0); /* no room for the NUL */
    CHECK(b64_encode("\xff\xfe\xfd", 3, out, sizeof out) == 4);
    CHECK_STR(out, "//79");

    CHECK(b64_decode("Zm9vYmFy", 8, bin, sizeof bin) == 6 && memcmp(bin, "foobar", 6) == 0);
    CHECK(b64_decode("Zm9vYg==", 8, bin, sizeof bin) == 4 && memcmp(bin, "foob", 4) == 0);
    CHECK(b64_decode("Zm9vYmE=", 8, bin, sizeof bin) == 5 && memcmp(bin, "fooba", 5) == 0);
    CHECK(b64_decode("", 0, bin, sizeof bin) == 0);
    CHECK(b64_decode("//79", 4, bin, sizeof bin) == 3 && memcmp(bin, "\xff\xfe\xfd", 3) == 0);
    /* Content-MD5 of "" decodes to the 16-byte digest. */
    CHECK(b64_decode("1B2M2Y8AsgTpgAmY7PhCfg==", 24, bin, sizeof bin) == 16 &&
          memcmp(bin, "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e", 16) == 0);
    CHECK(b64_decode("Zm9vYmFy", 8, bin, 5) == -1);   /* cap too small */
    CHECK(b64_decode("Zm9vYmF", 7, bin, sizeof bin) == -1);  /* not a multiple of 4 */
    CHECK(b64_decode("Zm9v YmF", 8, bin, sizeof bin) == -1); /* whitespace */
    CHECK(b64_decode("Zm=vYmFy", 8, bin, sizeof bin) == -1); /* '=' inside */
    CHECK(b64_decode("Zg==Zg==", 8, bin, sizeof bin) == -1); /* padding mid-stream */
    CHECK(b64_decode("Z===", 4, bin, sizeof bin) == -1);
    CHECK(b64_decode("====", 4, bin, sizeof bin) == -1);
    CHECK(b64_decode("Zm9-", 4, bin, sizeof bin) == -1);     /* url-safe alphabet */
}

/* crc(A||B) from crc(A), crc(B), |B| — at every split of a buffer. */
static void test_crc_combine(void)
{
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t split = 0; split <= sizeof buf; split += 23) {
        size_t nb = sizeof buf - split;
        CHECK(cksum_crc_combine(CKSUM_CRC32, cksum_crc32(buf, split), cksum_crc32(buf + split, nb), nb) ==
              cksum_crc32(buf, sizeof buf));
        CHECK(cksum_crc_combine(CKSUM_CRC32C, cksum_crc32c(buf, split), cksum_crc32c(buf + split, nb), nb) ==
              cksum_crc32c(buf, sizeof buf));
        CHECK(cksum_crc_combine(CKSUM_CRC64NVME, cksum_crc64nvme(buf, split), cksum_crc64nvme(buf + split, nb), nb) ==
              cksum_crc64nvme(buf, sizeof buf));
    }
    CHECK(cksum_crc_combine(CKSUM_SHA256, 1, 2, 3) == 0);
}

int main(void)
{
    test_crc_combine();
    test_check_values();
    test_s3_base64_forms();
    test_hash_vectors();
    test_split_invariance();
    test_names();
    test_base64();
    return checks_report();
}

/*
 * checksum — the streaming checksums S3 clients send, and base64.
 *
 * Owns: the x-amz-checksum-* algorithms (CRC32, CRC32C, CRC64NVME, SHA1,
 * SHA256) plus MD5 (for ETags and Content-MD5), computed incrementally as
 * body bytes pass, and the base64 form S3 shows them in (base64 of the
 * big-endian digest: CRC32 of "" is "AAAAAA==").
 *
 * Must not touch: I/O, global mutable state, HTTP. Pure computation.
 * Allocation: only the OpenSSL EVP_MD_CTX of the hash algorithms (SHA1,
 * SHA256, MD5), made by cksum_init and released by cksum_free. The CRC
 * algorithms keep their state inside cksum_ctx and allocate nothing, so a
 * cksum_ctx can be embedded in a per-request struct.
 *
 * Implementation notes: CRC32 is isa-l crc32_gzip_refl, CRC32C is isa-l
 * crc32_iscsi, CRC64NVME is ours (isa-l 2.30 has no NVMe polynomial): a
 * reflected slicing-by-8 table CRC, poly 0x9a6c9329ac4bc9b5, init and
 * xorout all ones, checked against the published check value.
 */
#ifndef CAIRN_S3API_CHECKSUM_H
#define CAIRN_S3API_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "../common/base64.h"

typedef enum {
    CKSUM_NONE = 0,
    CKSUM_CRC32,
    CKSUM_CRC32C,
    CKSUM_CRC64NVME,
    CKSUM_SHA1,
    CKSUM_SHA256,
    /* Not an x-amz-checksum algorithm: cksum_algo_from_name() never returns
     * it and cksum_algo_header() gives NULL. It is here so the ETag and
     * Content-MD5 checks share the same streaming code. */
    CKSUM_MD5,
} cksum_algo;

/* Largest digest of any algorithm (SHA256), and the largest base64 of one
 * including its NUL: size the output buffers with these. */
#define CKSUM_MAX_DIGEST 32
#define CKSUM_MAX_BASE64 (4 * ((CKSUM_MAX_DIGEST + 2) / 3) + 1)

/* "CRC32", "crc32", "CRC64NVME", "SHA256" ... (case-insensitive, as in
 * x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm). Unknown or
 * NULL -> CKSUM_NONE. */
cksum_algo cksum_algo_from_name(const char *s);
/* "x-amz-checksum-crc32" (any case) -> CKSUM_CRC32; unknown -> CKSUM_NONE. */
cksum_algo cksum_algo_from_header(const char *header_name);
/* CKSUM_CRC32 -> "x-amz-checksum-crc32"; NULL for NONE and MD5. */
const char *cksum_algo_header(cksum_algo a);
/* CKSUM_CRC32 -> "CRC32" (the spelling S3 returns); NULL for NONE and MD5. */
const char *cksum_algo_name(cksum_algo a);
/* Digest size in bytes: 4, 4, 8, 20, 32, 16; 0 for NONE. */
size_t cksum_digest_len(cksum_algo a);

typedef struct {
    cksum_algo algo;
    union {
        uint32_t crc32;   /* CRC32: the finished value (isa-l chains on it);
                             CRC32C: the raw register, xorout applied at final */
        uint64_t crc64;   /* raw register, xorout applied at final */
        void *md;         /* EVP_MD_CTX * for SHA1, SHA256, MD5 */
    } u;
} cksum_ctx;

/* Returns 0, or -1 for an unknown algorithm or when OpenSSL cannot allocate
 * its context (then nothing needs freeing, but cksum_free is harmless). */
int cksum_init(cksum_ctx *c, cksum_algo a);
void cksum_update(cksum_ctx *c, const void *p, size_t n);
/* Writes the big-endian digest into out (cap >= cksum_digest_len) and
 * returns its length, or 0 when cap is too small or the digest failed.
 * Finishes the context: call cksum_init again before reusing it. */
size_t cksum_final_raw(cksum_ctx *c, unsigned char *out, size_t cap);
/* Like cksum_final_raw, but writes base64 of the digest plus a NUL and
 * returns strlen(out); 0 when cap is too small (CKSUM_MAX_BASE64 always
 * fits). */
size_t cksum_final_base64(cksum_ctx *c, char *out, size_t cap);
/* Releases the EVP context of hash algorithms; safe on any initialised or
 * zeroed ctx, and safe to call twice. */
void cksum_free(cksum_ctx *c);

/* One-shot raw CRC helpers, for callers that hold the whole buffer. They
 * follow the standard definitions (CRC32("123456789") = 0xcbf43926). */
uint32_t cksum_crc32(const void *p, size_t n);
uint32_t cksum_crc32c(const void *p, size_t n);
uint64_t cksum_crc64nvme(const void *p, size_t n);

/* The CRC (CRC32, CRC32C or CRC64NVME; raw values, not base64) of A || B
 * from crc(A), crc(B) and |B|.  0 for other algorithms. */
uint64_t cksum_crc_combine(cksum_algo a, uint64_t crc1, uint64_t crc2, uint64_t len2);


#endif

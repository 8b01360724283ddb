/*
 * aws_chunked — incremental decoder for `Content-Encoding: aws-chunked`
 * request bodies (S3 streaming uploads).
 *
 * Owns: the framing of the three streaming payload modes, and the
 * verification of their chunk and trailer signatures:
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          signed_chunks=1 has_trailer=0
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed_chunks=1 has_trailer=1
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER          signed_chunks=0 has_trailer=1
 * (signed_chunks=0 has_trailer=0 decodes plain size-prefixed chunks.)
 *
 * Must not touch: I/O, HTTP headers, clocks, global state. The caller has
 * already verified the seed (request) signature with sigv4 and gives the
 * signing key, date, scope and seed here; checking trailer checksums
 * against the data and x-amz-decoded-content-length against
 * aws_chunked_decoded_bytes() is the caller's job. Allocation: one
 * EVP_MD_CTX (SHA-256 of chunk data) in signed mode, released by
 * aws_chunked_free; everything else lives in the struct, bounded.
 *
 * Wire format (what AWS documents and what real clients send):
 *   signed:    <hex-size>;chunk-signature=<64 hex>\r\n <data> \r\n ...
 *              0;chunk-signature=<64 hex>\r\n
 *   unsigned:  <hex-size>\r\n <data> \r\n ... 0\r\n
 *   then, without trailer:   \r\n
 *   then, with a trailer:    name:value\r\n ...            (at most 8)
 *                            [x-amz-trailer-signature:<64 hex>\r\n]  (signed)
 *                            \r\n
 * Leniency, deliberately limited:
 *   - the final empty line may be missing when the body ends exactly there
 *     (report the end with aws_chunked_finish);
 *   - in trailer modes one empty line may come between the final chunk and
 *     the trailer lines (some examples and clients put one there), so an
 *     empty line before any trailer means "end" only if the body ends;
 *   - in unsigned mode chunk extensions after ';' are ignored.
 *   Lines end in CRLF; a bare LF is malformed.
 *
 * Signed chunks: data bytes are handed out as they arrive, and a chunk's
 * signature can only be checked when its last byte has passed. So data of a
 * chunk is returned BEFORE its signature is known to be good: the caller
 * must write to a temporary place and discard everything when any later
 * call returns an error; only AWSCH_DONE means the whole body is verified.
 * The chain: chunk 1 is signed over the seed signature, each next chunk
 * over the previous chunk's signature, the final 0-size chunk likewise,
 * the trailer over the final chunk's signature.
 *
 * Limits: chunk header line <= 256 bytes (longer -> MALFORMED), chunk size
 * <= 16 MiB (larger -> TOO_LARGE), trailers <= 8 entries and 4 KiB in all
 * (more -> TOO_LARGE). Errors are sticky.
 */
#ifndef CAIRN_S3API_AWS_CHUNKED_H
#define CAIRN_S3API_AWS_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#define AWSCH_MAX_LINE 256
#define AWSCH_MAX_CHUNK (16u * 1024u * 1024u)
#define AWSCH_MAX_TRAILERS 8
#define AWSCH_TRAILER_BYTES 4096

typedef struct {
    int signed_chunks;            /* chunk headers carry ;chunk-signature= */
    int has_trailer;              /* trailer lines follow the final chunk */
    unsigned char signing_key[32]; /* sigv4_signing_key(); signed mode only */
    char amz_date[17];            /* x-amz-date of the request */
    char scope[128];              /* "20130524/us-east-1/s3/aws4_request" */
    char seed_signature[65];      /* the request's Authorization signature */
} aws_chunked_config;

typedef enum {
    AWSCH_OK = 0,         /* progress; feed more */
    AWSCH_DONE,           /* whole body (and trailers) parsed and verified */
    AWSCH_MALFORMED,      /* framing error, truncated body, trailing garbage */
    AWSCH_BAD_SIGNATURE,  /* a chunk or trailer signature does not match, or
                             a signed trailer lacks x-amz-trailer-signature */
    AWSCH_TOO_LARGE,      /* chunk over 16 MiB, or trailers over their bounds */
    AWSCH_NOMEM,          /* init could not allocate the SHA-256 context */
} aws_chunked_status;

typedef struct {
    uint16_t name_off, name_len;   /* into trailer_buf; name lowercased */
    uint16_t value_off, value_len; /* value trimmed, NUL-terminated in place */
} aws_chunked_trailer_entry;

/* Embeddable: all state is here; treat the fields as private. */
typedef struct {
    aws_chunked_config cfg;
    int state;
    aws_chunked_status error;      /* sticky once set */
    void *sha;                     /* EVP_MD_CTX * of the current chunk (signed mode) */
    uint32_t chunk_remaining;      /* data bytes left in the current chunk */
    uint64_t decoded;              /* data bytes returned so far */
    char prev_signature[65];       /* chain: seed, then each verified chunk */
    char chunk_signature[65];      /* claimed by the current chunk's header */
    char line[AWSCH_MAX_LINE + 1]; /* chunk header line being collected */
    size_t line_len;
    char trailer_buf[AWSCH_TRAILER_BYTES + 1];
    size_t trailer_used;           /* bytes of trailer_buf in use */
    size_t trailer_line_start;     /* where the line being collected starts */
    aws_chunked_trailer_entry trailers[AWSCH_MAX_TRAILERS];
    size_t n_trailers;
    int have_trailer_separator;    /* the one empty line allowed before trailers */
    char trailer_signature[65];
    int have_trailer_signature;
} aws_chunked;

/* Returns AWSCH_OK, or AWSCH_NOMEM (then aws_chunked_feed keeps returning
 * it; aws_chunked_free is still safe). */
aws_chunked_status aws_chunked_init(aws_chunked *p, const aws_chunked_config *cfg);

/* Consumes bytes of in[0..n). *consumed = bytes used. If payload bytes are
 * available, *data / *data_len point INTO in (at most one span per call,
 * else *data = NULL, *data_len = 0); the caller loops, advancing by
 * *consumed, until all input is used. Returns AWSCH_OK (feed more),
 * AWSCH_DONE once the body including trailers is parsed and verified
 * (bytes after the end are left unconsumed: the caller treats
 * *consumed < n then as a malformed body, and any later feed with n > 0
 * returns AWSCH_MALFORMED), or an error. */
aws_chunked_status aws_chunked_feed(aws_chunked *p, const unsigned char *in, size_t n,
                                    size_t *consumed, const unsigned char **data,
                                    size_t *data_len);

/* Tells the decoder the body has ended (Content-Length reached). Returns
 * AWSCH_DONE if the body is complete (allowing the leniencies above, and
 * verifying the trailer signature when it was waiting for the final empty
 * line), otherwise AWSCH_MALFORMED (truncated) or the sticky error. */
aws_chunked_status aws_chunked_finish(aws_chunked *p);

/* After DONE: the trailer's value (name matched case-insensitively), or
 * NULL. x-amz-trailer-signature is not a trailer entry. */
const char *aws_chunked_trailer(const aws_chunked *p, const char *name);
size_t aws_chunked_trailer_count(const aws_chunked *p);

/* Data bytes handed out so far (compare with x-amz-decoded-content-length). */
uint64_t aws_chunked_decoded_bytes(const aws_chunked *p);

/* Releases the SHA-256 context; safe after a failed init and twice. */
void aws_chunked_free(aws_chunked *p);

#endif

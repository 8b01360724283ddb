/*
 * record — the metadata records stored in LMDB, and their byte encoding.
 *
 * A record is a magic + format byte followed by tagged fields
 * (tag u8, length u32 little-endian, bytes).  Decoders skip tags they do not
 * know, so versions, multipart parts, erasure layouts, tags, retention and
 * encryption can be added as new tags without rewriting stored data.
 *
 * Owns: object_info and bucket_info, encode/decode.  Pure: no I/O.
 */
#ifndef CAIRN_RECORD_H
#define CAIRN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "drive.h"

enum {
    OBJ_INLINE = 1u << 0,         /* body stored in the record itself */
    OBJ_DELETE_MARKER = 1u << 1,  /* versioning: reserved */
    OBJ_MULTIPART = 1u << 2,      /* body is the concatenation of parts[] */
    OBJ_UPLOAD_DONE = 1u << 3,    /* an upload record kept after completion, so a
                                     retried Complete gets the same answer */
};

enum { CKSUM_TYPE_NONE = 0, CKSUM_TYPE_FULL_OBJECT = 1, CKSUM_TYPE_COMPOSITE = 2 };
enum { LOCK_NONE = 0, LOCK_GOVERNANCE = 1, LOCK_COMPLIANCE = 2 };

/* One part of a multipart object (or of an upload in progress). */
typedef struct obj_part {
    uint32_t number;
    uint64_t size;
    data_id data;
    char etag[72];                /* unquoted md5 hex of the part */
    char cksum[96];               /* base64 part checksum, "" when none */
    int64_t mtime_ns;             /* listing only (ListParts); not stored in objects */
} obj_part;

enum { INLINE_MAX = 128 * 1024 };

typedef struct obj_header {
    const char *name;   /* lower-case: content-type, x-amz-meta-foo ... */
    const char *value;
} obj_header;

typedef struct object_info {
    const char *key;              /* set by readers; records store it only when long */
    uint64_t size;
    int64_t mtime_ns;
    char etag[72];                /* unquoted: md5 hex, or md5-N for multipart */
    char version_id[40];          /* "" is the null version */
    uint32_t flags;
    data_id data;                 /* data file when not inline */
    uint8_t cksum_algo;           /* s3api's cksum_algo; 0 none */
    char cksum[96];               /* base64 as S3 shows it */
    obj_header *headers;
    size_t n_headers;
    const unsigned char *inline_data;
    size_t inline_len;
    uint8_t cksum_type;           /* CKSUM_TYPE_*: how cksum was computed */
    uint8_t reduced;              /* storage class REDUCED_REDUNDANCY: coded with the reduced parity */
    int8_t parity;                /* parity its data was coded with; -1 unknown (the standard class) */
    const char *tags;             /* tag set as a URL query ("k1=v1&k2=v2"), NULL none */
    uint8_t lock_mode;            /* object lock: 0 none, LOCK_GOVERNANCE, LOCK_COMPLIANCE */
    int64_t retain_until_ns;
    uint8_t legal_hold;           /* 1: on */
    obj_part *parts;              /* OBJ_MULTIPART: in part-number order */
    size_t n_parts;
} object_info;

typedef struct bucket_info {
    const char *name;
    int64_t created_ns;
    uint32_t flags;               /* versioning / object lock: reserved */
} bucket_info;

/* Encodes into a malloc'd buffer (*out, *len); store_key is non-NULL when the
 * full key does not fit the LMDB key. Returns 0 or -ENOMEM. */
int record_encode_object(const object_info *o, const char *store_key, unsigned char **out, size_t *len);
/* Decodes; strings and inline data are copied into the arena. */
int record_decode_object(const void *p, size_t n, arena *a, object_info *o);
/* Just the fields a listing shows (size, mtime, etag, key), no copies of data. */
int record_decode_listing(const void *p, size_t n, arena *a, object_info *o);

int record_encode_bucket(const bucket_info *b, unsigned char **out, size_t *len);
int record_decode_bucket(const void *p, size_t n, bucket_info *b);

#endif

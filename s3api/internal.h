/*
 * internal — what the s3api modules share: the per-request context, the
 * request body reader, and the operation entry points.  Not for use
 * outside s3api/.
 */
#ifndef CAIRN_S3API_INTERNAL_H
#define CAIRN_S3API_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "../common/arena.h"
#include "../iam/iam.h"
#include "aws_chunked.h"
#include "checksum.h"
#include "errors.h"
#include "parse.h"
#include "s3api.h"
#include "sigv4.h"

struct s3api {
    s3api_config cfg;
    /* Signing keys depend only on secret, date, region and service: one
     * HMAC chain per key and day instead of four HMACs per request.  The
     * secret is part of the entry, so a rotated one misses. */
    struct signing_key_entry {
        char access_key[129], secret[129], date[9], region[64], service[8];
        unsigned char key[32];
    } signing_keys[32];
    unsigned signing_next;
    uint64_t min_part_size;        /* 5 MiB; CAIRN_TEST_MIN_PART_SIZE lowers it for tests */
    void *lifecycle;               /* the lifecycle scanner's state */
    void *lifecycle_rules;         /* parsed rules per bucket, for GET/HEAD (lifecycle.c) */
    void *policy_cache;            /* compiled bucket policies (authz.c) */
};

typedef enum payload_mode {
    PAYLOAD_UNSIGNED = 0,          /* UNSIGNED-PAYLOAD or presigned */
    PAYLOAD_SHA256,                /* hex digest to verify at the end */
    PAYLOAD_STREAMING,             /* aws-chunked, see auth.chunked */
} payload_mode;

typedef struct s3_auth {
    const char *access_key;        /* NULL when anonymous */
    const char *session_token;     /* temporary credentials' token */
    int anonymous;
    iam_identity id;               /* valid until the first asynchronous step */
    unsigned char key[32];         /* a non-root identity's signing key */
    payload_mode mode;
    char sha256_hex[65];
    aws_chunked_config chunked;
    int streaming_trailer;         /* trailers carry checksums */
} s3_auth;

typedef struct s3_req s3_req;

/* Streaming request body: framing (plain or aws-chunked), length checks,
 * then decoded bytes to consume(); complete() exactly once. */
typedef struct s3_body {
    int (*consume)(s3_req *r, const unsigned char *p, size_t n); /* 1 = pause */
    void (*complete)(s3_req *r, s3_error err);
    /* optional: where consume's next bytes may be placed (see http_body_sink) */
    unsigned char *(*buffer)(s3_req *r, size_t *cap);
    int chunked;
    aws_chunked dec;
    int64_t expected;              /* decoded length when known, else -1 */
    uint64_t received;
    int done;
} s3_body;

struct s3_req {
    http_exchange *ex;
    s3api *api;
    arena *a;
    const http_request *http;
    query q;
    const char *bucket;            /* NULL for service-level requests */
    const char *key;               /* NULL for bucket-level requests */
    const char *resource;          /* "/bucket/key" for error bodies */
    s3_auth auth;
    int authz_after_lookup;        /* GetObject/HeadObject: decided once the object is looked up (authz.c) */
    int checksums_name_object;     /* x-amz-checksum-* describe the object, not this body (Complete) */
    s3_body body;
    void *op;                      /* the running operation's state */
    /* Called if the client goes away while the operation holds storage
     * state (an upload, a reader); the operation releases it. */
    void (*abort_op)(s3_req *r);
};

/* auth.c */
s3_error s3_authenticate(s3_req *r, const char **message);
/* Resolves an access key (and session token) into r->auth. */
s3_error s3_identify(s3_req *r, const char *access_key, const char *token, const char **message);
/* STS requests: service "sts", the body's hash computed by the caller. */
s3_error s3_authenticate_sts(s3_req *r, const char *payload_sha256_hex, const char **message);

/* authz.c: S3E_NONE when the caller may do action on bucket/key (NULL for
 * the service, the bucket); authorize_request checks the operation api
 * names (the access log's API name) on the request's own bucket and key. */
s3_error s3_authorize(s3_req *r, const char *action, const char *bucket, const char *key);
s3_error s3_authorize_request(s3_req *r, const char *api);
/* Many checks in one go (DeleteObjects' keys, ListBuckets' buckets): look
 * the caller up once (s3_identity_refresh, after any asynchronous step),
 * then decide each without looking it up again. */
s3_error s3_identity_refresh(s3_req *r);
s3_error s3_authorize_now(s3_req *r, const char *action, const char *bucket, const char *key);
int s3_is_allowed(s3_req *r, const char *action, const char *bucket, const char *key);   /* _now, as a flag */
/* May the caller learn that r->key does not exist (s3:ListBucket on the
 * bucket with the key as s3:prefix)?  Otherwise a miss is a 403. */
int s3_may_learn_absence(s3_req *r);
const policy *s3_bucket_policy(s3_req *r, const char *bucket);
/* After any bucket policy changes or a bucket goes. */
void s3_bucket_policy_forget(s3api *api);
void s3_authz_free(s3api *api);
/* A write's answer names its version only when versioning made one: the
 * "null" version of unversioned and suspended buckets is not announced
 * (as MinIO and RGW answer). */
static inline int s3_real_version(const char *v) { return v[0] && strcmp(v, "null") != 0; }

/* The one account that owns every bucket and object of a deployment: its
 * canonical id and display name, the same whoever asks (a caller's own
 * access key is not shown to others). */
#define S3_OWNER_ID "02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4"
#define S3_OWNER_NAME "cairn"
/* The end of a bucket-configuration write (arg: the s3_req, held): 200,
 * or 204 for DELETE, or the store's error. */
void s3_config_written(void *arg, store_status st);
/* <tag><ID>..</ID><DisplayName>..</DisplayName></tag> */
void s3_xml_owner(strbuf *b, s3_req *r, const char *tag);

/* body.c */
void s3_body_start(s3_req *r, int (*consume)(s3_req *, const unsigned char *, size_t),
                   void (*complete)(s3_req *, s3_error));
/* Collects a small body (XML) up to max bytes, verifying its SHA-256 /
 * Content-MD5; done gets the bytes (NUL-terminated, in the arena). */
void s3_body_collect(s3_req *r, size_t max, void (*done)(s3_req *, s3_error, char *, size_t));

/* common helpers (s3api.c) */
void s3_error_reply(s3_req *r, s3_error e, const char *message);
void s3_xml_reply(s3_req *r, int status, strbuf *body);
const char *s3_header(s3_req *r, const char *lower_name);
void s3_add_object_headers(s3_req *r, const object_info *o);
/* Conditional GET/HEAD/copy-source evaluation; S3E_NONE when it holds. */
s3_error s3_check_conditions(const object_info *o, const char *if_match, const char *if_none_match,
                             const char *if_modified_since, const char *if_unmodified_since,
                             int for_copy);
#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

/* object.c: the conditions of a conditional delete from an ETag, a size
 * and a Last-Modified (an HTTP date or ISO 8601), each NULL when absent.
 * S3E_INVALID_ARGUMENT for a value that does not parse. */
s3_error s3_delete_conditions(s3_req *r, const char *etag, const char *size, const char *mtime,
                              delete_conditions *out);

/* put.c: the metadata a PUT/CopyObject(REPLACE)/CreateMultipartUpload stores */
s3_error s3_request_metadata(s3_req *r, object_info *o);
/* x-amz-storage-class: STANDARD (0) or REDUCED_REDUNDANCY (1); -1 invalid */
int s3_storage_class(s3_req *r, int dflt);
#define S3_STORAGE_CLASS_NAME(reduced) ((reduced) ? "REDUCED_REDUNDANCY" : "STANDARD")
/* multipart.c: validates uploadId + partNumber for UploadPart(Copy) */
s3_error s3_part_target(s3_req *r, const char *upload_id, uint32_t *part_number, object_info *upload);

/* public_access.c: the bucket's PublicAccessBlock (all 0 when it has none) */
typedef struct public_access {
    int block_public_acls, ignore_public_acls, block_public_policy, restrict_public_buckets;
} public_access;
public_access s3_public_access(s3_req *r, const char *bucket);
/* 1 when p allows action on resource to anonymous callers (or, with
 * signed_callers, to any signed caller), with no request context */
int s3_policy_grants_all(const policy *p, const char *action, const char *resource, int signed_callers);
/* 1 when p grants everyone (anonymous or any signed caller) something in bucket */
int s3_policy_is_public(const policy *p, const char *bucket, arena *a);
void op_public_access_block(s3_req *r);

/* ownership.c: Put/Get/DeleteBucketOwnershipControls; with
 * BucketOwnerEnforced, setting an ACL (other than
 * bucket-owner-full-control) is AccessControlListNotSupported */
int s3_acls_disabled(s3_req *r, const char *bucket);
s3_error s3_acl_allowed(s3_req *r, const char *acl);
s3_error s3_ownership_check(const char *ownership, int public_acl);
void s3_ownership_store(s3_req *r, const char *ownership, store_done_cb done, void *arg);
void op_ownership_controls(s3_req *r);

/* bucket_policy.c: canned ACLs as bucket-policy statements */
int s3_canned_acl_valid(const char *acl);
void s3_canned_acl_apply(s3_req *r, const char *acl, void (*done)(s3_req *r, store_status st));
void s3_acl_public_grants(s3_req *r, strbuf *b);
/* The bucket's policy holds public canned-ACL statements. */
int s3_bucket_has_public_acl(s3_req *r);
/* The policy document without its canned-ACL statements (in the arena);
 * NULL when nothing remains. */
char *s3_policy_without_canned(arena *a, const char *doc, size_t *len);
/* x-amz-acl / x-amz-grant-* on an object write: owner-only ACLs, or a
 * public one the bucket policy already grants that object. */
s3_error s3_object_acl_check(s3_req *r, const char **msg);
s3_error s3_object_acl_value_check(s3_req *r, const char *acl, const char **msg);
void op_put_object_acl(s3_req *r);

/* operations */
void op_assume_role(s3_req *r);
void op_bucket_policy(s3_req *r);
void op_bucket_policy_status(s3_req *r);
void op_put_bucket_acl(s3_req *r);
void op_list_buckets(s3_req *r);
void op_create_bucket(s3_req *r);
void op_delete_bucket(s3_req *r);
void op_head_bucket(s3_req *r);
void op_get_bucket_location(s3_req *r);
void op_get_acl(s3_req *r);
void op_list_objects(s3_req *r, int v2);
void op_delete_objects(s3_req *r);
void op_get_object(s3_req *r, int head);
void op_put_object(s3_req *r);
void op_copy_object(s3_req *r);
void op_delete_object(s3_req *r);
void op_create_multipart(s3_req *r);
void op_complete_multipart(s3_req *r);
void op_abort_multipart(s3_req *r);
void op_list_parts(s3_req *r);
void op_list_multipart_uploads(s3_req *r);
void op_get_object_attributes(s3_req *r);
void op_tagging(s3_req *r);
void op_cors(s3_req *r);
void op_post_object(s3_req *r);
void op_bucket_versioning(s3_req *r);
void op_object_lock_config(s3_req *r);
void op_object_lock(s3_req *r, int legal_hold);
void op_lifecycle(s3_req *r);
void s3_lifecycle_expiration_header(s3_req *r, const object_info *o);
void s3_lifecycle_start(s3api *api);
void s3_lifecycle_free(s3api *api);
/* object_lock.c */
int s3_bucket_lock_enabled(s3_req *r, int *default_mode, int64_t *default_ns);
s3_error s3_lock_from_headers(s3_req *r, object_info *o, const char **msg);
int s3_bypass_governance(s3_req *r);
void s3_add_lock_headers(s3_req *r, const object_info *o);
/* The object the request names: the version in ?versionId=, else the
 * current one. */
store_status s3_lookup_object(s3_req *r, object_info *o);
void op_list_object_versions(s3_req *r);
/* cors.c: preflight OPTIONS (unauthenticated) and headers on responses */
void s3_cors_preflight(s3_req *r);
void s3_cors_apply(s3_req *r);
/* tagging.c: x-amz-tagging validated and in its stored form (NULL: none) */
s3_error s3_tags_from_header(s3_req *r, const char **out, const char **message);
/* A Tagging XML document (a POST form's "tagging" field) as stored tags. */
s3_error s3_tags_from_xml(s3_req *r, const char *xml, const char **out, const char **message);
size_t s3_tag_count(const char *stored);

#endif

/*
 * errors — S3 error codes as values, with their HTTP status and the message
 * AWS documents, and the one function that renders an error response.
 *
 * Handlers return or pass an s3_error; nothing else writes error XML.
 */
#ifndef CAIRN_S3_ERRORS_H
#define CAIRN_S3_ERRORS_H

#include "../server/http.h"
#include "../storage/store_status.h"

typedef enum s3_error {
    S3E_NONE = 0,
    S3E_ACCESS_DENIED,
    S3E_ACCOUNT_PROBLEM,
    S3E_AUTH_HEADER_MALFORMED,
    S3E_BAD_DIGEST,
    S3E_BUCKET_ALREADY_OWNED,
    S3E_BUCKET_NOT_EMPTY,
    S3E_ENTITY_TOO_LARGE,
    S3E_ENTITY_TOO_SMALL,
    S3E_EXPIRED_PRESIGN,
    S3E_INCOMPLETE_BODY,
    S3E_INTERNAL,
    S3E_INVALID_ACCESS_KEY,
    S3E_INVALID_ARGUMENT,
    S3E_INVALID_BUCKET_NAME,
    S3E_INVALID_DIGEST,
    S3E_INVALID_RANGE,
    S3E_INVALID_REQUEST,
    S3E_INVALID_SIGV2,
    S3E_KEY_TOO_LONG,
    S3E_MALFORMED_XML,
    S3E_METHOD_NOT_ALLOWED,
    S3E_MISSING_CONTENT_LENGTH,
    S3E_MISSING_SECURITY_HEADER,
    S3E_NO_SUCH_BUCKET,
    S3E_NO_SUCH_KEY,
    S3E_NOT_IMPLEMENTED,
    S3E_NOT_MODIFIED,
    S3E_PRECONDITION_FAILED,
    S3E_REQUEST_TIME_TOO_SKEWED,
    S3E_SIGNATURE_DOES_NOT_MATCH,
    S3E_SLOW_DOWN,
    S3E_SERVICE_UNAVAILABLE,
    S3E_STORAGE_FULL,
    S3E_CONTENT_SHA256_MISMATCH,
    S3E_INVALID_CONTENT_SHA256,
    S3E_INVALID_OBJECT_NAME,
    S3E_MAX_MESSAGE_LENGTH_EXCEEDED,
    S3E_UNEXPECTED_CONTENT,
    S3E_INVALID_EXPIRES,
    S3E_INVALID_LOCATION,
    S3E_METADATA_TOO_LARGE,
    S3E_NO_SUCH_UPLOAD,
    S3E_INVALID_PART,
    S3E_INVALID_PART_ORDER,
    S3E_INVALID_PART_NUMBER,
    S3E_NO_WRITE_QUORUM,
    S3E_INVALID_STORAGE_CLASS,
    S3E_INVALID_TAG,
    S3E_NO_SUCH_CORS,
    S3E_CORS_FORBIDDEN,
    S3E_BAD_REQUEST,
    S3E_MALFORMED_POST,
    S3E_NO_SUCH_VERSION,
    S3E_NO_LOCK_CONFIG,
    S3E_NO_SUCH_LIFECYCLE,
    S3E_NO_OBJECT_LOCK,
    S3E_INVALID_BUCKET_STATE,
    S3E_INVALID_POLICY_DOCUMENT,     /* a POST form's policy */
    S3E_MALFORMED_POLICY,            /* a bucket or IAM policy */
    S3E_NO_SUCH_BUCKET_POLICY,
    S3E_EXPIRED_TOKEN,
    S3E_INVALID_TOKEN,
    S3E_INVALID_RETENTION_PERIOD,
    S3E_NO_SUCH_PUBLIC_ACCESS_BLOCK,
    S3E_OWNERSHIP_NOT_FOUND,
    S3E_ACL_NOT_SUPPORTED,
    S3E_INVALID_BUCKET_ACL_WITH_OWNERSHIP,
    S3E_NO_SUCH_TAG_SET,
    S3E_NO_READ_QUORUM,
    S3E_COUNT
} s3_error;

typedef struct s3_error_info {
    const char *code;
    int status;
    const char *message;
} s3_error_info;

const s3_error_info *s3_error_lookup(s3_error e);
s3_error s3_error_from_store(store_status st, int key_level);

/* Writes the error response.  resource is the request path; message NULL
 * takes the default.  HEAD gets the status and headers only. */
void s3_send_error(http_exchange *ex, s3_error e, const char *resource, const char *message);

#endif

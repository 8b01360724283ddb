#include "errors.h"

#include <string.h>

static const s3_error_info table[S3E_COUNT] = {
    [S3E_NONE] = { "OK", 200, "" },
    [S3E_ACCESS_DENIED] = { "AccessDenied", 403, "Access Denied." },
    [S3E_ACCOUNT_PROBLEM] = { "AccountProblem", 403, "There is a problem with your account." },
    [S3E_AUTH_HEADER_MALFORMED] = { "AuthorizationHeaderMalformed", 400,
        "The authorization header is malformed." },
    [S3E_BAD_DIGEST] = { "BadDigest", 400, "The Content-MD5 or checksum you specified did not match what we received." },
    [S3E_BUCKET_ALREADY_OWNED] = { "BucketAlreadyOwnedByYou", 409,
        "Your previous request to create the named bucket succeeded and you already own it." },
    [S3E_BUCKET_NOT_EMPTY] = { "BucketNotEmpty", 409, "The bucket you tried to delete is not empty." },
    [S3E_ENTITY_TOO_LARGE] = { "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size." },
    [S3E_ENTITY_TOO_SMALL] = { "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size." },
    [S3E_EXPIRED_PRESIGN] = { "AccessDenied", 403, "Request has expired." },
    [S3E_INCOMPLETE_BODY] = { "IncompleteBody", 400,
        "You did not provide the number of bytes specified by the Content-Length HTTP header." },
    [S3E_INTERNAL] = { "InternalError", 500, "We encountered an internal error. Please try again." },
    [S3E_INVALID_ACCESS_KEY] = { "InvalidAccessKeyId", 403,
        "The AWS access key ID you provided does not exist in our records." },
    [S3E_INVALID_ARGUMENT] = { "InvalidArgument", 400, "Invalid Argument." },
    [S3E_INVALID_BUCKET_NAME] = { "InvalidBucketName", 400, "The specified bucket is not valid." },
    [S3E_INVALID_DIGEST] = { "InvalidDigest", 400, "The Content-MD5 you specified is not valid." },
    [S3E_INVALID_RANGE] = { "InvalidRange", 416, "The requested range is not satisfiable." },
    [S3E_INVALID_REQUEST] = { "InvalidRequest", 400, "Invalid Request." },
    [S3E_INVALID_SIGV2] = { "InvalidRequest", 400,
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256." },
    [S3E_KEY_TOO_LONG] = { "KeyTooLongError", 400, "Your key is too long." },
    [S3E_MALFORMED_XML] = { "MalformedXML", 400,
        "The XML you provided was not well-formed or did not validate against our published schema." },
    [S3E_METHOD_NOT_ALLOWED] = { "MethodNotAllowed", 405,
        "The specified method is not allowed against this resource." },
    [S3E_MISSING_CONTENT_LENGTH] = { "MissingContentLength", 411, "You must provide the Content-Length HTTP header." },
    [S3E_MISSING_SECURITY_HEADER] = { "MissingSecurityHeader", 400, "Your request is missing a required header." },
    [S3E_NO_SUCH_BUCKET] = { "NoSuchBucket", 404, "The specified bucket does not exist." },
    [S3E_NO_SUCH_KEY] = { "NoSuchKey", 404, "The specified key does not exist." },
    [S3E_NOT_IMPLEMENTED] = { "NotImplemented", 501,
        "A header or query you provided implies functionality that is not implemented." },
    [S3E_NOT_MODIFIED] = { "NotModified", 304, "Not Modified." },
    [S3E_PRECONDITION_FAILED] = { "PreconditionFailed", 412,
        "At least one of the preconditions you specified did not hold." },
    [S3E_REQUEST_TIME_TOO_SKEWED] = { "RequestTimeTooSkewed", 403,
        "The difference between the request time and the server's time is too large." },
    [S3E_SIGNATURE_DOES_NOT_MATCH] = { "SignatureDoesNotMatch", 403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method." },
    [S3E_SLOW_DOWN] = { "SlowDown", 503, "Please reduce your request rate." },
    [S3E_SERVICE_UNAVAILABLE] = { "ServiceUnavailable", 503, "The server is shutting down; retry on another node." },
    [S3E_STORAGE_FULL] = { "XMinioStorageFull", 507,
        "Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed." },
    [S3E_CONTENT_SHA256_MISMATCH] = { "XAmzContentSHA256Mismatch", 400,
        "The provided 'x-amz-content-sha256' header does not match what was computed." },
    [S3E_INVALID_CONTENT_SHA256] = { "InvalidArgument", 400, "x-amz-content-sha256 must be a SHA-256 hex digest, UNSIGNED-PAYLOAD or a STREAMING- value." },
    [S3E_INVALID_OBJECT_NAME] = { "InvalidArgument", 400, "Object name contains unsupported characters." },
    [S3E_MAX_MESSAGE_LENGTH_EXCEEDED] = { "MaxMessageLengthExceeded", 400, "Your request was too big." },
    [S3E_UNEXPECTED_CONTENT] = { "UnexpectedContent", 400, "This request does not support content." },
    [S3E_INVALID_EXPIRES] = { "AuthorizationQueryParametersError", 400,
        "X-Amz-Expires must be a number of seconds between 1 and 604800." },
    [S3E_INVALID_LOCATION] = { "InvalidLocationConstraint", 400, "The specified location constraint is not valid." },
    [S3E_METADATA_TOO_LARGE] = { "MetadataTooLarge", 400,
        "Your metadata headers exceed the maximum allowed metadata size." },
    [S3E_NO_SUCH_UPLOAD] = { "NoSuchUpload", 404,
        "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed." },
    [S3E_INVALID_PART] = { "InvalidPart", 400,
        "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag." },
    [S3E_INVALID_PART_ORDER] = { "InvalidPartOrder", 400,
        "The list of parts was not in ascending order. The parts list must be specified in order by part number." },
    [S3E_INVALID_PART_NUMBER] = { "InvalidPartNumber", 416, "The requested partnumber is not satisfiable." },
    [S3E_INVALID_STORAGE_CLASS] = { "InvalidStorageClass", 400, "The storage class you specified is not valid." },
    [S3E_INVALID_TAG] = { "InvalidTag", 400, "The tag provided was not a valid tag." },
    [S3E_NO_SUCH_TAG_SET] = { "NoSuchTagSet", 404, "The TagSet does not exist." },
    [S3E_NO_SUCH_CORS] = { "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist." },
    [S3E_CORS_FORBIDDEN] = { "AccessForbidden", 403, "CORSResponse: This CORS request is not allowed." },
    [S3E_BAD_REQUEST] = { "BadRequest", 400, "Bad Request." },
    [S3E_NO_SUCH_LIFECYCLE] = { "NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist." },
    [S3E_NO_LOCK_CONFIG] = { "ObjectLockConfigurationNotFoundError", 404,
        "Object Lock configuration does not exist for this bucket" },
    [S3E_NO_OBJECT_LOCK] = { "NoSuchObjectLockConfiguration", 404,
        "The specified object does not have an ObjectLock configuration" },
    [S3E_INVALID_BUCKET_STATE] = { "InvalidBucketState", 409,
        "The request is not valid with the current state of the bucket." },
    [S3E_NO_SUCH_VERSION] = { "NoSuchVersion", 404,
        "The specified version does not exist." },
    [S3E_MALFORMED_POST] = { "MalformedPOSTRequest", 400,
        "The body of your POST request is not well-formed multipart/form-data." },
    [S3E_INVALID_POLICY_DOCUMENT] = { "InvalidPolicyDocument", 400,
        "The content of the form does not meet the conditions specified in the policy document." },
    [S3E_MALFORMED_POLICY] = { "MalformedPolicy", 400, "Policy has invalid resource." },
    [S3E_NO_SUCH_BUCKET_POLICY] = { "NoSuchBucketPolicy", 404, "The bucket policy does not exist." },
    [S3E_EXPIRED_TOKEN] = { "ExpiredToken", 400, "The provided token has expired." },
    [S3E_INVALID_TOKEN] = { "InvalidToken", 400, "The provided token is malformed or otherwise invalid." },
    [S3E_INVALID_RETENTION_PERIOD] = { "InvalidRetentionPeriod", 400,
        "Default retention period must be a positive integer value (at most 36500 days or 100 years)." },
    [S3E_NO_SUCH_PUBLIC_ACCESS_BLOCK] = { "NoSuchPublicAccessBlockConfiguration", 404,
        "The public access block configuration was not found." },
    [S3E_OWNERSHIP_NOT_FOUND] = { "OwnershipControlsNotFoundError", 404,
        "The bucket ownership controls were not found." },
    [S3E_ACL_NOT_SUPPORTED] = { "AccessControlListNotSupported", 400, "The bucket does not allow ACLs." },
    [S3E_INVALID_BUCKET_ACL_WITH_OWNERSHIP] = { "InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting." },
    [S3E_NO_WRITE_QUORUM] = { "SlowDownWrite", 503,
        "Resource requested is unwritable, please reduce your request rate: too few drives are online for the write quorum." },
    [S3E_NO_READ_QUORUM] = { "SlowDownRead", 503,
        "Resource requested is unreadable, please reduce your request rate: too few drives are online for the read quorum." },
};

const s3_error_info *s3_error_lookup(s3_error e)
{
    if (e <= S3E_NONE || e >= S3E_COUNT) e = S3E_INTERNAL;
    return &table[e];
}

s3_error s3_error_from_store(store_status st, int key_level)
{
    switch (st) {
    case ST_OK: return S3E_NONE;
    case ST_NO_SUCH_BUCKET: return S3E_NO_SUCH_BUCKET;
    case ST_NO_SUCH_KEY: return key_level ? S3E_NO_SUCH_KEY : S3E_NO_SUCH_BUCKET;
    case ST_BUCKET_EXISTS: return S3E_BUCKET_ALREADY_OWNED;
    case ST_BUCKET_NOT_EMPTY: return S3E_BUCKET_NOT_EMPTY;
    case ST_PRECONDITION_FAILED: return S3E_PRECONDITION_FAILED;
    case ST_NO_SPACE: return S3E_STORAGE_FULL;
    case ST_SHUTTING_DOWN: return S3E_SERVICE_UNAVAILABLE;
    case ST_NO_SUCH_UPLOAD: case ST_UPLOAD_COMPLETED: return S3E_NO_SUCH_UPLOAD;
    case ST_NO_WRITE_QUORUM: return S3E_NO_WRITE_QUORUM;
    case ST_NO_SUCH_VERSION: return S3E_NO_SUCH_VERSION;
    case ST_DELETE_MARKER: return S3E_METHOD_NOT_ALLOWED;
    case ST_LOCKED: return S3E_ACCESS_DENIED;
    case ST_NO_READ_QUORUM: return S3E_NO_READ_QUORUM;
    case ST_INVALID_PART: return S3E_INVALID_PART;
    case ST_IO_ERROR: case ST_CORRUPT: return S3E_INTERNAL;
    }
    return S3E_INTERNAL;
}

void s3_send_error(http_exchange *ex, s3_error e, const char *resource, const char *message)
{
    if (http_response_started(ex)) {
        /* Too late for a status line: the client sees a cut response. */
        http_close_after(ex);
        http_finish(ex);
        return;
    }
    const s3_error_info *info = s3_error_lookup(e);
    arena *a = http_arena(ex);
    strbuf b;
    strbuf_init(&b, a, 512);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
    strbuf_puts(&b, info->code);
    strbuf_puts(&b, "</Code><Message>");
    const char *msg = message ? message : info->message;
    strbuf_xml_escape(&b, msg, strlen(msg));
    strbuf_puts(&b, "</Message>");
    if (resource) {
        strbuf_puts(&b, "<Resource>");
        strbuf_xml_escape(&b, resource, strlen(resource));
        strbuf_puts(&b, "</Resource>");
    }
    strbuf_printf(&b, "<RequestId>%s</RequestId><HostId>cairn</HostId></Error>", http_request_id(ex));
    if (info->status == 304) {
        http_send_head(ex, 304, -1);
        http_finish(ex);
        return;
    }
    http_respond(ex, info->status, "application/xml", b.data, b.len);
}

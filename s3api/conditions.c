/*
 * conditions — evaluating If-Match, If-None-Match, If-Modified-Since and
 * If-Unmodified-Since (and their x-amz-copy-source-if-* twins) against an
 * object, in the order RFC 9110 and the S3 reference give.
 */
#include "internal.h"

s3_error s3_check_conditions(const object_info *o, const char *if_match, const char *if_none_match,
                             const char *if_modified_since, const char *if_unmodified_since, int for_copy)
{
    time_t mtime = (time_t)(o->mtime_ns / 1000000000), t;
    /* RFC 7232 order: If-Match, else If-Unmodified-Since; then
     * If-None-Match, else If-Modified-Since. */
    if (if_match) {
        if (!etag_list_matches(if_match, o->etag)) return S3E_PRECONDITION_FAILED;
    } else if (if_unmodified_since && parse_http_date(if_unmodified_since, &t) == 0 && mtime > t) {
        return S3E_PRECONDITION_FAILED;
    }
    if (if_none_match) {
        if (etag_list_matches(if_none_match, o->etag))
            return for_copy ? S3E_PRECONDITION_FAILED : S3E_NOT_MODIFIED;
    } else if (if_modified_since && parse_http_date(if_modified_since, &t) == 0 && mtime <= t) {
        return for_copy ? S3E_PRECONDITION_FAILED : S3E_NOT_MODIFIED;
    }
    return S3E_NONE;
}


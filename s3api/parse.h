/*
 * parse — the small grammars of S3 requests, as pure functions: Range,
 * HTTP dates, ETag lists in conditional headers, bucket-name and key rules,
 * query strings.  Unit-tested on their own (tests/unit/test_parse.c).
 */
#ifndef CAIRN_S3_PARSE_H
#define CAIRN_S3_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../common/arena.h"
#include "../common/timefmt.h"

/* Range */
typedef enum { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE } range_result;
/* Parses a Range header against an object of `size` bytes.  Syntax errors
 * and multi-range requests are ignored (RANGE_NONE: serve everything), as
 * HTTP allows; a valid range outside the object is RANGE_UNSATISFIABLE. */
range_result parse_range(const char *header, uint64_t size, uint64_t *first, uint64_t *last);

/* Dates */
int parse_http_date(const char *s, time_t *out);     /* RFC 1123, RFC 850, asctime */
/* 2030-01-01T00:00:00Z, fractional seconds allowed; ns since the epoch. */
int parse_iso8601(const char *s, int64_t *ns);
/* An ETag as clients send it ("abc", &quot;abc&quot; or bare), bare. */
const char *etag_unquote(arena *a, const char *etag);
int parse_amz_date(const char *s, time_t *out);      /* 20130524T000000Z */
/* format_http_date, format_iso8601_ms: common/timefmt.h */

/* ETag lists: If-Match / If-None-Match values ("*", "a", W/"b", "a", "b") */
int etag_list_matches(const char *header, const char *etag_unquoted);

/* Names */
int bucket_name_valid(const char *name);
enum { KEY_OK = 0, KEY_TOO_LONG, KEY_INVALID };
int object_key_check(const char *key, size_t len);
int utf8_valid(const char *s, size_t n);

/* Percent-decoding of a path or query component ('+' is a space only when
 * form_plus).  Returns NULL on a bad escape; *len gets the decoded length
 * (a decoded NUL shows up as len > strlen). */
char *url_decode(arena *a, const char *s, size_t n, int form_plus, size_t *len);
/* %XX-encodes every byte except unreserved ones (and '/' when keep_slash). */
char *url_encode(arena *a, const char *s, int keep_slash);

typedef struct query_param { const char *name; const char *value; int has_value; } query_param;
typedef struct query {
    query_param *params;
    size_t n;
} query;
/* Splits a raw query string; names and values are percent-decoded. */
int query_parse(arena *a, const char *raw, query *q);
const query_param *query_find(const query *q, const char *name);
const char *query_get(const query *q, const char *name);

void hex_encode(const unsigned char *p, size_t n, char *out);

#endif

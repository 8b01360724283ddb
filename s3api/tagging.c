/*
 * tagging — object and bucket tags: Put/Get/DeleteObjectTagging,
 * Put/Get/DeleteBucketTagging, the x-amz-tagging header on PUT, copy and
 * CreateMultipartUpload, and the AWS limits (10 tags per object, 50 per
 * bucket, keys of 1-128 and values of 0-256 characters from the allowed
 * set, no duplicate keys, no "aws:" prefix).
 *
 * A tag set is stored as the URL query string S3 itself uses in
 * x-amz-tagging ("k1=v1&k2=v2", each part percent-encoded).
 */
#include <string.h>

#include "internal.h"
#include "xml.h"

enum { MAX_OBJECT_TAGS = 10, MAX_BUCKET_TAGS = 50, MAX_TAG_BODY = 64 * 1024 };

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static int allowed_char(unsigned char c)
{
    /* letters, digits and spaces of any script (UTF-8 bytes >= 0x80), and + - = . _ : / @ */
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || strchr("+-=._:/@", c);
}

static const char *check_tags(const tag_pair *t, size_t n, size_t max)
{
    if (n > max) return max == MAX_OBJECT_TAGS ? "Object tags cannot be greater than 10" : "Bucket tags cannot be greater than 50";
    for (size_t i = 0; i < n; i++) {
        size_t kl = utf8_chars(t[i].key), vl = utf8_chars(t[i].value);
        if (kl < 1 || kl > 128) return "The TagKey you have provided is invalid";
        if (vl > 256) return "The TagValue you have provided is invalid";
        if (!utf8_valid(t[i].key, strlen(t[i].key)) || !utf8_valid(t[i].value, strlen(t[i].value)))
            return "The TagKey you have provided is invalid";
        for (const char *p = t[i].key; *p; p++) if (!allowed_char((unsigned char)*p)) return "The TagKey you have provided is invalid";
        for (const char *p = t[i].value; *p; p++) if (!allowed_char((unsigned char)*p)) return "The TagValue you have provided is invalid";
        if (strncmp(t[i].key, "aws:", 4) == 0) return "System tags cannot be added/updated by requester";
        for (size_t j = 0; j < i; j++)
            if (strcmp(t[i].key, t[j].key) == 0) return "Cannot provide multiple Tags with the same key";
    }
    return NULL;
}

static int tag_cmp(const void *x, const void *y)
{
    return strcmp(((const tag_pair *)x)->key, ((const tag_pair *)y)->key);
}

/* Stored sorted by key (tags are a set; RGW and MinIO answer in key
 * order, and a stable order makes GET answers comparable). */
static char *encode_tags(arena *a, tag_pair *t, size_t n)
{
    qsort(t, n, sizeof *t, tag_cmp);
    strbuf b;
    strbuf_init(&b, a, 64);
    for (size_t i = 0; i < n; i++) {
        if (i) strbuf_puts(&b, "&");
        strbuf_puts(&b, url_encode(a, t[i].key, 0));
        strbuf_puts(&b, "=");
        strbuf_puts(&b, url_encode(a, t[i].value, 0));
    }
    return b.data;
}

static size_t decode_tags(arena *a, const char *stored, tag_pair **out)
{
    query q;
    if (!stored || !*stored || query_parse(a, stored, &q) != 0) { *out = NULL; return 0; }
    tag_pair *t = arena_alloc(a, (q.n ? q.n : 1) * sizeof *t);
    for (size_t i = 0; i < q.n; i++) {
        t[i].key = q.params[i].name;
        t[i].value = q.params[i].value;
    }
    *out = t;
    return q.n;
}

size_t s3_tag_count(const char *stored)
{
    if (!stored || !*stored) return 0;
    size_t n = 1;
    for (const char *p = stored; *p; p++) n += *p == '&';
    return n;
}

s3_error s3_tags_from_xml(s3_req *r, const char *xml, const char **out, const char **message)
{
    tag_pair *t;
    size_t count;
    *out = NULL;
    if (xml_parse_tagging(r->a, xml, strlen(xml), MAX_OBJECT_TAGS + 1, &t, &count) != 0) {
        *message = "The tagging document is not a well-formed Tagging document.";
        return S3E_MALFORMED_XML;
    }
    const char *bad = check_tags(t, count, MAX_OBJECT_TAGS);
    if (bad) { *message = bad; return S3E_INVALID_TAG; }
    *out = count ? encode_tags(r->a, t, count) : NULL;
    return S3E_NONE;
}

s3_error s3_tags_from_header(s3_req *r, const char **out, const char **message)
{
    *out = NULL;
    const char *h = s3_header(r, "x-amz-tagging");
    if (!h) return S3E_NONE;
    query q;
    if (query_parse(r->a, h, &q) != 0) { *message = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."; return S3E_INVALID_ARGUMENT; }
    tag_pair *t = arena_alloc(r->a, (q.n ? q.n : 1) * sizeof *t);
    for (size_t i = 0; i < q.n; i++) {
        t[i].key = q.params[i].name;
        t[i].value = q.params[i].value;
    }
    const char *bad = check_tags(t, q.n, MAX_OBJECT_TAGS);
    if (bad) { *message = bad; return S3E_INVALID_TAG; }
    *out = q.n ? encode_tags(r->a, t, q.n) : NULL;
    return S3E_NONE;
}

static void tagging_xml(s3_req *r, const char *stored)
{
    tag_pair *t;
    size_t n = decode_tags(r->a, stored, &t);
    strbuf b;
    strbuf_init(&b, r->a, 256);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"" S3_XMLNS "\"><TagSet>");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&b, "<Tag><Key>");
        strbuf_xml_escape(&b, t[i].key, strlen(t[i].key));
        strbuf_puts(&b, "</Key><Value>");
        strbuf_xml_escape(&b, t[i].value, strlen(t[i].value));
        strbuf_puts(&b, "</Value></Tag>");
    }
    strbuf_puts(&b, "</TagSet></Tagging>");
    s3_xml_reply(r, 200, &b);
}

static void write_done(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, r->key != NULL), NULL);
        else {
            const char *vid = r->key ? query_get(&r->q, "versionId") : NULL;
            if (vid) http_add_header(r->ex, "x-amz-version-id", vid);
            http_respond(r->ex, strcmp(r->http->method, "DELETE") == 0 ? 204 : 200, NULL, NULL, 0);
        }
    }
    http_release(r->ex);
}

static void put_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    size_t max = r->key ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
    tag_pair *t;
    size_t count;
    if (xml_parse_tagging(r->a, body, n, max + 1, &t, &count) != 0) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    const char *bad = check_tags(t, count, max);
    if (bad) { s3_error_reply(r, S3E_INVALID_TAG, bad); return; }
    char *enc = count ? encode_tags(r->a, t, count) : NULL;
    http_hold(r->ex);
    if (r->key)
        store_object_set_tags(r->api->cfg.store, r->bucket, r->key, query_get(&r->q, "versionId"), enc, write_done, r);
    else store_bucket_config_set(r->api->cfg.store, r->bucket, "tagging", enc ? enc : "", enc ? strlen(enc) : 0,
                                 write_done, r);
}

void op_tagging(s3_req *r)
{
    const char *m = r->http->method;
    store *st = r->api->cfg.store;
    if (strcmp(m, "GET") == 0) {
        if (r->key) {
            object_info o;
            store_status s = s3_lookup_object(r, &o);
            if (s) { s3_error_reply(r, s3_error_from_store(s, 1), NULL); return; }
            if (o.version_id[0]) http_add_header(r->ex, "x-amz-version-id", o.version_id);
            tagging_xml(r, o.tags);
        } else {
            char *doc;
            size_t len;
            store_status s = store_bucket_config_get(st, r->a, r->bucket, "tagging", &doc, &len);
            if (s == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_SUCH_TAG_SET, NULL); return; }
            if (s) { s3_error_reply(r, s3_error_from_store(s, 0), NULL); return; }
            tagging_xml(r, doc);
        }
    } else if (strcmp(m, "PUT") == 0) {
        s3_body_collect(r, MAX_TAG_BODY, put_body);
    } else if (strcmp(m, "DELETE") == 0) {
        http_hold(r->ex);
        if (r->key) store_object_set_tags(st, r->bucket, r->key, query_get(&r->q, "versionId"), NULL, write_done, r);
        else store_bucket_config_set(st, r->bucket, "tagging", NULL, 0, write_done, r);
    } else {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
    }
}

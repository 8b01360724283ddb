/*
 * list — ListObjects (V1) and ListObjectsV2 over the store's ordered
 * metadata scan: prefix, delimiter, markers and continuation tokens are
 * seeks, so a page costs the same whatever the bucket holds.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"


/* Writes <tag>value</tag>, URL-encoded when the client asked for it. */
static void xml_field(strbuf *b, s3_req *r, const char *tag, const char *value, int url)
{
    size_t tl = strlen(tag);
    strbuf_append(b, "<", 1);
    strbuf_append(b, tag, tl);
    strbuf_append(b, ">", 1);
    const char *v = url ? url_encode(r->a, value, 1) : value;
    strbuf_xml_escape(b, v, strlen(v));
    strbuf_append(b, "</", 2);
    strbuf_append(b, tag, tl);
    strbuf_append(b, ">", 1);
}

static int parse_max_keys(const char *s, size_t *out)
{
    if (!s) { *out = 1000; return 0; }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0) return -1;
    *out = v > 1000 ? 1000 : (size_t)v;
    return 0;
}

void op_list_objects(s3_req *r, int v2)
{
    const char *prefix = query_get(&r->q, "prefix");
    const char *delim = query_get(&r->q, "delimiter");
    const char *enc = query_get(&r->q, "encoding-type");
    int url = 0;
    if (enc) {
        if (strcmp(enc, "url") != 0) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid Encoding Method specified in Request"); return; }
        url = 1;
    }
    size_t max_keys;
    if (parse_max_keys(query_get(&r->q, "max-keys"), &max_keys) != 0) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "max-keys must be a non-negative integer.");
        return;
    }
    const char *marker = NULL, *token = NULL, *start_after = NULL;
    if (v2) {
        token = query_get(&r->q, "continuation-token");
        start_after = query_get(&r->q, "start-after");
        if (token && *token) {   /* an empty token starts from the beginning, and is echoed */
            unsigned char *dec = arena_alloc(r->a, strlen(token) + 1);
            long n = b64_decode(token, strlen(token), dec, strlen(token) + 1);
            if (n <= 0 || memchr(dec, '\0', (size_t)n)) {
                s3_error_reply(r, S3E_INVALID_ARGUMENT, "The continuation token provided is incorrect");
                return;
            }
            dec[n] = '\0';
            marker = (const char *)dec;
        } else {
            marker = start_after;
        }
    } else {
        marker = query_get(&r->q, "marker");
    }

    list_params p = { .prefix = prefix, .delimiter = delim, .after = marker && *marker ? marker : NULL,
                      .max_keys = max_keys };
    list_result res;
    memset(&res, 0, sizeof res);
    store_status st;
    if (max_keys == 0) {
        st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    } else {
        st = store_object_list(r->api->cfg.store, r->a, r->bucket, &p, &res);
    }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }

    int fetch_owner = !v2;
    if (v2) {
        const char *fo = query_get(&r->q, "fetch-owner");
        fetch_owner = fo && strcmp(fo, "true") == 0;
    }
    strbuf b;
    strbuf_init(&b, r->a, 4096 + res.n_objects * 256);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"" S3_XMLNS "\">");
    xml_field(&b, r, "Name", r->bucket, 0);
    /* ListObjects (v1) echoes its Prefix as sent even with encoding-type
     * url (AWS does; SDKs decode it only in v2 answers) */
    xml_field(&b, r, "Prefix", prefix ? prefix : "", url && v2);
    if (v2) {
        if (token) xml_field(&b, r, "ContinuationToken", token, 0);
        if (start_after) xml_field(&b, r, "StartAfter", start_after, url);
        strbuf_printf(&b, "<KeyCount>%zu</KeyCount>", res.n_objects + res.n_prefixes);
    } else {
        xml_field(&b, r, "Marker", marker ? marker : "", url);
    }
    strbuf_printf(&b, "<MaxKeys>%zu</MaxKeys>", max_keys);
    if (delim && *delim) xml_field(&b, r, "Delimiter", delim, url);
    strbuf_printf(&b, "<IsTruncated>%s</IsTruncated>", res.truncated ? "true" : "false");
    if (res.truncated && res.next_marker) {
        if (v2) {
            char *t = arena_alloc(r->a, B64_ENCODED_LEN(strlen(res.next_marker)) + 1);
            b64_encode(res.next_marker, strlen(res.next_marker), t, B64_ENCODED_LEN(strlen(res.next_marker)) + 1);
            xml_field(&b, r, "NextContinuationToken", t, 0);
        } else if (delim && *delim) {
            /* V1 returns NextMarker only with a delimiter; without one the
             * client continues from the last key. */
            xml_field(&b, r, "NextMarker", res.next_marker, url);
        }
    }
    if (url) strbuf_puts(&b, "<EncodingType>url</EncodingType>");
    for (size_t i = 0; i < res.n_objects; i++) {
        const object_info *o = &res.objects[i];
        char date[40];
        format_iso8601_ms(o->mtime_ns, date, sizeof date);
        strbuf_puts(&b, "<Contents>");
        xml_field(&b, r, "Key", o->key, url);
        strbuf_puts(&b, "<LastModified>");
        strbuf_puts(&b, date);
        strbuf_puts(&b, "</LastModified><ETag>&quot;");
        strbuf_puts(&b, o->etag);
        strbuf_puts(&b, "&quot;</ETag><Size>");
        strbuf_put_u64(&b, o->size);
        strbuf_puts(&b, "</Size>");
        if (fetch_owner) {
            s3_xml_owner(&b, r, "Owner");
        }
        strbuf_puts(&b, "<StorageClass>");
        strbuf_puts(&b, S3_STORAGE_CLASS_NAME(o->reduced));
        strbuf_puts(&b, "</StorageClass></Contents>");
    }
    for (size_t i = 0; i < res.n_prefixes; i++) {
        strbuf_puts(&b, "<CommonPrefixes>");
        xml_field(&b, r, "Prefix", res.prefixes[i], url);
        strbuf_puts(&b, "</CommonPrefixes>");
    }
    strbuf_puts(&b, "</ListBucketResult>");
    s3_xml_reply(r, 200, &b);
}

/*
 * versioning — bucket versioning (Put/GetBucketVersioning) and
 * ListObjectVersions.  The per-object parts (version ids on PUT, GET, HEAD,
 * DELETE, copy sources, delete markers) live with those operations; the
 * storage layer keeps the versions (storage/meta.c).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xml.h"

enum { MAX_VERSIONING_BODY = 16 * 1024 };


static void versioning_set(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void versioning_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    static const char *const fields[] = { "Status", "MfaDelete" };
    const char *v[2];
    if (!body || xml_parse_fields(r->a, body, n, "VersioningConfiguration", fields, v, 2) != 0) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    const char *status = v[0], *mfa = v[1];
    if (mfa && strcmp(mfa, "Enabled") == 0) {
        s3_error_reply(r, S3E_NOT_IMPLEMENTED, "MFA delete is not implemented.");
        return;
    }
    if (!status || (strcmp(status, "Enabled") != 0 && strcmp(status, "Suspended") != 0)) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    int dmode;
    int64_t dns;
    if (strcmp(status, "Suspended") == 0 && s3_bucket_lock_enabled(r, &dmode, &dns)) {
        s3_error_reply(r, S3E_INVALID_BUCKET_STATE, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
        return;
    }
    http_hold(r->ex);
    store_set_bucket_versioning(r->api->cfg.store, r->bucket, strcmp(status, "Enabled") == 0, versioning_set, r);
}

void op_bucket_versioning(s3_req *r)
{
    if (strcmp(r->http->method, "PUT") == 0) {
        s3_body_collect(r, MAX_VERSIONING_BODY, versioning_body);
        return;
    }
    store_status st = store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    int v = store_bucket_versioning(r->api->cfg.store, r->bucket);
    strbuf b;
    strbuf_init(&b, r->a, 256);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration xmlns=\"" S3_XMLNS "\">");
    /* a bucket that never had versioning enabled has an empty configuration */
    if (v) strbuf_printf(&b, "<Status>%s</Status>", v == 1 ? "Enabled" : "Suspended");
    strbuf_puts(&b, "</VersioningConfiguration>");
    s3_xml_reply(r, 200, &b);
}

static void xml_field(strbuf *b, s3_req *r, const char *tag, const char *value, int url)
{
    strbuf_printf(b, "<%s>", tag);
    const char *v = url ? url_encode(r->a, value, 1) : value;
    strbuf_xml_escape(b, v, strlen(v));
    strbuf_printf(b, "</%s>", tag);
}

void op_list_object_versions(s3_req *r)
{
    version_list_params p = {
        .prefix = query_get(&r->q, "prefix"),
        .delimiter = query_get(&r->q, "delimiter"),
        .key_marker = query_get(&r->q, "key-marker"),
        .version_id_marker = query_get(&r->q, "version-id-marker"),
        .max = 1000,
    };
    const char *enc = query_get(&r->q, "encoding-type");
    int url = enc && strcmp(enc, "url") == 0;
    if (enc && !url) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "Invalid Encoding Method specified in Request"); return; }
    const char *mk = query_get(&r->q, "max-keys");
    if (mk) {
        char *end;
        long long v = strtoll(mk, &end, 10);
        if (!*mk || *end || v < 0) { s3_error_reply(r, S3E_INVALID_ARGUMENT, "max-keys must be a non-negative integer."); return; }
        p.max = v > 1000 ? 1000 : (size_t)v;
    }
    if (p.version_id_marker && *p.version_id_marker && !(p.key_marker && *p.key_marker)) {
        s3_error_reply(r, S3E_INVALID_ARGUMENT, "A version-id marker cannot be specified without a key marker.");
        return;
    }
    version_entry *vs = NULL;
    const char **prefixes = NULL, *next_key = NULL, *next_version = NULL;
    size_t n = 0, np = 0;
    int truncated = 0;
    store_status st = p.max ? store_list_versions(r->api->cfg.store, r->a, r->bucket, &p, &vs, &n, &prefixes, &np,
                                                  &truncated, &next_key, &next_version)
                            : store_bucket_get(r->api->cfg.store, r->bucket, NULL);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    strbuf b;
    strbuf_init(&b, r->a, 1024 + n * 400);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult xmlns=\"" S3_XMLNS "\">");
    xml_field(&b, r, "Name", r->bucket, 0);
    xml_field(&b, r, "Prefix", p.prefix ? p.prefix : "", url);
    xml_field(&b, r, "KeyMarker", p.key_marker ? p.key_marker : "", url);
    xml_field(&b, r, "VersionIdMarker", p.version_id_marker ? p.version_id_marker : "", 0);
    if (truncated && next_key) {
        xml_field(&b, r, "NextKeyMarker", next_key, url);
        if (next_version) xml_field(&b, r, "NextVersionIdMarker", next_version, 0);
    }
    strbuf_printf(&b, "<MaxKeys>%zu</MaxKeys>", p.max);
    if (p.delimiter && *p.delimiter) xml_field(&b, r, "Delimiter", p.delimiter, url);
    strbuf_printf(&b, "<IsTruncated>%s</IsTruncated>", truncated ? "true" : "false");
    if (url) strbuf_puts(&b, "<EncodingType>url</EncodingType>");
    for (size_t i = 0; i < n; i++) {
        const object_info *o = &vs[i].info;
        char date[40];
        format_iso8601_ms(o->mtime_ns, date, sizeof date);
        int marker = (o->flags & OBJ_DELETE_MARKER) != 0;
        strbuf_puts(&b, marker ? "<DeleteMarker>" : "<Version>");
        xml_field(&b, r, "Key", o->key, url);
        xml_field(&b, r, "VersionId", o->version_id[0] ? o->version_id : "null", 0);
        strbuf_printf(&b, "<IsLatest>%s</IsLatest><LastModified>%s</LastModified>", vs[i].is_latest ? "true" : "false", date);
        if (!marker)
            strbuf_printf(&b, "<ETag>&quot;%s&quot;</ETag><Size>%llu</Size><StorageClass>%s</StorageClass>", o->etag,
                          (unsigned long long)o->size, S3_STORAGE_CLASS_NAME(o->reduced));
        s3_xml_owner(&b, r, "Owner");
        strbuf_puts(&b, marker ? "</DeleteMarker>" : "</Version>");
    }
    for (size_t i = 0; i < np; i++) {
        strbuf_puts(&b, "<CommonPrefixes>");
        xml_field(&b, r, "Prefix", prefixes[i], url);
        strbuf_puts(&b, "</CommonPrefixes>");
    }
    strbuf_puts(&b, "</ListVersionsResult>");
    s3_xml_reply(r, 200, &b);
}

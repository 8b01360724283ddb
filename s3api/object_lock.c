/*
 * object_lock — WORM buckets: object lock enabled at bucket creation (or
 * on a versioned bucket), Put/GetObjectLockConfiguration with a default
 * retention, retention and legal hold per version (headers on PUT, copy
 * and CreateMultipartUpload; Put/GetObjectRetention, Put/GetObjectLegalHold).
 *
 * Enforcement is in storage: a delete of a locked version is refused
 * inside the metadata transaction, for root as for anyone; GOVERNANCE
 * yields to x-amz-bypass-governance-retention: true, COMPLIANCE to nobody
 * until the date passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "xml.h"

enum { MAX_LOCK_BODY = 16 * 1024 };

/* ObjectLockConfiguration's fields: ObjectLockEnabled, then the default
 * retention's Mode, Days, Years. */
enum { LC_ENABLED, LC_MODE, LC_DAYS, LC_YEARS, LC_FIELDS };

static int parse_lock_config(arena *a, const char *doc, size_t len, const char *v[LC_FIELDS])
{
    static const char *const fields[LC_FIELDS] = { "ObjectLockEnabled", "Rule/DefaultRetention/Mode",
                                                   "Rule/DefaultRetention/Days", "Rule/DefaultRetention/Years" };
    return xml_parse_fields(a, doc, len, "ObjectLockConfiguration", fields, v, LC_FIELDS);
}

static int mode_of(const char *m)
{
    if (!m) return -1;
    if (strcmp(m, "GOVERNANCE") == 0) return LOCK_GOVERNANCE;
    if (strcmp(m, "COMPLIANCE") == 0) return LOCK_COMPLIANCE;
    return -1;
}

static const char *mode_name(int m) { return m == LOCK_COMPLIANCE ? "COMPLIANCE" : "GOVERNANCE"; }

int s3_bucket_lock_enabled(s3_req *r, int *default_mode, int64_t *default_ns)
{
    char *doc;
    size_t len;
    *default_mode = 0;
    *default_ns = 0;
    if (store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "object-lock", &doc, &len) != ST_OK) return 0;
    const char *v[LC_FIELDS];
    if (parse_lock_config(r->a, doc, len, v) != 0) return 1; /* validated when stored */
    const char *mode = v[LC_MODE], *days = v[LC_DAYS], *years = v[LC_YEARS];
    if (mode) {
        *default_mode = mode_of(mode);
        int64_t d = days ? atoll(days) : years ? atoll(years) * 365 : 0;
        *default_ns = d * 86400 * (int64_t)1000000000;
    }
    return 1;
}

s3_error s3_lock_from_headers(s3_req *r, object_info *o, const char **msg)
{
    const char *mode = s3_header(r, "x-amz-object-lock-mode");
    const char *until = s3_header(r, "x-amz-object-lock-retain-until-date");
    const char *hold = s3_header(r, "x-amz-object-lock-legal-hold");
    int dmode;
    int64_t dns;
    int enabled = s3_bucket_lock_enabled(r, &dmode, &dns);
    if ((mode || until || hold) && !enabled) {
        *msg = "Bucket is missing Object Lock Configuration";
        return S3E_INVALID_REQUEST;
    }
    if (!enabled) return S3E_NONE;
    if (!!mode != !!until) {
        *msg = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied";
        return S3E_INVALID_ARGUMENT;
    }
    if (mode) {
        int m = mode_of(mode);
        int64_t ns;
        if (m < 0) { *msg = "Unknown wormMode directive."; return S3E_INVALID_ARGUMENT; }
        if (parse_iso8601(until, &ns) != 0) { *msg = "The retain until date must be in ISO 8601 form."; return S3E_INVALID_ARGUMENT; }
        if (ns <= (int64_t)time(NULL) * 1000000000) { *msg = "The retain until date must be in the future!"; return S3E_INVALID_ARGUMENT; }
        o->lock_mode = (uint8_t)m;
        o->retain_until_ns = ns;
    } else if (dmode > 0) {
        /* the bucket's default retention */
        o->lock_mode = (uint8_t)dmode;
        o->retain_until_ns = (int64_t)time(NULL) * 1000000000 + dns;
    }
    if (hold) {
        if (strcmp(hold, "ON") != 0 && strcmp(hold, "OFF") != 0) { *msg = "Legal hold must be ON or OFF."; return S3E_INVALID_ARGUMENT; }
        o->legal_hold = strcmp(hold, "ON") == 0;
    }
    return S3E_NONE;
}

int s3_bypass_governance(s3_req *r)
{
    const char *b = s3_header(r, "x-amz-bypass-governance-retention");
    return b && strcasecmp(b, "true") == 0;
}

/* ---------- bucket configuration ---------- */

static void config_written(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st) s3_error_reply(r, s3_error_from_store(st, 0), NULL);
        else http_respond(r->ex, 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void config_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    const char *v[LC_FIELDS];
    if (!body || parse_lock_config(r->a, body, n, v) != 0) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    const char *enabled = v[LC_ENABLED];
    if (!enabled || strcmp(enabled, "Enabled") != 0) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    const char *mode = v[LC_MODE], *days = v[LC_DAYS], *years = v[LC_YEARS];
    if (mode || days || years) {
        if (mode_of(mode) < 0 || (!!days == !!years)) {
            s3_error_reply(r, S3E_MALFORMED_XML, "A default retention needs a Mode and exactly one of Days or Years.");
            return;
        }
        char *end;
        long long period = strtoll(days ? days : years, &end, 10);
        if (*end || period <= 0 || period > (days ? 36500 : 100)) {
            s3_error_reply(r, S3E_INVALID_RETENTION_PERIOD, NULL);
            return;
        }
    }
    if (store_bucket_versioning(r->api->cfg.store, r->bucket) != 1) {
        s3_error_reply(r, S3E_INVALID_BUCKET_STATE, "Object lock needs versioning enabled on the bucket.");
        return;
    }
    http_hold(r->ex);
    store_bucket_config_set(r->api->cfg.store, r->bucket, "object-lock", body, n, config_written, r);
}

void op_object_lock_config(s3_req *r)
{
    if (strcmp(r->http->method, "PUT") == 0) {
        s3_body_collect(r, MAX_LOCK_BODY, config_body);
        return;
    }
    char *doc;
    size_t len;
    store_status st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "object-lock", &doc, &len);
    if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_LOCK_CONFIG, NULL); return; }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    http_respond(r->ex, 200, "application/xml", doc, len);
}

/* ---------- retention and legal hold of a version ---------- */

static void lock_written(void *arg, store_status st)
{
    s3_req *r = arg;
    if (!http_is_aborted(r->ex)) {
        if (st == ST_LOCKED)
            s3_error_reply(r, S3E_ACCESS_DENIED, "Object is WORM protected and cannot be overwritten or shortened.");
        else if (st)
            s3_error_reply(r, s3_error_from_store(st, 1), NULL);
        else
            http_respond(r->ex, 200, NULL, NULL, 0);
    }
    http_release(r->ex);
}

static void retention_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    lock_change c = { .set_retention = 1, .bypass_governance = s3_bypass_governance(r) };
    static const char *const fields[] = { "Mode", "RetainUntilDate" };
    const char *v[2];
    if (!body || xml_parse_fields(r->a, body, n, "Retention", fields, v, 2) != 0) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    const char *mode = v[0], *until = v[1];
    if (mode || until) {
        int m = mode_of(mode);
        if (m < 0 || !until || parse_iso8601(until, &c.retain_until_ns) != 0) {
            s3_error_reply(r, S3E_MALFORMED_XML, NULL);
            return;
        }
        c.mode = (uint8_t)m;
    }
    http_hold(r->ex);
    store_object_set_lock(r->api->cfg.store, r->bucket, r->key, query_get(&r->q, "versionId"), &c, lock_written, r);
}

static void hold_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    static const char *const fields[] = { "Status" };
    const char *status = NULL;
    if (body && xml_parse_fields(r->a, body, n, "LegalHold", fields, &status, 1) != 0) status = NULL;
    if (!status || (strcmp(status, "ON") != 0 && strcmp(status, "OFF") != 0)) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    lock_change c = { .set_legal_hold = 1, .legal_hold = strcmp(status, "ON") == 0 };
    http_hold(r->ex);
    store_object_set_lock(r->api->cfg.store, r->bucket, r->key, query_get(&r->q, "versionId"), &c, lock_written, r);
}

void op_object_lock(s3_req *r, int legal_hold)
{
    int dmode;
    int64_t dns;
    if (!s3_bucket_lock_enabled(r, &dmode, &dns)) {
        if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        else s3_error_reply(r, S3E_INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        return;
    }
    if (strcmp(r->http->method, "PUT") == 0) {
        s3_body_collect(r, MAX_LOCK_BODY, legal_hold ? hold_body : retention_body);
        return;
    }
    object_info o;
    store_status st = s3_lookup_object(r, &o);
    if (st) { s3_error_reply(r, s3_error_from_store(st, 1), NULL); return; }
    strbuf b;
    strbuf_init(&b, r->a, 256);
    if (legal_hold) {
        strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LegalHold xmlns=\"" S3_XMLNS "\"><Status>%s</Status></LegalHold>",
                      o.legal_hold ? "ON" : "OFF");
    } else {
        if (!o.lock_mode) { s3_error_reply(r, S3E_NO_OBJECT_LOCK, NULL); return; }
        char date[40];
        format_iso8601_ms(o.retain_until_ns, date, sizeof date);
        strbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention xmlns=\"" S3_XMLNS "\"><Mode>%s</Mode>"
                          "<RetainUntilDate>%s</RetainUntilDate></Retention>", mode_name(o.lock_mode), date);
    }
    s3_xml_reply(r, 200, &b);
}

void s3_add_lock_headers(s3_req *r, const object_info *o)
{
    if (o->lock_mode) {
        char date[40];
        format_iso8601_ms(o->retain_until_ns, date, sizeof date);
        http_add_header(r->ex, "x-amz-object-lock-mode", mode_name(o->lock_mode));
        http_add_header(r->ex, "x-amz-object-lock-retain-until-date", date);
    }
    if (o->legal_hold) http_add_header(r->ex, "x-amz-object-lock-legal-hold", "ON");
}

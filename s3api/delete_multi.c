/*
 * delete_multi — DeleteObjects (POST ?delete): the request parsed by
 * xml.c (bounded: 1000 keys), every delete queued at once so the store
 * commits them in one group, and the DeleteResult.
 */
#include <string.h>

#include "internal.h"
#include "xml.h"

enum { MAX_DELETE_KEYS = 1000, MAX_DELETE_BODY = 2 * 1024 * 1024 };

typedef struct del_item {
    const char *key;
    const char *version_id;          /* asked for */
    char result_version[40];         /* removed or created */
    int marker;
    s3_error err;
    delete_conditions cond;          /* the entry's ETag / Size / LastModifiedTime */
    struct del_multi *owner;
} del_item;

typedef struct del_multi {
    s3_req *r;
    del_item *items;
    size_t n, pending;
    int quiet;
} del_multi;

static void put_version(strbuf *b, const char *version_id)
{
    if (!version_id) return;
    strbuf_puts(b, "<VersionId>");
    strbuf_xml_escape(b, version_id, strlen(version_id));
    strbuf_puts(b, "</VersionId>");
}

static void reply(del_multi *d)
{
    s3_req *r = d->r;
    strbuf b;
    strbuf_init(&b, r->a, 256 + d->n * 128);
    strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"" S3_XMLNS "\">");
    for (size_t i = 0; i < d->n; i++) {
        del_item *it = &d->items[i];
        if (it->err == S3E_NONE) {
            if (d->quiet) continue;
            strbuf_puts(&b, "<Deleted><Key>");
            strbuf_xml_escape(&b, it->key, strlen(it->key));
            strbuf_puts(&b, "</Key>");
            put_version(&b, it->version_id);
            if (it->marker) {
                strbuf_puts(&b, "<DeleteMarker>true</DeleteMarker>");
                if (it->result_version[0]) strbuf_printf(&b, "<DeleteMarkerVersionId>%s</DeleteMarkerVersionId>", it->result_version);
            }
            strbuf_puts(&b, "</Deleted>");
        } else {
            const s3_error_info *info = s3_error_lookup(it->err);
            strbuf_puts(&b, "<Error><Key>");
            strbuf_xml_escape(&b, it->key, strlen(it->key));
            strbuf_puts(&b, "</Key>");
            /* the version asked for, so a client can retry or inspect it */
            put_version(&b, it->version_id);
            strbuf_printf(&b, "<Code>%s</Code><Message>", info->code);
            strbuf_xml_escape(&b, info->message, strlen(info->message));
            strbuf_puts(&b, "</Message></Error>");
        }
    }
    strbuf_puts(&b, "</DeleteResult>");
    s3_xml_reply(r, 200, &b);
}

static void item_done(void *arg, store_status st, const char *version_id, int marker)
{
    del_item *it = arg;
    del_multi *d = it->owner;
    if (st) it->err = s3_error_from_store(st, 1);
    if (version_id) snprintf(it->result_version, sizeof it->result_version, "%s", version_id);
    it->marker = marker;
    if (--d->pending > 0) return;
    if (!http_is_aborted(d->r->ex)) reply(d);
    http_release(d->r->ex);
}

static void body_done(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    delete_request req;
    if (xml_parse_delete(r->a, body, n, MAX_DELETE_KEYS, &req) != 0) {
        s3_error_reply(r, S3E_MALFORMED_XML, NULL);
        return;
    }
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        return;
    }
    del_multi *d = arena_calloc(r->a, sizeof *d);
    d->r = r;
    d->quiet = req.quiet;
    d->n = req.n;
    d->items = arena_alloc(r->a, req.n * sizeof *d->items);
    /* the body took a while: look the caller up once for every key */
    s3_error caller = s3_identity_refresh(r);
    for (size_t i = 0; i < req.n; i++) {
        del_item *it = &d->items[i];
        it->key = req.entries[i].key;
        it->owner = d;
        it->err = S3E_NONE;
        it->result_version[0] = '\0';
        it->marker = 0;
        int kc = object_key_check(it->key, strlen(it->key));
        if (kc == KEY_TOO_LONG) it->err = S3E_KEY_TOO_LONG;
        else if (kc != KEY_OK || !*it->key) it->err = S3E_INVALID_OBJECT_NAME;
        it->version_id = req.entries[i].version_id;
        /* each key is its own DeleteObject as far as policies go */
        if (!it->err)
            it->err = caller ? caller : s3_authorize_now(r, it->version_id ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
                                                          r->bucket, it->key);
        if (!it->err && s3_bypass_governance(r))
            it->err = s3_authorize_now(r, "s3:BypassGovernanceRetention", r->bucket, it->key);
        if (!it->err)
            it->err = s3_delete_conditions(r, req.entries[i].etag, req.entries[i].size,
                                           req.entries[i].last_modified, &it->cond);
    }
    http_hold(r->ex);
    d->pending = 1;   /* a guard: the reply waits for every queued delete */
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].err) continue;
        d->pending++;
        store_object_delete_if(r->api->cfg.store, r->bucket, d->items[i].key, d->items[i].version_id,
                               s3_bypass_governance(r), &d->items[i].cond, item_done, &d->items[i]);
    }
    del_item guard = { .key = "", .owner = d };
    item_done(&guard, ST_OK, NULL, 0);
}

void op_delete_objects(s3_req *r)
{
    s3_body_collect(r, MAX_DELETE_BODY, body_done);
}

/*
 * delete_multi — DeleteObjects (POST ?delete): the XML request parsed with
 * expat (bounded: 1000 keys, no DTDs or entities), every delete queued at
 * once so the store commits them in one group, and the DeleteResult.
 */
#include <expat.h>
#include <string.h>

#include "internal.h"

enum { MAX_DELETE_KEYS = 1000, MAX_DELETE_BODY = 2 * 1024 * 1024 };

typedef struct del_item {
    const char *key;
    s3_error err;
    struct del_multi *owner;
} del_item;

typedef struct del_multi {
    s3_req *r;
    del_item *items;
    size_t n, pending;
    int quiet;
    /* parsing */
    XML_Parser parser;
    int depth, in_object, bad;
    strbuf text;
    const char *cur_key;
    int cur_has_version;
} del_multi;

static const char *local_name(const char *n)
{
    const char *sep = strrchr(n, '|');
    return sep ? sep + 1 : n;
}

static void xml_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    del_multi *d = ud;
    const char *ln = local_name(name);
    d->depth++;
    d->text.len = 0;
    d->text.data[0] = '\0';
    if (d->depth == 1 && strcmp(ln, "Delete") != 0) d->bad = 1;
    if (d->depth == 2 && strcmp(ln, "Object") == 0) {
        d->in_object = 1;
        d->cur_key = NULL;
        d->cur_has_version = 0;
    }
}

static void xml_end(void *ud, const XML_Char *name)
{
    del_multi *d = ud;
    const char *ln = local_name(name);
    if (d->depth == 2 && strcmp(ln, "Quiet") == 0) {
        d->quiet = strcmp(d->text.data, "true") == 0;
    } else if (d->depth == 3 && d->in_object && strcmp(ln, "Key") == 0) {
        d->cur_key = arena_strndup(d->r->a, d->text.data, d->text.len);
    } else if (d->depth == 3 && d->in_object && strcmp(ln, "VersionId") == 0) {
        d->cur_has_version = strcmp(d->text.data, "null") != 0;
    } else if (d->depth == 2 && strcmp(ln, "Object") == 0) {
        d->in_object = 0;
        if (!d->cur_key || d->n >= MAX_DELETE_KEYS) {
            d->bad = 1;
        } else {
            del_item *it = &d->items[d->n++];
            it->key = d->cur_key;
            it->owner = d;
            it->err = S3E_NONE;
            int kc = object_key_check(it->key, strlen(it->key));
            if (kc == KEY_TOO_LONG) it->err = S3E_KEY_TOO_LONG;
            else if (kc != KEY_OK || !*it->key) it->err = S3E_INVALID_OBJECT_NAME;
            else if (d->cur_has_version) it->err = S3E_NOT_IMPLEMENTED;
        }
    }
    d->depth--;
    if (d->bad) XML_StopParser(d->parser, XML_FALSE);
}

static void xml_text(void *ud, const XML_Char *s, int len)
{
    del_multi *d = ud;
    if (d->text.len + (size_t)len > 4096) { d->bad = 1; XML_StopParser(d->parser, XML_FALSE); return; }
    strbuf_append(&d->text, s, (size_t)len);
}

static void xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    del_multi *d = ud;
    d->bad = 1;   /* no DTDs: no entity expansion tricks */
    XML_StopParser(d->parser, XML_FALSE);
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
            strbuf_puts(&b, "</Key></Deleted>");
        } else {
            const s3_error_info *info = s3_error_lookup(it->err);
            strbuf_puts(&b, "<Error><Key>");
            strbuf_xml_escape(&b, it->key, strlen(it->key));
            strbuf_printf(&b, "</Key><Code>%s</Code><Message>", info->code);
            strbuf_xml_escape(&b, info->message, strlen(info->message));
            strbuf_puts(&b, "</Message></Error>");
        }
    }
    strbuf_puts(&b, "</DeleteResult>");
    s3_xml_reply(r, 200, &b);
}

static void item_done(void *arg, store_status st)
{
    del_item *it = arg;
    del_multi *d = it->owner;
    if (st) it->err = s3_error_from_store(st, 1);
    if (--d->pending > 0) return;
    if (!http_is_aborted(d->r->ex)) reply(d);
    http_release(d->r->ex);
}

static void body_done(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    del_multi *d = arena_calloc(r->a, sizeof *d);
    d->r = r;
    d->items = arena_alloc(r->a, MAX_DELETE_KEYS * sizeof *d->items);
    strbuf_init(&d->text, r->a, 256);
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser) { s3_error_reply(r, S3E_INTERNAL, NULL); return; }
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, xml_start, xml_end);
    XML_SetCharacterDataHandler(d->parser, xml_text);
    XML_SetStartDoctypeDeclHandler(d->parser, xml_doctype);
    int ok = XML_Parse(d->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(d->parser);
    if (!ok || d->bad || d->n == 0) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    if (store_bucket_get(r->api->cfg.store, r->bucket, NULL) == ST_NO_SUCH_BUCKET) {
        s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL);
        return;
    }
    http_hold(r->ex);
    d->pending = 1;   /* guard: replies only after every queued delete */
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].err) continue;
        d->pending++;
        store_object_delete(r->api->cfg.store, r->bucket, d->items[i].key, item_done, &d->items[i]);
    }
    del_item guard = { .key = "", .owner = d };
    item_done(&guard, ST_OK);
}

void op_delete_objects(s3_req *r)
{
    s3_body_collect(r, MAX_DELETE_BODY, body_done);
}

#include "xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"

enum { MAX_TEXT = 4096 };

typedef struct delete_parse {
    arena *a;
    XML_Parser parser;
    delete_request *out;
    size_t max;
    int depth, in_object, bad;
    char text[MAX_TEXT + 1];
    size_t text_len;
    delete_entry cur;
} delete_parse;

static const char *local_name(const char *n)
{
    const char *sep = strrchr(n, '|');
    return sep ? sep + 1 : n;
}

static void fail(delete_parse *d)
{
    d->bad = 1;
    XML_StopParser(d->parser, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    delete_parse *d = ud;
    const char *ln = local_name(name);
    d->depth++;
    d->text_len = 0;
    if (d->depth == 1 && strcmp(ln, "Delete") != 0) { fail(d); return; }
    if (d->depth == 2 && strcmp(ln, "Object") == 0) {
        d->in_object = 1;
        d->cur.key = NULL;
        d->cur.version_id = NULL;
    }
    if (d->depth > 3) fail(d);
}

static void on_end(void *ud, const XML_Char *name)
{
    delete_parse *d = ud;
    const char *ln = local_name(name);
    d->text[d->text_len] = '\0';
    if (d->depth == 2 && strcmp(ln, "Quiet") == 0) {
        d->out->quiet = strcmp(d->text, "true") == 0;
    } else if (d->depth == 3 && d->in_object && strcmp(ln, "Key") == 0) {
        d->cur.key = arena_strndup(d->a, d->text, d->text_len);
    } else if (d->depth == 3 && d->in_object && strcmp(ln, "VersionId") == 0) {
        d->cur.version_id = arena_strndup(d->a, d->text, d->text_len);
    } else if (d->depth == 2 && strcmp(ln, "Object") == 0) {
        d->in_object = 0;
        if (!d->cur.key || d->out->n >= d->max) { fail(d); return; }
        d->out->entries[d->out->n++] = d->cur;
    }
    d->depth--;
    d->text_len = 0;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    delete_parse *d = ud;
    if (d->text_len + (size_t)len > MAX_TEXT) { fail(d); return; }
    memcpy(d->text + d->text_len, s, (size_t)len);
    d->text_len += (size_t)len;
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                       int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    fail(ud);
}

int xml_parse_delete(arena *a, const char *body, size_t n, size_t max_objects, delete_request *out)
{
    memset(out, 0, sizeof *out);
    if (n > (size_t)1 << 30) return -1;
    delete_parse *d = arena_calloc(a, sizeof *d);
    d->a = a;
    d->out = out;
    d->max = max_objects;
    out->entries = arena_alloc(a, (max_objects ? max_objects : 1) * sizeof *out->entries);
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser) return -1;
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, on_start, on_end);
    XML_SetCharacterDataHandler(d->parser, on_text);
    XML_SetStartDoctypeDeclHandler(d->parser, on_doctype);
    int ok = XML_Parse(d->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(d->parser);
    return ok && !d->bad && out->n > 0 ? 0 : -1;
}

/* ---- CompleteMultipartUpload ---- */

typedef struct complete_parse {
    arena *a;
    XML_Parser parser;
    complete_request *out;
    size_t max, cap;
    int depth, bad, have_number;
    char text[MAX_TEXT + 1];
    size_t text_len;
    complete_part cur;
} complete_parse;

static void c_fail(complete_parse *d)
{
    d->bad = 1;
    XML_StopParser(d->parser, XML_FALSE);
}

static void c_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    complete_parse *d = ud;
    const char *ln = local_name(name);
    d->depth++;
    d->text_len = 0;
    if (d->depth == 1 && strcmp(ln, "CompleteMultipartUpload") != 0) { c_fail(d); return; }
    if (d->depth == 2) {
        if (strcmp(ln, "Part") != 0) { c_fail(d); return; }
        memset(&d->cur, 0, sizeof d->cur);
        d->have_number = 0;
    }
    if (d->depth > 3) c_fail(d);
}

static void c_end(void *ud, const XML_Char *name)
{
    complete_parse *d = ud;
    const char *ln = local_name(name);
    d->text[d->text_len] = '\0';
    if (d->depth == 3) {
        if (strcmp(ln, "PartNumber") == 0) {
            char *end;
            long v = strtol(d->text, &end, 10);
            if (!d->text_len || *end || v < 1 || v > 10000) { c_fail(d); return; }
            d->cur.number = (uint32_t)v;
            d->have_number = 1;
        } else if (strcmp(ln, "ETag") == 0) {
            d->cur.etag = arena_strndup(d->a, d->text, d->text_len);
        } else if (strncmp(ln, "Checksum", 8) == 0 && cksum_algo_from_name(ln + 8) != CKSUM_NONE) {
            d->cur.checksum_algo = (int)cksum_algo_from_name(ln + 8);
            d->cur.checksum = arena_strndup(d->a, d->text, d->text_len);
        }
    } else if (d->depth == 2) {
        if (!d->have_number || d->out->n >= d->max) { c_fail(d); return; }
        if (d->out->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 64;
            complete_part *np = arena_alloc(d->a, cap * sizeof *np);
            if (d->out->n) memcpy(np, d->out->parts, d->out->n * sizeof *np);
            d->out->parts = np;
            d->cap = cap;
        }
        d->out->parts[d->out->n++] = d->cur;
    }
    d->depth--;
    d->text_len = 0;
}

static void c_text(void *ud, const XML_Char *s, int len)
{
    complete_parse *d = ud;
    if (d->text_len + (size_t)len > MAX_TEXT) { c_fail(d); return; }
    memcpy(d->text + d->text_len, s, (size_t)len);
    d->text_len += (size_t)len;
}

static void c_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    c_fail(ud);
}

int xml_parse_complete(arena *a, const char *body, size_t n, size_t max_parts, complete_request *out)
{
    memset(out, 0, sizeof *out);
    if (n > (size_t)1 << 30) return -1;
    complete_parse *d = arena_calloc(a, sizeof *d);
    d->a = a;
    d->out = out;
    d->max = max_parts;
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser) return -1;
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, c_start, c_end);
    XML_SetCharacterDataHandler(d->parser, c_text);
    XML_SetStartDoctypeDeclHandler(d->parser, c_doctype);
    int ok = XML_Parse(d->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(d->parser);
    return ok && !d->bad && out->n > 0 ? 0 : -1;
}

/* ---- Tagging ---- */

typedef struct tag_parse {
    arena *a;
    XML_Parser parser;
    tag_pair *tags;
    size_t n, max;
    int depth, bad, in_tag, in_set;
    char text[MAX_TEXT + 1];
    size_t text_len;
    tag_pair cur;
} tag_parse;

static void t_fail(tag_parse *d)
{
    d->bad = 1;
    XML_StopParser(d->parser, XML_FALSE);
}

static void t_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    tag_parse *d = ud;
    const char *ln = local_name(name);
    d->depth++;
    d->text_len = 0;
    if (d->depth == 1 && strcmp(ln, "Tagging") != 0) { t_fail(d); return; }
    if (d->depth == 2) { if (strcmp(ln, "TagSet") != 0) { t_fail(d); return; } d->in_set = 1; }
    if (d->depth == 3) {
        if (strcmp(ln, "Tag") != 0) { t_fail(d); return; }
        d->in_tag = 1;
        d->cur.key = d->cur.value = NULL;
    }
    if (d->depth > 4) t_fail(d);
}

static void t_end(void *ud, const XML_Char *name)
{
    tag_parse *d = ud;
    const char *ln = local_name(name);
    d->text[d->text_len] = '\0';
    if (d->depth == 4 && d->in_tag) {
        if (strcmp(ln, "Key") == 0) d->cur.key = arena_strndup(d->a, d->text, d->text_len);
        else if (strcmp(ln, "Value") == 0) d->cur.value = arena_strndup(d->a, d->text, d->text_len);
        else { t_fail(d); return; }
    } else if (d->depth == 3) {
        if (!d->cur.key || d->n >= d->max) { t_fail(d); return; }
        if (!d->cur.value) d->cur.value = "";
        d->tags[d->n++] = d->cur;
        d->in_tag = 0;
    }
    d->depth--;
    d->text_len = 0;
}

static void t_text(void *ud, const XML_Char *s, int len)
{
    tag_parse *d = ud;
    if (d->text_len + (size_t)len > MAX_TEXT) { t_fail(d); return; }
    memcpy(d->text + d->text_len, s, (size_t)len);
    d->text_len += (size_t)len;
}

static void t_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    t_fail(ud);
}

int xml_parse_tagging(arena *a, const char *body, size_t n, size_t max, tag_pair **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (n > (size_t)1 << 20) return -1;
    tag_parse *d = arena_calloc(a, sizeof *d);
    d->a = a;
    d->max = max;
    d->tags = arena_alloc(a, (max + 1) * sizeof *d->tags);
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser) return -1;
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, t_start, t_end);
    XML_SetCharacterDataHandler(d->parser, t_text);
    XML_SetStartDoctypeDeclHandler(d->parser, t_doctype);
    int ok = XML_Parse(d->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(d->parser);
    if (!ok || d->bad || !d->in_set) return -1;
    *out = d->tags;
    *count = d->n;
    return 0;
}

/* ---- CORS ---- */

enum { MAX_CORS_RULES = 100, MAX_CORS_ITEMS = 64 };

typedef struct cors_parse {
    arena *a;
    XML_Parser parser;
    cors_rule *rules;
    size_t n;
    int depth, bad;
    char text[MAX_TEXT + 1];
    size_t text_len;
} cors_parse;

static void cors_fail(cors_parse *d)
{
    d->bad = 1;
    XML_StopParser(d->parser, XML_FALSE);
}

static void cors_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    cors_parse *d = ud;
    const char *ln = local_name(name);
    d->depth++;
    d->text_len = 0;
    if (d->depth == 1 && strcmp(ln, "CORSConfiguration") != 0) { cors_fail(d); return; }
    if (d->depth == 2) {
        if (strcmp(ln, "CORSRule") != 0 || d->n >= MAX_CORS_RULES) { cors_fail(d); return; }
        cors_rule *r = &d->rules[d->n++];
        memset(r, 0, sizeof *r);
        r->max_age = -1;
        r->origins = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->origins);
        r->headers = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->headers);
        r->expose = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->expose);
    }
    if (d->depth > 3) cors_fail(d);
}

static void cors_end(void *ud, const XML_Char *name)
{
    cors_parse *d = ud;
    const char *ln = local_name(name);
    d->text[d->text_len] = '\0';
    if (d->depth == 3 && d->n) {
        cors_rule *r = &d->rules[d->n - 1];
        const char *v = arena_strndup(d->a, d->text, d->text_len);
        if (strcmp(ln, "AllowedMethod") == 0) {
            static const char *const ok[] = { "GET", "PUT", "POST", "DELETE", "HEAD" };
            int found = 0;
            for (int i = 0; i < 5; i++) found |= strcmp(v, ok[i]) == 0;
            if (!found || r->n_methods == 8) { cors_fail(d); return; }
            r->methods[r->n_methods++] = v;
        } else if (strcmp(ln, "AllowedOrigin") == 0) {
            const char *star = strchr(v, '*');
            if ((star && strchr(star + 1, '*')) || r->n_origins == MAX_CORS_ITEMS) { cors_fail(d); return; }
            r->origins[r->n_origins++] = v;
        } else if (strcmp(ln, "AllowedHeader") == 0) {
            if (r->n_headers == MAX_CORS_ITEMS) { cors_fail(d); return; }
            r->headers[r->n_headers++] = v;
        } else if (strcmp(ln, "ExposeHeader") == 0) {
            if (r->n_expose == MAX_CORS_ITEMS) { cors_fail(d); return; }
            r->expose[r->n_expose++] = v;
        } else if (strcmp(ln, "MaxAgeSeconds") == 0) {
            char *end;
            long age = strtol(v, &end, 10);
            if (!*v || *end || age < 0) { cors_fail(d); return; }
            r->max_age = age;
        } else if (strcmp(ln, "ID") != 0) {
            cors_fail(d);
            return;
        }
    } else if (d->depth == 2 && d->n) {
        cors_rule *r = &d->rules[d->n - 1];
        if (!r->n_methods || !r->n_origins) { cors_fail(d); return; }
    }
    d->depth--;
    d->text_len = 0;
}

static void cors_text(void *ud, const XML_Char *s, int len)
{
    cors_parse *d = ud;
    if (d->text_len + (size_t)len > MAX_TEXT) { cors_fail(d); return; }
    memcpy(d->text + d->text_len, s, (size_t)len);
    d->text_len += (size_t)len;
}

static void cors_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    cors_fail(ud);
}

int xml_parse_cors(arena *a, const char *body, size_t n, cors_rule **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (n > (size_t)1 << 20) return -1;
    cors_parse *d = arena_calloc(a, sizeof *d);
    d->a = a;
    d->rules = arena_alloc(a, MAX_CORS_RULES * sizeof *d->rules);
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser) return -1;
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, cors_start, cors_end);
    XML_SetCharacterDataHandler(d->parser, cors_text);
    XML_SetStartDoctypeDeclHandler(d->parser, cors_doctype);
    int ok = XML_Parse(d->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(d->parser);
    if (!ok || d->bad || d->n == 0) return -1;
    *out = d->rules;
    *count = d->n;
    return 0;
}

#include "xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"

enum { MAX_TEXT = 4096, MAX_PATH = 512, MAX_DEPTH = 8 };

/* ---- the walker ---- */

typedef struct walk {
    XML_Parser parser;
    xml_start_fn start;
    xml_end_fn end;
    void *ctx;
    int depth, bad;
    char path[MAX_PATH];
    size_t path_len;
    char text[MAX_TEXT + 1];
    size_t text_len;
} walk;

static void walk_fail(walk *w)
{
    w->bad = 1;
    XML_StopParser(w->parser, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    walk *w = ud;
    if (w->bad) return;
    const char *sep = strrchr(name, '|');
    const char *ln = sep ? sep + 1 : name;
    size_t ll = strlen(ln);
    if (++w->depth > MAX_DEPTH || w->path_len + 1 + ll >= MAX_PATH) { walk_fail(w); return; }
    w->path[w->path_len++] = '/';
    memcpy(w->path + w->path_len, ln, ll + 1);
    w->path_len += ll;
    w->text_len = 0;
    if (w->start && w->start(w->ctx, w->path)) walk_fail(w);
}

static void on_end(void *ud, const XML_Char *name)
{
    (void)name;
    walk *w = ud;
    if (w->bad) return;
    w->text[w->text_len] = '\0';
    if (w->end && w->end(w->ctx, w->path, w->text, w->text_len)) { walk_fail(w); return; }
    while (w->path_len && w->path[w->path_len - 1] != '/') w->path_len--;
    if (w->path_len) w->path_len--;
    w->path[w->path_len] = '\0';
    w->depth--;
    w->text_len = 0;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    walk *w = ud;
    if (w->text_len + (size_t)len > MAX_TEXT) { walk_fail(w); return; }
    memcpy(w->text + w->text_len, s, (size_t)len);
    w->text_len += (size_t)len;
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    walk_fail(ud);   /* no DTDs: no entity expansion tricks */
}

int xml_walk(const char *body, size_t n, xml_start_fn start, xml_end_fn end, void *ctx)
{
    if (n > (size_t)1 << 30) return -1;
    walk *w = calloc(1, sizeof *w);
    if (!w) return -1;
    w->start = start;
    w->end = end;
    w->ctx = ctx;
    w->parser = XML_ParserCreateNS(NULL, '|');
    if (!w->parser) { free(w); return -1; }
    XML_SetUserData(w->parser, w);
    XML_SetElementHandler(w->parser, on_start, on_end);
    XML_SetCharacterDataHandler(w->parser, on_text);
    XML_SetStartDoctypeDeclHandler(w->parser, on_doctype);
    int ok = XML_Parse(w->parser, body ? body : "", (int)n, XML_TRUE) == XML_STATUS_OK && !w->bad;
    XML_ParserFree(w->parser);
    free(w);
    return ok ? 0 : -1;
}

/* Every element outside the shape of a document rejects it. */
static int only_known(const char *path, const char *const *known)
{
    for (int i = 0; known[i]; i++) if (strcmp(path, known[i]) == 0) return 0;
    return 1;
}

/* ---- documents of single-valued fields ---- */

typedef struct fields_parse {
    arena *a;
    const char *root;
    size_t root_len;
    const char *const *fields;
    const char **values;
    size_t count;
} fields_parse;

static int fields_start(void *ctx, const char *path)
{
    fields_parse *d = ctx;
    /* the first element opened is the root: its name must match */
    if (strchr(path + 1, '/') == NULL) return strcmp(path + 1, d->root) != 0;
    return 0;
}

static int fields_end(void *ctx, const char *path, const char *text, size_t len)
{
    fields_parse *d = ctx;
    if (strncmp(path + 1, d->root, d->root_len) != 0 || path[1 + d->root_len] != '/') return 0;
    const char *rel = path + 2 + d->root_len;
    for (size_t i = 0; i < d->count; i++)
        if (!d->values[i] && strcmp(rel, d->fields[i]) == 0) d->values[i] = arena_strndup(d->a, text, len);
    return 0;
}

int xml_parse_fields(arena *a, const char *body, size_t n, const char *root, const char *const *fields,
                     const char **values, size_t count)
{
    for (size_t i = 0; i < count; i++) values[i] = NULL;
    fields_parse d = { a, root, strlen(root), fields, values, count };
    return xml_walk(body, n, fields_start, fields_end, &d) == 0 ? 0 : -1;
}

/* ---- Delete ---- */

typedef struct delete_parse {
    arena *a;
    delete_request *out;
    size_t max;
    delete_entry cur;
} delete_parse;

static int delete_start(void *ctx, const char *path)
{
    delete_parse *d = ctx;
    static const char *const known[] = { "/Delete", "/Delete/Quiet", "/Delete/Object", "/Delete/Object/Key",
                                         "/Delete/Object/VersionId", "/Delete/Object/ETag",
                                         "/Delete/Object/LastModifiedTime", "/Delete/Object/Size", NULL };
    if (strcmp(path, "/Delete/Object") == 0) memset(&d->cur, 0, sizeof d->cur);
    return only_known(path, known);
}

static int delete_end(void *ctx, const char *path, const char *text, size_t len)
{
    delete_parse *d = ctx;
    if (strcmp(path, "/Delete/Quiet") == 0) d->out->quiet = strcmp(text, "true") == 0;
    else if (strcmp(path, "/Delete/Object/Key") == 0) d->cur.key = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Delete/Object/VersionId") == 0) d->cur.version_id = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Delete/Object/ETag") == 0) d->cur.etag = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Delete/Object/LastModifiedTime") == 0) d->cur.last_modified = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Delete/Object/Size") == 0) d->cur.size = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Delete/Object") == 0) {
        if (!d->cur.key || d->out->n >= d->max) return 1;
        d->out->entries[d->out->n++] = d->cur;
    }
    return 0;
}

int xml_parse_delete(arena *a, const char *body, size_t n, size_t max_objects, delete_request *out)
{
    memset(out, 0, sizeof *out);
    out->entries = arena_alloc(a, (max_objects ? max_objects : 1) * sizeof *out->entries);
    delete_parse d = { .a = a, .out = out, .max = max_objects };
    return xml_walk(body, n, delete_start, delete_end, &d) == 0 && out->n > 0 ? 0 : -1;
}

/* ---- CompleteMultipartUpload ---- */

typedef struct complete_parse {
    arena *a;
    complete_request *out;
    size_t max, cap;
    int have_number;
    complete_part cur;
} complete_parse;

static int complete_start(void *ctx, const char *path)
{
    complete_parse *d = ctx;
    if (strcmp(path, "/CompleteMultipartUpload") == 0) return 0;
    if (strcmp(path, "/CompleteMultipartUpload/Part") == 0) {
        memset(&d->cur, 0, sizeof d->cur);
        d->have_number = 0;
        return 0;
    }
    return strncmp(path, "/CompleteMultipartUpload/Part/", 30) != 0 || strchr(path + 30, '/') != NULL;
}

static int complete_end(void *ctx, const char *path, const char *text, size_t len)
{
    complete_parse *d = ctx;
    if (strncmp(path, "/CompleteMultipartUpload/Part/", 30) == 0) {
        const char *field = path + 30;
        if (strcmp(field, "PartNumber") == 0) {
            char *end;
            long v = strtol(text, &end, 10);
            if (!len || *end || v < 1 || v > 10000) return 1;
            d->cur.number = (uint32_t)v;
            d->have_number = 1;
        } else if (strcmp(field, "ETag") == 0) {
            d->cur.etag = arena_strndup(d->a, text, len);
        } else if (strncmp(field, "Checksum", 8) == 0 && cksum_algo_from_name(field + 8) != CKSUM_NONE) {
            d->cur.checksum_algo = (int)cksum_algo_from_name(field + 8);
            d->cur.checksum = arena_strndup(d->a, text, len);
        }
    } else if (strcmp(path, "/CompleteMultipartUpload/Part") == 0) {
        if (!d->have_number || d->out->n >= d->max) return 1;
        if (d->out->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 64;
            complete_part *np = arena_alloc(d->a, cap * sizeof *np);
            if (d->out->n) memcpy(np, d->out->parts, d->out->n * sizeof *np);
            d->out->parts = np;
            d->cap = cap;
        }
        d->out->parts[d->out->n++] = d->cur;
    }
    return 0;
}

int xml_parse_complete(arena *a, const char *body, size_t n, size_t max_parts, complete_request *out)
{
    memset(out, 0, sizeof *out);
    complete_parse d = { .a = a, .out = out, .max = max_parts };
    return xml_walk(body, n, complete_start, complete_end, &d) == 0 && out->n > 0 ? 0 : -1;
}

/* ---- Tagging ---- */

typedef struct tag_parse {
    arena *a;
    tag_pair *tags;
    size_t n, max;
    int in_set;
    tag_pair cur;
} tag_parse;

static int tag_start(void *ctx, const char *path)
{
    tag_parse *d = ctx;
    static const char *const known[] = { "/Tagging", "/Tagging/TagSet", "/Tagging/TagSet/Tag",
                                         "/Tagging/TagSet/Tag/Key", "/Tagging/TagSet/Tag/Value", NULL };
    if (strcmp(path, "/Tagging/TagSet") == 0) d->in_set = 1;
    if (strcmp(path, "/Tagging/TagSet/Tag") == 0) d->cur.key = d->cur.value = NULL;
    return only_known(path, known);
}

static int tag_end(void *ctx, const char *path, const char *text, size_t len)
{
    tag_parse *d = ctx;
    if (strcmp(path, "/Tagging/TagSet/Tag/Key") == 0) d->cur.key = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Tagging/TagSet/Tag/Value") == 0) d->cur.value = arena_strndup(d->a, text, len);
    else if (strcmp(path, "/Tagging/TagSet/Tag") == 0) {
        if (!d->cur.key || d->n >= d->max) return 1;
        if (!d->cur.value) d->cur.value = "";
        d->tags[d->n++] = d->cur;
    }
    return 0;
}

int xml_parse_tagging(arena *a, const char *body, size_t n, size_t max, tag_pair **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    tag_parse d = { .a = a, .max = max };
    d.tags = arena_alloc(a, (max + 1) * sizeof *d.tags);
    if (xml_walk(body, n, tag_start, tag_end, &d) != 0 || !d.in_set) return -1;
    *out = d.tags;
    *count = d.n;
    return 0;
}

/* ---- CORS ---- */

enum { MAX_CORS_RULES = 100, MAX_CORS_ITEMS = 64 };

typedef struct cors_parse {
    arena *a;
    cors_rule *rules;
    size_t n;
} cors_parse;

static int cors_start(void *ctx, const char *path)
{
    cors_parse *d = ctx;
    if (strcmp(path, "/CORSConfiguration") == 0) return 0;
    if (strcmp(path, "/CORSConfiguration/CORSRule") == 0) {
        if (d->n >= MAX_CORS_RULES) return 1;
        cors_rule *r = &d->rules[d->n++];
        memset(r, 0, sizeof *r);
        r->max_age = -1;
        r->origins = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->origins);
        r->headers = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->headers);
        r->expose = arena_alloc(d->a, MAX_CORS_ITEMS * sizeof *r->expose);
        return 0;
    }
    return strncmp(path, "/CORSConfiguration/CORSRule/", 28) != 0 || strchr(path + 28, '/') != NULL;
}

static int add_item(const char **list, size_t *n, const char *v)
{
    if (*n == MAX_CORS_ITEMS) return 1;
    list[(*n)++] = v;
    return 0;
}

static int cors_end(void *ctx, const char *path, const char *text, size_t len)
{
    cors_parse *d = ctx;
    if (strcmp(path, "/CORSConfiguration/CORSRule") == 0) {
        cors_rule *r = &d->rules[d->n - 1];
        return !r->n_methods || !r->n_origins;
    }
    if (strncmp(path, "/CORSConfiguration/CORSRule/", 28) != 0) return 0;
    cors_rule *r = &d->rules[d->n - 1];
    const char *field = path + 28, *v = arena_strndup(d->a, text, len);
    if (strcmp(field, "AllowedMethod") == 0) {
        static const char *const ok[] = { "GET", "PUT", "POST", "DELETE", "HEAD", NULL };
        if (only_known(v, ok) || r->n_methods == 8) return 1;
        r->methods[r->n_methods++] = v;
    } else if (strcmp(field, "AllowedOrigin") == 0) {
        const char *star = strchr(v, '*');
        if (star && strchr(star + 1, '*')) return 1;
        return add_item(r->origins, &r->n_origins, v);
    } else if (strcmp(field, "AllowedHeader") == 0) {
        return add_item(r->headers, &r->n_headers, v);
    } else if (strcmp(field, "ExposeHeader") == 0) {
        return add_item(r->expose, &r->n_expose, v);
    } else if (strcmp(field, "MaxAgeSeconds") == 0) {
        char *end;
        long age = strtol(v, &end, 10);
        if (!*v || *end || age < 0) return 1;
        r->max_age = age;
    } else if (strcmp(field, "ID") != 0) {
        return 1;
    }
    return 0;
}

int xml_parse_cors(arena *a, const char *body, size_t n, cors_rule **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    cors_parse d = { .a = a };
    d.rules = arena_alloc(a, MAX_CORS_RULES * sizeof *d.rules);
    if (xml_walk(body, n, cors_start, cors_end, &d) != 0 || d.n == 0) return -1;
    *out = d.rules;
    *count = d.n;
    return 0;
}

/*
 * lifecycle — bucket lifecycle rules (Put/Get/DeleteBucketLifecycle) and
 * the scanner that enforces them at a bounded rate: Expiration (days,
 * date, expired delete markers), NoncurrentVersionExpiration (days,
 * newer noncurrent versions kept), AbortIncompleteMultipartUpload, with
 * filters on prefix, tags and object size.  Transitions answer
 * NotImplemented.  x-amz-expiration tells GET/HEAD when a rule will
 * expire an object.
 *
 * CAIRN_TEST_LIFECYCLE_DAY_SECONDS makes a day that many seconds, so the
 * rules can be tested end to end; never set in production.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "xml.h"

enum { MAX_RULES = 1000, MAX_LC_BODY = 256 * 1024, PAGE = 500 };

typedef struct lc_rule {
    const char *id;
    int enabled;
    const char *prefix;
    tag_pair tags[10];
    size_t n_tags;
    int64_t size_gt, size_lt;
    long exp_days;
    int64_t exp_date_ns;
    int exp_marker;
    long nc_days, nc_newer;
    long abort_days;
    int transition;
} lc_rule;

typedef struct lc_parse {
    arena *a;
    lc_rule *rules;
    size_t n;
    tag_pair tag;
} lc_parse;

static int lc_start(void *ctx, const char *path)
{
    lc_parse *d = ctx;
    if (strcmp(path, "/LifecycleConfiguration/Rule") == 0) {
        if (d->n == MAX_RULES) return 1;
        lc_rule *r = &d->rules[d->n++];
        memset(r, 0, sizeof *r);
        r->size_gt = r->size_lt = -1;
        r->exp_days = r->nc_days = r->nc_newer = r->abort_days = -1;
        r->exp_date_ns = -1;
        r->enabled = -1;
    }
    return strncmp(path, "/LifecycleConfiguration", 23) != 0;
}

static long num(const char *s, int *ok)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0) *ok = 0;
    return v;
}

static int lc_end(void *ctx, const char *p, const char *t, size_t len)
{
    (void)len;
    lc_parse *d = ctx;
    lc_rule *r = d->n ? &d->rules[d->n - 1] : NULL;
    int ok = 1;
    if (!r || strncmp(p, "/LifecycleConfiguration/Rule/", 29) != 0) return 0;
    const char *q = p + 29;
    if (!strcmp(q, "ID")) r->id = arena_strdup(d->a, t);
    else if (!strcmp(q, "Status")) r->enabled = !strcmp(t, "Enabled") ? 1 : !strcmp(t, "Disabled") ? 0 : (ok = 0, 0);
    else if (!strcmp(q, "Prefix") || !strcmp(q, "Filter/Prefix") || !strcmp(q, "Filter/And/Prefix")) r->prefix = arena_strdup(d->a, t);
    else if (!strcmp(q, "Filter/ObjectSizeGreaterThan") || !strcmp(q, "Filter/And/ObjectSizeGreaterThan")) r->size_gt = num(t, &ok);
    else if (!strcmp(q, "Filter/ObjectSizeLessThan") || !strcmp(q, "Filter/And/ObjectSizeLessThan")) r->size_lt = num(t, &ok);
    else if (!strcmp(q, "Filter/Tag/Key") || !strcmp(q, "Filter/And/Tag/Key")) d->tag.key = arena_strdup(d->a, t);
    else if (!strcmp(q, "Filter/Tag/Value") || !strcmp(q, "Filter/And/Tag/Value")) d->tag.value = arena_strdup(d->a, t);
    else if (!strcmp(q, "Filter/Tag") || !strcmp(q, "Filter/And/Tag")) {
        if (!d->tag.key || r->n_tags == 10) ok = 0;
        else { r->tags[r->n_tags].key = d->tag.key; r->tags[r->n_tags].value = d->tag.value ? d->tag.value : ""; r->n_tags++; }
        d->tag.key = d->tag.value = NULL;
    } else if (!strcmp(q, "Expiration/Days")) r->exp_days = num(t, &ok);
    else if (!strcmp(q, "Expiration/Date")) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) ok = 0;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        r->exp_date_ns = (int64_t)timegm(&tm) * 1000000000;
    } else if (!strcmp(q, "Expiration/ExpiredObjectDeleteMarker")) r->exp_marker = !strcmp(t, "true");
    else if (!strcmp(q, "NoncurrentVersionExpiration/NoncurrentDays")) r->nc_days = num(t, &ok);
    else if (!strcmp(q, "NoncurrentVersionExpiration/NewerNoncurrentVersions")) r->nc_newer = num(t, &ok);
    else if (!strcmp(q, "AbortIncompleteMultipartUpload/DaysAfterInitiation")) r->abort_days = num(t, &ok);
    else if (!strncmp(q, "Transition", 10) || !strncmp(q, "NoncurrentVersionTransition", 27)) r->transition = 1;
    return !ok;
}

/* The rules of a document, validated as S3 validates them. */
static s3_error parse_rules(arena *a, const char *body, size_t n, lc_rule **out, size_t *count, const char **msg)
{
    lc_parse d = { .a = a };
    d.rules = arena_alloc(a, MAX_RULES * sizeof *d.rules);
    if (xml_walk(body, n, lc_start, lc_end, &d) != 0 || !d.n) return S3E_MALFORMED_XML;
    for (size_t i = 0; i < d.n; i++) {
        lc_rule *r = &d.rules[i];
        if (r->transition) {
            *msg = "Lifecycle transitions (storage tiers) are not implemented.";
            return S3E_NOT_IMPLEMENTED;
        }
        if (r->enabled < 0) return S3E_MALFORMED_XML;
        if (r->exp_days == 0 || r->nc_days == 0 || r->abort_days == 0) {
            *msg = "'Days' in a lifecycle action must be a positive integer.";
            return S3E_INVALID_ARGUMENT;
        }
        if (r->exp_days < 0 && r->exp_date_ns < 0 && !r->exp_marker && r->nc_days < 0 && r->abort_days < 0)
            return S3E_MALFORMED_XML;
        if (r->exp_days >= 0 && r->exp_date_ns >= 0) return S3E_MALFORMED_XML;
        if (r->id && strlen(r->id) > 255) {
            *msg = "ID length should not exceed allowed limit of 255.";
            return S3E_INVALID_ARGUMENT;
        }
        for (size_t j = 0; j < i; j++) {
            if (r->id && d.rules[j].id && !strcmp(r->id, d.rules[j].id)) {
                *msg = "Rule ID must be unique. Found same ID for more than one rule.";
                return S3E_INVALID_ARGUMENT;
            }
        }
    }
    *out = d.rules;
    *count = d.n;
    return S3E_NONE;
}

/* S3 gives a rule without an ID a generated one, which GET then shows:
 * insert <ID> after each such rule's opening tag. */
static char *with_generated_ids(arena *a, const char *body, size_t *n, const lc_rule *rules, size_t count)
{
    strbuf b;
    strbuf_init(&b, a, *n + count * 40);
    const char *p = body, *end = body + *n;
    for (size_t i = 0; i < count; i++) {
        const char *open = memmem(p, (size_t)(end - p), "<Rule>", 6);
        if (!open) break;
        strbuf_append(&b, p, (size_t)(open - p) + 6);
        p = open + 6;
        if (!rules[i].id) {
            data_id id;
            char hex[33];
            data_id_random(&id);
            hex_encode(id.b, 10, hex);
            strbuf_printf(&b, "<ID>%s</ID>", hex);
        }
    }
    strbuf_append(&b, p, (size_t)(end - p));
    *n = b.len;
    return b.data;
}

/* ---------- the API ---------- */

static void lc_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    lc_rule *rules;
    size_t count;
    const char *msg = NULL;
    e = parse_rules(r->a, body, n, &rules, &count, &msg);
    if (e) { s3_error_reply(r, e, msg); return; }
    body = with_generated_ids(r->a, body, &n, rules, count);
    http_hold(r->ex);
    store_bucket_config_set(r->api->cfg.store, r->bucket, "lifecycle", body, n, s3_config_written, r);
}

void op_lifecycle(s3_req *r)
{
    const char *m = r->http->method;
    if (strcmp(m, "PUT") == 0) { s3_body_collect(r, MAX_LC_BODY, lc_body); return; }
    if (strcmp(m, "DELETE") == 0) {
        http_hold(r->ex);
        store_bucket_config_set(r->api->cfg.store, r->bucket, "lifecycle", NULL, 0, s3_config_written, r);
        return;
    }
    char *doc;
    size_t len;
    store_status st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "lifecycle", &doc, &len);
    if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_SUCH_LIFECYCLE, NULL); return; }
    if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
    http_respond(r->ex, 200, "application/xml", doc, len);
}

/* ---------- matching ---------- */

static int64_t day_ns(void)
{
    const char *t = getenv("CAIRN_TEST_LIFECYCLE_DAY_SECONDS");
    long s = t && *t ? atol(t) : 0;
    return (int64_t)(s > 0 ? s : 86400) * 1000000000;
}

static int64_t now_ns(void) { return (int64_t)time(NULL) * 1000000000; }

static int has_tag(const char *stored, const tag_pair *t, arena *a)
{
    query q;
    if (!stored || query_parse(a, stored, &q) != 0) return 0;
    for (size_t i = 0; i < q.n; i++)
        if (!strcmp(q.params[i].name, t->key) && !strcmp(q.params[i].value, t->value)) return 1;
    return 0;
}

static int rule_matches(const lc_rule *r, const char *key, const object_info *o, arena *a)
{
    if (r->enabled != 1) return 0;
    if (r->prefix && strncmp(key, r->prefix, strlen(r->prefix)) != 0) return 0;
    if (r->size_gt >= 0 && (int64_t)o->size <= r->size_gt) return 0;
    if (r->size_lt >= 0 && (int64_t)o->size >= r->size_lt) return 0;
    for (size_t i = 0; i < r->n_tags; i++) if (!has_tag(o->tags, &r->tags[i], a)) return 0;
    return 1;
}

/* When a rule expires this (latest) object: ns since the epoch, or -1. */
static int64_t expires_at(const lc_rule *r, const object_info *o)
{
    if (r->exp_days > 0) return o->mtime_ns + r->exp_days * day_ns();
    if (r->exp_date_ns >= 0) return r->exp_date_ns;
    return -1;
}

static size_t bucket_rules(store *st, arena *a, const char *bucket, lc_rule **rules)
{
    char *doc;
    size_t len, n = 0;
    if (store_bucket_config_get(st, a, bucket, "lifecycle", &doc, &len) != ST_OK) return 0;
    const char *msg;
    if (parse_rules(a, doc, len, rules, &n, &msg) != S3E_NONE) return 0;
    return n;
}

/* Parsed rules per bucket for the x-amz-expiration header of every GET and
 * HEAD: parsing the stored XML each time halved small GETs on a bucket
 * with three rules (115k -> 58k/s).  All entries go when any bucket's
 * configuration changes, here or on another node (its generation). */
enum { LC_CACHE = 64 };

typedef struct lc_cached {
    char bucket[64];
    arena a;                    /* owns rules */
    lc_rule *rules;
    size_t n;
} lc_cached;

typedef struct lc_cache {
    uint64_t generation;
    size_t used, next;
    lc_cached e[LC_CACHE];
} lc_cache;

static void lc_cache_clear(lc_cache *c)
{
    for (size_t i = 0; i < c->used; i++) arena_reset(&c->e[i].a);
    c->used = c->next = 0;
}

static size_t cached_rules(s3_req *r, lc_rule **rules)
{
    s3api *api = r->api;
    lc_cache *c = api->lifecycle_rules;
    if (!c && (c = calloc(1, sizeof *c)) != NULL) api->lifecycle_rules = c;
    if (!c || strlen(r->bucket) >= sizeof c->e[0].bucket) return bucket_rules(api->cfg.store, r->a, r->bucket, rules);
    uint64_t generation = store_config_generation(api->cfg.store, 0);
    if (c->generation != generation) {
        lc_cache_clear(c);
        c->generation = generation;
    }
    for (size_t i = 0; i < c->used; i++) {
        if (strcmp(c->e[i].bucket, r->bucket) != 0) continue;
        *rules = c->e[i].rules;
        return c->e[i].n;
    }
    size_t slot = c->used < LC_CACHE ? c->used++ : c->next++ % LC_CACHE;
    lc_cached *e = &c->e[slot];
    arena_reset(&e->a);          /* the evicted bucket's rules; a no-op on a new slot */
    snprintf(e->bucket, sizeof e->bucket, "%s", r->bucket);
    e->n = bucket_rules(api->cfg.store, &e->a, r->bucket, &e->rules);
    *rules = e->rules;
    return e->n;
}

void s3_lifecycle_expiration_header(s3_req *r, const object_info *o)
{
    lc_rule *rules;
    size_t n = cached_rules(r, &rules);
    for (size_t i = 0; i < n; i++) {
        if (!rule_matches(&rules[i], r->key, o, r->a)) continue;
        int64_t at = expires_at(&rules[i], o);
        if (at < 0) continue;
        char date[64];
        format_http_date((time_t)(at / 1000000000), date, sizeof date);
        http_add_header(r->ex, "x-amz-expiration",
                        arena_printf(r->a, "expiry-date=\"%s\", rule-id=\"%s\"", date, rules[i].id ? rules[i].id : ""));
        return;
    }
}

/* ---------- the scanner ---------- */

typedef struct lc_scanner {
    s3api *api;
    char bucket[64];            /* the bucket being walked, "" between passes */
    char last_bucket[64];       /* the one walked before it */
    char *key_marker, *version_marker;
    uint64_t expired, failed;
} lc_scanner;

static void lc_deleted(void *arg, store_status st, const char *version_id, int marker)
{
    (void)version_id; (void)marker;
    lc_scanner *sc = arg;
    if (st == ST_OK) sc->expired++;
    else sc->failed++;       /* a locked version, for one: kept */
}

static void lc_aborted(void *arg, store_status st)
{
    lc_scanner *sc = arg;
    if (st == ST_OK) sc->expired++;
}

static void set_marker(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? strdup(v) : NULL;
}

/* One page of one bucket per tick: bounded work on the event loop. */
static void lc_tick(void *ctx)
{
    lc_scanner *sc = ctx;
    store *st = sc->api->cfg.store;
    arena a;
    arena_init(&a);
    if (!sc->bucket[0]) {
        /* start the next bucket: the first after the last one, by name */
        bucket_info *bs;
        size_t nb;
        if (store_bucket_list(st, &a, &bs, &nb) != ST_OK || !nb) { arena_reset(&a); return; }
        size_t i = 0;
        while (i < nb && strcmp(bs[i].name, sc->last_bucket) <= 0) i++;
        if (i == nb) i = 0;
        snprintf(sc->bucket, sizeof sc->bucket, "%s", bs[i].name);
        snprintf(sc->last_bucket, sizeof sc->last_bucket, "%s", bs[i].name);
        set_marker(&sc->key_marker, NULL);
        set_marker(&sc->version_marker, NULL);
    }
    const char *bucket = sc->bucket;
    lc_rule *rules;
    size_t nr = bucket_rules(st, &a, bucket, &rules);
    int64_t now = now_ns(), day = day_ns();
    if (!nr) { sc->bucket[0] = '\0'; arena_reset(&a); return; }
    if (!sc->key_marker) {
        /* a new pass over this bucket: stale multipart uploads first */
        for (size_t i = 0; i < nr; i++) {
            if (rules[i].enabled != 1 || rules[i].abort_days <= 0) continue;
            upload_list_params p = { .prefix = rules[i].prefix, .max = PAGE };
            upload_entry *ups;
            size_t nu, np;
            const char **pre;
            int trunc;
            if (store_upload_list(st, &a, bucket, &p, &ups, &nu, &pre, &np, &trunc) != ST_OK) continue;
            for (size_t u = 0; u < nu; u++)
                if (ups[u].meta.mtime_ns + rules[i].abort_days * day < now)
                    store_upload_abort(st, bucket, ups[u].key, ups[u].upload_id, lc_aborted, sc);
        }
    }
    version_list_params vp = { .key_marker = sc->key_marker, .version_id_marker = sc->version_marker, .max = PAGE };
    version_entry *vs;
    const char **pre, *nk, *nv;
    size_t nvs, np;
    int trunc;
    if (store_list_versions(st, &a, bucket, &vp, &vs, &nvs, &pre, &np, &trunc, &nk, &nv) != ST_OK) {
        sc->bucket[0] = '\0';
        arena_reset(&a);
        return;
    }
    int versioned = store_bucket_versioning(st, bucket) != 0;
    for (size_t i = 0; i < nvs; i++) {
        object_info *o = &vs[i].info;
        const char *key = o->key;
        /* versions of a key are listed newest first; how many noncurrent
         * ones came before this one, and since when it is noncurrent */
        size_t first = i;
        while (first > 0 && !strcmp(vs[first - 1].info.key, key)) first--;
        int64_t noncurrent_since = i > first ? vs[i - 1].info.mtime_ns : -1;
        long newer_noncurrent = (long)(i - first) - 1;
        int marker = (o->flags & OBJ_DELETE_MARKER) != 0;
        if (!marker && !o->tags) {
            /* listings carry no tags: fetch them when a rule filters on them */
            for (size_t k = 0; k < nr; k++) if (rules[k].n_tags) {
                object_info full;
                if (store_object_version(st, &a, bucket, key, o->version_id[0] ? o->version_id : "null", &full) == ST_OK)
                    o->tags = full.tags;
                break;
            }
        }
        for (size_t k = 0; k < nr; k++) {
            const lc_rule *r = &rules[k];
            if (!rule_matches(r, key, o, &a)) continue;
            if (vs[i].is_latest && !marker) {
                int64_t at = expires_at(r, o);
                if (at >= 0 && at <= now) {
                    store_object_delete_version(st, bucket, key, NULL, 0, lc_deleted, sc);
                    break;
                }
            } else if (vs[i].is_latest && marker && r->exp_marker) {
                int alone = i + 1 >= nvs || strcmp(vs[i + 1].info.key, key) != 0;
                if (alone) {
                    store_object_delete_version(st, bucket, key, o->version_id, 0, lc_deleted, sc);
                    break;
                }
            } else if (!vs[i].is_latest && versioned && r->nc_days > 0 && noncurrent_since >= 0 &&
                       noncurrent_since + r->nc_days * day <= now &&
                       (r->nc_newer < 0 || newer_noncurrent >= r->nc_newer)) {
                store_object_delete_version(st, bucket, key, o->version_id, 0, lc_deleted, sc);
                break;
            }
        }
    }
    if (trunc && nk) {
        set_marker(&sc->key_marker, nk);
        set_marker(&sc->version_marker, nv);
    } else {
        sc->bucket[0] = '\0';     /* this bucket is done: the next one next tick */
        set_marker(&sc->key_marker, NULL);
        set_marker(&sc->version_marker, NULL);
    }
    arena_reset(&a);
}

void s3_lifecycle_start(s3api *api)
{
    lc_scanner *sc = calloc(1, sizeof *sc);
    if (!sc) return;
    sc->api = api;
    api->lifecycle = sc;
    const char *t = getenv("CAIRN_LIFECYCLE_INTERVAL_MS");
    long ms = t && *t ? atol(t) : 1000;
    store_set_periodic(api->cfg.store, lc_tick, sc, (uint64_t)(ms > 0 ? ms : 1000));
}

void s3_lifecycle_free(s3api *api)
{
    lc_cache *c = api->lifecycle_rules;
    if (c) {
        lc_cache_clear(c);
        free(c);
        api->lifecycle_rules = NULL;
    }
    lc_scanner *sc = api->lifecycle;
    if (!sc) return;
    free(sc->key_marker);
    free(sc->version_marker);
    free(sc);
}

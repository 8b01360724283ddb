/*
 * cors — bucket CORS configurations (Put/Get/DeleteBucketCors), preflight
 * OPTIONS requests answered from them (no authentication, as browsers send
 * none), and the CORS headers on actual responses to browser requests.
 *
 * The configuration is kept as the validated XML document in the bucket's
 * configuration store and parsed when a request carries an Origin header.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "xml.h"

enum { MAX_CORS_BODY = 64 * 1024 };

/* One optional '*' wildcard. */
static int wildcard_match(const char *pattern, const char *s, int nocase)
{
    const char *star = strchr(pattern, '*');
    size_t sl = strlen(s);
    if (!star) return nocase ? strcasecmp(pattern, s) == 0 : strcmp(pattern, s) == 0;
    size_t pre = (size_t)(star - pattern), post = strlen(star + 1);
    if (sl < pre + post) return 0;
    if (nocase)
        return strncasecmp(pattern, s, pre) == 0 && strcasecmp(star + 1, s + sl - post) == 0;
    return strncmp(pattern, s, pre) == 0 && strcmp(star + 1, s + sl - post) == 0;
}

static int rule_allows(const cors_rule *r, const char *origin, const char *method, const char *req_headers, arena *a,
                       int *any_origin)
{
    int ok = 0;
    *any_origin = 0;
    for (size_t i = 0; i < r->n_origins && !ok; i++) {
        if (wildcard_match(r->origins[i], origin, 0)) {
            ok = 1;
            *any_origin = strcmp(r->origins[i], "*") == 0;
        }
    }
    if (!ok) return 0;
    ok = 0;
    for (size_t i = 0; i < r->n_methods && !ok; i++) ok = strcmp(r->methods[i], method) == 0;
    if (!ok || !req_headers) return ok;
    char *list = arena_strdup(a, req_headers);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ' || *tok == '\t') tok++;
        size_t n = strlen(tok);
        while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t')) tok[--n] = '\0';
        if (!n) continue;
        int found = 0;
        for (size_t i = 0; i < r->n_headers && !found; i++) found = wildcard_match(r->headers[i], tok, 1);
        if (!found) return 0;
    }
    return 1;
}

static void join(strbuf *b, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) strbuf_puts(b, ", ");
        strbuf_puts(b, items[i]);
    }
}

/* Finds the first matching rule of the bucket's configuration. */
static const cors_rule *find_rule(s3_req *r, const char *origin, const char *method, const char *req_headers,
                                  int *any_origin, store_status *st)
{
    char *doc;
    size_t len;
    *st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "cors", &doc, &len);
    if (*st) return NULL;
    cors_rule *rules;
    size_t n;
    if (xml_parse_cors(r->a, doc, len, &rules, &n) != 0) return NULL;
    for (size_t i = 0; i < n; i++)
        if (rule_allows(&rules[i], origin, method, req_headers, r->a, any_origin)) return &rules[i];
    return NULL;
}

static void add_headers(s3_req *r, const cors_rule *rule, const char *origin, int any_origin, const char *req_headers)
{
    http_exchange *ex = r->ex;
    http_add_header(ex, "Access-Control-Allow-Origin", any_origin ? "*" : origin);
    if (!any_origin) http_add_header(ex, "Access-Control-Allow-Credentials", "true");
    strbuf b;
    strbuf_init(&b, r->a, 64);
    join(&b, rule->methods, rule->n_methods);
    http_add_header(ex, "Access-Control-Allow-Methods", b.data);
    if (req_headers) http_add_header(ex, "Access-Control-Allow-Headers", req_headers);
    if (rule->n_expose) {
        strbuf e;
        strbuf_init(&e, r->a, 64);
        join(&e, rule->expose, rule->n_expose);
        http_add_header(ex, "Access-Control-Expose-Headers", e.data);
    }
    if (rule->max_age >= 0) http_add_header(ex, "Access-Control-Max-Age", arena_printf(r->a, "%ld", rule->max_age));
    http_add_header(ex, "Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

void s3_cors_preflight(s3_req *r)
{
    const char *origin = s3_header(r, "origin");
    const char *method = s3_header(r, "access-control-request-method");
    const char *req_headers = s3_header(r, "access-control-request-headers");
    if (!r->bucket) { s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL); return; }
    if (!origin || !method) {
        s3_error_reply(r, S3E_BAD_REQUEST, "Insufficient information. Origin request header needed.");
        return;
    }
    int any;
    store_status st;
    const cors_rule *rule = find_rule(r, origin, method, req_headers, &any, &st);
    if (st == ST_NO_SUCH_BUCKET) { s3_error_reply(r, S3E_NO_SUCH_BUCKET, NULL); return; }
    if (st == ST_NO_SUCH_KEY) {
        s3_error_reply(r, S3E_CORS_FORBIDDEN, "CORSResponse: CORS is not enabled for this bucket.");
        return;
    }
    if (!rule) {
        s3_error_reply(r, S3E_CORS_FORBIDDEN,
                       "CORSResponse: This CORS request is not allowed. The Origin, the request method "
                       "(Access-Control-Request-Method) or the requested headers (Access-Control-Request-Headers) "
                       "are not allowed by the bucket's CORS configuration.");
        return;
    }
    add_headers(r, rule, origin, any, req_headers);
    http_respond(r->ex, 200, NULL, NULL, 0);
}

void s3_cors_apply(s3_req *r)
{
    const char *origin = s3_header(r, "origin");
    if (!origin || !r->bucket) return;
    int any;
    store_status st;
    const cors_rule *rule = find_rule(r, origin, r->http->method, NULL, &any, &st);
    if (rule) add_headers(r, rule, origin, any, NULL);
}

static void cors_body(s3_req *r, s3_error e, char *body, size_t n)
{
    if (e) { s3_error_reply(r, e == S3E_MAX_MESSAGE_LENGTH_EXCEEDED ? S3E_MALFORMED_XML : e, NULL); return; }
    cors_rule *rules;
    size_t count;
    if (xml_parse_cors(r->a, body, n, &rules, &count) != 0) { s3_error_reply(r, S3E_MALFORMED_XML, NULL); return; }
    http_hold(r->ex);
    store_bucket_config_set(r->api->cfg.store, r->bucket, "cors", body, n, s3_config_written, r);
}

void op_cors(s3_req *r)
{
    const char *m = r->http->method;
    if (strcmp(m, "GET") == 0) {
        char *doc;
        size_t len;
        store_status st = store_bucket_config_get(r->api->cfg.store, r->a, r->bucket, "cors", &doc, &len);
        if (st == ST_NO_SUCH_KEY) { s3_error_reply(r, S3E_NO_SUCH_CORS, NULL); return; }
        if (st) { s3_error_reply(r, s3_error_from_store(st, 0), NULL); return; }
        http_respond(r->ex, 200, "application/xml", doc, len);
    } else if (strcmp(m, "PUT") == 0) {
        s3_body_collect(r, MAX_CORS_BODY, cors_body);
    } else if (strcmp(m, "DELETE") == 0) {
        http_hold(r->ex);
        store_bucket_config_set(r->api->cfg.store, r->bucket, "cors", NULL, 0, s3_config_written, r);
    } else {
        s3_error_reply(r, S3E_METHOD_NOT_ALLOWED, NULL);
    }
}

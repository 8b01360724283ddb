#include "admin.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cluster/cluster.h"
#include "../common/log.h"
#include "../s3api/sigv4.h"
#include "admin_iam.h"
#include "opsauth.h"

typedef struct admin_req {
    const admin_config *cfg;
    http_exchange *ex;
    EVP_MD_CTX *sha;
    char *body;
    size_t len;
    int too_large;
    const char *op;              /* the path after ADMIN_PREFIX */
    const char *trusted_user;    /* set when the console's session authenticated the caller */
    iam_identity caller;
} admin_req;

void admin_reply_json(http_exchange *ex, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (!s) {
        http_respond(ex, 500, "application/json", "{}", 2);
        return;
    }
    size_t n = strlen(s);
    char *copy = arena_alloc(http_arena(ex), n + 1);
    memcpy(copy, s, n);
    copy[n] = '\n';
    free(s);
    http_respond(ex, status, "application/json", copy, n + 1);
}

void admin_reply_error(http_exchange *ex, int status, const char *code, const char *msg)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "Code", code, "Message", msg, "Resource", http_req(ex)->path,
                          "RequestId", http_request_id(ex));
    admin_reply_json(ex, status, j ? j : json_object());
}

const char *admin_query_value(arena *a, const char *q, const char *name)
{
    size_t nl = strlen(name);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        if (plen >= nl && strncmp(q, name, nl) == 0 && (plen == nl || q[nl] == '='))
            return plen == nl ? "" : arena_strndup(a, q + nl + 1, plen - nl - 1);
        q = amp ? amp + 1 : q + plen;
    }
    return NULL;
}

/* ---- handlers ---- */

/* The drives of one node (node < 0: every drive), and totals over all. */
static json_t *drives_json(const admin_config *c, int node, int *online_out, size_t *n_out, uint64_t *total,
                           uint64_t *freeb)
{
    drive_info d[64];
    size_t n = store_drive_info(c->st, d, 64);
    json_t *arr = json_array();
    int online = 0;
    *total = *freeb = 0;
    for (size_t i = 0; i < n; i++) {
        online += d[i].online;
        if (d[i].online) { *total += d[i].total_bytes; *freeb += d[i].free_bytes; }
        if (node >= 0 && c->cluster && cluster_node_of_drive(c->cluster, (int)i) != node) continue;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:i,s:i}", "path", d[i].path ? d[i].path : "",
                                             "endpoint", d[i].path ? d[i].path : "",
                                             "state", d[i].online ? "ok" : "offline",
                                             "totalBytes", (json_int_t)d[i].total_bytes,
                                             "freeBytes", (json_int_t)d[i].free_bytes,
                                             "usedBytes", (json_int_t)d[i].used_bytes,
                                             "set", d[i].set_index, "index", d[i].drive_index));
    }
    *online_out = online;
    *n_out = n;
    return arr;
}

static void op_info(const admin_config *c, http_exchange *ex)
{
    int online;
    size_t n;
    uint64_t total, freeb;
    json_t *drives = drives_json(c, -1, &online, &n, &total, &freeb);
    store_layout l = store_get_layout(c->st);
    int64_t now = (int64_t)time(NULL);
    usage_snapshot us = usage_get(c->usage);
    uint64_t objs = 0, bytes = 0;
    for (size_t i = 0; i < us.n; i++) { objs += us.buckets[i].objects; bytes += us.buckets[i].bytes; }
    json_t *servers = json_array();
    int nodes = c->cluster ? cluster_node_count(c->cluster) : 1, nodes_online = 0;
    for (int k = 0; k < nodes; k++) {
        /* one node: this one, with every drive; several: each with its own */
        char name[300];
        int self = !c->cluster || k == cluster_self(c->cluster);
        int serving = self || cluster_node_serving(c->cluster, k);
        nodes_online += serving;
        if (c->cluster) cluster_node_name(c->cluster, k, name, sizeof name);
        else snprintf(name, sizeof name, "%s", c->server);
        int o2;
        size_t n2;
        uint64_t t2, f2;
        json_t *own = c->cluster ? drives_json(c, k, &o2, &n2, &t2, &f2) : json_incref(drives);
        json_array_append_new(servers, json_pack("{s:s,s:s,s:s,s:I,s:o}", "endpoint", name, "state",
                                                 serving ? "online" : "offline", "version", c->version,
                                                 "uptimeSeconds", (json_int_t)(self ? now - c->start_unix : 0),
                                                 "drives", own));
    }
    json_decref(drives);
    json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:{s:i,s:i,s:i,s:i,s:i,s:i},s:{s:i,s:i},s:{s:i,s:i},s:{s:I,s:I},s:{s:I,s:I,s:I,s:I}}",
                          "mode", "online", "version", c->version, "region", c->region,
                          "uptimeSeconds", (json_int_t)(now - c->start_unix), "startTime", (json_int_t)c->start_unix,
                          "servers", servers,
                          "backend", "drives", l.n_drives, "sets", l.n_sets, "setSize", l.set_size,
                          "standardSCParity", l.parity, "writeQuorum", l.write_quorum, "readQuorum", l.read_quorum,
                          "drivesOnline", "online", online, "offline", (int)n - online,
                          "nodes", "online", nodes_online, "offline", nodes - nodes_online,
                          "capacity", "rawTotalBytes", (json_int_t)total, "rawFreeBytes", (json_int_t)freeb,
                          "usage", "buckets", (json_int_t)us.n, "objects", (json_int_t)objs, "bytes", (json_int_t)bytes,
                          "lastUpdate", (json_int_t)us.updated_unix);
    if (!j) { admin_reply_error(ex, 500, "InternalError", "could not build the answer"); return; }
    admin_reply_json(ex, 200, j);
}

static void op_usage(const admin_config *c, http_exchange *ex)
{
    usage_snapshot us = usage_get(c->usage);
    json_t *b = json_object();
    uint64_t objs = 0, bytes = 0;
    for (size_t i = 0; i < us.n; i++) {
        objs += us.buckets[i].objects;
        bytes += us.buckets[i].bytes;
        json_object_set_new(b, us.buckets[i].name, json_pack("{s:I,s:I}", "size", (json_int_t)us.buckets[i].bytes,
                                                              "objectsCount", (json_int_t)us.buckets[i].objects));
    }
    char when[32] = "";
    if (us.updated_unix) {
        time_t t = (time_t)us.updated_unix;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:I,s:I}", "lastUpdate", when, "lastUpdateUnix",
                          (json_int_t)us.updated_unix, "bucketsCount", (json_int_t)us.n, "objectsCount",
                          (json_int_t)objs, "objectsTotalSize", (json_int_t)bytes, "bucketsUsageInfo", b,
                          "scanIntervalSeconds", (json_int_t)(c->usage_interval_ms / 1000),
                          "lastScanMillis", (json_int_t)us.pass_ms);
    admin_reply_json(ex, 200, j);
}

static json_t *config_json(const admin_config *c)
{
    return json_pack("{s:{s:b,s:s},s:{s:s,s:I,s:I,s:I}}",
                     "runtime", "accessLog", accesslog_enabled(c->log),
                     "prometheusAuthType", *c->prometheus_public ? "public" : "jwt",
                     "readOnly", "region", c->region, "staleUploadsExpirySeconds", (json_int_t)c->stale_upload_expiry_s,
                     "staleUploadsCleanupIntervalSeconds", (json_int_t)c->stale_upload_interval_s,
                     "usageScanIntervalSeconds", (json_int_t)(c->usage_interval_ms / 1000));
}

static void op_config_set(const admin_config *c, admin_req *r)
{
    http_exchange *ex = r->ex;
    json_error_t err;
    json_t *j = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES, &err);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        admin_reply_error(ex, 400, "InvalidRequest", "the body must be a JSON object of runtime settings");
        return;
    }
    /* validate everything first: all or nothing */
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (strcmp(key, "accessLog") == 0) {
            if (!json_is_boolean(v)) { json_decref(j); admin_reply_error(ex, 400, "InvalidArgument", "accessLog takes true or false"); return; }
        } else if (strcmp(key, "prometheusAuthType") == 0) {
            const char *s = json_string_value(v);
            if (!s || (strcmp(s, "public") != 0 && strcmp(s, "jwt") != 0)) {
                json_decref(j);
                admin_reply_error(ex, 400, "InvalidArgument", "prometheusAuthType takes \"public\" or \"jwt\"");
                return;
            }
        } else {
            char *msg = arena_printf(http_arena(ex), "%.100s is not a setting that can change at runtime", key);
            json_decref(j);
            admin_reply_error(ex, 400, "InvalidArgument", msg);
            return;
        }
    }
    json_object_foreach(j, key, v) {
        if (strcmp(key, "accessLog") == 0) accesslog_set_enabled(c->log, json_is_true(v));
        else if (strcmp(key, "prometheusAuthType") == 0) *c->prometheus_public = strcmp(json_string_value(v), "public") == 0;
    }
    json_decref(j);
    log_info("admin: runtime settings changed: access log %s, metrics auth %s", accesslog_enabled(c->log) ? "on" : "off",
             *c->prometheus_public ? "public" : "jwt");
    admin_reply_json(ex, 200, config_json(c));
}

static void op_token(const admin_config *c, http_exchange *ex)
{
    const char *ttl_s = admin_query_value(http_arena(ex), http_req(ex)->query, "ttl");
    long ttl = 100L * 365 * 24 * 3600;   /* MinIO's mc: tokens for Prometheus last long */
    if (ttl_s) {
        char *end;
        ttl = strtol(ttl_s, &end, 10);
        if (!*ttl_s || *end || ttl < 1 || ttl > 100L * 365 * 24 * 3600) {
            admin_reply_error(ex, 400, "InvalidArgument", "ttl must be a number of seconds from 1 to 100 years");
            return;
        }
    }
    int64_t now = (int64_t)time(NULL);
    char tok[TOKEN_MAX];
    if (!token_mint(c->access_key, c->secret_key, now, ttl, tok, sizeof tok)) {
        admin_reply_error(ex, 500, "InternalError", "could not mint a token");
        return;
    }
    admin_reply_json(ex, 200, json_pack("{s:s,s:I,s:s}", "token", tok, "expiresAt", (json_int_t)(now + ttl), "type", "Bearer"));
}

static json_t *heal_json(const admin_config *c)
{
    store_heal_status h = store_heal_get_status(c->st);
    return json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "running", h.running, "passes", (json_int_t)h.passes,
                     "objectsScanned", (json_int_t)h.objects_scanned, "objectsHealed", (json_int_t)h.objects_healed,
                     "objectsFailed", (json_int_t)h.objects_failed, "shardsHealed", (json_int_t)h.shards_healed,
                     "bytesHealed", (json_int_t)h.bytes_healed, "dropped", (json_int_t)h.dropped,
                     "queued", (json_int_t)h.queued, "startedUnixNano", (json_int_t)h.started_ns);
}

static void dispatch(admin_req *r)
{
    const admin_config *c = r->cfg;
    http_exchange *ex = r->ex;
    const http_request *q = http_req(ex);
    const char *op = r->op;
    const char *m = q->method;
    int get = strcmp(m, "GET") == 0;

    if (strcmp(op, "info") == 0 && get) op_info(c, ex);
    else if (strcmp(op, "datausageinfo") == 0 && get) op_usage(c, ex);
    else if (strcmp(op, "config") == 0 && get) admin_reply_json(ex, 200, config_json(c));
    else if (strcmp(op, "config") == 0 && strcmp(m, "PUT") == 0) op_config_set(c, r);
    else if (strcmp(op, "prometheus/token") == 0 && (get || strcmp(m, "POST") == 0)) op_token(c, ex);
    else if (strcmp(op, "service") == 0 && strcmp(m, "POST") == 0) {
        const char *action = admin_query_value(http_arena(ex), q->query, "action");
        int restart;
        if (action && strcmp(action, "stop") == 0) restart = 0;
        else if (action && strcmp(action, "restart") == 0) restart = 1;
        else { admin_reply_error(ex, 400, "InvalidArgument", "action must be stop or restart"); return; }
        log_info("admin: service %s requested by %s", restart ? "restart" : "stop", q->remote_addr);
        admin_reply_json(ex, 200, json_pack("{s:s,s:s}", "action", restart ? "restart" : "stop", "status", "accepted"));
        c->service(c->service_arg, restart);
    } else if ((strcmp(op, "heal") == 0 || strcmp(op, "heal/") == 0) && strcmp(m, "POST") == 0) {
        const char *deep = admin_query_value(http_arena(ex), q->query, "deep");
        int is_deep = deep && (strcmp(deep, "true") == 0 || strcmp(deep, "") == 0);
        if (deep && !is_deep && strcmp(deep, "false") != 0) {
            admin_reply_error(ex, 400, "InvalidArgument", "deep takes true or false");
            return;
        }
        store_heal_start(c->st, is_deep);
        log_info("admin: %s heal pass requested by %s", is_deep ? "deep" : "normal", q->remote_addr);
        admin_reply_json(ex, 200, heal_json(c));
    } else if (strcmp(op, "heal/status") == 0 && get) {
        admin_reply_json(ex, 200, heal_json(c));
    } else if (strncmp(op, "heal/", 5) == 0) {
        admin_reply_error(ex, 501, "NotImplemented",
                    "healing one bucket or prefix is not built; POST heal/ heals everything, GET heal/status tells how it goes");
    } else if (strcmp(op, "heal") == 0) {
        admin_reply_error(ex, 405, "MethodNotAllowed", "POST heal starts a pass; GET heal/status");
    } else if (strcmp(op, "info") == 0 || strcmp(op, "datausageinfo") == 0 || strcmp(op, "config") == 0 ||
               strcmp(op, "prometheus/token") == 0 || strcmp(op, "service") == 0) {
        admin_reply_error(ex, 405, "MethodNotAllowed", "this method is not allowed on this admin resource");
    } else {
        admin_reply_error(ex, 404, "NotImplemented", "no such admin API");
    }
}

/* The admin action each built-in endpoint needs, as MinIO names them. */
static const char *admin_action(const char *op, const char *method, const char *http_query)
{
    const char *iam_action = admin_iam_action(op, method);
    if (iam_action) return iam_action;
    if (!strcmp(op, "info")) return "admin:ServerInfo";
    if (!strcmp(op, "datausageinfo")) return "admin:DataUsageInfo";
    if (!strcmp(op, "config")) return "admin:ConfigUpdate";   /* MinIO reads and writes config under one action */
    if (!strcmp(op, "prometheus/token")) return "admin:Prometheus";
    if (!strcmp(op, "service")) return strstr(http_query, "action=stop") ? "admin:ServiceStop" : "admin:ServiceRestart";
    if (!strncmp(op, "heal", 4)) return "admin:Heal";
    return "admin:ServerInfo";
}

static void finish(admin_req *r)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(r->sha, md, &mdlen);
    EVP_MD_CTX_free(r->sha);
    r->sha = NULL;
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    const char *ak = r->trusted_user;
    if (!ak) {
        sigv4_credential cred;
        const char *authz = http_header_get(r->ex, "authorization");
        if (!authz) { admin_reply_error(r->ex, 403, "AccessDenied", "the admin API needs a SigV4 Authorization header"); return; }
        if (sigv4_parse_authorization(authz, &cred) != SIGV4_OK) { admin_reply_error(r->ex, 400, "AuthorizationHeaderMalformed", "AuthorizationHeaderMalformed"); return; }
        ak = arena_strdup(http_arena(r->ex), cred.access_key);
    }
    iam_status ist = iam_lookup(r->cfg->iam, ak, r->trusted_user ? NULL : http_header_get(r->ex, "x-amz-security-token"),
                                (int64_t)time(NULL), &r->caller);
    if (ist == IAM_UNAVAILABLE) {
        admin_reply_error(r->ex, 503, "XMinioServerNotInitialized", "the IAM state cannot be read yet; retry later");
        return;
    }
    if (ist != IAM_OK) {
        admin_reply_error(r->ex, 403, ist == IAM_EXPIRED ? "ExpiredToken" : "InvalidAccessKeyId",
                          ist == IAM_DISABLED ? "the account is disabled" : "the access key is not known");
        return;
    }
    if (!r->trusted_user) {
        int status;
        const char *why = admin_auth_check(r->ex, ak, r->caller.secret_key, r->cfg->region, hex, (int64_t)time(NULL),
                                           &status);
        if (why) {
            char code[64];
            size_t cl = strcspn(why, ":");
            snprintf(code, sizeof code, "%.*s", (int)(cl < 63 ? cl : 63), why);
            admin_reply_error(r->ex, status, code, why);
            return;
        }
    }
    const char *method = http_req(r->ex)->method;
    int allowed = admin_iam_action(r->op, method) ? admin_iam_may(r->cfg, r->op, r->ex, r->body, r->len, &r->caller)
                                                  : iam_authorize(r->cfg->iam, &r->caller, NULL,
                                                                  &(policy_request){ .action = admin_action(r->op, method, http_req(r->ex)->query),
                                                                                     .resource = "arn:aws:s3:::*" });
    if (!allowed) {
        admin_reply_error(r->ex, 403, "AccessDenied", "the caller's policies do not allow this admin action");
        return;
    }
    http_set_log_fields(r->ex, &(http_log_fields){ .api = "Admin", .user = ak });
    if (admin_iam_handle(r->cfg, r->ex, r->op, r->body, r->len, &r->caller)) return;
    dispatch(r);
}

static int on_body(http_exchange *ex, const char *p, size_t n)
{
    admin_req *r = http_get_user(ex);
    if (r->too_large) return 0;
    if (r->len + n > ADMIN_MAX_BODY) {
        r->too_large = 1;
        EVP_MD_CTX_free(r->sha);
        r->sha = NULL;
        admin_reply_error(ex, 413, "EntityTooLarge", "admin request bodies are limited to 64 KiB");
        return 0;
    }
    if (!r->body) r->body = arena_alloc(http_arena(ex), ADMIN_MAX_BODY);
    memcpy(r->body + r->len, p, n);
    r->len += n;
    EVP_DigestUpdate(r->sha, p, n);
    return 0;
}

static void on_end(http_exchange *ex)
{
    admin_req *r = http_get_user(ex);
    if (!r->too_large) finish(r);
}

static void on_abort(http_exchange *ex)
{
    admin_req *r = http_get_user(ex);
    if (r && r->sha) { EVP_MD_CTX_free(r->sha); r->sha = NULL; }
}

static const http_body_sink admin_sink = { on_body, on_end, NULL };

static void handle(const admin_config *cfg, http_exchange *ex, const char *op, const char *trusted_user)
{
    const http_request *q = http_req(ex);
    admin_req *r = arena_calloc(http_arena(ex), sizeof *r);
    r->cfg = cfg;
    r->ex = ex;
    r->op = op;
    r->trusted_user = trusted_user;
    r->sha = EVP_MD_CTX_new();
    if (!r->sha || EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(r->sha);
        r->sha = NULL;
        admin_reply_error(ex, 500, "InternalError", "out of memory");
        return;
    }
    http_set_user(ex, r);
    http_on_abort(ex, on_abort);
    if (q->content_length > ADMIN_MAX_BODY) {
        EVP_MD_CTX_free(r->sha);
        r->sha = NULL;
        admin_reply_error(ex, 413, "EntityTooLarge", "admin request bodies are limited to 64 KiB");
        return;
    }
    if (q->has_body) {
        http_accept_body(ex, &admin_sink);
        return;
    }
    finish(r);
}

void admin_handle(const admin_config *cfg, http_exchange *ex)
{
    handle(cfg, ex, http_req(ex)->path + strlen(ADMIN_PREFIX), NULL);
}

void admin_handle_as(const admin_config *cfg, http_exchange *ex, const char *op, const char *access_key)
{
    handle(cfg, ex, op, access_key);
}

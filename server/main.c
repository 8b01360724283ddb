/*
 * main — the cairn command: arguments and environment into a
 * configuration, the store opened, credentials settled, the HTTP server
 * started on the libuv loop, and an orderly stop on SIGTERM/SIGINT (and
 * from the admin API, which can also restart the process).
 *
 * Routing: /minio/health/ (probes, answered here), /minio/v2/metrics/ and
 * /metrics (metrics.h, bearer token unless public), /minio/admin/v3/
 * (admin.h); everything else is S3 (s3api).  Every exchange ends in the
 * HTTP server's done hook, which feeds the access log and the metrics.
 * The web console (console.h) is a second listener (--console-address)
 * stopped together with the S3 one.
 * `cairn admin ...` is the admin API's client (cli_admin.c).
 */
#include <errno.h>
#include <signal.h>
#include <strings.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../cluster/cluster.h"
#include "../cluster/topology.h"
#include "../common/log.h"
#include "../s3api/s3api.h"
#include "../storage/store.h"
#include "accesslog.h"
#include "admin.h"
#include "cli_admin.h"
#include "console.h"
#include "credentials.h"
#include "http.h"
#include "internode.h"
#include "metrics.h"
#include "opsauth.h"
#include "tls.h"
#include "usage.h"

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "dev"
#endif

enum { DEFAULT_SHUTDOWN_GRACE_MS = 5000 };

typedef struct server_config {
    char host[256];
    int port;
    char console_host[256];
    int console_port;
    const char *domain;
    const char *region;
    const char *dirs[64];
    int n_dirs;
    topology topo;        /* the expanded drive list */
    int parity;           /* -1: the default for the set size */
    const char *log_file;
    int quiet;
    char certs_dir[4096];
    const char *server_url;   /* the S3 API's public URL, for console share links */
} server_config;

typedef struct app {
    uv_loop_t *loop;
    server_config cfg;
    store *store;
    s3api *api;
    iam *iam;
    http_server *http;
    console *console;
    int running_listeners;   /* S3 and console: the store closes when both stopped */
    uv_signal_t sigterm, sigint, sighup;
    int stopping;
    int tls;
    SSL_CTX *tls_ctx;     /* loaded at start; the server holds its own reference */
    int restart;
    char **argv;
    credentials cred;
    metrics *metrics;
    usage_scanner *usage;
    accesslog *log;
    admin_config admin;
    int prometheus_public;
    char server_label[300];
    uv_timer_t service_timer;
    cluster *cluster;     /* distributed deployments only */
    rpc_key rpc_key;
    http_limits limits;
    uint64_t usage_interval_ms, expiry_s, expiry_interval_s;
    char data_dir[4200];  /* where the credentials are (the first local drive) */
} app;

static void usage(FILE *f)
{
    fprintf(f,
        "cairn %s - S3-compatible object storage\n"
        "\n"
        "Usage:\n"
        "  cairn server [--address HOST:PORT] [--console-address HOST:PORT] [--domain DOMAIN]\n"
        "               [--log-file PATH] [--quiet] [--json] [--certs-dir DIR] [--server-url URL] DIR...\n"
        "  cairn admin [--endpoint URL] [--ca-bundle FILE] [--access-key AK --secret-key SK] [--json] COMMAND\n"
        "      info | usage | config get | config set NAME=VALUE... | prometheus token [--ttl SECONDS]\n"
        "      | service stop | service restart        (cairn admin --help for details)\n"
        "  cairn --help | --version\n"
        "\n"
        "Options:\n"
        "  --address HOST:PORT          S3 API address (default :9000, all interfaces)\n"
        "  --console-address HOST:PORT  web console address (default :9001, all interfaces): log in with an\n"
        "                               access key and secret; TLS like the S3 port when certificates are set\n"
        "  --server-url URL             the S3 API's public URL, used in the console's share links\n"
        "                               (default: the console's host name with the S3 port)\n"
        "  --domain DOMAIN              enables virtual-host style requests: BUCKET.DOMAIN\n"
        "  --log-file PATH              access log (JSON lines) to PATH instead of stdout; SIGHUP reopens it\n"
        "  --quiet                      no access log lines (the admin API can turn them back on)\n"
        "  --json                       the error log (stderr) as JSON lines too\n"
        "  --certs-dir DIR              TLS certificate dir (default ~/.cairn/certs): when it holds\n"
        "                               public.crt and private.key the S3 port speaks TLS 1.2/1.3 only;\n"
        "                               SIGHUP reloads them\n"
        "\n"
        "DIR... are the drives (directories): one, or several with MinIO's ellipsis syntax\n"
        "(/data{1...4}); several drives are erasure-coded in sets of 2 to 16, surviving the loss\n"
        "of up to the parity count of drives per set.  Several nodes: every node gets the same\n"
        "list of http:// endpoints (http://node{1...4}:9000/data{1...2}); see docs/cluster.md.\n"
        "\n"
        "Environment:\n"
        "  CAIRN_ROOT_USER, CAIRN_ROOT_PASSWORD    root access key and secret\n"
        "  MINIO_ROOT_USER, MINIO_ROOT_PASSWORD    accepted as the same\n"
        "      With neither set, credentials are generated on first start, stored 0600 in\n"
        "      DIR/.cairn.sys/credentials and printed once.\n"
        "  CAIRN_VOLUMES, MINIO_VOLUMES            drives when DIR is not given (space-separated, ellipses allowed)\n"
        "  CAIRN_STORAGE_CLASS_STANDARD, MINIO_STORAGE_CLASS_STANDARD  parity as EC:N (default by set size:\n"
        "                                          EC:1 for 2-3 drives, EC:2 for 4-5, EC:3 for 6-7, EC:4 for 8+)\n"
        "  CAIRN_HEAL_OBJECTS_PER_SECOND           background heal scan rate (default 1000; 50 per node with\n"
        "                                          several nodes, where every check of a remote shard is a call)\n"
        "  CAIRN_HEAL_DEEP_SCAN                    1: background passes verify every shard checksum (bitrot scrub)\n"
        "  CAIRN_DOMAIN, MINIO_DOMAIN              same as --domain\n"
        "  CAIRN_REGION, MINIO_REGION              region reported to clients (default us-east-1)\n"
        "  CAIRN_IDLE_TIMEOUT_MS                   idle keep-alive connection timeout (default 60000)\n"
        "  CAIRN_MAX_CONNECTIONS                   concurrent connection limit (default 4096)\n"
        "  CAIRN_HEADER_TIMEOUT_MS                 time allowed for a request head (default: idle timeout, at most 30000)\n"
        "  CAIRN_BODY_TIMEOUT_MS                   longest pause inside a request body (default 60000)\n"
        "  CAIRN_SHUTDOWN_TIMEOUT_MS               how long SIGTERM waits for requests in flight (default 5000)\n"
        "  CAIRN_STALE_UPLOADS_EXPIRY              seconds before an unfinished multipart upload is aborted (default 86400)\n"
        "  CAIRN_STALE_UPLOADS_CLEANUP_INTERVAL    seconds between sweeps for such uploads (default 3600)\n"
        "  CAIRN_LOG_FILE                          same as --log-file\n"
        "  CAIRN_CERTS_DIR, MINIO_CERTS_DIR        same as --certs-dir\n"
        "  CAIRN_PROMETHEUS_AUTH_TYPE, MINIO_PROMETHEUS_AUTH_TYPE\n"
        "      jwt (default): metrics need 'Authorization: Bearer TOKEN' (cairn admin prometheus token);\n"
        "      public: metrics answer without a token\n"
        "  CAIRN_USAGE_SCAN_INTERVAL               seconds between bucket-usage passes (default 60)\n"
        "  CAIRN_SERVER_URL, MINIO_SERVER_URL      same as --server-url\n"
        "  CAIRN_CONSOLE_LOGIN_RATE                failed console logins allowed per minute and client address\n"
        "                                          (default 10; all addresses together: 6 times that)\n"
        "  CAIRN_CONSOLE_SESSION_TTL               seconds a console session lives without use (default 43200)\n"
        "  CAIRN_CLUSTER_SECRET                    several nodes: key for the calls between them (default: derived\n"
        "                                          from the root credentials, which every node must share)\n"
        "  CAIRN_RESOLVE_TIMEOUT                   several nodes: seconds to wait for this node's own DNS name (default 120)\n"
        "\n"
        "Health probes (no authentication):\n"
        "  /minio/health/live     200 while the process serves\n"
        "  /minio/health/ready    200 when requests can be served, 503 while stopping\n"
        "  /minio/health/cluster  200 when every erasure set has its write quorum, else 503;\n"
        "                         ?maintenance=true: 412 when taking this node down would lose it\n"
        "  /minio/health/cluster/read  200 when every erasure set has its read quorum\n"
        "\n"
        "Metrics (Prometheus text): /minio/v2/metrics/cluster, /minio/v2/metrics/node, /metrics\n"
        "Web console: http://HOST:9001/ (--console-address)\n"
        "Admin API (SigV4, root credentials): /minio/admin/v3/...\n",
        CAIRN_VERSION);
}

static const char *env2(const char *a, const char *b)
{
    const char *v = getenv(a);
    if (v && *v) return v;
    v = getenv(b);
    return v && *v ? v : NULL;
}

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long x = strtol(v, &end, 10);
    return *end || x <= 0 ? def : x;
}

/* ":9000", "127.0.0.1:9000", "[::1]:9000" */
static int parse_address(const char *s, char *host, size_t cap, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon) return -1;
    size_t hl = (size_t)(colon - s);
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') { h = s + 1; hl -= 2; }
    if (hl >= cap) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535) return -1;
    *port = (int)p;
    return 0;
}

static int parse_args(int argc, char **argv, server_config *c)
{
    strcpy(c->host, "");
    c->port = 9000;
    strcpy(c->console_host, "");
    c->console_port = 9001;
    c->domain = env2("CAIRN_DOMAIN", "MINIO_DOMAIN");
    c->region = env2("CAIRN_REGION", "MINIO_REGION");
    if (!c->region) c->region = "us-east-1";
    c->log_file = env2("CAIRN_LOG_FILE", "CAIRN_LOG_FILE");
    c->server_url = env2("CAIRN_SERVER_URL", "MINIO_SERVER_URL");
    const char *cd = env2("CAIRN_CERTS_DIR", "MINIO_CERTS_DIR");
    if (cd) snprintf(c->certs_dir, sizeof c->certs_dir, "%s", cd);
    else tls_default_dir(c->certs_dir, sizeof c->certs_dir);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--address") == 0 || strcmp(a, "--console-address") == 0 || strcmp(a, "--domain") == 0 ||
             strcmp(a, "--log-file") == 0 || strcmp(a, "--certs-dir") == 0 || strcmp(a, "--server-url") == 0) &&
            i + 1 >= argc) {
            fprintf(stderr, "cairn: %s needs a value\n", a);
            return -1;
        }
        if (strcmp(a, "--address") == 0) {
            if (parse_address(argv[++i], c->host, sizeof c->host, &c->port) != 0) {
                fprintf(stderr, "cairn: --address must be HOST:PORT or :PORT\n");
                return -1;
            }
        } else if (strcmp(a, "--console-address") == 0) {
            if (parse_address(argv[++i], c->console_host, sizeof c->console_host, &c->console_port) != 0) {
                fprintf(stderr, "cairn: --console-address must be HOST:PORT or :PORT\n");
                return -1;
            }
        } else if (strcmp(a, "--domain") == 0) {
            c->domain = argv[++i];
        } else if (strcmp(a, "--server-url") == 0) {
            c->server_url = argv[++i];
        } else if (strcmp(a, "--log-file") == 0) {
            c->log_file = argv[++i];
        } else if (strcmp(a, "--certs-dir") == 0) {
            snprintf(c->certs_dir, sizeof c->certs_dir, "%s", argv[++i]);
        } else if (strcmp(a, "--quiet") == 0) {
            c->quiet = 1;
            log_set_quiet_access(1);
        } else if (strcmp(a, "--json") == 0) {
            log_set_json(1);
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "cairn: unknown option %s\n", a);
            return -1;
        } else if (c->n_dirs < 64) {
            c->dirs[c->n_dirs++] = a;
        }
    }
    if (c->n_dirs == 0) {
        const char *v = env2("CAIRN_VOLUMES", "MINIO_VOLUMES");
        if (v) c->dirs[c->n_dirs++] = v;
    }
    if (c->n_dirs == 0) {
        fprintf(stderr, "cairn: no data directory given\n\n");
        usage(stderr);
        return -1;
    }
    /* ellipsis expansion and the drive list: cluster/topology.c */
    char err[512];
    if (topology_expand(c->dirs, c->n_dirs, &c->topo, err, sizeof err) != 0) {
        fprintf(stderr, "cairn: %s\n", err);
        return -1;
    }
    c->parity = topology_parity(env2("CAIRN_STORAGE_CLASS_STANDARD", "MINIO_STORAGE_CLASS_STANDARD"));
    if (c->parity == -2) {
        fprintf(stderr, "cairn: CAIRN_STORAGE_CLASS_STANDARD must be EC:<parity>, e.g. EC:2\n");
        return -1;
    }
    return 0;
}

/* ---- request routing ---- */

enum route { ROUTE_S3, ROUTE_HEALTH, ROUTE_METRICS, ROUTE_ADMIN, ROUTE_INTERNODE };

static enum route route_of(const char *path)
{
    if (strncmp(path, RPC_PREFIX, strlen(RPC_PREFIX)) == 0) return ROUTE_INTERNODE;
    if (strncmp(path, "/minio/health/", 14) == 0) return ROUTE_HEALTH;
    if (strncmp(path, "/minio/v2/metrics/", 18) == 0 || strcmp(path, "/metrics") == 0) return ROUTE_METRICS;
    if (strncmp(path, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0) return ROUTE_ADMIN;
    return ROUTE_S3;
}

static int query_has(const char *q, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        if (plen == nl + 1 + vl && strncmp(q, name, nl) == 0 && q[nl] == '=' && strncasecmp(q + nl + 1, value, vl) == 0)
            return 1;
        q = amp ? amp + 1 : q + plen;
    }
    return 0;
}

/* Online drives per erasure set against a quorum; `minus_local` takes this
 * node's drives away (what taking it down for maintenance would leave). */
static int quorum_ok(app *a, int quorum, int minus_local)
{
    drive_info d[64];
    size_t n = store_drive_info(a->store, d, 64);
    store_layout l = store_get_layout(a->store);
    for (int set = 0; set < (l.n_sets > 0 ? l.n_sets : 1); set++) {
        int online = 0;
        for (size_t i = 0; i < n; i++) {
            int here = !a->cluster || cluster_node_of_drive(a->cluster, (int)i) == cluster_self(a->cluster);
            if (d[i].set_index == set && d[i].online && !(minus_local && here)) online++;
        }
        if (online < quorum) return 0;
    }
    return 1;
}

static void health(http_exchange *ex, app *a, const char *path)
{
    const http_request *r = http_req(ex);
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        http_respond(ex, 405, NULL, NULL, 0);
        return;
    }
    int status = 200;
    if (!a->store) {   /* a node still joining its deployment is alive, not ready */
        http_respond(ex, strcmp(path, "/minio/health/live") == 0 ? 200 : 503, NULL, NULL, 0);
        return;
    }
    store_layout l = store_get_layout(a->store);
    char num[16];
    if (strcmp(path, "/minio/health/live") == 0) {
        status = 200;
    } else if (strcmp(path, "/minio/health/ready") == 0) {
        status = a->stopping ? 503 : 200;
    } else if (strcmp(path, "/minio/health/cluster") == 0) {
        /* MinIO's answer: 503 without write quorum; with ?maintenance=true,
         * 412 when this node going down would lose it (with one node, always). */
        snprintf(num, sizeof num, "%d", l.write_quorum);
        http_add_header(ex, "X-Minio-Write-Quorum", num);
        http_add_header(ex, "X-Minio-Storage-Class-Defaults", "true");
        if (a->stopping || !quorum_ok(a, l.write_quorum, 0)) status = 503;
        else if (query_has(r->query, "maintenance", "true") && !quorum_ok(a, l.write_quorum, 1)) status = 412;
    } else if (strcmp(path, "/minio/health/cluster/read") == 0) {
        snprintf(num, sizeof num, "%d", l.read_quorum);
        http_add_header(ex, "X-Minio-Read-Quorum", num);
        if (a->stopping || !quorum_ok(a, l.read_quorum, 0)) status = 503;
    } else {
        http_respond(ex, 404, NULL, NULL, 0);
        return;
    }
    if (a->stopping) http_add_header(ex, "X-Minio-Server-Status", "offline");
    http_respond(ex, status, NULL, NULL, 0);
}

static void metrics_endpoint(http_exchange *ex, app *a, const char *path)
{
    const http_request *r = http_req(ex);
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        http_respond(ex, 405, NULL, NULL, 0);
        return;
    }
    int which;
    if (strcmp(path, "/minio/v2/metrics/cluster") == 0 || strcmp(path, "/metrics") == 0) which = METRICS_ALL;
    else if (strcmp(path, "/minio/v2/metrics/node") == 0) which = METRICS_NODE;
    else {
        http_respond(ex, 404, "text/plain", "no such metrics path\n", 21);
        return;
    }
    if (!a->prometheus_public) {
        const char *authz = http_header_get(ex, "authorization");
        if (!authz || strncasecmp(authz, "Bearer ", 7) != 0) {
            http_add_header(ex, "WWW-Authenticate", "Bearer realm=\"cairn metrics\"");
            static const char msg[] = "metrics need Authorization: Bearer TOKEN (cairn admin prometheus token), "
                                      "or MINIO_PROMETHEUS_AUTH_TYPE=public\n";
            http_respond(ex, 401, "text/plain", msg, sizeof msg - 1);
            return;
        }
        const char *tok = authz + 7;
        while (*tok == ' ') tok++;
        token_status st = token_verify(tok, a->cred.access_key, a->cred.secret_key, (int64_t)time(NULL));
        if (st != TOKEN_OK) {
            const char *why = token_status_str(st);
            char *msg = arena_printf(http_arena(ex), "%s\n", why);
            http_respond(ex, 403, "text/plain", msg, strlen(msg));
            return;
        }
    }
    metrics_count_scrape(a->metrics);
    strbuf out;
    strbuf_init(&out, http_arena(ex), 64 * 1024);
    metrics_sources src = { .st = a->store, .usage = a->usage, .server = a->server_label,
                            .version = CAIRN_VERSION,
                            .nodes_online = a->cluster ? cluster_nodes_online(a->cluster) : 0,
                            .nodes_total = a->cluster ? cluster_node_count(a->cluster) : 0 };
    metrics_render(a->metrics, &src, which, &out);
    http_respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
}

static void on_request(http_exchange *ex)
{
    app *a = http_server_user(http_exchange_server(ex));
    const http_request *r = http_req(ex);
    enum route route = route_of(r->path);
    if (route == ROUTE_INTERNODE) {
        internode_handle(a->cluster, ex);
        return;
    }
    if (!a->api && route != ROUTE_HEALTH) {
        char *body = arena_printf(http_arena(ex),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>ServerNotInitialized</Code>"
            "<Message>The server is joining its deployment (waiting for the other nodes); retry.</Message>"
            "<RequestId>%s</RequestId></Error>", http_request_id(ex));
        http_add_header(ex, "Retry-After", "1");
        http_respond(ex, 503, "application/xml", body, strlen(body));
        return;
    }
    switch (route) {
    case ROUTE_INTERNODE: return;
    case ROUTE_HEALTH: health(ex, a, r->path); return;
    case ROUTE_METRICS: metrics_endpoint(ex, a, r->path); return;
    case ROUTE_ADMIN: admin_handle(&a->admin, ex); return;
    case ROUTE_S3: break;
    }
    metrics_begin(a->metrics);
    s3api_handle(a->api, ex);
}

static void on_exchange_done(http_exchange *ex, void *arg)
{
    app *a = arg;
    enum route route = route_of(http_req(ex)->path);
    if (http_exchange_dispatched(ex) && route == ROUTE_S3 && a->api) metrics_observe(a->metrics, ex);
    if (route != ROUTE_INTERNODE) accesslog_write(a->log, ex);
}

/* ---- lifecycle ---- */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* Both listeners (S3 and console) have let go of their connections. */
static void on_listeners_stopped(app *a)
{
    log_info("connections closed; closing the store");
    if (a->usage) usage_free(a->usage);
    a->usage = NULL;
    uv_close((uv_handle_t *)&a->service_timer, NULL);
    accesslog_close(a->log);
    a->log = NULL;
    if (a->store) store_close(a->store);
    a->store = NULL;
    if (a->cluster) cluster_stop(a->cluster);
    uv_signal_stop(&a->sigterm);
    uv_signal_stop(&a->sigint);
    uv_signal_stop(&a->sighup);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
    uv_close((uv_handle_t *)&a->sighup, NULL);
}

static void on_listener_stopped(app *a)
{
    if (--a->running_listeners == 0) on_listeners_stopped(a);
}

static void on_http_stopped(http_server *s)
{
    app *a = http_server_user(s);
    http_server_free(s);
    on_listener_stopped(a);
}

static void on_console_stopped(void *arg) { on_listener_stopped(arg); }

static void begin_stop(app *a, const char *why)
{
    a->stopping = 1;
    long grace = env_long("CAIRN_SHUTDOWN_TIMEOUT_MS", DEFAULT_SHUTDOWN_GRACE_MS);
    log_info("%s: no new connections, finishing requests in flight (up to %ld ms)", why, grace);
    http_server_shutdown(a->http, (uint64_t)grace, on_http_stopped);
    if (a->console) console_shutdown(a->console, (uint64_t)grace, on_console_stopped, a);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    app *a = sig->data;
    if (a->stopping) {
        log_warn("second signal: stopping now");
        exit(1);
    }
    begin_stop(a, signum == SIGTERM ? "received SIGTERM" : "received SIGINT");
}

/* SIGHUP: reopen the access log file (logrotate), and load the certificates
 * again (renewed by cert-manager, certbot...).  New connections get the new
 * ones; a broken set keeps the old. */
static void on_sighup(uv_signal_t *sig, int signum)
{
    (void)signum;
    app *a = sig->data;
    if (a->cfg.log_file) {
        int r = accesslog_reopen(a->log);
        if (r) log_error("SIGHUP: cannot reopen the access log %s: %s", a->cfg.log_file, strerror(-r));
        else log_info("SIGHUP: access log %s reopened", a->cfg.log_file);
    }
    if (!a->tls) {
        log_info("SIGHUP: TLS is off (no certificates in %s at start); nothing to reload", a->cfg.certs_dir);
        return;
    }
    char err[512];
    SSL_CTX *ctx = tls_context_new(a->cfg.certs_dir, err, sizeof err);
    if (!ctx) {
        log_error("SIGHUP: keeping the certificates in use: %s", err);
        return;
    }
    http_server_set_tls(a->http, ctx);
    if (a->console) console_set_tls(a->console, ctx);
    SSL_CTX_free(ctx);
    log_info("SIGHUP: certificates reloaded from %s", a->cfg.certs_dir);
}

/* The admin API asked: stop (or restart) once its answer has gone out. */
static void on_service_timer(uv_timer_t *t)
{
    app *a = t->data;
    if (!a->stopping) begin_stop(a, a->restart ? "admin API: restart" : "admin API: stop");
}

static void admin_service(void *arg, int restart)
{
    app *a = arg;
    if (a->stopping) return;
    a->restart = restart;
    uv_timer_start(&a->service_timer, on_service_timer, 50, 0);
}

/* The console's login check: root, IAM users and service accounts log
 * in with their own keys (a disabled or expired one cannot).  Temporary
 * STS keys need their session token, which a login form does not carry. */
static int lookup_secret(void *arg, const char *access_key, char *secret_out, size_t cap)
{
    app *a = arg;
    iam_identity id;
    if (iam_lookup(a->iam, access_key, NULL, (int64_t)time(NULL), &id) != IAM_OK || !id.secret_key) return -1;
    if ((size_t)snprintf(secret_out, cap, "%s", id.secret_key) >= cap) return -1;
    return 0;
}

static int start_console(app *a, const http_limits *limits)
{
    console_config cc = {
        .loop = a->loop, .limits = limits, .api = a->api, .admin = &a->admin, .metrics = a->metrics,
        .log = a->log, .region = a->cfg.region, .server_url = a->cfg.server_url,
        .s3_port = http_server_port(a->http), .s3_tls = a->tls, .lookup_secret = lookup_secret, .lookup_arg = a,
        .login_per_minute = (int)env_long("CAIRN_CONSOLE_LOGIN_RATE", 0),
        .session_ttl_s = env_long("CAIRN_CONSOLE_SESSION_TTL", 0),
    };
    a->console = console_new(&cc);
    if (!a->console) {
        fprintf(stderr, "cairn: out of memory\n");
        return 1;
    }
    if (a->tls_ctx) console_set_tls(a->console, a->tls_ctx);
    int r = console_listen(a->console, a->cfg.console_host, a->cfg.console_port);
    if (r != 0) {
        fprintf(stderr, "cairn: cannot listen on %s:%d (--console-address): %s\n",
                a->cfg.console_host[0] ? a->cfg.console_host : "*", a->cfg.console_port, uv_strerror(r));
        return 1;
    }
    a->running_listeners++;
    return 0;
}

/* Everything that needs the store: run once it is open (at once for one
 * node; when the deployment has formed for several). */
static int finish_start(app *a)
{
    credentials *cred = &a->cred;
    store_start_health_checks(a->store);
    /* with several nodes every node scans the whole namespace and each
     * remote shard checked is a call: a slower default keeps an idle
     * deployment idle (368 calls/s per node at 1000, bench/RESULTS.md) */
    store_start_background_heal(a->store, (uint64_t)env_long("CAIRN_HEAL_OBJECTS_PER_SECOND", a->cluster ? 50 : 1000),
                                env_long("CAIRN_HEAL_DEEP_SCAN", 0) > 0);
    store_start_upload_expiry(a->store, a->expiry_s * 1000, a->expiry_interval_s * 1000);
    const char *iam_err = NULL;
    if (iam_open(a->store, cred->access_key, cred->secret_key, getenv("CAIRN_KMS_SECRET_KEY"), &a->iam, &iam_err) != 0) {
        fprintf(stderr, "cairn: IAM: %s\n", iam_err);
        return 1;
    }
    a->usage = usage_new(a->loop, a->store, 1000, a->usage_interval_ms);
    if (!a->usage) {
        fprintf(stderr, "cairn: out of memory\n");
        return 1;
    }
    a->admin = (admin_config){
        .st = a->store, .usage = a->usage, .log = a->log, .access_key = cred->access_key,
        .secret_key = cred->secret_key, .iam = a->iam, .region = a->cfg.region, .version = CAIRN_VERSION,
        .server = a->server_label, .data_dir = a->data_dir, .prometheus_public = &a->prometheus_public,
        .usage_interval_ms = a->usage_interval_ms, .stale_upload_expiry_s = a->expiry_s,
        .stale_upload_interval_s = a->expiry_interval_s, .start_unix = (int64_t)time(NULL),
        .service = admin_service, .service_arg = a, .cluster = a->cluster,
    };
    s3api_config sc = { .store = a->store, .region = a->cfg.region, .domain = a->cfg.domain,
                        .access_key = cred->access_key, .secret_key = cred->secret_key, .iam = a->iam };
    s3api *api = s3api_new(&sc);
    /* the console's config points at a->admin: it starts after it is set */
    a->api = api;
    if (start_console(a, &a->limits) != 0) return 1;
    const char *shown = a->cfg.host[0] && strcmp(a->cfg.host, "0.0.0.0") != 0 ? a->cfg.host : "127.0.0.1";
    const char *scheme = a->tls ? "https" : "http";
    const char *console_shown = a->cfg.console_host[0] && strcmp(a->cfg.console_host, "0.0.0.0") != 0
                                    ? a->cfg.console_host : "127.0.0.1";
    const char *dir = a->data_dir;
    if (log_is_json()) {
        /* stdout carries only JSON lines (the access log) in this mode */
        log_info("cairn %s serving the S3 API at %s://%s:%d, region %s, data %s%s%s", CAIRN_VERSION, scheme, shown,
                 http_server_port(a->http), a->cfg.region, dir, a->tls ? ", TLS certificates from " : "",
                 a->tls ? a->cfg.certs_dir : "");
        log_info("console at %s://%s:%d/", scheme, console_shown, console_port(a->console));
    } else {
        printf("cairn %s\nS3 API: %s://%s:%d  region %s  data %s\n", CAIRN_VERSION, scheme, shown,
               http_server_port(a->http), a->cfg.region, dir);
        if (a->tls) printf("TLS: certificates from %s (SIGHUP reloads them)\n", a->cfg.certs_dir);
        if (a->cfg.domain)
            printf("Virtual-host style: %s://BUCKET.%s:%d\n", scheme, a->cfg.domain, http_server_port(a->http));
        printf("Console: %s://%s:%d/\n", scheme, console_shown, console_port(a->console));
        fflush(stdout);
    }
    return 0;
}

static void on_cluster_ready(void *arg, store *s)
{
    app *a = arg;
    if (a->stopping) {
        store_close(s);
        return;
    }
    a->store = s;
    if (finish_start(a) != 0) {
        fflush(NULL);
        exit(1);
    }
}

static void on_cluster_stale(void *arg) { admin_service(arg, 1); }

/* A distributed deployment: which node this is, the root credentials
 * every node shares (from the environment: generated ones would differ
 * per node), the key the nodes sign their calls with. */
static int prepare_cluster(app *a)
{
    topology *t = &a->cfg.topo;
    char err[1024];
    /* A pod's own name is published a moment after it starts: wait for it
     * (bounded) rather than crash-looping. */
    long wait_s = env_long("CAIRN_RESOLVE_TIMEOUT", 120);
    int r;
    for (long waited = 0; (r = topology_find_self(t, a->cfg.host, a->cfg.port, err, sizeof err)) == -2 &&
                          waited < wait_s; waited++) {
        if (waited % 10 == 0) log_info("waiting for this node's name to resolve: %s", err);
        sleep(1);
    }
    if (r != 0) {
        fprintf(stderr, "cairn: %s\n", err);
        return 1;
    }
    if (a->tls_ctx || t->nodes[0].tls) {
        fprintf(stderr, "cairn: TLS between the nodes of a distributed deployment is not implemented yet: "
                        "use http:// endpoints and no certificates in %s\n", a->cfg.certs_dir);
        return 1;
    }
    if (!env2("CAIRN_ROOT_USER", "MINIO_ROOT_USER") || !env2("CAIRN_ROOT_PASSWORD", "MINIO_ROOT_PASSWORD")) {
        fprintf(stderr, "cairn: a distributed deployment needs the same CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD "
                        "(or MinIO's names) on every node\n");
        return 1;
    }
    for (int i = 0; i < t->n; i++)
        if (t->node_of[i] == t->self) {
            snprintf(a->data_dir, sizeof a->data_dir, "%s", t->drives[i]);
            break;
        }
    if (credentials_load(a->data_dir, &a->cred) != 0) return 1;
    rpc_key_derive(&a->rpc_key, getenv("CAIRN_CLUSTER_SECRET"), a->cred.access_key, a->cred.secret_key);
    r = cluster_new(a->loop, t, &a->rpc_key, a->cfg.parity, &a->cluster);
    if (r != 0) {
        fprintf(stderr, "cairn: cannot start the cluster service: %s\n", strerror(-r));
        return 1;
    }
    return 0;
}

static int serve(app *a, int argc, char **argv)
{
    if (parse_args(argc, argv, &a->cfg) != 0) return 2;
    const char *auth_type = env2("CAIRN_PROMETHEUS_AUTH_TYPE", "MINIO_PROMETHEUS_AUTH_TYPE");
    if (auth_type && strcmp(auth_type, "public") != 0 && strcmp(auth_type, "jwt") != 0) {
        fprintf(stderr, "cairn: MINIO_PROMETHEUS_AUTH_TYPE must be jwt or public, not %s\n", auth_type);
        return 2;
    }
    a->prometheus_public = auth_type && strcmp(auth_type, "public") == 0;
    /* Certificates first: a broken set stops the start before anything opens. */
    if (tls_certs_present(a->cfg.certs_dir)) {
        char err[512];
        a->tls_ctx = tls_context_new(a->cfg.certs_dir, err, sizeof err);
        if (!a->tls_ctx) {
            fprintf(stderr, "cairn: TLS: %s\n", err);
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (!getenv("UV_THREADPOOL_SIZE")) setenv("UV_THREADPOOL_SIZE", "8", 0);
    a->loop = uv_default_loop();
    credentials *cred = &a->cred;
    if (a->cfg.topo.n_nodes > 0) {
        if (prepare_cluster(a) != 0) return 1;
    } else {
        int r = store_open_drives(a->loop, (const char *const *)a->cfg.topo.drives, a->cfg.topo.n, a->cfg.parity,
                                  &a->store);
        if (r != 0) {
            fprintf(stderr, "cairn: cannot open the data director%s (%s%s): %s\n", a->cfg.topo.n > 1 ? "ies" : "y",
                    a->cfg.topo.drives[0], a->cfg.topo.n > 1 ? ", ..." : "", strerror(-r));
            return 1;
        }
        /* Credentials live on the first drive that has them (a replaced
         * first drive must not mint new ones). */
        snprintf(a->data_dir, sizeof a->data_dir, "%s", a->cfg.topo.drives[0]);
        for (int i = 0; i < a->cfg.topo.n; i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s/.cairn.sys/credentials", a->cfg.topo.drives[i]);
            if (access(p, F_OK) == 0) { snprintf(a->data_dir, sizeof a->data_dir, "%s", a->cfg.topo.drives[i]); break; }
        }
        if (credentials_load(a->data_dir, cred) != 0) return 1;
    }
    a->expiry_s = (uint64_t)env_long("CAIRN_STALE_UPLOADS_EXPIRY", 24 * 3600);
    a->expiry_interval_s = (uint64_t)env_long("CAIRN_STALE_UPLOADS_CLEANUP_INTERVAL", 3600);
    a->limits = (http_limits){
        .max_connections = (int)env_long("CAIRN_MAX_CONNECTIONS", 4096),
        .idle_timeout_ms = (uint64_t)env_long("CAIRN_IDLE_TIMEOUT_MS", 60000),
        /* A request head must arrive within the idle timeout (at most
         * 30 s): a client dribbling headers is not kept forever. */
        .header_timeout_ms = (uint64_t)env_long("CAIRN_HEADER_TIMEOUT_MS",
                                                env_long("CAIRN_IDLE_TIMEOUT_MS", 60000) < 30000
                                                    ? env_long("CAIRN_IDLE_TIMEOUT_MS", 60000) : 30000),
        .body_timeout_ms = (uint64_t)env_long("CAIRN_BODY_TIMEOUT_MS", 60000),
        .drain_limit = 8u << 20,
    };
    a->log = accesslog_open(a->loop, a->cfg.log_file, !a->cfg.quiet);
    if (!a->log) return 1;
    a->metrics = metrics_new();
    a->usage_interval_ms = (uint64_t)env_long("CAIRN_USAGE_SCAN_INTERVAL", 60) * 1000;
    if (!a->metrics) {
        fprintf(stderr, "cairn: out of memory\n");
        return 1;
    }
    a->http = http_server_new(a->loop, &a->limits, on_request, a);
    http_server_on_done(a->http, on_exchange_done, a);
    if (a->tls_ctx) {
        http_server_set_tls(a->http, a->tls_ctx);   /* takes its own reference */
        a->tls = 1;
    }
    int r = http_server_listen(a->http, a->cfg.host, a->cfg.port);
    if (r != 0) {
        fprintf(stderr, "cairn: cannot listen on %s:%d: %s\n", a->cfg.host[0] ? a->cfg.host : "*", a->cfg.port,
                uv_strerror(r));
        return 1;
    }
    a->running_listeners = 1;
    snprintf(a->server_label, sizeof a->server_label, "%s:%d", a->cfg.host[0] ? a->cfg.host : "0.0.0.0",
             http_server_port(a->http));
    uv_timer_init(a->loop, &a->service_timer);
    a->service_timer.data = a;
    uv_signal_init(a->loop, &a->sigterm);
    uv_signal_init(a->loop, &a->sigint);
    a->sigterm.data = a->sigint.data = a;
    uv_signal_start(&a->sigterm, on_signal, SIGTERM);
    uv_signal_start(&a->sigint, on_signal, SIGINT);
    uv_signal_init(a->loop, &a->sighup);
    a->sighup.data = a;
    uv_signal_start(&a->sighup, on_sighup, SIGHUP);
    if (a->cluster) cluster_start(a->cluster, on_cluster_ready, on_cluster_stale, a);
    else if (finish_start(a) != 0) return 1;
    uv_run(a->loop, UV_RUN_DEFAULT);
    uv_walk(a->loop, close_walk, NULL);
    uv_run(a->loop, UV_RUN_DEFAULT);
    free(a->http);
    console_free(a->console);
    cluster_free(a->cluster);
    s3api_free(a->api);
    iam_free(a->iam);
    metrics_free(a->metrics);
    uv_loop_close(a->loop);
    if (a->restart) {
        log_info("restarting: %s", argv[0]);
        fflush(NULL);
        execv("/proc/self/exe", argv);
        log_error("restart failed: cannot execute /proc/self/exe: %s", strerror(errno));
        return 1;
    }
    log_info("stopped");
    return 0;
}

static int run_server(int argc, char **argv)
{
    app *a = calloc(1, sizeof *a);
    if (!a) return 1;
    a->argv = argv;
    int rc = serve(a, argc, argv);
    topology_free(&a->cfg.topo);
    if (a->tls_ctx) SSL_CTX_free(a->tls_ctx);
    free(a);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("cairn %s\n", CAIRN_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "server") == 0) return run_server(argc, argv);
    if (strcmp(argv[1], "admin") == 0) return cli_admin(argc, argv);
    fprintf(stderr, "cairn: unknown command %s\n\n", argv[1]);
    usage(stderr);
    return 2;
}

/*
 * main — the cairn command: arguments and environment into a
 * configuration, the store opened, credentials settled, the HTTP server
 * started on the libuv loop, health probes answered here, everything else
 * routed to s3api, and an orderly stop on SIGTERM/SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../common/log.h"
#include "../s3api/s3api.h"
#include "../storage/store.h"
#include "credentials.h"
#include "http.h"

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
} server_config;

typedef struct app {
    uv_loop_t *loop;
    server_config cfg;
    store *store;
    s3api *api;
    http_server *http;
    uv_signal_t sigterm, sigint;
    int stopping;
} app;

static void usage(FILE *f)
{
    fprintf(f,
        "cairn %s - S3-compatible object storage\n"
        "\n"
        "Usage:\n"
        "  cairn server [--address HOST:PORT] [--console-address HOST:PORT] [--domain DOMAIN] DIR\n"
        "  cairn --help | --version\n"
        "\n"
        "Options:\n"
        "  --address HOST:PORT          S3 API address (default :9000, all interfaces)\n"
        "  --console-address HOST:PORT  web console address (default :9001; the console is not built yet)\n"
        "  --domain DOMAIN              enables virtual-host style requests: BUCKET.DOMAIN\n"
        "  --quiet                      no access log lines\n"
        "\n"
        "DIR is the data directory (one drive; erasure coding across several drives and nodes\n"
        "is not implemented yet).\n"
        "\n"
        "Environment:\n"
        "  CAIRN_ROOT_USER, CAIRN_ROOT_PASSWORD    root access key and secret\n"
        "  MINIO_ROOT_USER, MINIO_ROOT_PASSWORD    accepted as the same\n"
        "      With neither set, credentials are generated on first start, stored 0600 in\n"
        "      DIR/.cairn.sys/credentials and printed once.\n"
        "  CAIRN_VOLUMES, MINIO_VOLUMES            data directory when DIR is not given\n"
        "  CAIRN_DOMAIN, MINIO_DOMAIN              same as --domain\n"
        "  CAIRN_REGION, MINIO_REGION              region reported to clients (default us-east-1)\n"
        "  CAIRN_IDLE_TIMEOUT_MS                   idle keep-alive connection timeout (default 60000)\n"
        "  CAIRN_MAX_CONNECTIONS                   concurrent connection limit (default 4096)\n"
        "  CAIRN_HEADER_TIMEOUT_MS                 time allowed for a request head (default: idle timeout, at most 30000)\n"
        "  CAIRN_BODY_TIMEOUT_MS                   longest pause inside a request body (default 60000)\n"
        "  CAIRN_SHUTDOWN_TIMEOUT_MS               how long SIGTERM waits for requests in flight (default 5000)\n"
        "  CAIRN_STALE_UPLOADS_EXPIRY              seconds before an unfinished multipart upload is aborted (default 86400)\n"
        "  CAIRN_STALE_UPLOADS_CLEANUP_INTERVAL    seconds between sweeps for such uploads (default 3600)\n"
        "  MINIO_PROMETHEUS_AUTH_TYPE              read for compatibility; metrics are not built yet\n"
        "\n"
        "Health probes (no authentication):\n"
        "  /minio/health/live     200 while the process serves\n"
        "  /minio/health/ready    200 when requests can be served, 503 while stopping\n"
        "  /minio/health/cluster  200 when the write quorum is available\n",
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
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--address") == 0 || strcmp(a, "--console-address") == 0 || strcmp(a, "--domain") == 0) &&
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
        } else if (strcmp(a, "--quiet") == 0) {
            log_set_quiet_access(1);
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
    for (int i = 0; i < c->n_dirs; i++) {
        if (strstr(c->dirs[i], "...") || strstr(c->dirs[i], "://") || c->n_dirs > 1 || strchr(c->dirs[i], ' ')) {
            fprintf(stderr, "cairn: several drives, ellipsis expansion and remote endpoints (%s) need erasure\n"
                            "coding and clustering, which are not implemented yet; give one data directory\n",
                    c->dirs[i]);
            return -1;
        }
    }
    return 0;
}

/* ---- request routing ---- */

static void health(http_exchange *ex, app *a, const char *path)
{
    const http_request *r = http_req(ex);
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        http_respond(ex, 405, NULL, NULL, 0);
        return;
    }
    int ok = 1;
    if (strcmp(path, "/minio/health/live") == 0) {
        ok = 1;
    } else if (strcmp(path, "/minio/health/ready") == 0) {
        ok = !a->stopping;
    } else if (strcmp(path, "/minio/health/cluster") == 0 || strcmp(path, "/minio/health/cluster/read") == 0) {
        /* One drive: the quorum is that drive, which is open while we run. */
        ok = !a->stopping;
        http_add_header(ex, "X-Minio-Write-Quorum", "1");
        http_add_header(ex, "X-Minio-Storage-Class-Defaults", "false");
    } else {
        http_respond(ex, 404, NULL, NULL, 0);
        return;
    }
    http_respond(ex, ok ? 200 : 503, NULL, NULL, 0);
}

static void on_request(http_exchange *ex)
{
    app *a = http_server_user(http_exchange_server(ex));
    const http_request *r = http_req(ex);
    if (strncmp(r->path, "/minio/health/", 14) == 0) {
        health(ex, a, r->path);
        return;
    }
    s3api_handle(a->api, ex);
}

/* ---- lifecycle ---- */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void on_http_stopped(http_server *s)
{
    app *a = http_server_user(s);
    log_info("connections closed; closing the store");
    store_close(a->store);
    a->store = NULL;
    uv_signal_stop(&a->sigterm);
    uv_signal_stop(&a->sigint);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
    http_server_free(s);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    app *a = sig->data;
    if (a->stopping) {
        log_warn("second signal: stopping now");
        exit(1);
    }
    a->stopping = 1;
    long grace = env_long("CAIRN_SHUTDOWN_TIMEOUT_MS", DEFAULT_SHUTDOWN_GRACE_MS);
    log_info("received %s: no new connections, finishing requests in flight (up to %ld ms)",
             signum == SIGTERM ? "SIGTERM" : "SIGINT", grace);
    http_server_shutdown(a->http, (uint64_t)grace, on_http_stopped);
}

static int run_server(int argc, char **argv)
{
    app a;
    memset(&a, 0, sizeof a);
    if (parse_args(argc, argv, &a.cfg) != 0) return 2;
    signal(SIGPIPE, SIG_IGN);
    if (!getenv("UV_THREADPOOL_SIZE")) setenv("UV_THREADPOOL_SIZE", "8", 0);
    a.loop = uv_default_loop();
    const char *dir = a.cfg.dirs[0];
    int r = store_open(a.loop, dir, &a.store);
    if (r != 0) {
        fprintf(stderr, "cairn: cannot open data directory %s: %s\n", dir, strerror(-r));
        return 1;
    }
    credentials cred;
    if (credentials_load(dir, &cred) != 0) return 1;
    store_start_upload_expiry(a.store, (uint64_t)env_long("CAIRN_STALE_UPLOADS_EXPIRY", 24 * 3600) * 1000,
                              (uint64_t)env_long("CAIRN_STALE_UPLOADS_CLEANUP_INTERVAL", 3600) * 1000);
    s3api_config sc = { .store = a.store, .region = a.cfg.region, .domain = a.cfg.domain,
                        .access_key = cred.access_key, .secret_key = cred.secret_key };
    a.api = s3api_new(&sc);
    http_limits limits = {
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
    a.http = http_server_new(a.loop, &limits, on_request, &a);
    r = http_server_listen(a.http, a.cfg.host, a.cfg.port);
    if (r != 0) {
        fprintf(stderr, "cairn: cannot listen on %s:%d: %s\n", a.cfg.host[0] ? a.cfg.host : "*", a.cfg.port,
                uv_strerror(r));
        return 1;
    }
    uv_signal_init(a.loop, &a.sigterm);
    uv_signal_init(a.loop, &a.sigint);
    a.sigterm.data = a.sigint.data = &a;
    uv_signal_start(&a.sigterm, on_signal, SIGTERM);
    uv_signal_start(&a.sigint, on_signal, SIGINT);
    const char *shown = a.cfg.host[0] && strcmp(a.cfg.host, "0.0.0.0") != 0 ? a.cfg.host : "127.0.0.1";
    printf("cairn %s\nS3 API: http://%s:%d  region %s  data %s\n", CAIRN_VERSION, shown,
           http_server_port(a.http), a.cfg.region, dir);
    if (a.cfg.domain) printf("Virtual-host style: http://BUCKET.%s:%d\n", a.cfg.domain, http_server_port(a.http));
    fflush(stdout);
    uv_run(a.loop, UV_RUN_DEFAULT);
    uv_walk(a.loop, close_walk, NULL);
    uv_run(a.loop, UV_RUN_DEFAULT);
    free(a.http);
    s3api_free(a.api);
    uv_loop_close(a.loop);
    log_info("stopped");
    return 0;
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
    fprintf(stderr, "cairn: unknown command %s\n\n", argv[1]);
    usage(stderr);
    return 2;
}

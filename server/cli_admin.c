#include "cli_admin.h"

#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "cli_iam.h"
#include "opsauth.h"

enum { MAX_RESPONSE = 16 << 20 };

typedef struct cli {
    char host[256];
    char port[8];
    char hostport[300];
    const char *ak, *sk, *region;
    int json;
    int https;
    const char *ca_bundle;       /* NULL: the system's trusted CAs */
} cli;

static void admin_usage(FILE *f)
{
    fprintf(f,
        "Usage: cairn admin [--endpoint URL] [--ca-bundle FILE] [--access-key AK --secret-key SK] [--region R]\n"
        "                   [--json] COMMAND\n"
        "\n"
        "Commands:\n"
        "  info                          version, uptime, drives, sets, parity, quorums\n"
        "  usage                         objects and bytes per bucket (last background pass)\n"
        "  config get                    runtime settings and read-only ones\n"
        "  config set NAME=VALUE...      accessLog=on|off, prometheusAuthType=jwt|public\n"
        "  prometheus token [--ttl S]    a bearer token for the metrics endpoints, as a scrape config\n"
        "  service stop | restart        graceful stop, or stop and start again with the same arguments\n"
        "  heal start [--deep]           a full heal pass now (--deep: verify every shard's checksum)\n"
        "  heal status                   objects scanned and healed, queue, passes\n"
        "  user add|rotate AK SK         an IAM user (the access key is its name), or a new secret\n"
        "  user list | info|enable|disable|remove AK\n"
        "  group add GROUP USER...       members join (the group is made on first use)\n"
        "  group remove GROUP [USER...]  members leave (no users: the empty group goes)\n"
        "  group list | info|enable|disable GROUP\n"
        "  policy create NAME FILE       a named policy from a JSON document\n"
        "  policy list | info|remove NAME\n"
        "  policy set [P1,P2] --user U|--group G   the policies attached (none: detach all)\n"
        "  svcacct add PARENT [--policy FILE] [--expiry SECONDS] [--name N]\n"
        "                                a key of PARENT's, narrowed by FILE; prints its secret once\n"
        "  svcacct list [USER] | info|enable|disable|remove AK | edit AK [--secret SK] [--policy FILE]\n"
        "\n"
        "--endpoint defaults to $CAIRN_ENDPOINT or http://127.0.0.1:9000; for https, --ca-bundle FILE\n"
        "(or CAIRN_CA_BUNDLE) names the CA certificates to trust (default: the system's).\n"
        "Credentials: --access-key/--secret-key, else CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD\n"
        "(or MINIO_ROOT_USER/MINIO_ROOT_PASSWORD). --json prints the server's JSON answer.\n");
}

static int parse_endpoint(cli *c, const char *url)
{
    const char *p = url;
    if (strncmp(p, "http://", 7) == 0) p += 7;
    else if (strncmp(p, "https://", 8) == 0) { p += 8; c->https = 1; }
    else if (strstr(p, "://")) {
        fprintf(stderr, "cairn admin: endpoints are http:// or https:// (%s)\n", url);
        return -1;
    }
    size_t n = strcspn(p, "/");
    if (n == 0 || n >= sizeof c->hostport) return -1;
    memcpy(c->hostport, p, n);
    c->hostport[n] = '\0';
    const char *host = c->hostport, *colon;
    size_t hl;
    if (host[0] == '[') {
        const char *rb = strchr(host, ']');
        if (!rb) return -1;
        host++;
        hl = (size_t)(rb - host);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(host, ':');
        hl = colon ? (size_t)(colon - host) : strlen(host);
    }
    if (hl == 0 || hl >= sizeof c->host) return -1;
    memcpy(c->host, host, hl);
    c->host[hl] = '\0';
    snprintf(c->port, sizeof c->port, "%s", colon ? colon + 1 : c->https ? "443" : "80");
    return 0;
}

typedef struct response {
    int status;
    char *body;
    size_t len;
} response;

typedef struct io {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
} io;

static void io_close(io *x)
{
    if (x->ssl) { SSL_shutdown(x->ssl); SSL_free(x->ssl); }
    if (x->ctx) SSL_CTX_free(x->ctx);
    if (x->fd >= 0) close(x->fd);
}

/* TLS 1.2+ to the endpoint, verifying its certificate and name (or IP). */
static int io_tls(cli *c, io *x)
{
    x->ctx = SSL_CTX_new(TLS_client_method());
    if (!x->ctx) return -1;
    SSL_CTX_set_min_proto_version(x->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(x->ctx, SSL_VERIFY_PEER, NULL);
    if (c->ca_bundle ? SSL_CTX_load_verify_locations(x->ctx, c->ca_bundle, NULL) != 1
                     : SSL_CTX_set_default_verify_paths(x->ctx) != 1) {
        fprintf(stderr, "cairn admin: cannot load CA certificates%s%s\n", c->ca_bundle ? " from " : "",
                c->ca_bundle ? c->ca_bundle : "");
        return -1;
    }
    x->ssl = SSL_new(x->ctx);
    if (!x->ssl) return -1;
    SSL_set_fd(x->ssl, x->fd);
    X509_VERIFY_PARAM *vp = SSL_get0_param(x->ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(vp, c->host) != 1) {
        SSL_set_tlsext_host_name(x->ssl, c->host);
        X509_VERIFY_PARAM_set1_host(vp, c->host, 0);
    }
    if (SSL_connect(x->ssl) != 1) {
        long v = SSL_get_verify_result(x->ssl);
        unsigned long e = ERR_get_error();
        char buf[256] = "";
        if (e) ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "cairn admin: TLS handshake with %s failed: %s%s%s\n", c->hostport,
                v != X509_V_OK ? X509_verify_cert_error_string(v) : buf, v != X509_V_OK ? " " : "",
                v != X509_V_OK ? "(--ca-bundle?)" : "");
        return -1;
    }
    return 0;
}

static ssize_t io_recv(io *x, void *p, size_t n)
{
    if (!x->ssl) return recv(x->fd, p, n, 0);
    int r = SSL_read(x->ssl, p, (int)(n > 1 << 30 ? 1 << 30 : n));
    if (r > 0) return r;
    int e = SSL_get_error(x->ssl, r);
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

static int send_all(io *x, const char *p, size_t n)
{
    if (x->ssl) return SSL_write(x->ssl, p, (int)n) == (int)n ? 0 : -1;
    int fd = x->fd;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int request(cli *c, const char *method, const char *op, const char *query, const char *body, response *out)
{
    memset(out, 0, sizeof *out);
    char path[256];
    snprintf(path, sizeof path, "%s%s", ADMIN_PREFIX, op);
    size_t blen = body ? strlen(body) : 0;
    char amz_date[17], sha[65], authz[1024];
    if (admin_sign(method, path, query, c->hostport, body, blen, c->ak, c->sk, c->region, (int64_t)time(NULL), amz_date,
                   sha, authz, sizeof authz) != 0) {
        fprintf(stderr, "cairn admin: cannot sign the request\n");
        return -1;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
    int gr = getaddrinfo(c->host, c->port, &hints, &ai);
    if (gr != 0) {
        fprintf(stderr, "cairn admin: %s: %s\n", c->host, gai_strerror(gr));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *p = ai; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0) continue;
        struct timeval tv = { .tv_sec = 30 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        fprintf(stderr, "cairn admin: cannot connect to %s: %s\n", c->hostport, strerror(errno));
        return -1;
    }
    io x = { .fd = fd };
    if (c->https && io_tls(c, &x) != 0) {
        io_close(&x);
        return -1;
    }
    char head[2048];
    int hn = snprintf(head, sizeof head,
                      "%s %s%s%s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nx-amz-date: %s\r\n"
                      "x-amz-content-sha256: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n"
                      "User-Agent: cairn-admin/" CAIRN_VERSION "\r\n\r\n",
                      method, path, query && *query ? "?" : "", query ? query : "", c->hostport, authz, amz_date, sha,
                      blen, blen ? "Content-Type: application/json\r\n" : "");
    if (hn <= 0 || (size_t)hn >= sizeof head || send_all(&x, head, (size_t)hn) != 0 ||
        (blen && send_all(&x, body, blen) != 0)) {
        fprintf(stderr, "cairn admin: sending the request failed: %s\n", strerror(errno));
        io_close(&x);
        return -1;
    }
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) { io_close(&x); return -1; }
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_RESPONSE) break;
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) break;
            buf = nb;
        }
        ssize_t r = io_recv(&x, buf + len, cap - len);
        if (r < 0 && errno == EINTR && !x.ssl) continue;
        if (r < 0) {
            fprintf(stderr, "cairn admin: reading the answer failed: %s\n", strerror(errno));
            free(buf);
            io_close(&x);
            return -1;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    io_close(&x);
    buf[len] = '\0';
    int status = 0;
    char *eoh = strstr(buf, "\r\n\r\n");
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !eoh) {
        fprintf(stderr, "cairn admin: the answer is not HTTP\n");
        free(buf);
        return -1;
    }
    out->status = status;
    out->len = len - (size_t)(eoh + 4 - buf);
    out->body = malloc(out->len + 1);
    if (!out->body) { free(buf); return -1; }
    memcpy(out->body, eoh + 4, out->len);
    out->body[out->len] = '\0';
    free(buf);
    return 0;
}

static json_t *answer_json(cli *c, response *r)
{
    json_error_t err;
    json_t *j = json_loadb(r->body, r->len, 0, &err);
    if (r->status >= 300) {
        const char *code = j ? json_string_value(json_object_get(j, "Code")) : NULL;
        const char *msg = j ? json_string_value(json_object_get(j, "Message")) : NULL;
        if (c->json && j) {
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
            if (s) { puts(s); free(s); }
        }
        fprintf(stderr, "cairn admin: HTTP %d %s: %s\n", r->status, code ? code : "", msg ? msg : r->body);
        json_decref(j);
        return NULL;
    }
    if (!j) fprintf(stderr, "cairn admin: the answer is not JSON: %.200s\n", r->body);
    return j;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (s) { puts(s); free(s); }
}

static const char *human_bytes(uint64_t b, char *out, size_t cap)
{
    static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 5) { v /= 1024; i++; }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
    return out;
}

static json_int_t jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_info(json_t *j)
{
    char b1[32], b2[32];
    json_t *be = json_object_get(j, "backend"), *cap = json_object_get(j, "capacity"), *us = json_object_get(j, "usage");
    json_int_t up = jint(j, "uptimeSeconds");
    printf("cairn %s, region %s, up %lldd %02lldh %02lldm %02llds\n", jstr(j, "version"), jstr(j, "region"),
           (long long)(up / 86400), (long long)(up / 3600 % 24), (long long)(up / 60 % 60), (long long)(up % 60));
    printf("Erasure sets: %lld of %lld drives, parity %lld, write quorum %lld, read quorum %lld\n",
           (long long)jint(be, "sets"), (long long)jint(be, "setSize"), (long long)jint(be, "standardSCParity"),
           (long long)jint(be, "writeQuorum"), (long long)jint(be, "readQuorum"));
    printf("Capacity: %s free of %s\n", human_bytes((uint64_t)jint(cap, "rawFreeBytes"), b1, sizeof b1),
           human_bytes((uint64_t)jint(cap, "rawTotalBytes"), b2, sizeof b2));
    if (jint(us, "lastUpdate"))
        printf("Usage: %lld buckets, %lld objects, %s\n", (long long)jint(us, "buckets"), (long long)jint(us, "objects"),
               human_bytes((uint64_t)jint(us, "bytes"), b1, sizeof b1));
    else
        printf("Usage: not computed yet\n");
    size_t i;
    json_t *srv;
    json_array_foreach(json_object_get(j, "servers"), i, srv) {
        printf("\nNode %s: %s\n", jstr(srv, "endpoint"), jstr(srv, "state"));
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(srv, "drives"), k, d) {
            printf("  drive %s  set %lld #%lld  %s  %s free of %s\n", jstr(d, "path"), (long long)jint(d, "set"),
                   (long long)jint(d, "index"), jstr(d, "state"),
                   human_bytes((uint64_t)jint(d, "freeBytes"), b1, sizeof b1),
                   human_bytes((uint64_t)jint(d, "totalBytes"), b2, sizeof b2));
        }
    }
}

static void print_usage_info(json_t *j)
{
    char b[32];
    const char *when = jstr(j, "lastUpdate");
    printf("Last usage pass: %s\n", *when ? when : "none yet");
    printf("%lld buckets, %lld objects, %s\n", (long long)jint(j, "bucketsCount"), (long long)jint(j, "objectsCount"),
           human_bytes((uint64_t)jint(j, "objectsTotalSize"), b, sizeof b));
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(j, "bucketsUsageInfo"), name, v)
        printf("  %-40s %10lld objects  %s\n", name, (long long)jint(v, "objectsCount"),
               human_bytes((uint64_t)jint(v, "size"), b, sizeof b));
}

static void print_config(json_t *j)
{
    const char *k;
    json_t *v;
    printf("Runtime (cairn admin config set NAME=VALUE):\n");
    json_object_foreach(json_object_get(j, "runtime"), k, v) {
        if (json_is_boolean(v)) printf("  %s=%s\n", k, json_is_true(v) ? "on" : "off");
        else printf("  %s=%s\n", k, json_string_value(v) ? json_string_value(v) : "");
    }
    printf("Read at start (change the environment and restart):\n");
    json_object_foreach(json_object_get(j, "readOnly"), k, v) {
        if (json_is_integer(v)) printf("  %s=%lld\n", k, (long long)json_integer_value(v));
        else printf("  %s=%s\n", k, json_string_value(v) ? json_string_value(v) : "");
    }
}

static int run(cli *c, const char *method, const char *op, const char *query, const char *body,
               void (*human)(json_t *));

static int run_json(void *arg, const char *method, const char *op, const char *query, const char *body)
{
    return run(arg, method, op, query, body, NULL);
}

/* Runs one request and prints its answer; returns the exit code. */
static int run(cli *c, const char *method, const char *op, const char *query, const char *body,
               void (*human)(json_t *))
{
    response r;
    if (request(c, method, op, query, body, &r) != 0) return 1;
    json_t *j = answer_json(c, &r);
    free(r.body);
    if (!j) return 1;
    if (c->json || !human) print_json(j);
    else human(j);
    json_decref(j);
    return 0;
}

static char token_server[300];
static const char *token_scheme = "http";

static void print_token(json_t *j)
{
    /* As MinIO's `mc admin prometheus generate`: a scrape config to paste. */
    printf("scrape_configs:\n"
           "- job_name: cairn-job\n"
           "  bearer_token: %s\n"
           "  metrics_path: /minio/v2/metrics/cluster\n"
           "  scheme: %s\n"
           "  static_configs:\n"
           "  - targets: ['%s']\n", jstr(j, "token"), token_scheme, token_server);
}

static void print_heal(json_t *j)
{
    char b[32];
    printf("Heal: %s, %lld full passes done\n", json_is_true(json_object_get(j, "running")) ? "a pass is running" : "idle",
           (long long)jint(j, "passes"));
    printf("  objects scanned %lld, healed %lld, failed %lld; shards healed %lld (%s); queued %lld\n",
           (long long)jint(j, "objectsScanned"), (long long)jint(j, "objectsHealed"), (long long)jint(j, "objectsFailed"),
           (long long)jint(j, "shardsHealed"), human_bytes((uint64_t)jint(j, "bytesHealed"), b, sizeof b),
           (long long)jint(j, "queued"));
}

static void print_service(json_t *j) { printf("%s: %s\n", jstr(j, "action"), jstr(j, "status")); }

static int config_set(cli *c, int argc, char **argv, int i)
{
    if (i >= argc) {
        fprintf(stderr, "cairn admin: config set needs NAME=VALUE\n");
        return 2;
    }
    json_t *o = json_object();
    for (; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            fprintf(stderr, "cairn admin: %s is not NAME=VALUE\n", argv[i]);
            json_decref(o);
            return 2;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - argv[i]), argv[i]);
        const char *v = eq + 1;
        json_t *val;
        if (!strcasecmp(v, "on") || !strcasecmp(v, "true")) val = json_true();
        else if (!strcasecmp(v, "off") || !strcasecmp(v, "false")) val = json_false();
        else val = json_string(v);
        json_object_set_new(o, name, val ? val : json_null());
    }
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body) return 1;
    int rc = run(c, "PUT", "config", "", body, print_config);
    free(body);
    return rc;
}

int cli_admin(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    const char *endpoint = getenv("CAIRN_ENDPOINT");
    if (!endpoint || !*endpoint) endpoint = "http://127.0.0.1:9000";
    c.ak = getenv("CAIRN_ROOT_USER");
    if (!c.ak || !*c.ak) c.ak = getenv("MINIO_ROOT_USER");
    c.sk = getenv("CAIRN_ROOT_PASSWORD");
    if (!c.sk || !*c.sk) c.sk = getenv("MINIO_ROOT_PASSWORD");
    c.region = getenv("CAIRN_REGION");
    if (!c.region || !*c.region) c.region = getenv("MINIO_REGION");
    if (!c.region || !*c.region) c.region = "us-east-1";
    c.ca_bundle = getenv("CAIRN_CA_BUNDLE");
    if (c.ca_bundle && !*c.ca_bundle) c.ca_bundle = NULL;
    const char *ttl = NULL;
    int deep = 0;
    cli_iam_ctx iam = { .run = run_json, .arg = &c };
    char *words[8];
    int nw = 0, i;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { admin_usage(stdout); return 0; }
        else if (!strcmp(a, "--json")) c.json = 1;
        else if (!strcmp(a, "--endpoint") && has_value) endpoint = argv[++i];
        else if (!strcmp(a, "--access-key") && has_value) c.ak = argv[++i];
        else if (!strcmp(a, "--secret-key") && has_value) c.sk = argv[++i];
        else if (!strcmp(a, "--region") && has_value) c.region = argv[++i];
        else if (!strcmp(a, "--ttl") && has_value) ttl = argv[++i];
        else if (!strcmp(a, "--deep")) deep = 1;
        else if (!strcmp(a, "--ca-bundle") && has_value) c.ca_bundle = argv[++i];
        else if (!strcmp(a, "--user") && has_value) iam.user = argv[++i];
        else if (!strcmp(a, "--group") && has_value) iam.group = argv[++i];
        else if (!strcmp(a, "--policy") && has_value) iam.policy_file = argv[++i];
        else if (!strcmp(a, "--secret") && has_value) iam.secret = argv[++i];
        else if (!strcmp(a, "--name") && has_value) iam.name = argv[++i];
        else if (!strcmp(a, "--expiry") && has_value) iam.expiry_seconds = strtol(argv[++i], NULL, 10);
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "cairn admin: unknown option or missing value: %s\n\n", a);
            admin_usage(stderr);
            return 2;
        } else {
            words[nw++] = argv[i];
            /* config set takes the rest as NAME=VALUE */
            if (nw == 2 && !strcmp(words[0], "config") && !strcmp(words[1], "set")) { i++; break; }
            if (nw == (int)(sizeof words / sizeof words[0])) break;
        }
    }
    if (nw == 0) { admin_usage(stderr); return 2; }
    if (parse_endpoint(&c, endpoint) != 0) {
        fprintf(stderr, "cairn admin: bad --endpoint %s (want http://HOST:PORT)\n", endpoint);
        return 2;
    }
    if (!c.ak || !*c.ak || !c.sk || !*c.sk) {
        fprintf(stderr, "cairn admin: no credentials: set CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD, "
                        "or give --access-key and --secret-key\n");
        return 2;
    }
    const char *w0 = words[0], *w1 = nw > 1 ? words[1] : "";
    if (!strcmp(w0, "info") && nw == 1) return run(&c, "GET", "info", "", NULL, print_info);
    if (!strcmp(w0, "usage") && nw == 1) return run(&c, "GET", "datausageinfo", "", NULL, print_usage_info);
    if (!strcmp(w0, "config") && !strcmp(w1, "get") && nw == 2) return run(&c, "GET", "config", "", NULL, print_config);
    if (!strcmp(w0, "config") && !strcmp(w1, "set")) return config_set(&c, argc, argv, i);
    if (!strcmp(w0, "prometheus") && (!strcmp(w1, "token") || !strcmp(w1, "generate")) && nw == 2) {
        char q[64] = "";
        if (ttl) {
            char *end;
            long v = strtol(ttl, &end, 10);
            if (*end || v <= 0) { fprintf(stderr, "cairn admin: --ttl takes seconds\n"); return 2; }
            snprintf(q, sizeof q, "ttl=%ld", v);
        }
        snprintf(token_server, sizeof token_server, "%s", c.hostport);
        token_scheme = c.https ? "https" : "http";
        return run(&c, "GET", "prometheus/token", q, NULL, print_token);
    }
    if (!strcmp(w0, "heal") && !strcmp(w1, "start") && nw == 2)
        return run(&c, "POST", "heal/", deep ? "deep=true" : "", NULL, print_heal);
    if (!strcmp(w0, "heal") && !strcmp(w1, "status") && nw == 2) return run(&c, "GET", "heal/status", "", NULL, print_heal);
    if (!strcmp(w0, "service") && (!strcmp(w1, "stop") || !strcmp(w1, "restart")) && nw == 2) {
        char q[32];
        snprintf(q, sizeof q, "action=%s", w1);
        return run(&c, "POST", "service", q, NULL, print_service);
    }
    int rc = cli_iam(&iam, nw, words);
    if (rc >= 0) return rc;
    fprintf(stderr, "cairn admin: unknown command:");
    for (int k = 0; k < nw; k++) fprintf(stderr, " %s", words[k]);
    fprintf(stderr, "\n\n");
    admin_usage(stderr);
    return 2;
}

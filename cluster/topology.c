#include "topology.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

enum { DEFAULT_PORT = 9000 };   /* MinIO's, for http and https alike */

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- bounded text: appends that truncate instead of overflowing ---- */

typedef struct text {
    char *p;
    size_t cap, len;
} text;

static text text_init(char *p, size_t cap)
{
    if (cap) p[0] = '\0';
    return (text){ p, cap, 0 };
}

static void put(text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->cap) return;
    size_t room = t->cap - t->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p + t->len, room, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n < room ? (size_t)n : room - 1;
}

static void put_char(text *t, char c)
{
    if (t->len + 1 >= t->cap) return;
    t->p[t->len++] = c;
    t->p[t->len] = '\0';
}

/* HOST:PORT, with brackets when the host is an IPv6 address. */
static void put_node(text *t, const topology_node *nd)
{
    put(t, strchr(nd->host, ':') ? "[%s]:%d" : "%s:%d", nd->host, nd->port);
}

static const char *node_name(const topology_node *nd, char *buf, size_t cap)
{
    text t = text_init(buf, cap);
    put_node(&t, nd);
    return buf;
}

/* ---- ellipsis expansion (the raw items, local or endpoint alike) ---- */

static int add(topology *t, const char *s, size_t n, char *err, size_t cap)
{
    if (t->n == TOPOLOGY_MAX_DRIVES) return fail(err, cap, "more than %d drives", TOPOLOGY_MAX_DRIVES);
    char *d = malloc(n + 1);
    if (!d) return fail(err, cap, "out of memory");
    memcpy(d, s, n);
    d[n] = '\0';
    t->drives[t->n++] = d;
    return 0;
}

/* Expands the first {a...b} of pattern; recurses on the rest, so the last
 * ellipsis varies fastest (MinIO's order). */
static int expand(topology *t, const char *pattern, char *err, size_t cap)
{
    const char *open = strchr(pattern, '{');
    const char *dots = open ? strstr(open, "...") : NULL;
    const char *close = dots ? strchr(dots, '}') : NULL;
    if (!open || !dots || !close) {
        if (strchr(pattern, '{') || strchr(pattern, '}'))
            return fail(err, cap, "malformed ellipsis in %s (expected {1...4})", pattern);
        return add(t, pattern, strlen(pattern), err, cap);
    }
    char lo[32], hi[32];
    size_t ll = (size_t)(dots - open - 1), hl = (size_t)(close - dots - 3);
    if (!ll || !hl || ll >= sizeof lo || hl >= sizeof hi) return fail(err, cap, "malformed ellipsis in %s", pattern);
    memcpy(lo, open + 1, ll);
    lo[ll] = '\0';
    memcpy(hi, dots + 3, hl);
    hi[hl] = '\0';
    for (size_t i = 0; i < ll; i++) if (!isdigit((unsigned char)lo[i])) return fail(err, cap, "ellipsis bounds must be numbers: %s", pattern);
    for (size_t i = 0; i < hl; i++) if (!isdigit((unsigned char)hi[i])) return fail(err, cap, "ellipsis bounds must be numbers: %s", pattern);
    long a = strtol(lo, NULL, 10), b = strtol(hi, NULL, 10);
    if (b < a || b - a + 1 > TOPOLOGY_MAX_DRIVES) return fail(err, cap, "ellipsis range %s...%s is empty or too large", lo, hi);
    int width = lo[0] == '0' && ll > 1 ? (int)ll : 0;   /* {01...16} keeps zero padding */
    for (long v = a; v <= b; v++) {
        char buf[4096];
        int n = snprintf(buf, sizeof buf, "%.*s%0*ld%s", (int)(open - pattern), pattern, width, v, close + 1);
        if (n < 0 || (size_t)n >= sizeof buf) return fail(err, cap, "drive path too long");
        if (expand(t, buf, err, cap) != 0) return -1;
    }
    return 0;
}

/* Every space-separated item of every argument, expanded, into t->drives. */
static int expand_args(const char *const *args, int n_args, topology *t, char *err, size_t cap)
{
    for (int i = 0; i < n_args; i++) {
        /* an environment value may hold several, space-separated */
        const char *p = args[i];
        while (*p) {
            while (*p == ' ') p++;
            size_t len = strcspn(p, " ");
            if (!len) break;
            char item[4096];
            if (len >= sizeof item) return fail(err, cap, "drive path too long");
            memcpy(item, p, len);
            item[len] = '\0';
            if (expand(t, item, err, cap) != 0) return -1;
            p += len;
        }
    }
    return t->n ? 0 : fail(err, cap, "no data directory given");
}

static int is_endpoint(const char *s)
{
    return strstr(s, "://") != NULL;
}

/* ---- local directories ---- */

static int check_local_unique(const topology *t, char *err, size_t cap)
{
    for (int i = 0; i < t->n; i++)
        for (int j = i + 1; j < t->n; j++)
            if (strcmp(t->drives[i], t->drives[j]) == 0)
                return fail(err, cap, "drive %s is given twice", t->drives[i]);
    return 0;
}

/* ---- endpoints: http[s]://HOST[:PORT]/PATH ---- */

typedef struct endpoint {
    topology_node node;
    const char *path;      /* into the endpoint text: "/..." or "" */
} endpoint;

/* Sets ep's tls; returns what follows "://", or NULL with a message. */
static const char *parse_scheme(const char *s, endpoint *ep, char *err, size_t cap)
{
    const char *sep = strstr(s, "://");
    size_t n = (size_t)(sep - s);
    if (n == 4 && strncasecmp(s, "http", 4) == 0) ep->node.tls = 0;
    else if (n == 5 && strncasecmp(s, "https", 5) == 0) ep->node.tls = 1;
    else {
        fail(err, cap, "%s: unsupported scheme '%.*s' (use http:// or https://)", s, (int)n, s);
        return NULL;
    }
    return sep + 3;
}

static int parse_port(const char *p, size_t n, int *port)
{
    if (!n || n > 5) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v < 1 || v > 65535) return -1;
    *port = (int)v;
    return 0;
}

/* An IPv6 literal, optionally with a %zone (fe80::1%eth0). */
static int valid_ipv6(const char *h)
{
    char buf[INET6_ADDRSTRLEN];
    size_t n = strcspn(h, "%");
    if (n >= sizeof buf || (h[n] == '%' && !h[n + 1])) return 0;
    memcpy(buf, h, n);
    buf[n] = '\0';
    struct in6_addr a;
    return inet_pton(AF_INET6, buf, &a) == 1;
}

static int valid_hostname(const char *h)
{
    for (; *h; h++)
        if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.' && *h != '_') return 0;
    return 1;
}

static int copy_host(endpoint *ep, const char *h, size_t n, const char *whole, char *err, size_t cap)
{
    if (!n) return fail(err, cap, "%s: missing host", whole);
    if (n >= sizeof ep->node.host) return fail(err, cap, "%s: host name too long", whole);
    memcpy(ep->node.host, h, n);
    ep->node.host[n] = '\0';
    return 0;
}

/* HOST, HOST:PORT, [V6] or [V6]:PORT: the authority is auth[0..len). */
static int parse_authority(const char *auth, size_t len, endpoint *ep, const char *whole, char *err, size_t cap)
{
    const char *end = auth + len, *port = NULL;
    if (len && auth[0] == '[') {
        const char *rb = memchr(auth, ']', len);
        if (!rb) return fail(err, cap, "%s: '[' without ']' around the host", whole);
        if (copy_host(ep, auth + 1, (size_t)(rb - auth - 1), whole, err, cap) != 0) return -1;
        if (!valid_ipv6(ep->node.host)) return fail(err, cap, "%s: [%s] is not an IPv6 address", whole, ep->node.host);
        if (rb + 1 < end && rb[1] != ':') return fail(err, cap, "%s: unexpected text after ']'", whole);
        if (rb + 1 < end) port = rb + 2;
    } else {
        const char *colon = memchr(auth, ':', len);
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            return fail(err, cap, "%s: an IPv6 address goes in brackets, e.g. http://[::1]:9000/data", whole);
        const char *host_end = colon ? colon : end;
        if (copy_host(ep, auth, (size_t)(host_end - auth), whole, err, cap) != 0) return -1;
        if (!valid_hostname(ep->node.host)) return fail(err, cap, "%s: bad host name '%s'", whole, ep->node.host);
        if (colon) port = colon + 1;
    }
    ep->node.port = DEFAULT_PORT;
    if (port && parse_port(port, (size_t)(end - port), &ep->node.port) != 0)
        return fail(err, cap, "%s: bad port '%.*s' (1 to 65535)", whole, (int)(end - port), port);
    return 0;
}

static int parse_endpoint(const char *s, endpoint *ep, char *err, size_t cap)
{
    memset(ep, 0, sizeof *ep);
    const char *auth = parse_scheme(s, ep, err, cap);
    if (!auth) return -1;
    size_t len = strcspn(auth, "/");
    if (parse_authority(auth, len, ep, s, err, cap) != 0) return -1;
    ep->path = auth + len;
    return 0;
}

/* The drive's directory on its node, cleaned of repeated and trailing
 * slashes so that "/data/" and "/data" are one drive.  "." and ".." are
 * refused rather than resolved: the path must mean the same on every node
 * without looking at any file system. */
static int clean_path(const char *whole, const char *p, char **out, char *err, size_t cap)
{
    char *c = malloc(strlen(p) + 1);
    if (!c) return fail(err, cap, "out of memory");
    size_t n = 0;
    while (*p) {
        while (*p == '/') p++;
        size_t seg = strcspn(p, "/");
        if (!seg) break;
        if ((seg == 1 && p[0] == '.') || (seg == 2 && p[0] == '.' && p[1] == '.')) {
            free(c);
            return fail(err, cap, "%s: the drive path must be absolute, without . or .. parts", whole);
        }
        c[n++] = '/';
        memcpy(c + n, p, seg);
        n += seg;
        p += seg;
    }
    c[n] = '\0';
    if (!n) {
        free(c);
        return fail(err, cap, "%s: missing path (the drive's directory on that node, e.g. http://host:9000/data)", whole);
    }
    *out = c;
    return 0;
}

/* The index of ep's node (HOST:PORT, host compared without case), added
 * on first appearance. */
static int node_index(topology *t, const endpoint *ep, const char *whole, char *err, size_t cap)
{
    if (t->n_nodes && t->nodes[0].tls != ep->node.tls)
        return fail(err, cap, "%s: http:// and https:// endpoints are mixed; every node must use the same scheme", whole);
    for (int i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].port == ep->node.port && strcasecmp(t->nodes[i].host, ep->node.host) == 0) return i;
    if (t->n_nodes == TOPOLOGY_MAX_NODES) return fail(err, cap, "more than %d nodes", TOPOLOGY_MAX_NODES);
    t->nodes[t->n_nodes] = ep->node;
    return t->n_nodes++;
}

/* Parses every raw endpoint in t->drives into its node and cleaned path. */
static int parse_all(topology *t, char **path, int *node, char *err, size_t cap)
{
    for (int k = 0; k < t->n; k++) {
        endpoint ep;
        if (parse_endpoint(t->drives[k], &ep, err, cap) != 0) return -1;
        if ((node[k] = node_index(t, &ep, t->drives[k], err, cap)) < 0) return -1;
        if (clean_path(t->drives[k], ep.path, &path[k], err, cap) != 0) return -1;
    }
    return 0;
}

static int check_endpoints_unique(const topology *t, char *const *path, const int *node, char *err, size_t cap)
{
    for (int i = 0; i < t->n; i++)
        for (int j = i + 1; j < t->n; j++)
            if (node[i] == node[j] && strcmp(path[i], path[j]) == 0)
                return fail(err, cap, "endpoint %s is given twice", t->drives[j]);
    return 0;
}

static int check_balanced(const topology *t, const int *node, char *err, size_t cap)
{
    int count[TOPOLOGY_MAX_NODES] = { 0 };
    for (int k = 0; k < t->n; k++) count[node[k]]++;
    for (int i = 1; i < t->n_nodes; i++)
        if (count[i] != count[0]) {
            char a[300], b[300];
            return fail(err, cap, "every node needs the same number of drives: %s has %d, %s has %d",
                        node_name(&t->nodes[0], a, sizeof a), count[0],
                        node_name(&t->nodes[i], b, sizeof b), count[i]);
        }
    return 0;
}

/* Replaces the raw endpoints by their paths in deployment order: drive
 * slot j of node i goes to index j * n_nodes + i (see topology.h). */
static void interleave(topology *t, char **path, const int *node)
{
    int seen[TOPOLOGY_MAX_NODES] = { 0 };
    for (int k = 0; k < t->n; k++) free(t->drives[k]);
    for (int k = 0; k < t->n; k++) {
        int i = node[k], dest = seen[i]++ * t->n_nodes + i;
        t->drives[dest] = path[k];
        t->node_of[dest] = i;
    }
}

static int group_endpoints(topology *t, char *err, size_t cap)
{
    char *path[TOPOLOGY_MAX_DRIVES] = { 0 };
    int node[TOPOLOGY_MAX_DRIVES] = { 0 };
    int rc = parse_all(t, path, node, err, cap);
    if (rc == 0) rc = check_endpoints_unique(t, path, node, err, cap);
    if (rc == 0) rc = check_balanced(t, node, err, cap);
    if (rc != 0) {
        for (int k = 0; k < t->n; k++) free(path[k]);
        return -1;
    }
    interleave(t, path, node);
    return 0;
}

static int check_not_mixed(const topology *t, char *err, size_t cap)
{
    int local = -1, remote = -1;
    for (int k = 0; k < t->n; k++) {
        if (is_endpoint(t->drives[k])) { if (remote < 0) remote = k; }
        else if (local < 0) local = k;
    }
    if (local >= 0 && remote >= 0)
        return fail(err, cap, "local directories and endpoints cannot be mixed (%s and %s): "
                    "give every drive as a directory or every drive as http://host:port/path",
                    t->drives[local], t->drives[remote]);
    return 0;
}

int topology_expand(const char *const *args, int n_args, topology *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    out->self = -1;
    int rc = expand_args(args, n_args, out, err, errcap);
    if (rc == 0) rc = check_not_mixed(out, err, errcap);
    if (rc == 0)
        rc = is_endpoint(out->drives[0]) ? group_endpoints(out, err, errcap) : check_local_unique(out, err, errcap);
    if (rc != 0) topology_free(out);
    return rc;
}

void topology_free(topology *t)
{
    for (int i = 0; i < t->n; i++) free(t->drives[i]);
    memset(t, 0, sizeof *t);
    t->self = -1;
}

/* ---- which node is this process ---- */

/* An address without port or scope; IPv4-mapped IPv6 counts as IPv4. */
typedef struct ipaddr {
    int family;
    unsigned char b[16];
} ipaddr;

static int to_ipaddr(const struct sockaddr *sa, ipaddr *a)
{
    if (!sa) return -1;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        a->family = AF_INET;
        memcpy(a->b, &in.sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        int mapped = IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr);
        a->family = mapped ? AF_INET : AF_INET6;
        memcpy(a->b, in6.sin6_addr.s6_addr + (mapped ? 12 : 0), mapped ? 4 : 16);
        return 0;
    }
    return -1;
}

static int same_addr(const ipaddr *x, const ipaddr *y)
{
    return x->family == y->family && memcmp(x->b, y->b, x->family == AF_INET ? 4 : 16) == 0;
}

static int is_local(const struct ifaddrs *ifs, const ipaddr *a)
{
    for (; ifs; ifs = ifs->ifa_next) {
        ipaddr l;
        if (to_ipaddr(ifs->ifa_addr, &l) == 0 && same_addr(&l, a)) return 1;
    }
    return 0;
}

static int in_addrinfo(const struct addrinfo *ai, const ipaddr *a)
{
    for (; ai; ai = ai->ai_next) {
        ipaddr r;
        if (to_ipaddr(ai->ai_addr, &r) == 0 && same_addr(&r, a)) return 1;
    }
    return 0;
}

static int resolve(const char *host, struct addrinfo **res)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;   /* one entry per address, not one per socket type */
    return getaddrinfo(host, NULL, &hints, res);
}

/* What the listener accepts: any local address, or those of its host. */
typedef struct listener {
    char host[256];        /* without brackets; "" for any */
    int port;
    struct addrinfo *addrs;
} listener;

static int is_wildcard(const char *h)
{
    return !*h || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0;
}

static int listener_open(listener *l, const char *host, int port, char *err, size_t cap)
{
    memset(l, 0, sizeof *l);
    l->port = port;
    if (!host) host = "";
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') { host++; n -= 2; }   /* "[::1]" */
    if (n >= sizeof l->host) return fail(err, cap, "listen address too long");
    memcpy(l->host, host, n);
    l->host[n] = '\0';
    if (is_wildcard(l->host)) {
        l->host[0] = '\0';
        return 0;
    }
    int rc = resolve(l->host, &l->addrs);
    if (rc != 0) return fail(err, cap, "cannot resolve the listen address %s: %s", l->host, gai_strerror(rc));
    return 0;
}

static void listener_close(listener *l)
{
    if (l->addrs) freeaddrinfo(l->addrs);
    l->addrs = NULL;
}

static void put_listener(text *t, const listener *l)
{
    if (!l->host[0]) put(t, "*:%d", l->port);
    else put(t, strchr(l->host, ':') ? "[%s]:%d" : "%s:%d", l->host, l->port);
}

enum verdict { V_MATCH, V_OTHER_PORT, V_UNRESOLVED, V_NOT_LOCAL, V_NOT_LISTENED };

static enum verdict judge(const topology_node *nd, const listener *l, const struct ifaddrs *ifs, int *gai)
{
    if (nd->port != l->port) return V_OTHER_PORT;
    struct addrinfo *res;
    if ((*gai = resolve(nd->host, &res)) != 0) return V_UNRESOLVED;
    enum verdict v = V_NOT_LOCAL;
    for (const struct addrinfo *ai = res; ai && v != V_MATCH; ai = ai->ai_next) {
        ipaddr a;
        if (to_ipaddr(ai->ai_addr, &a) != 0 || !is_local(ifs, &a)) continue;
        v = !l->host[0] || in_addrinfo(l->addrs, &a) ? V_MATCH : V_NOT_LISTENED;
    }
    freeaddrinfo(res);
    return v;
}

/* Why no single node matched: every node on the listen port with its
 * verdict, and how many were not tried for having another port. */
static void explain(const topology *t, const listener *l, const enum verdict *v, const int *gai,
                    int matches, char *err, size_t cap)
{
    text e = text_init(err, cap);
    put(&e, matches ? "several endpoints are this server (listening on " : "none of the endpoints is this server (listening on ");
    put_listener(&e, l);
    put(&e, ")");
    int other = 0;
    const char *sep = ": ";
    for (int i = 0; i < t->n_nodes; i++) {
        if (v[i] == V_OTHER_PORT) { other++; continue; }
        if (matches && v[i] != V_MATCH) continue;
        put(&e, "%s", sep);
        sep = matches ? ", " : "; ";
        put_node(&e, &t->nodes[i]);
        if (v[i] == V_UNRESOLVED) put(&e, " does not resolve (%s)", gai_strerror(gai[i]));
        else if (v[i] == V_NOT_LOCAL) put(&e, " is not an address of this machine");
        else if (v[i] == V_NOT_LISTENED) put(&e, " is this machine but not the listen address");
    }
    if (matches) put(&e, "; give every node its own HOST:PORT");
    else if (other) put(&e, "%s%d endpoint%s with another port", sep, other, other == 1 ? "" : "s");
}

int topology_find_self(topology *t, const char *listen_host, int listen_port, char *err, size_t errcap)
{
    t->self = -1;
    if (!t->n_nodes) return fail(err, errcap, "local directories only: there is no node to be");
    listener l;
    if (listener_open(&l, listen_host, listen_port, err, errcap) != 0) return -1;
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0) {
        int e = errno;
        listener_close(&l);
        return fail(err, errcap, "cannot list this machine's addresses: %s", strerror(e));
    }
    /* Peers that do not resolve yet (Kubernetes publishes names as pods
     * come up) only matter when no node, or more than one, is us. */
    enum verdict v[TOPOLOGY_MAX_NODES];
    int gai[TOPOLOGY_MAX_NODES] = { 0 }, matches = 0, found = -1;
    for (int i = 0; i < t->n_nodes; i++)
        if ((v[i] = judge(&t->nodes[i], &l, ifs, &gai[i])) == V_MATCH) { matches++; found = i; }
    freeifaddrs(ifs);
    int unresolved = 0;
    for (int i = 0; i < t->n_nodes; i++) unresolved += v[i] == V_UNRESOLVED;
    if (matches == 1) t->self = found;
    else explain(t, &l, v, gai, matches, err, errcap);
    listener_close(&l);
    return matches == 1 ? 0 : !matches && unresolved ? -2 : -1;
}

/* ---- signature ---- */

/* s with the separators of the signature ('%', ',', '|') and anything not
 * printable escaped as %XX, so that no two topologies share a text. */
static void put_escaped(text *t, const char *s, int lower)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%' || c == ',' || c == '|' || c <= ' ' || c >= 0x7f) put(t, "%%%02X", c);
        else put_char(t, lower ? (char)tolower(c) : (char)c);
    }
}

void topology_signature(const topology *t, char *out, size_t cap)
{
    text s = text_init(out, cap);
    const char *scheme = !t->n_nodes ? "local" : t->nodes[0].tls ? "https" : "http";
    put(&s, "v1|%s|nodes=%d|drives=%d|", scheme, t->n_nodes, t->n);
    for (int i = 0; i < t->n_nodes; i++) {
        const topology_node *nd = &t->nodes[i];
        int v6 = strchr(nd->host, ':') != NULL;
        put(&s, "%s%s", i ? "," : "", v6 ? "[" : "");
        put_escaped(&s, nd->host, 1);   /* hosts compare without case */
        put(&s, "%s:%d", v6 ? "]" : "", nd->port);
    }
    put(&s, "|");
    for (int k = 0; k < t->n; k++) {
        put(&s, "%s%d:", k ? "," : "", t->node_of[k]);
        put_escaped(&s, t->drives[k], 0);
    }
}

int topology_parity(const char *sc)
{
    if (!sc || !*sc) return -1;
    if (strncasecmp(sc, "EC:", 3) != 0) return -2;
    char *end;
    long v = strtol(sc + 3, &end, 10);
    if (*end || v < 0 || v > 16) return -2;
    return (int)v;
}

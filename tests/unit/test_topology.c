/* Ellipsis expansion of drive lists and endpoints, the interleaved drive
 * order of distributed topologies, finding this node, signatures, and
 * storage-class parity. */
#include <string.h>

#include "../../cluster/topology.h"
#include "check.h"

static char err[512];

/* One argument expanded; the checks read t and err. */
static int expand1(const char *arg, topology *t)
{
    const char *a[] = { arg };
    return topology_expand(a, 1, t, err, sizeof err);
}

/* Expanding arg fails with a message containing want. */
static int refused(const char *arg, const char *want)
{
    topology t;
    int ok = expand1(arg, &t) == -1 && strstr(err, want) != NULL && t.n == 0 && t.n_nodes == 0;
    if (!ok) fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", arg, err, want);
    return ok;
}

static void test_endpoints(void)
{
    topology t;
    /* 4 nodes x 2 drives: interleaved, node i's drive j at j * 4 + i */
    CHECK(expand1("http://h{1...4}:9000/data{1...2}", &t) == 0 && t.n == 8 && t.n_nodes == 4 && t.self == -1);
    CHECK_STR(t.drives[0], "/data1");
    CHECK(t.node_of[0] == 0 && t.node_of[1] == 1 && t.node_of[3] == 3 && t.node_of[4] == 0 && t.node_of[7] == 3);
    CHECK_STR(t.drives[1], "/data1");
    CHECK_STR(t.drives[3], "/data1");
    CHECK_STR(t.drives[4], "/data2");
    CHECK_STR(t.drives[7], "/data2");
    CHECK_STR(t.nodes[0].host, "h1");
    CHECK_STR(t.nodes[3].host, "h4");
    CHECK(t.nodes[0].port == 9000 && t.nodes[3].port == 9000 && !t.nodes[0].tls);
    topology_free(&t);
    CHECK(t.n == 0 && t.n_nodes == 0 && t.self == -1);

    /* the list form: one node each, paths differ per node */
    CHECK(expand1("http://127.0.0.1:9101/srv/n1 http://127.0.0.1:9102/srv/n2", &t) == 0 && t.n == 2 && t.n_nodes == 2);
    CHECK_STR(t.drives[0], "/srv/n1");
    CHECK_STR(t.drives[1], "/srv/n2");
    CHECK(t.nodes[0].port == 9101 && t.nodes[1].port == 9102 && t.node_of[1] == 1);
    topology_free(&t);

    /* group by node in order of first appearance, whatever the order given */
    const char *mixed[] = { "http://a:1/x", "http://b:1/x http://A:1/y", "http://b:1/y" };
    CHECK(topology_expand(mixed, 3, &t, err, sizeof err) == 0 && t.n == 4 && t.n_nodes == 2);
    CHECK_STR(t.nodes[0].host, "a");
    CHECK(t.node_of[0] == 0 && t.node_of[1] == 1 && t.node_of[2] == 0 && t.node_of[3] == 1);
    CHECK_STR(t.drives[2], "/y");
    topology_free(&t);

    /* ellipsis in the host, default port, https, paths cleaned */
    CHECK(expand1("https://cairn-{0...3}.cairn-hl.ns.svc/data{1...2}/", &t) == 0 && t.n == 8 && t.n_nodes == 4);
    CHECK_STR(t.nodes[2].host, "cairn-2.cairn-hl.ns.svc");
    CHECK(t.nodes[2].port == 9000 && t.nodes[2].tls == 1);
    CHECK_STR(t.drives[5], "/data2");
    topology_free(&t);
    CHECK(expand1("HTTP://h//a//b/", &t) == 0 && t.n == 1 && t.n_nodes == 1 && t.nodes[0].port == 9000);
    CHECK_STR(t.drives[0], "/a/b");
    topology_free(&t);

    /* IPv6 in brackets; the host is kept without them */
    CHECK(expand1("http://[::1]:9101/d{1...2} http://[fd00::2]/d{1...2}", &t) == 0 && t.n == 4 && t.n_nodes == 2);
    CHECK_STR(t.nodes[0].host, "::1");
    CHECK(t.nodes[0].port == 9101 && t.nodes[1].port == 9000);
    CHECK_STR(t.nodes[1].host, "fd00::2");
    topology_free(&t);

    /* two paths on one node: one node, two drives */
    CHECK(expand1("http://127.0.0.1:9101/a http://127.0.0.1:9101/b", &t) == 0 && t.n == 2 && t.n_nodes == 1);
    CHECK(t.node_of[0] == 0 && t.node_of[1] == 0);
    topology_free(&t);

    /* 16 nodes x 4 drives is the most there can be */
    CHECK(expand1("http://h{1...16}/d{1...4}", &t) == 0 && t.n == 64 && t.n_nodes == 16);
    CHECK(t.node_of[63] == 15 && t.node_of[16] == 0);
    topology_free(&t);
}

static void test_refusals(void)
{
    CHECK(refused("/a http://h:9000/b", "cannot be mixed"));
    CHECK(refused("http://h:9000/b /a", "cannot be mixed"));
    CHECK(refused("ftp://h/d", "unsupported scheme 'ftp'"));
    CHECK(refused("://h/d", "unsupported scheme"));
    CHECK(refused("http://h:9000", "missing path"));
    CHECK(refused("http://h:9000/", "missing path"));
    CHECK(refused("http://h/a/../b", "absolute"));
    CHECK(refused("http://h/./b", "absolute"));
    CHECK(refused("http:///d", "missing host"));
    CHECK(refused("http://h:/d", "bad port"));
    CHECK(refused("http://h:0/d", "bad port"));
    CHECK(refused("http://h:65536/d", "bad port"));
    CHECK(refused("http://h:90x/d", "bad port"));
    CHECK(refused("http://[::1]x/d", "after ']'"));
    CHECK(refused("http://[::1/d", "without ']'"));
    CHECK(refused("http://[host]/d", "not an IPv6 address"));
    CHECK(refused("http://::1:9000/d", "brackets"));
    CHECK(refused("http://u@h/d", "bad host name"));
    CHECK(refused("http://h1/a http://h1/a", "given twice"));
    CHECK(refused("http://h1:9000/a http://H1/a", "given twice"));
    CHECK(refused("http://h1/a http://h1/a//", "endpoint http://h1/a// is given twice"));
    CHECK(refused("http://h{1...17}/d", "more than 16 nodes"));
    CHECK(refused("http://h{1...4}/d{1...17}", "more than 64 drives"));
    CHECK(refused("http://h1/a http://h2/b https://h3/c", "mixed"));
    CHECK(refused("http://h1:9000/a http://h1:9000/b http://h2:9000/a http://h2:9000/b http://h2:9000/c",
                  "every node needs the same number of drives: h1:9000 has 2, h2:9000 has 3"));
    CHECK(refused("http://[::1]/a http://[::2]/a http://[::2]/b", "[::1]:9000 has 1, [::2]:9000 has 2"));
}

static void test_find_self(void)
{
    topology t;
    CHECK(expand1("http://127.0.0.1:9101/srv/n1 http://127.0.0.1:9102/srv/n2", &t) == 0);
    CHECK(topology_find_self(&t, "127.0.0.1", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, "127.0.0.1", 9101, err, sizeof err) == 0 && t.self == 0);
    CHECK(topology_find_self(&t, "", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, NULL, 9101, err, sizeof err) == 0 && t.self == 0);
    CHECK(topology_find_self(&t, "0.0.0.0", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, "::", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, "localhost", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, "127.0.0.1", 9999, err, sizeof err) == -1 && t.self == -1);
    CHECK(strstr(err, "none of the endpoints is this server (listening on 127.0.0.1:9999)") && strstr(err, "2 endpoints with another port"));
    /* the node is this machine, but the listener is bound elsewhere */
    CHECK(topology_find_self(&t, "127.0.0.2", 9102, err, sizeof err) == -1 && t.self == -1);
    CHECK(strstr(err, "127.0.0.1:9102 is this machine but not the listen address"));
    CHECK(topology_find_self(&t, "no-such-host.invalid", 9102, err, sizeof err) == -1 && strstr(err, "listen address"));
    topology_free(&t);

    /* names resolve */
    CHECK(expand1("http://localhost:9101/a http://localhost:9102/a", &t) == 0 && t.n_nodes == 2);
    CHECK(topology_find_self(&t, "127.0.0.1", 9102, err, sizeof err) == 0 && t.self == 1);
    CHECK(topology_find_self(&t, "", 9101, err, sizeof err) == 0 && t.self == 0);
    topology_free(&t);

    /* a peer that does not resolve (yet) does not matter when this node does */
    CHECK(expand1("http://127.0.0.1:9101/a http://no-such-host.invalid:9101/a", &t) == 0 && t.n_nodes == 2);
    CHECK(topology_find_self(&t, "", 9101, err, sizeof err) == 0 && t.self == 0);
    topology_free(&t);
    /* ... but it does when no node is found: this node may be the one */
    CHECK(expand1("http://no-such-host.invalid:9101/a http://192.0.2.200:9101/a", &t) == 0);
    CHECK(topology_find_self(&t, "", 9101, err, sizeof err) == -2 && t.self == -1);
    CHECK(strstr(err, "no-such-host.invalid:9101 does not resolve") && strstr(err, "192.0.2.200:9101 is not an address of this machine"));
    topology_free(&t);

    /* two names for one address and port: ambiguous */
    CHECK(expand1("http://127.0.0.1:9101/a http://localhost:9101/a", &t) == 0 && t.n_nodes == 2);
    CHECK(topology_find_self(&t, "", 9101, err, sizeof err) == -1 && t.self == -1 && strstr(err, "several endpoints"));
    topology_free(&t);

    /* a single node ("distributed" over one server) */
    CHECK(expand1("http://127.0.0.1:9101/a{1...4}", &t) == 0 && t.n_nodes == 1 && t.n == 4);
    CHECK(topology_find_self(&t, "127.0.0.1", 9101, err, sizeof err) == 0 && t.self == 0);
    topology_free(&t);

    /* local directories are no node */
    CHECK(expand1("/a /b", &t) == 0 && t.n_nodes == 0 && t.self == -1);
    CHECK(topology_find_self(&t, "", 9000, err, sizeof err) == -1 && t.self == -1);
    topology_free(&t);
}

/* The signature of one argument's topology, into out. */
static int signature1(const char *arg, char *out, size_t cap)
{
    topology t;
    if (expand1(arg, &t) != 0) return -1;
    topology_signature(&t, out, cap);
    topology_free(&t);
    return 0;
}

static void test_signature(void)
{
    char a[1024], b[1024];
    const char *base = "http://h{1...2}:9000/d{1...2}";
    CHECK(signature1(base, a, sizeof a) == 0);
    CHECK_STR(a, "v1|http|nodes=2|drives=4|h1:9000,h2:9000|0:/d1,1:/d1,0:/d2,1:/d2");
    CHECK(signature1("http://h1:9000/d1 http://h1:9000/d2 http://h2:9000/d1 http://h2:9000/d2", b, sizeof b) == 0);
    CHECK_STR(b, a);                                            /* same topology, other spelling */
    CHECK(signature1("http://H{1...2}/d{1...2}/", b, sizeof b) == 0);
    CHECK_STR(b, a);                                            /* default port, host case, slash */
    CHECK(signature1("http://h{1...2}:9000/d{1...3}", b, sizeof b) == 0 && strcmp(a, b) != 0);   /* count */
    CHECK(signature1("http://h{1...2}:9000/e{1...2}", b, sizeof b) == 0 && strcmp(a, b) != 0);   /* path */
    CHECK(signature1("http://h{1...2}:9001/d{1...2}", b, sizeof b) == 0 && strcmp(a, b) != 0);   /* port */
    CHECK(signature1("https://h{1...2}:9000/d{1...2}", b, sizeof b) == 0 && strcmp(a, b) != 0);  /* scheme */
    CHECK(signature1("http://h2:9000/d{1...2} http://h1:9000/d{1...2}", b, sizeof b) == 0 && strcmp(a, b) != 0); /* node order */
    CHECK(signature1("http://h{1...2}:9000/d2 http://h{1...2}:9000/d1", b, sizeof b) == 0 && strcmp(a, b) != 0); /* drive order */
    /* separators inside paths cannot make two topologies look alike */
    CHECK(signature1("http://h:1/a,0:/b", a, sizeof a) == 0 && signature1("http://h:1/a http://h:1/b", b, sizeof b) == 0);
    CHECK(strcmp(a, b) != 0 && strstr(a, "/a%2C0:/b"));
    CHECK(signature1("http://[::1]:9000/a", a, sizeof a) == 0);
    CHECK_STR(a, "v1|http|nodes=1|drives=1|[::1]:9000|0:/a");
    CHECK(signature1("/x /y", a, sizeof a) == 0);
    CHECK_STR(a, "v1|local|nodes=0|drives=2||0:/x,0:/y");
    /* truncation keeps a terminated prefix */
    CHECK(signature1(base, a, 10) == 0 && strlen(a) == 9 && strncmp(a, "v1|http|n", 9) == 0);
    a[0] = 'z';
    CHECK(signature1(base, a, 1) == 0 && a[0] == '\0');
}

int main(void)
{
    topology t;
    const char *a1[] = { "/data{1...4}" };
    CHECK(topology_expand(a1, 1, &t, err, sizeof err) == 0 && t.n == 4);
    CHECK(t.n == 4 && strcmp(t.drives[0], "/data1") == 0 && strcmp(t.drives[3], "/data4") == 0);
    topology_free(&t);
    const char *a2[] = { "/mnt/disk{01...12}/d" };
    CHECK(topology_expand(a2, 1, &t, err, sizeof err) == 0 && t.n == 12);
    CHECK(t.n == 12 && strcmp(t.drives[0], "/mnt/disk01/d") == 0 && strcmp(t.drives[11], "/mnt/disk12/d") == 0);
    topology_free(&t);
    const char *a3[] = { "/n{1...2}/d{1...3}" };
    CHECK(topology_expand(a3, 1, &t, err, sizeof err) == 0 && t.n == 6);
    CHECK(t.n == 6 && strcmp(t.drives[1], "/n1/d2") == 0 && strcmp(t.drives[5], "/n2/d3") == 0);
    topology_free(&t);
    const char *a4[] = { "/a /b  /c" };            /* CAIRN_VOLUMES style */
    CHECK(topology_expand(a4, 1, &t, err, sizeof err) == 0 && t.n == 3 && strcmp(t.drives[2], "/c") == 0);
    topology_free(&t);
    const char *a5[] = { "/x", "/y" };
    CHECK(topology_expand(a5, 2, &t, err, sizeof err) == 0 && t.n == 2);
    CHECK(t.n_nodes == 0 && t.self == -1 && t.node_of[1] == 0);      /* local only: no node */
    topology_free(&t);
    /* once refused as "distributed mode is not implemented": 4 nodes, 1 drive each */
    const char *d4[] = { "http://h{1...4}:9000/d" };
    CHECK(topology_expand(d4, 1, &t, err, sizeof err) == 0 && t.n == 4 && t.n_nodes == 4 && t.node_of[3] == 3);
    topology_free(&t);
    const char *bad1[] = { "/data{4...1}" }, *bad3[] = { "/d{1..4}" },
               *bad4[] = { "/a", "/a" }, *bad5[] = { "/d{1...1000}" }, *bad6[] = { "/d{a...c}" };
    CHECK(topology_expand(bad1, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad3, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad4, 2, &t, err, sizeof err) == -1 && strstr(err, "drive /a is given twice"));
    CHECK(topology_expand(bad5, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad6, 1, &t, err, sizeof err) == -1);
    CHECK(topology_parity(NULL) == -1 && topology_parity("") == -1);
    CHECK(topology_parity("EC:2") == 2 && topology_parity("ec:3") == 3);
    CHECK(topology_parity("EC:x") == -2 && topology_parity("RRS") == -2);
    test_endpoints();
    test_refusals();
    test_find_self();
    test_signature();
    return checks_report();
}

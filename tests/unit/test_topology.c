/* Ellipsis expansion of drive lists and storage-class parity. */
#include <string.h>

#include "../../cluster/topology.h"
#include "check.h"

int main(void)
{
    topology t;
    char err[256];
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
    topology_free(&t);
    const char *bad1[] = { "/data{4...1}" }, *bad2[] = { "http://h{1...4}:9000/d" }, *bad3[] = { "/d{1..4}" },
               *bad4[] = { "/a", "/a" }, *bad5[] = { "/d{1...1000}" }, *bad6[] = { "/d{a...c}" };
    CHECK(topology_expand(bad1, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad2, 1, &t, err, sizeof err) == -1 && strstr(err, "distributed"));
    CHECK(topology_expand(bad3, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad4, 2, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad5, 1, &t, err, sizeof err) == -1);
    CHECK(topology_expand(bad6, 1, &t, err, sizeof err) == -1);
    CHECK(topology_parity(NULL) == -1 && topology_parity("") == -1);
    CHECK(topology_parity("EC:2") == 2 && topology_parity("ec:3") == 3);
    CHECK(topology_parity("EC:x") == -2 && topology_parity("RRS") == -2);
    return checks_report();
}

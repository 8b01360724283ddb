#include "topology.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

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

/* Expands the first {a...b} of pattern; recurses on the rest. */
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

int topology_expand(const char *const *args, int n_args, topology *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n_args; i++) {
        /* an environment value may hold several, space-separated */
        const char *p = args[i];
        while (*p) {
            while (*p == ' ') p++;
            size_t len = strcspn(p, " ");
            if (!len) break;
            char item[4096];
            if (len >= sizeof item) { topology_free(out); return fail(err, errcap, "drive path too long"); }
            memcpy(item, p, len);
            item[len] = '\0';
            if (strstr(item, "://")) {
                topology_free(out);
                return fail(err, errcap,
                            "%s is a remote endpoint: distributed mode (several nodes) is not implemented yet; "
                            "give local directories", item);
            }
            if (expand(out, item, err, errcap) != 0) { topology_free(out); return -1; }
            p += len;
        }
    }
    if (!out->n) return fail(err, errcap, "no data directory given");
    for (int i = 0; i < out->n; i++)
        for (int j = i + 1; j < out->n; j++)
            if (strcmp(out->drives[i], out->drives[j]) == 0) {
                char msg[256];
                snprintf(msg, sizeof msg, "drive %s is given twice", out->drives[i]);
                topology_free(out);
                return fail(err, errcap, "%s", msg);
            }
    return 0;
}

void topology_free(topology *t)
{
    for (int i = 0; i < t->n; i++) free(t->drives[i]);
    t->n = 0;
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

#include "parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------- Range ---------- */

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

range_result parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (!h) return RANGE_NONE;
    while (*h == ' ') h++;
    if (strncasecmp(h, "bytes=", 6) != 0) return RANGE_NONE;
    const char *spec = h + 6;
    while (*spec == ' ') spec++;
    if (strchr(spec, ',')) return RANGE_NONE;
    size_t len = strlen(spec);
    while (len && spec[len - 1] == ' ') len--;
    const char *dash = memchr(spec, '-', len);
    if (!dash) return RANGE_NONE;
    size_t a_len = (size_t)(dash - spec), b_len = len - a_len - 1;
    uint64_t a = 0, b = 0;
    if (a_len == 0) {
        /* suffix: the last b bytes */
        if (parse_u64(dash + 1, b_len, &b) != 0) return RANGE_NONE;
        if (b == 0 || size == 0) return RANGE_UNSATISFIABLE;
        if (b > size) b = size;
        *first = size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (parse_u64(spec, a_len, &a) != 0) return RANGE_NONE;
    if (b_len == 0) b = UINT64_MAX;
    else if (parse_u64(dash + 1, b_len, &b) != 0) return RANGE_NONE;
    if (b < a) return RANGE_NONE;
    if (a >= size) return RANGE_UNSATISFIABLE;
    if (b >= size) b = size - 1;
    *first = a;
    *last = b;
    return RANGE_OK;
}

/* ---------- dates ---------- */

static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int month_index(const char *m)
{
    for (int i = 0; i < 12; i++) if (strncasecmp(m, months[i], 3) == 0) return i;
    return -1;
}

int parse_http_date(const char *s, time_t *out)
{
    if (!s) return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char mon[4] = {0}, wday[16] = {0};
    int day, year, hh, mm, ss;
    /* RFC 1123: Sun, 06 Nov 1994 08:49:37 GMT */
    if (sscanf(s, "%15[A-Za-z], %d %3s %d %d:%d:%d GMT", wday, &day, mon, &year, &hh, &mm, &ss) == 7) {
    /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    } else if (sscanf(s, "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT", wday, &day, mon, &year, &hh, &mm, &ss) == 7) {
        if (year < 100) year += year < 70 ? 2000 : 1900;
    /* asctime: Sun Nov  6 08:49:37 1994 */
    } else if (sscanf(s, "%15s %3s %d %d:%d:%d %d", wday, mon, &day, &hh, &mm, &ss, &year) == 7) {
    } else {
        return -1;
    }
    int m = month_index(mon);
    if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970) return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    *out = timegm(&tm);
    return 0;
}

int parse_amz_date(const char *s, time_t *out)
{
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    for (int i = 0; i < 15; i++) if (i != 8 && !isdigit((unsigned char)s[i])) return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
    tm.tm_mon = (s[4] - '0') * 10 + (s[5] - '0') - 1;
    tm.tm_mday = (s[6] - '0') * 10 + (s[7] - '0');
    tm.tm_hour = (s[9] - '0') * 10 + (s[10] - '0');
    tm.tm_min = (s[11] - '0') * 10 + (s[12] - '0');
    tm.tm_sec = (s[13] - '0') * 10 + (s[14] - '0');
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    *out = timegm(&tm);
    return 0;
}

/* ---------- ETag lists ---------- */

int etag_list_matches(const char *h, const char *etag)
{
    if (!h) return 0;
    size_t elen = strlen(etag);
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t') p++;
        if (!*p) break;
        if (*p == '*') return 1;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        const char *start = p, *end;
        if (*p == '"') {
            start = ++p;
            end = strchr(p, '"');
            if (!end) end = p + strlen(p);
            p = *end ? end + 1 : end;
        } else {
            end = p;
            while (*end && *end != ',' && *end != ' ') end++;
            p = end;
        }
        if ((size_t)(end - start) == elen && memcmp(start, etag, elen) == 0) return 1;
    }
    return 0;
}

/* ---------- names ---------- */

int bucket_name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len < 3 || len > 63) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return 0;
    }
    if (!isalnum((unsigned char)n[0]) || !isalnum((unsigned char)n[len - 1])) return 0;
    if (strstr(n, "..") || strstr(n, ".-") || strstr(n, "-.")) return 0;
    if (strncmp(n, "xn--", 4) == 0 || strncmp(n, "sthree-", 7) == 0) return 0;
    if (len > 8 && strcmp(n + len - 8, "-s3alias") == 0) return 0;
    if (len > 9 && strcmp(n + len - 9, "--ol-s3") == 0) return 0;
    /* not an IPv4 address */
    int a, b, c, d;
    char extra;
    if (sscanf(n, "%d.%d.%d.%d%c", &a, &b, &c, &d, &extra) == 4) return 0;
    return 1;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int object_key_check(const char *key, size_t len)
{
    if (len > 1024) return KEY_TOO_LONG;
    /* Keys never become paths (data files are named by random ids), so
     * "..", "//" and the like are ordinary names.  NUL cannot round-trip
     * through XML or C strings, and invalid UTF-8 cannot be listed. */
    if (memchr(key, '\0', len) || !utf8_valid(key, len)) return KEY_INVALID;
    return KEY_OK;
}

/* ---------- URL coding ---------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *url_decode(arena *a, const char *s, size_t n, int form_plus, size_t *len)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return NULL;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) return NULL;
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (s[i] == '+' && form_plus) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (len) *len = o;
    return out;
}

char *url_encode(arena *a, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 3 + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

int query_parse(arena *a, const char *raw, query *q)
{
    q->n = 0;
    q->params = NULL;
    if (!raw || !*raw) return 0;
    size_t count = 1;
    for (const char *p = raw; *p; p++) if (*p == '&') count++;
    q->params = arena_alloc(a, count * sizeof *q->params);
    const char *p = raw;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg > 0) {
            const char *eq = memchr(p, '=', seg);
            size_t nl = eq ? (size_t)(eq - p) : seg;
            query_param *qp = &q->params[q->n];
            qp->name = url_decode(a, p, nl, 1, NULL);
            qp->has_value = eq != NULL;
            qp->value = eq ? url_decode(a, eq + 1, seg - nl - 1, 1, NULL) : "";
            if (!qp->name || !qp->value) return -1;
            q->n++;
        }
        if (!amp) break;
        p = amp + 1;
    }
    return 0;
}

const query_param *query_find(const query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++) if (strcmp(q->params[i].name, name) == 0) return &q->params[i];
    return NULL;
}

const char *query_get(const query *q, const char *name)
{
    const query_param *p = query_find(q, name);
    return p ? p->value : NULL;
}

/* ---------- hex ---------- */

void hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* 2030-01-01T00:00:00Z or with fractional seconds. */
int parse_iso8601(const char *s, int64_t *ns)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &n) != 6)
        return -1;
    const char *rest = s + n;
    if (*rest == '.') { rest++; while (*rest >= '0' && *rest <= '9') rest++; }
    if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0) return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return -1;
    *ns = (int64_t)t * 1000000000;
    return 0;
}


const char *etag_unquote(arena *a, const char *etag)
{
    if (!etag) return NULL;
    size_t n = strlen(etag);
    if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') return arena_strndup(a, etag + 1, n - 2);
    if (n >= 12 && strncmp(etag, "&quot;", 6) == 0) return arena_strndup(a, etag + 6, n - 12);
    return etag;
}

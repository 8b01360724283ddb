/* Range, dates, conditional headers, names, URL coding and the Delete XML. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../common/arena.h"
#include "../../s3api/internal.h"
#include "../../s3api/parse.h"
#include "../../s3api/xml.h"
#include "check.h"

static void test_range(void)
{
    uint64_t a = 0, b = 0;
    CHECK(parse_range("bytes=0-9", 100, &a, &b) == RANGE_OK && a == 0 && b == 9);
    CHECK(parse_range("bytes=10-", 100, &a, &b) == RANGE_OK && a == 10 && b == 99);
    CHECK(parse_range("bytes=-10", 100, &a, &b) == RANGE_OK && a == 90 && b == 99);
    CHECK(parse_range("bytes=-1000", 100, &a, &b) == RANGE_OK && a == 0 && b == 99);
    CHECK(parse_range("bytes=50-1000", 100, &a, &b) == RANGE_OK && a == 50 && b == 99);
    CHECK(parse_range("bytes=99-99", 100, &a, &b) == RANGE_OK && a == 99 && b == 99);
    CHECK(parse_range("bytes=100-", 100, &a, &b) == RANGE_UNSATISFIABLE);
    CHECK(parse_range("bytes=100-200", 100, &a, &b) == RANGE_UNSATISFIABLE);
    CHECK(parse_range("bytes=-0", 100, &a, &b) == RANGE_UNSATISFIABLE);
    CHECK(parse_range("bytes=0-0", 0, &a, &b) == RANGE_UNSATISFIABLE);
    /* syntax errors and multiple ranges are ignored: the whole object */
    CHECK(parse_range(NULL, 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("bytes=9-1", 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("bytes=a-b", 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("items=0-1", 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("bytes=0-1,5-6", 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("bytes=", 100, &a, &b) == RANGE_NONE);
    CHECK(parse_range("bytes=99999999999999999999-", 100, &a, &b) == RANGE_NONE);
}

static void test_dates(void)
{
    time_t t;
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0 && t == 784111777);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &t) == 0 && t == 784111777);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994", &t) == 0 && t == 784111777);
    CHECK(parse_http_date("yesterday", &t) != 0);
    CHECK(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", &t) != 0);
    CHECK(parse_amz_date("20130524T000000Z", &t) == 0 && t == 1369353600);
    CHECK(parse_amz_date("20130524T000000", &t) != 0);
    CHECK(parse_amz_date("2013052XT000000Z", &t) != 0);
    CHECK(parse_amz_date("20131324T000000Z", &t) != 0);
    char buf[64];
    format_http_date(784111777, buf, sizeof buf);
    CHECK(strcmp(buf, "Sun, 06 Nov 1994 08:49:37 GMT") == 0);
    format_iso8601_ms((int64_t)784111777 * 1000000000 + 123456789, buf, sizeof buf);
    CHECK(strcmp(buf, "1994-11-06T08:49:37.123Z") == 0);
    /* the arithmetic date agrees with gmtime across leap years and
     * century rules (1970..2261, the span of int64 nanoseconds; every ~3
     * days at a moving time of day) */
    for (int64_t t = 0; t < (int64_t)9200000000; t += 259201 + 37) {
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        char want[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.007Z", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        format_iso8601_ms(t * 1000000000 + 7000000, buf, sizeof buf);
        if (strcmp(buf, want) != 0) { CHECK(strcmp(buf, want) == 0); break; }
        /* and the HTTP date (weekday included) agrees with strftime's */
        strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        format_http_date(tt, buf, sizeof buf);
        if (strcmp(buf, want) != 0) { CHECK(strcmp(buf, want) == 0); break; }
    }
    format_http_date(0, buf, sizeof buf);
    CHECK(strcmp(buf, "Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    format_http_date(784111777, buf, 29);     /* no room for the terminator: nothing */
    CHECK(buf[0] == '\0');
    format_iso8601_ms((int64_t)951782400 * 1000000000, buf, sizeof buf); /* leap day of a 400-year */
    CHECK(strcmp(buf, "2000-02-29T00:00:00.000Z") == 0);
}

static void test_etags(void)
{
    CHECK(etag_list_matches("\"abc\"", "abc"));
    CHECK(etag_list_matches("abc", "abc"));
    CHECK(etag_list_matches("*", "abc"));
    CHECK(etag_list_matches("\"x\", \"abc\"", "abc"));
    CHECK(etag_list_matches("W/\"abc\"", "abc"));
    CHECK(!etag_list_matches("\"abcd\"", "abc"));
    CHECK(!etag_list_matches("\"ab\"", "abc"));
    CHECK(!etag_list_matches("", "abc"));
}

static void test_conditions(void)
{
    object_info o;
    memset(&o, 0, sizeof o);
    strcpy(o.etag, "e1");
    o.mtime_ns = (int64_t)784111777 * 1000000000;
    const char *before = "Sat, 05 Nov 1994 08:49:37 GMT", *after = "Mon, 07 Nov 1994 08:49:37 GMT";
    CHECK(s3_check_conditions(&o, NULL, NULL, NULL, NULL, 0) == S3E_NONE);
    CHECK(s3_check_conditions(&o, "\"e1\"", NULL, NULL, NULL, 0) == S3E_NONE);
    CHECK(s3_check_conditions(&o, "\"e2\"", NULL, NULL, NULL, 0) == S3E_PRECONDITION_FAILED);
    CHECK(s3_check_conditions(&o, NULL, "\"e1\"", NULL, NULL, 0) == S3E_NOT_MODIFIED);
    CHECK(s3_check_conditions(&o, NULL, "\"e1\"", NULL, NULL, 1) == S3E_PRECONDITION_FAILED);
    CHECK(s3_check_conditions(&o, NULL, "\"e2\"", NULL, NULL, 0) == S3E_NONE);
    CHECK(s3_check_conditions(&o, NULL, NULL, after, NULL, 0) == S3E_NOT_MODIFIED);
    CHECK(s3_check_conditions(&o, NULL, NULL, before, NULL, 0) == S3E_NONE);
    CHECK(s3_check_conditions(&o, NULL, NULL, NULL, before, 0) == S3E_PRECONDITION_FAILED);
    CHECK(s3_check_conditions(&o, NULL, NULL, NULL, after, 0) == S3E_NONE);
    /* If-Match that holds overrides a failing If-Unmodified-Since (RFC 9110) */
    CHECK(s3_check_conditions(&o, "\"e1\"", NULL, NULL, before, 0) == S3E_NONE);
    /* If-None-Match that holds overrides If-Modified-Since */
    CHECK(s3_check_conditions(&o, NULL, "\"e2\"", after, NULL, 0) == S3E_NONE);
    /* unparsable dates are ignored */
    CHECK(s3_check_conditions(&o, NULL, NULL, "garbage", "garbage", 0) == S3E_NONE);
}

static void test_names(void)
{
    CHECK(bucket_name_valid("abc"));
    CHECK(bucket_name_valid("my.bucket-1"));
    CHECK(!bucket_name_valid("ab"));
    CHECK(!bucket_name_valid("Abc"));
    CHECK(!bucket_name_valid("-abc"));
    CHECK(!bucket_name_valid("abc-"));
    CHECK(!bucket_name_valid("a..b"));
    CHECK(!bucket_name_valid("192.168.1.1"));
    CHECK(!bucket_name_valid("xn--abc"));
    CHECK(!bucket_name_valid("under_score"));
    char long_name[70];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    CHECK(!bucket_name_valid(long_name));
    long_name[63] = '\0';
    CHECK(bucket_name_valid(long_name));

    CHECK(object_key_check("../../etc/passwd", 16) == KEY_OK);   /* a name, never a path */
    CHECK(object_key_check("a//b", 4) == KEY_OK);
    CHECK(object_key_check("caf\xc3\xa9", 5) == KEY_OK);
    CHECK(object_key_check("bad\xc3", 4) == KEY_INVALID);
    CHECK(object_key_check("nul\0x", 5) == KEY_INVALID);
    CHECK(object_key_check("\xed\xa0\x80", 3) == KEY_INVALID);     /* surrogate */
    CHECK(object_key_check("\xc0\xaf", 2) == KEY_INVALID);         /* overlong '/' */
    char key[1100];
    memset(key, 'k', sizeof key);
    CHECK(object_key_check(key, 1024) == KEY_OK);
    CHECK(object_key_check(key, 1025) == KEY_TOO_LONG);
}

static void test_url_and_query(void)
{
    arena a;
    arena_init(&a);
    size_t n;
    char *d = url_decode(&a, "a%20b%2Fc+d", 11, 0, &n);
    CHECK(d && strcmp(d, "a b/c+d") == 0);
    d = url_decode(&a, "a+b", 3, 1, &n);
    CHECK(d && strcmp(d, "a b") == 0);
    CHECK(url_decode(&a, "%4", 2, 0, &n) == NULL);
    CHECK(url_decode(&a, "%zz", 3, 0, &n) == NULL);
    d = url_decode(&a, "x%00y", 5, 0, &n);
    CHECK(d && n == 3 && strlen(d) == 1);
    CHECK(strcmp(url_encode(&a, "a b/c~+", 1), "a%20b/c~%2B") == 0);
    CHECK(strcmp(url_encode(&a, "a/b", 0), "a%2Fb") == 0);
    query q;
    CHECK(query_parse(&a, "list-type=2&prefix=a%2Fb&delimiter=%2F&fetch-owner", &q) == 0);
    CHECK(q.n == 4);
    CHECK(strcmp(query_get(&q, "prefix"), "a/b") == 0);
    CHECK(query_find(&q, "fetch-owner") && !query_find(&q, "fetch-owner")->has_value);
    CHECK(query_get(&q, "missing") == NULL);
    CHECK(query_parse(&a, "a=%G1", &q) != 0);
    arena_reset(&a);
}

static void test_xml(void)
{
    arena a;
    arena_init(&a);
    delete_request d;
    const char *ok = "<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                     "<Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
                     "<Object><Key>c</Key><VersionId>null</VersionId></Object></Delete>";
    CHECK(xml_parse_delete(&a, ok, strlen(ok), 1000, &d) == 0);
    CHECK(d.quiet == 1 && d.n == 2);
    CHECK(d.n == 2 && strcmp(d.entries[0].key, "a&b") == 0 && d.entries[0].version_id == NULL);
    CHECK(d.n == 2 && strcmp(d.entries[1].version_id, "null") == 0);
    const char *no_ns = "<Delete><Object><Key>k</Key></Object></Delete>";
    CHECK(xml_parse_delete(&a, no_ns, strlen(no_ns), 1000, &d) == 0 && d.n == 1 && d.quiet == 0);
    CHECK(xml_parse_delete(&a, no_ns, strlen(no_ns), 0, &d) != 0);        /* over the bound */
    const char *bad[] = {
        "<Delete><Object><Key>k</Key></Object>",                           /* not well-formed */
        "<Remove><Object><Key>k</Key></Object></Remove>",                 /* wrong root */
        "<Delete></Delete>",                                              /* empty */
        "<Delete><Object></Object></Delete>",                             /* no key */
        "<!DOCTYPE d [<!ENTITY x \"y\">]><Delete><Object><Key>&x;</Key></Object></Delete>",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(xml_parse_delete(&a, bad[i], strlen(bad[i]), 1000, &d) != 0);

    strbuf b;
    strbuf_init(&b, &a, 4);
    strbuf_xml_escape(&b, "<a href=\"x\">&'", 14);
    CHECK(strcmp(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;") == 0);
    arena_reset(&a);
}

int main(void)
{
    test_range();
    test_dates();
    test_etags();
    test_conditions();
    test_names();
    test_url_and_query();
    test_xml();
    return checks_report();
}

/* timefmt - see timefmt.h. */
#include "timefmt.h"

typedef struct civil_time {
    int64_t year;
    unsigned month, day;        /* 1-12, 1-31 */
    unsigned hour, minute, second;
    unsigned weekday;           /* 0 = Sunday */
} civil_time;

/* Days since 0000-03-01 in 400-year eras of 146,097 days, so that the
 * leap day ends each year. */
static civil_time civil_from_seconds(int64_t secs)
{
    civil_time c;
    int64_t days = secs / 86400;
    int64_t sod = secs % 86400;
    if (sod < 0) { sod += 86400; days--; }
    c.hour = (unsigned)(sod / 3600);
    c.minute = (unsigned)(sod / 60 % 60);
    c.second = (unsigned)(sod % 60);
    int64_t wd = (days + 4) % 7;            /* 1970-01-01 was a Thursday */
    c.weekday = (unsigned)(wd < 0 ? wd + 7 : wd);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

static void put_digits(char *p, unsigned v, int width)
{
    while (width-- > 0) {
        p[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* "HH:MM:SS", 8 characters, no terminator */
static void put_clock(char *p, const civil_time *c)
{
    put_digits(p, c->hour, 2);
    p[2] = ':';
    put_digits(p + 3, c->minute, 2);
    p[5] = ':';
    put_digits(p + 6, c->second, 2);
}

static unsigned clamp_year(int64_t y)
{
    return y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;
}

void format_http_date(time_t t, char *out, size_t cap)
{
    static const char wdays[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (cap < HTTP_DATE_LEN + 1) { if (cap) out[0] = '\0'; return; }
    civil_time c = civil_from_seconds((int64_t)t);
    for (int i = 0; i < 3; i++) out[i] = wdays[c.weekday * 3 + (unsigned)i];
    out[3] = ',';
    out[4] = ' ';
    put_digits(out + 5, c.day, 2);
    out[7] = ' ';
    for (int i = 0; i < 3; i++) out[8 + i] = months[(c.month - 1) * 3 + (unsigned)i];
    out[11] = ' ';
    put_digits(out + 12, clamp_year(c.year), 4);
    out[16] = ' ';
    put_clock(out + 17, &c);
    out[25] = ' ';
    out[26] = 'G';
    out[27] = 'M';
    out[28] = 'T';
    out[29] = '\0';
}

void format_iso8601_ms(int64_t ns, char *out, size_t cap)
{
    if (cap < ISO8601_MS_LEN + 1) { if (cap) out[0] = '\0'; return; }
    if (ns < 0) ns = 0;
    civil_time c = civil_from_seconds(ns / 1000000000);
    put_digits(out, clamp_year(c.year), 4);
    out[4] = '-';
    put_digits(out + 5, c.month, 2);
    out[7] = '-';
    put_digits(out + 8, c.day, 2);
    out[10] = 'T';
    put_clock(out + 11, &c);
    out[19] = '.';
    put_digits(out + 20, (unsigned)((ns / 1000000) % 1000), 3);
    out[23] = 'Z';
    out[24] = '\0';
}

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int quiet_access;
static int json_lines;

void log_set_json(int json) { json_lines = json; }
int log_is_json(void) { return json_lines; }

void log_set_quiet_access(int quiet) { quiet_access = quiet; }
int log_access_enabled(void) { return !quiet_access; }

void log_msg(const char *level, const char *fmt, ...)
{
    char when[64], msg[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!json_lines) {
        fprintf(stderr, "%s %s %s\n", when, level, msg);
        return;
    }
    /* messages quote paths and client input: escape for JSON (worst case
     * six bytes per byte) */
    char esc[sizeof msg * 6];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p == '"' || *p == '\\') { esc[o++] = '\\'; esc[o++] = (char)*p; }
        else if (*p < 0x20 || *p == 0x7f) o += (size_t)snprintf(esc + o, sizeof esc - o, "\\u%04x", *p);
        else esc[o++] = (char)*p;
    }
    esc[o] = '\0';
    fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", when, level, esc);
}

/*
 * log — the error log: one line per event on stderr, with a UTC timestamp
 * and a level, as text or (log_set_json) as a JSON object per line for log
 * collectors.  The access log is server/accesslog.c.
 */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)
void log_set_quiet_access(int quiet);
/* Lines become {"time":"...","level":"...","msg":"..."}. */
void log_set_json(int json);
int log_is_json(void);
int log_access_enabled(void);

#endif

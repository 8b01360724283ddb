/*
 * log — one line per event on stderr, with a UTC timestamp and a level.
 * Access log lines go through log_access so they can be filtered apart.
 */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)
void log_set_quiet_access(int quiet);
int log_access_enabled(void);

#endif

/* log.h: motevm's logger: levelled, printf-checked lines to stderr or a file. */
#ifndef MOTE_VMM_LOG_H
#define MOTE_VMM_LOG_H

#include <stdbool.h>

/* Levels in Firecracker's order and spelling (Off, Error, Warning, Info, Debug, Trace). */
enum log_level { LOG_OFF, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern enum log_level log_level_current;

/* Parses a level name ("Error", "warning", "Info", ...; case-insensitive). 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);
void log_set_level(enum log_level level);

/* Sends lines to PATH (appended, created if missing) instead of stderr. 0 or -errno. */
int log_open(const char *path);
/* The instance id shown on every line (Firecracker's --id); the string must outlive the logger. */
void log_set_id(const char *id);
/* The calling thread's name shown on its lines ("main", "vcpu0", ...). */
void log_set_thread(const char *name);

/* Writes one line (a newline is added) if LEVEL is enabled; one write(2) per line. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool log_enabled(enum log_level level)
{
	return level <= log_level_current;
}

#define log_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                   \
	do {                                             \
		if (log_enabled(LOG_DEBUG))              \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)

#endif /* MOTE_VMM_LOG_H */

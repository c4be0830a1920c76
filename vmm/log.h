/* log.h: motevm's logger: Firecracker's line format, levels, a file or named pipe as target. */
#ifndef MOTE_VMM_LOG_H
#define MOTE_VMM_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* Levels in Firecracker's order and spelling (Off, Error, Warning, Info, Debug, Trace). */
enum log_level { LOG_OFF, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern enum log_level log_level_current;

/* Parses a level name ("Error", "warning", "Warn", "Info", ...; case-insensitive). 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);
void log_set_level(enum log_level level);

/*
 * Opens PATH as Firecracker opens its log and metrics targets: a regular file (created if
 * missing, appended to) or a named pipe, non-blocking, so a reader that stops reading loses
 * lines instead of stalling motevm. Returns the fd (close-on-exec) or -errno.
 */
int log_open_file(const char *path);
/* Sends lines to PATH instead of stderr (log_open_file's rules). 0 or -errno. */
int log_open(const char *path);
/* Where log lines go now: --log-path's file, else stderr. */
int log_target_fd(void);
/* Firecracker's show_level and show_log_origin: the "[id:thread:LEVEL:file:line]" parts
 * (1 shown, 0 hidden, -1 unchanged). */
void log_set_format(int show_level, int show_origin);
/* Only lines from source files whose path starts with PREFIX ("vmm/api"); NULL: all. 0 or
 * -ENOMEM. */
int log_set_module(const char *prefix);
/* The instance id shown on every line (Firecracker's --id); the string must outlive the logger. */
void log_set_id(const char *id);
const char *log_get_id(void);
/* The calling thread's name shown on its lines ("main", "api", "vcpu0", ...). */
void log_set_thread(const char *name);
/* End lines with "\r\n", not "\n": the terminal they go to is raw (no ONLCR; serial.c). */
void log_set_crlf(bool on);
/* Lines that could not be written (a full pipe, a full disk) since the last call. */
uint64_t log_take_missed(void);

/*
 * The message of the first Error line the calling thread logged since log_clear_error()
 * (whatever the level filter), or "": the root cause a failed action reports to an API client.
 */
const char *log_first_error(void);
void log_clear_error(void);

/* Writes one line (a newline is added) if LEVEL is enabled; one write(2) per line. */
void log_msg(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool log_enabled(enum log_level level)
{
	return level <= __atomic_load_n(&log_level_current, __ATOMIC_RELAXED);
}

#define log_err(...) log_msg(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...)                                                       \
	do {                                                                 \
		if (log_enabled(LOG_DEBUG))                                  \
			log_msg(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif /* MOTE_VMM_LOG_H */

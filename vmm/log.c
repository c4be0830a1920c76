/* log.c: motevm's logger (see log.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "inherit.h"
#include "log.h"

enum log_level log_level_current = LOG_INFO;

/*
 * Lines go to LOG_FD, a descriptor of our own (a copy of stderr at first): switching targets
 * dup3()s the new file over it, so a thread writing at that moment never sees a closed fd.
 */
static int log_fd = -1;
static const char *log_id = "anonymous-instance";
static bool show_level = true, show_origin, crlf;
static char *module_prefix;
static uint64_t missed;
static __thread const char *thread_name = "main";
static __thread char first_error[256];

static const char *const level_names[] = {
	[LOG_OFF] = "Off",   [LOG_ERROR] = "Error", [LOG_WARN] = "Warning",
	[LOG_INFO] = "Info", [LOG_DEBUG] = "Debug", [LOG_TRACE] = "Trace",
};

/* Upper-case tags as Firecracker shows them with show_level. */
static const char *const level_tags[] = {
	[LOG_OFF] = "OFF",   [LOG_ERROR] = "ERROR", [LOG_WARN] = "WARN",
	[LOG_INFO] = "INFO", [LOG_DEBUG] = "DEBUG", [LOG_TRACE] = "TRACE",
};

int log_level_parse(const char *name, enum log_level *level)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warn") == 0) {
		*level = LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	return level_names[level];
}

void log_set_level(enum log_level level)
{
	__atomic_store_n(&log_level_current, level, __ATOMIC_RELAXED);
}

int log_open_file(const char *path)
{
	/* Read-write, so opening a FIFO nobody reads yet neither blocks nor fails (ENXIO). */
	int fd =
		inherit_open_mode(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);

	return fd < 0 ? -errno : fd;
}

int log_target_fd(void)
{
	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);

	return fd < 0 ? STDERR_FILENO : fd;
}

int log_open(const char *path)
{
	int fd = log_open_file(path);

	if (fd < 0)
		return fd;
	if (log_fd < 0) {
		__atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
		return 0;
	}
	if (dup3(fd, log_fd, O_CLOEXEC) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	close(fd);
	return 0;
}

void log_set_format(int level, int origin)
{
	if (level >= 0)
		show_level = level;
	if (origin >= 0)
		show_origin = origin;
}

int log_set_module(const char *prefix)
{
	char *p = prefix ? strdup(prefix) : NULL;

	if (prefix && !p)
		return -ENOMEM;
	/* Set once before the threads that log start (pre-boot); the old string is kept. */
	module_prefix = p;
	return 0;
}

void log_set_id(const char *id)
{
	log_id = id;
}

const char *log_get_id(void)
{
	return log_id;
}

void log_set_thread(const char *name)
{
	thread_name = name;
}

void log_set_crlf(bool on)
{
	__atomic_store_n(&crlf, on, __ATOMIC_RELAXED);
}

uint64_t log_take_missed(void)
{
	return __atomic_exchange_n(&missed, 0, __ATOMIC_RELAXED);
}

const char *log_first_error(void)
{
	return first_error;
}

void log_clear_error(void)
{
	first_error[0] = 0;
}

/*
 * UTC calendar time of T (year and month as written, not struct tm's offsets). gmtime_r would
 * do, but glibc loads /etc/localtime on its first call: not worth it on a VM's start-up path.
 * Days to civil date after H. Hinnant's public-domain algorithm.
 */
static void utc(time_t t, struct tm *tm)
{
	long days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->tm_year = (int)(yoe + era * 400 + (tm->tm_mon <= 2));
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
}

/* "timestamp [id:thread[:LEVEL][:file:line]] " into LINE; its length. */
static size_t prefix(char *line, size_t size, enum log_level level, const char *file, int lineno)
{
	struct timespec ts;
	struct tm tm;
	size_t n = 0;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	utc(ts.tv_sec, &tm);
	r = snprintf(line, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld [%s:%s", tm.tm_year,
		     tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec, log_id,
		     thread_name);
	if (r > 0)
		n = (size_t)r;
	if (show_level && n < size &&
	    (r = snprintf(line + n, size - n, ":%s", level_tags[level])) > 0)
		n += (size_t)r;
	if (show_origin && n < size &&
	    (r = snprintf(line + n, size - n, ":%s:%d", file, lineno)) > 0)
		n += (size_t)r;
	if (n < size && (r = snprintf(line + n, size - n, "] ")) > 0)
		n += (size_t)r;
	return n < size ? n : size - 1;
}

void log_msg(enum log_level level, const char *file, int lineno, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n;
	int r;

	if (level == LOG_ERROR && !first_error[0]) {
		va_start(ap, fmt);
		vsnprintf(first_error, sizeof(first_error), fmt, ap);
		va_end(ap);
	}
	if (!log_enabled(level) || level == LOG_OFF)
		return;
	if (module_prefix && strncmp(file, module_prefix, strlen(module_prefix)) != 0)
		return;
	n = prefix(line, sizeof(line), level, file, lineno);
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (r > 0)
		n += (size_t)r;
	if (n > sizeof(line) - 3)
		n = sizeof(line) - 3; /* truncated: keep the line's end */
	if (__atomic_load_n(&crlf, __ATOMIC_RELAXED))
		line[n++] = '\r';
	line[n++] = '\n';
	/* One write per line keeps lines from different threads whole; a full pipe loses it. */
	if (write(log_target_fd(), line, n) != (ssize_t)n)
		__atomic_add_fetch(&missed, 1, __ATOMIC_RELAXED);
}

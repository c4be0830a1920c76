/* printf.h: formatted output (vsnprintf) and the kernel log (printk with levels). */
#ifndef MOTE_LIB_PRINTF_H
#define MOTE_LIB_PRINTF_H

#include "lib/types.h"

#define LOG_EMERG 0
#define LOG_ERR 3
#define LOG_WARN 4
#define LOG_NOTICE 5 /* shown by default: results the user asked for */
#define LOG_INFO 6   /* shown with --verbose */
#define LOG_DEBUG 7  /* shown with --verbose */

/* Messages above this level are dropped (LOG_NOTICE by default, LOG_DEBUG with --verbose). */
extern int printk_level;

/* C99 semantics: returns the length the full output would have; writes at most n-1 + NUL. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __printf(3, 4);
/* Print to the console if level <= printk_level. SMP-safe; usable from interrupt handlers. */
void printk(int level, const char *fmt, ...) __printf(2, 3);
/* Where the console's bytes go: a driver installs itself (drivers/uart.c at uart_init, the
 * first thing the kernel does); before that, and without one, they go nowhere. */
struct console_sink {
	void (*write)(const char *s, size_t n);
	void (*write_stream)(int stream, const char *s, size_t n);
};
void console_set_sink(const struct console_sink *sink);
/* Write raw text to the console (no level, no formatting). */
void console_write(const char *s, size_t n);
#define CONSOLE_STDOUT 1 /* console_write_stream's streams */
#define CONSOLE_STDERR 2
/* Write a program's output to its stdout (1) or stderr (2) stream (the sink's write_stream). */
void console_write_stream(int stream, const char *s, size_t n);
/* From now on the console lock is ignored (a panic on one CPU must print even if another
 * CPU died holding it). */
void console_panic_mode(void);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif /* MOTE_LIB_PRINTF_H */

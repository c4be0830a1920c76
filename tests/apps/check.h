/* check.h: the helper every tests/apps program includes: checks, a summary, a scratch directory. */
#ifndef MOTE_TESTS_APPS_CHECK_H
#define MOTE_TESTS_APPS_CHECK_H

/*
 * Each program runs natively and inside Mote and the two outputs must be identical, so a check
 * prints only the fact it established ("ok read back 5 bytes: hello"), never a pid, an address,
 * a time or anything else that differs between two correct runs. On failure it says what went
 * wrong with the value and errno seen, which is where the two outputs are meant to differ.
 * Everything goes to stdout, line-buffered, so nothing is reordered against stderr or lost when
 * a program dies. Checks are made from one thread at a time (threads report through variables).
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct check_counts {
	int total;
	int failed;
};

static inline struct check_counts *check_counts(void)
{
	static struct check_counts c;
	return &c;
}

/* Call first in main(): line-buffers stdout so output survives a crash or an exec. */
static inline void check_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char *check_errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "no errno";
	return n ? n : "unknown errno";
}

/* Prints "ok WHAT" or "FAIL WHAT: DETAIL"; counts. errno is cleared so the next check's is fresh. */
static inline void check_report(int ok, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void check_report(int ok, const char *detail, const char *fmt, ...)
{
	va_list ap;

	check_counts()->total++;
	if (!ok)
		check_counts()->failed++;
	fputs(ok ? "ok " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(": %s", detail);
	putchar('\n');
	errno = 0;
}

/* CHECK(cond, "what", ...): passes if cond holds; a failure shows the errno left by cond. */
#define CHECK(cond, ...)                                                    \
	do {                                                                \
		int check_ok_ = !!(cond);                                   \
		check_report(check_ok_, check_errname(errno), __VA_ARGS__); \
	} while (0)

/* CHECK_EQ(actual, expected, "what", ...): integers; a failure shows both values. */
#define CHECK_EQ(actual, expected, ...)                                                    \
	do {                                                                               \
		long long check_a_ = (long long)(actual);                                  \
		int check_e_ = errno;                                                      \
		long long check_w_ = (long long)(expected);                                \
		char check_d_[96];                                                         \
		snprintf(check_d_, sizeof(check_d_), "got %lld, want %lld (%s)", check_a_, \
			 check_w_, check_errname(check_e_));                               \
		check_report(check_a_ == check_w_, check_d_, __VA_ARGS__);                 \
	} while (0)

/* CHECK_ERR(call, ERRNO, "what", ...): call must return -1 (or MAP_FAILED) with errno ERRNO. */
#define CHECK_ERR(call, err, ...)                                                            \
	do {                                                                                 \
		errno = 0;                                                                   \
		long check_r_ = (long)(call);                                                \
		int check_e_ = errno;                                                        \
		char check_d_[96];                                                           \
		snprintf(check_d_, sizeof(check_d_), "got %ld (%s), want -1 (%s)", check_r_, \
			 check_errname(check_e_), check_errname(err));                       \
		check_report(check_r_ == -1 && check_e_ == (err), check_d_, __VA_ARGS__);    \
	} while (0)

/* CHECK_STR(actual, expected, "what", ...): strings; a failure shows both. */
#define CHECK_STR(actual, expected, ...)                                                         \
	do {                                                                                     \
		const char *check_a_ = (actual), *check_w_ = (expected);                         \
		char check_d_[512];                                                              \
		snprintf(check_d_, sizeof(check_d_), "got \"%.240s\", want \"%.240s\"",          \
			 check_a_ ? check_a_ : "(null)", check_w_);                              \
		check_report(check_a_ &&strcmp(check_a_, check_w_) == 0, check_d_, __VA_ARGS__); \
	} while (0)

/* Call last: prints the summary; returns the exit status (0 if every check passed). */
static inline int check_done(void)
{
	struct check_counts *c = check_counts();

	if (c->failed)
		printf("%d of %d checks FAILED\n", c->failed, c->total);
	else
		printf("all %d checks passed\n", c->total);
	fflush(stdout);
	return c->failed ? 1 : 0;
}

/* A fresh scratch directory under /tmp (made if missing); its name is random, never print it. */
static inline const char *check_tmpdir(void)
{
	static char dir[] = "/tmp/mote-apps-XXXXXX";

	if (mkdir("/tmp", 01777) < 0 && errno != EEXIST) {
		printf("FAIL cannot create /tmp: %s\n", strerror(errno));
		exit(1);
	}
	if (!mkdtemp(dir)) {
		printf("FAIL cannot create a directory under /tmp: %s\n", strerror(errno));
		exit(1);
	}
	errno = 0;
	return dir;
}

static inline int check_rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	return remove(path) < 0 ? -1 : 0;
}

/* Removes the tree at path (scratch clean-up; returns 0 or -1). */
static inline int check_rmtree(const char *path)
{
	return nftw(path, check_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif

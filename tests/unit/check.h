/* check.h: the checks of the host-compiled unit tests: CHECK(cond) counts and reports a
 * failing condition with its place; check_done() prints "N/M checks passed" and gives the
 * exit status. Each test is one program including this once. */
#ifndef MOTE_TESTS_UNIT_CHECK_H
#define MOTE_TESTS_UNIT_CHECK_H

/* Declared rather than included: some tests are built against the kernel's freestanding
 * headers, which stdio.h would clash with. */
int printf(const char *fmt, ...);

static int check_fails, check_total;

#define CHECK(cond)                                                            \
	do {                                                                   \
		check_total++;                                                 \
		if (!(cond)) {                                                 \
			check_fails++;                                         \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

/* Print the count; 0 if every check passed, else 1 (the test's exit status). */
static inline int check_done(void)
{
	printf("%d/%d checks passed\n", check_total - check_fails, check_total);
	return check_fails != 0;
}

#endif /* MOTE_TESTS_UNIT_CHECK_H */

/* cmdline.c: parse the kernel command line (the pure parser, plus its boot-time caller). */
#include "core/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/printf.h"

#ifndef CMDLINE_HOST_TEST
#include "arch/x86_64/boot.h"
#include "core/panic.h"
#endif

struct cmdline cmdline;

/* Cut the next word off *p; returns NULL at the end. */
static char *next_word(char **p)
{
	char *s = *p, *w, *d;
	bool quoted = false;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return NULL;
	w = d = s;
	for (; *s; s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*s == ' ' || *s == '\t' || *s == '\n')) {
			s++;
			break;
		}
		*d++ = *s;
	}
	/* d never passes the separator (or the NUL) just consumed: terminating is safe. */
	*d = 0;
	*p = s;
	return w;
}

static int option(char *opt, struct cmdline *out, char *err, size_t errlen)
{
	char *val = strchr(opt, '=');

	if (val)
		*val++ = 0;
	if (!strcmp(opt, "--verbose") && !val) {
		out->verbose = true;
	} else if (!strcmp(opt, "--selftest")) {
		if (val && !*val) {
			snprintf(err, errlen, "option --selftest= needs test names");
			return -EINVAL;
		}
		out->selftest = true;
		out->selftest_names = val;
	} else if (!strcmp(opt, "--env")) {
		if (!val || !strchr(val, '=') || val[0] == '=') {
			snprintf(err, errlen, "option --env needs NAME=VALUE");
			return -EINVAL;
		}
		if (out->nenv == CMDLINE_MAX_ENV) {
			snprintf(err, errlen, "too many --env options (at most %d)",
				 CMDLINE_MAX_ENV);
			return -E2BIG;
		}
		out->env[out->nenv++] = val;
	} else {
		if (val)
			val[-1] = '=';
		snprintf(err, errlen, "unknown option %s", opt);
		return -EINVAL;
	}
	return 0;
}

int cmdline_parse(char *buf, struct cmdline *out, char *err, size_t errlen)
{
	char *p = buf, *w;
	int r;

	memset(out, 0, sizeof(*out));
	err[0] = 0;
	while ((w = next_word(&p))) {
		if (!out->argc && w[0] == '-' && w[1] == '-') {
			r = option(w, out, err, errlen);
			if (r)
				return r;
			continue;
		}
		if (out->argc == CMDLINE_MAX_ARGS) {
			snprintf(err, errlen, "too many program arguments (at most %d)",
				 CMDLINE_MAX_ARGS);
			return -E2BIG;
		}
		out->argv[out->argc++] = w;
	}
	out->argv[out->argc] = NULL;
	return 0;
}

#ifndef CMDLINE_HOST_TEST
static char cmdline_buf[BOOT_CMDLINE_MAX];

void cmdline_init(void)
{
	char err[128];

	memcpy(cmdline_buf, bootinfo.cmdline, sizeof(cmdline_buf));
	if (cmdline_parse(cmdline_buf, &cmdline, err, sizeof(err))) {
		printk(LOG_ERR, "mote: bad command line: %s\n", err);
		printk(LOG_ERR, "usage: [--verbose] [--selftest[=NAME[,NAME...]]] "
				"[--env=NAME=VALUE ...] [program [args...]]\n");
		kernel_exit(EXIT_BAD_CMDLINE);
	}
	if (cmdline.verbose)
		printk_level = LOG_DEBUG;
}
#endif

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

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Cut the next word off *p the way a POSIX shell splits words: blanks separate words;
 * 'single quotes' keep everything literally; "double quotes" keep everything but a backslash
 * before $ ` " \ or a newline; outside quotes a backslash keeps the next character. Quoted
 * parts join the word around them ('' alone is an empty word). Returns the word (in place,
 * unquoted), NULL at the end, or NULL with *bad set for an unterminated quote or escape.
 */
static char *next_word(char **p, bool *bad)
{
	char *s = *p, *w, *d;
	char quote = 0;

	while (blank(*s))
		s++;
	if (!*s)
		return NULL;
	w = d = s;
	for (; *s; s++) {
		char c = *s;

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				*d++ = c;
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
			else if (c == '\\' && s[1] && strchr("$`\"\\\n", s[1]))
				*d++ = *++s;
			else
				*d++ = c;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '\\') {
			if (!s[1]) {
				*bad = true;
				return NULL;
			}
			*d++ = *++s;
		} else if (blank(c)) {
			s++;
			break;
		} else {
			*d++ = c;
		}
	}
	if (quote) {
		*bad = true;
		return NULL;
	}
	/* d never passes the separator (or the NUL) just consumed: terminating is safe. */
	*d = 0;
	*p = s;
	return w;
}

/* A number at *s: decimal, or hex after 0x; moves *s past it. -1 if there is none. */
static int number(const char **s, uint64_t *v)
{
	const char *p = *s;
	int base = 10, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (*v = 0;; p++, digits++) {
		int d = *p >= '0' && *p <= '9'		       ? *p - '0'
			: base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
							       : -1;

		if (d < 0)
			break;
		if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	*s = p;
	return digits ? 0 : -1;
}

/* A dotted-quad IPv4 address at s (host order into *ip); *end past it. 0 or -1. */
static int ipv4(const char *s, const char **end, uint32_t *ip)
{
	uint64_t part;

	*ip = 0;
	for (int i = 0; i < 4; i++) {
		if ((i && *s++ != '.') || number(&s, &part) || part > 255)
			return -1;
		*ip = *ip << 8 | (uint32_t)part;
	}
	*end = s;
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "IFLAG,OFLAG,LFLAG,CC" of --console-termios into out; -1 if malformed. */
static int console_termios(const char *v, struct cmdline *out)
{
	uint32_t *flags[3] = { &out->console_iflag, &out->console_oflag, &out->console_lflag };

	for (int i = 0; i < 3; i++) {
		uint64_t x = 0;
		int digits = 0, d;

		for (; (d = hex_digit(*v)) >= 0; v++, digits++)
			x = x * 16 + (uint64_t)d;
		if (!digits || digits > 8 || *v++ != ',')
			return -1;
		*flags[i] = (uint32_t)x;
	}
	for (size_t i = 0; i < sizeof(out->console_cc); i++) {
		int hi = hex_digit(v[2 * i]), lo = hi < 0 ? -1 : hex_digit(v[2 * i + 1]);

		if (lo < 0)
			return -1;
		out->console_cc[i] = (uint8_t)(hi * 16 + lo);
	}
	if (v[2 * sizeof(out->console_cc)])
		return -1;
	out->console_termios_set = true;
	return 0;
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
	} else if (!strcmp(opt, "--strace") && !val) {
		out->strace = true;
	} else if (!strcmp(opt, "--stats") && !val) {
		out->stats = true;
	} else if (!strcmp(opt, "--fast-syscalls")) {
		if (val && !strcmp(val, "on"))
			out->fast_syscalls = CMDLINE_ON;
		else if (val && !strcmp(val, "off"))
			out->fast_syscalls = CMDLINE_OFF;
		else if (val && !strcmp(val, "auto"))
			out->fast_syscalls = CMDLINE_AUTO;
		else {
			snprintf(err, errlen, "option --fast-syscalls needs =auto, =on or =off");
			return -EINVAL;
		}
	} else if (!strcmp(opt, "--test-fault")) { /* test-only: tests/e2e/kernel_crash.sh */
		if (!val || strcmp(val, "ap")) {
			snprintf(err, errlen, "option --test-fault needs =ap");
			return -EINVAL;
		}
		out->test_fault_ap = true;
	} else if (!strcmp(opt, "--ip")) { /* OSv's spelling: --ip=eth0,ADDR,NETMASK */
		const char *v = val;

		if (!v || strncmp(v, "eth0,", 5) || ipv4(v + 5, &v, &out->ip) || *v++ != ',' ||
		    ipv4(v, &v, &out->netmask) || *v) {
			snprintf(err, errlen, "option --ip needs eth0,ADDRESS,NETMASK");
			return -EINVAL;
		}
	} else if (!strcmp(opt, "--defaultgw")) {
		const char *v = val;

		if (!v || ipv4(v, &v, &out->gateway) || *v) {
			snprintf(err, errlen, "option --defaultgw needs an IPv4 address");
			return -EINVAL;
		}
	} else if (!strcmp(opt, "--nameserver")) {
		const char *v = val;

		if (!v || ipv4(v, &v, &out->nameserver[out->nns < CMDLINE_MAX_NS ? out->nns : 0]) ||
		    *v) {
			snprintf(err, errlen, "option --nameserver needs an IPv4 address");
			return -EINVAL;
		}
		if (out->nns == CMDLINE_MAX_NS) {
			snprintf(err, errlen, "option --nameserver: at most %d", CMDLINE_MAX_NS);
			return -EINVAL;
		}
		out->nns++;
	} else if (!strcmp(opt, "--console-ttys")) {
		const char *v = val;
		uint64_t mask = 0, rows = 0, cols = 0;
		bool bad = !v || number(&v, &mask) || mask > 7;

		if (!bad && *v == ',') {
			v++;
			bad = number(&v, &rows) || *v++ != 'x' || number(&v, &cols) || !rows ||
			      !cols || rows > 0xffff || cols > 0xffff;
		}
		if (bad || *v) {
			snprintf(err, errlen, "option --console-ttys needs MASK (0-7)[,ROWSxCOLS]");
			return -EINVAL;
		}
		out->console_ttys_set = true;
		out->console_ttys = (uint32_t)mask;
		out->console_rows = (uint16_t)rows;
		out->console_cols = (uint16_t)cols;
	} else if (!strcmp(opt, "--console-termios")) {
		if (!val || console_termios(val, out)) {
			snprintf(err, errlen,
				 "option --console-termios needs IFLAG,OFLAG,LFLAG,CC (hex; CC: 38 "
				 "hex digits)");
			return -EINVAL;
		}
	} else if (!strcmp(opt, "--cwd")) {
		if (!val || val[0] != '/') {
			snprintf(err, errlen, "option --cwd needs an absolute directory");
			return -EINVAL;
		}
		out->cwd = val;
	} else if (!strcmp(opt, "--mount")) {
		char *dir = val ? strchr(val, ':') : NULL, *opts;

		if (!dir || dir == val || dir[1] != '/') {
			snprintf(err, errlen, "option --mount needs DEVICE:/DIRECTORY");
			return -EINVAL;
		}
		if (out->nmounts == CMDLINE_MAX_MOUNTS) {
			snprintf(err, errlen, "too many --mount options (at most %d)",
				 CMDLINE_MAX_MOUNTS);
			return -E2BIG;
		}
		*dir++ = 0;
		opts = strchr(dir, ':');
		if (opts) {
			*opts++ = 0;
			if (strcmp(opts, "ro") && strcmp(opts, "rw")) {
				snprintf(err, errlen,
					 "option --mount: unknown mode '%s' (ro or rw)", opts);
				return -EINVAL;
			}
		}
		out->mounts[out->nmounts].dev = val;
		out->mounts[out->nmounts].ro = opts && !strcmp(opts, "ro");
		out->mounts[out->nmounts++].dir = dir;
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

#define VIRTIO_WORD "virtio_mmio.device="

/* virtio_mmio.device=SIZE[K|M]@BASE:IRQ[:ID] */
static int virtio_word(const char *w, struct cmdline *out, char *err, size_t errlen)
{
	const char *p = w + sizeof(VIRTIO_WORD) - 1;
	struct cmdline_virtio d;
	uint64_t irq, id;

	if (number(&p, &d.size))
		goto bad;
	if (*p == 'K' || *p == 'k' || *p == 'M' || *p == 'm') {
		d.size <<= (*p == 'K' || *p == 'k') ? 10 : 20;
		p++;
	}
	if (*p++ != '@' || number(&p, &d.base) || *p++ != ':' || number(&p, &irq))
		goto bad;
	if (*p == ':' && (p++, number(&p, &id)))
		goto bad;
	if (*p || !d.size || d.size > (1 << 20) || (d.base & 0xfff) + d.size > (1 << 20) ||
	    irq > 255)
		goto bad;
	if (out->nvirtio == CMDLINE_MAX_VIRTIO) {
		snprintf(err, errlen, "too many virtio_mmio.device= (at most %d)",
			 CMDLINE_MAX_VIRTIO);
		return -E2BIG;
	}
	d.irq = (uint32_t)irq;
	out->virtio[out->nvirtio++] = d;
	return 0;
bad:
	snprintf(err, errlen, "bad %s (want SIZE[K|M]@BASE:IRQ)", w);
	return -EINVAL;
}

/* Linux words in Firecracker's default boot_args and other VMMs' that mean nothing here. */
static bool linux_noise(const char *w)
{
	static const char *const prefixes[] = {
		"console=", "reboot=",	       "panic=",   "pci=",  "earlyprintk=", "i8042.",
		"8250.",    "rootfstype=ext4", "rootwait", "quiet", "nomodule"
	};

	for (unsigned i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(w, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* root=/dev/vdX */
static int root_word(const char *w, struct cmdline *out, char *err, size_t errlen)
{
	const char *dev = w + 5;

	if (strncmp(dev, "/dev/vd", 7) || dev[7] < 'a' || dev[7] > 'z' || dev[8]) {
		snprintf(err, errlen, "bad %s (want root=/dev/vda ... /dev/vdz)", w);
		return -EINVAL;
	}
	out->root = dev;
	return 0;
}

int cmdline_parse(char *buf, struct cmdline *out, char *err, size_t errlen)
{
	bool after_root = false;
	char *p = buf, *w;
	bool bad = false;
	int r;

	memset(out, 0, sizeof(*out));
	err[0] = 0;
	while ((w = next_word(&p, &bad))) {
		bool root_mode = after_root && (!strcmp(w, "ro") || !strcmp(w, "rw"));

		after_root = false;
		if (!strncmp(w, VIRTIO_WORD, sizeof(VIRTIO_WORD) - 1)) {
			r = virtio_word(w, out, err, errlen);
			if (r)
				return r;
			continue;
		}
		if (!strncmp(w, "root=", 5)) {
			r = root_word(w, out, err, errlen);
			if (r)
				return r;
			after_root = true;
			continue;
		}
		if (root_mode || (!out->argc && (!strcmp(w, "ro") || !strcmp(w, "rw")))) {
			out->root_ro = w[1] == 'o';
			continue;
		}
		if (!out->argc && linux_noise(w))
			continue;
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
	if (bad) {
		snprintf(err, errlen, "unterminated quote or trailing backslash");
		return -EINVAL;
	}
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
		printk(LOG_ERR,
		       "usage: [--verbose] [--selftest[=NAME[,NAME...]]] "
		       "[--env=NAME=VALUE ...] [--cwd=DIR] [--strace] [--stats] "
		       "[--fast-syscalls=auto|on|off] [--ip=eth0,ADDR,MASK] [--defaultgw=GW] "
		       "[--nameserver=ADDR ...] [--mount=DEV:DIR[:ro] ...] [root=/dev/vdX [ro|rw]] "
		       "[program [args...]]\n");
		kernel_exit(EXIT_BAD_CMDLINE);
	}
	if (cmdline.verbose)
		printk_level = LOG_DEBUG;
}
#endif

/* usernet.c: passt beside motevm (see usernet.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "usernet.h"

#define MAX_ARGS 64
#define PASST_FD 3 /* where passt finds its end */

/* $MOTE_PASST, else Debian's. */
static const char *passt_path(void)
{
	const char *p = getenv("MOTE_PASST");

	return p && *p ? p : "/usr/bin/passt";
}

bool usernet_available(void)
{
	return access(passt_path(), X_OK) == 0;
}

/* "[HOSTIP:]HOSTPORT:GUESTPORT[/udp]" (checked by the options) as passt's "[HOSTIP/]HOSTPORT:
 * GUESTPORT" into BUF; *udp says which of -t and -u it goes to. */
static void forward_spec(const char *p, char *buf, size_t size, bool *udp)
{
	const char *slash = strchr(p, '/'), *first = strchr(p, ':');
	const char *last = first ? strchr(first + 1, ':') : NULL;

	*udp = slash && !strcmp(slash, "/udp");
	if (!last) /* HOSTPORT:GUESTPORT */
		snprintf(buf, size, "%d:%d", atoi(p), atoi(first + 1));
	else
		snprintf(buf, size, "%.*s/%d:%d", (int)(first - p), p, atoi(first + 1),
			 atoi(last + 1));
}

/* In the child: passt on fd PASST_FD, stdout away from the program's (errors stay on stderr). */
static void exec_passt(const struct launch *l, int fd)
{
	char *argv[MAX_ARGS], specs[24][80];
	size_t n = 0, k = 0;
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0)
		dup2(null, STDOUT_FILENO);
	if (fd == PASST_FD ? fcntl(fd, F_SETFD, 0) < 0 : dup2(fd, PASST_FD) < 0)
		_exit(127);
	argv[n++] = (char *)passt_path();
	argv[n++] = "--foreground";
	argv[n++] = "--one-off"; /* it ends when motevm closes its end */
	argv[n++] = "--quiet";
	argv[n++] = "--fd";
	argv[n++] = "3";
	if (geteuid() == 0) { /* its own choice, but said without a notice line */
		argv[n++] = "--runas";
		argv[n++] = "nobody";
	}
	argv[n++] = "--address";
	argv[n++] = "10.0.2.15";
	argv[n++] = "--netmask";
	argv[n++] = "24";
	argv[n++] = "--gateway";
	argv[n++] = "10.0.2.2";
	argv[n++] = "--dns-forward";
	argv[n++] = "10.0.2.3";
	for (size_t i = 0; i < l->n_publish && k < 24 && n + 2 < MAX_ARGS; i++, k++) {
		bool udp;

		forward_spec(l->publish[i], specs[k], sizeof(specs[k]), &udp);
		argv[n++] = udp ? "--udp-ports" : "--tcp-ports";
		argv[n++] = specs[k];
	}
	argv[n] = NULL;
	execv(argv[0], argv);
	fprintf(stderr, "mote: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int usernet_start(const struct launch *l)
{
	int sv[2];
	pid_t pid;

	if (l->n_publish > 24) {
		fprintf(stderr, "mote: at most 24 -p forwards\n");
		return -1;
	}
	if (access(passt_path(), X_OK) != 0) {
		fprintf(stderr,
			"mote: the user-mode network on motevm needs passt (%s: %s; Debian "
			"package passt, which tools/deps.sh installs): or use --net none, --net "
			"tap:NAME, or --qemu\n",
			passt_path(), strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "mote: socketpair: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "mote: fork: %s\n", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[1]);
		exec_passt(l, sv[0]);
	}
	close(sv[0]);
	/* motevm inherits its end across exec; passt, its parent gone, ends with that end */
	fcntl(sv[1], F_SETFD, 0);
	return sv[1];
}

/* cmd_vm.c: `mote ps`, `mote logs`, `mote stop`, `mote rm` on the VMs of `mote run -d`
 * (vmstate.h), in Docker's spelling. */
#include "cmd_vm.h"
#include "vmctl.h"
#include "vmstate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_STOP_S 10

void cmd_ps_help(void)
{
	printf("usage: mote ps [-a]\n\n"
	       "Lists the VMs started with `mote run -d` that run (with -a, all of them): id,\n"
	       "name, program, VMM, status (Up, Exited (STATUS), or Dead when its supervising\n"
	       "mote is gone) and age. Their state lives under $MOTE_RUNTIME_DIR, else\n"
	       "$XDG_RUNTIME_DIR/mote, else /run/mote as root.\n");
}

void cmd_logs_help(void)
{
	printf("usage: mote logs [-f] VM\n\n"
	       "Prints what the VM (its id, a unique prefix of it, or its name) wrote on stdout\n"
	       "and stderr. -f follows the log until the VM ends.\n");
}

void cmd_stop_help(void)
{
	printf("usage: mote stop [-t SECONDS] VM...\n\n"
	       "Stops each VM as `docker stop` stops a container: Ctrl-Alt-Del through the VMM\n"
	       "(motevm's API: SendCtrlAltDel; QEMU's QMP: send-key), which the Mote kernel\n"
	       "turns into SIGTERM to the program; a VM still running after SECONDS (default\n"
	       "%d) is killed (status 137). Prints each VM's id.\n",
	       DEFAULT_STOP_S);
}

void cmd_rm_help(void)
{
	printf("usage: mote rm [-f] VM...\n\n"
	       "Removes what is left of each stopped VM (its state and log). -f kills a running\n"
	       "one first.\n");
}

static void ago(long long secs, char *out, size_t n)
{
	if (secs < 120)
		snprintf(out, n, "%lld s", secs);
	else if (secs < 7200)
		snprintf(out, n, "%lld min", secs / 60);
	else if (secs < 172800)
		snprintf(out, n, "%lld h", secs / 3600);
	else
		snprintf(out, n, "%lld days", secs / 86400);
}

int cmd_ps(int argc, char **argv)
{
	bool all = argc == 2 && !strcmp(argv[1], "-a");
	struct vmstate *v;
	char err[512];
	long n;

	if (argc > 2 || (argc == 2 && !all)) {
		fprintf(stderr, "usage: mote ps [-a]\n");
		return 2;
	}
	n = vmstate_list(&v, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "mote ps: %s\n", err);
		return 1;
	}
	printf("%-12s  %-16s  %-24s  %-6s  %-20s  %s\n", "ID", "NAME", "PROGRAM", "VMM", "STATUS",
	       "CREATED");
	for (long i = 0; i < n; i++) {
		long long now = (long long)time(NULL);
		bool alive = vmstate_alive(&v[i]);
		char status[64], t[32], created[32];

		if (!all && !(v[i].running && alive))
			continue;
		if (v[i].running && alive) {
			ago(now - v[i].created, t, sizeof(t));
			snprintf(status, sizeof(status), "Up %s", t);
		} else if (v[i].running) {
			snprintf(status, sizeof(status), "Dead (mote ended)");
		} else {
			ago(now - v[i].finished, t, sizeof(t));
			snprintf(status, sizeof(status), "Exited (%d) %s ago", v[i].exit_code, t);
		}
		ago(now - v[i].created, created, sizeof(created));
		printf("%-12s  %-16s  %-24.24s  %-6s  %-20s  %s ago\n", v[i].id, v[i].name,
		       v[i].program, v[i].vmm, status, created);
	}
	free(v);
	return 0;
}

/* Copy the log from *off to stdout; true if there was something. */
static bool copy_log(int fd, off_t *off)
{
	char buf[65536];
	bool any = false;
	ssize_t k;

	while ((k = pread(fd, buf, sizeof(buf), *off)) > 0) {
		if (fwrite(buf, 1, (size_t)k, stdout) != (size_t)k)
			return false;
		*off += k;
		any = true;
	}
	fflush(stdout);
	return any;
}

int cmd_logs(int argc, char **argv)
{
	bool follow = argc == 3 && !strcmp(argv[1], "-f");
	char err[512], path[VMSTATE_PATH_MAX];
	struct vmstate s;
	off_t off = 0;
	int fd;

	if (argc != 2 + follow) {
		fprintf(stderr, "usage: mote logs [-f] VM\n");
		return 2;
	}
	if (vmstate_find(argv[argc - 1], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "mote logs: %s\n", err);
		return 1;
	}
	vmstate_path(&s, "log", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mote logs: %s: %s\n", path, strerror(errno));
		return 1;
	}
	copy_log(fd, &off);
	/* -f: until the supervisor is gone and the log has nothing more */
	while (follow && vmstate_alive(&s)) {
		if (!copy_log(fd, &off))
			poll(NULL, 0, 100);
	}
	if (follow)
		copy_log(fd, &off);
	close(fd);
	return 0;
}

/* Wait up to secs for the VM's supervisor to record its end; true if it did. */
static bool wait_end(struct vmstate *s, double secs)
{
	for (double t = 0; t <= secs; t += 0.05) {
		if (vmstate_reload(s) < 0 || !s->running || !vmstate_alive(s))
			return true;
		poll(NULL, 0, 50);
	}
	return false;
}

/* Stop one VM: Ctrl-Alt-Del, then after secs a kill of the VMM. 0, or 1 (said). */
static int stop_one(struct vmstate *s, double secs)
{
	char err[512];

	if (!s->running || !vmstate_alive(s))
		return 0;
	if (secs > 0 && vmctl_ctrl_alt_del(s, err, sizeof(err)) < 0)
		fprintf(stderr, "mote stop: %s: %s; killing it\n", s->id, err);
	else if (secs > 0 && wait_end(s, secs))
		return 0;
	if (s->vmm_pid > 0)
		kill(s->vmm_pid, SIGKILL);
	if (wait_end(s, 5))
		return 0;
	/* the supervisor does not answer either: end it, and record the end ourselves */
	kill(s->pid, SIGKILL);
	s->running = false;
	s->exit_code = 128 + SIGKILL;
	s->finished = (long long)time(NULL);
	if (vmstate_save(s) < 0) {
		fprintf(stderr, "mote stop: %s: cannot record its end\n", s->id);
		return 1;
	}
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	double secs = DEFAULT_STOP_S;
	int i = 1, rc = 0;

	if (argc >= 3 && !strcmp(argv[1], "-t")) {
		char *end;

		secs = strtod(argv[2], &end);
		if (*end || end == argv[2] || secs < 0) {
			fprintf(stderr, "mote stop: -t %s: not a number of seconds\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: mote stop [-t SECONDS] VM...\n");
		return 2;
	}
	for (; i < argc; i++) {
		struct vmstate s;
		char err[512];

		if (vmstate_find(argv[i], &s, err, sizeof(err)) < 0) {
			fprintf(stderr, "mote stop: %s\n", err);
			rc = 1;
			continue;
		}
		if (stop_one(&s, secs))
			rc = 1;
		else
			printf("%s\n", s.id);
	}
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	bool force = argc >= 2 && !strcmp(argv[1], "-f");
	int rc = 0;

	if (argc < 2 + force) {
		fprintf(stderr, "usage: mote rm [-f] VM...\n");
		return 2;
	}
	for (int i = 1 + force; i < argc; i++) {
		struct vmstate s;
		char err[512];

		if (vmstate_find(argv[i], &s, err, sizeof(err)) < 0) {
			fprintf(stderr, "mote rm: %s\n", err);
			rc = 1;
			continue;
		}
		if (s.running && vmstate_alive(&s)) {
			if (!force) {
				fprintf(stderr, "mote rm: %s runs: mote stop it first, or rm -f\n",
					s.id);
				rc = 1;
				continue;
			}
			stop_one(&s, 0);
		}
		if (vmstate_remove(&s) < 0) {
			fprintf(stderr, "mote rm: %s: %s\n", s.dir, strerror(errno));
			rc = 1;
			continue;
		}
		printf("%s\n", s.id);
	}
	return rc;
}

/* vmmtest.c: host side of the VMM tests (see vmmtest.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "host/vmmtest.h"

static char exe_dir[PATH_MAX];
static char tmp_dir[PATH_MAX];
static const char *test_name = "test";
static int failures, checks_run;

/* Strings handed out for the test's lifetime (paths), freed at exit. */
static char **owned;
static size_t nr_owned;

static void free_owned(void)
{
	for (size_t i = 0; i < nr_owned; i++)
		free(owned[i]);
	free(owned);
}

static char *own(char *p)
{
	char **n = realloc(owned, (nr_owned + 1) * sizeof(*owned));

	if (!n)
		abort();
	if (!owned)
		atexit(free_owned);
	owned = n;
	owned[nr_owned++] = p;
	return p;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "%s: error: ", test_name);
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n");
	va_end(ap);
	exit(1);
}

bool vmt_kvm_usable(char *why, size_t len)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0) {
		snprintf(why, len, "/dev/kvm not usable: %s", strerror(errno));
		return false;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, len, "KVM_CREATE_VM fails: %s", strerror(errno));
		close(kvm);
		return false;
	}
	close(vm);
	close(kvm);
	return true;
}

void vmt_require_kvm(void)
{
	char why[128];

	if (!vmt_kvm_usable(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		exit(KSKIP);
	}
	if (access(vmt_motevm(), X_OK) != 0)
		die("%s is missing: run make first", vmt_motevm());
}

bool vmt_host_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

static const char *dir(void)
{
	if (!exe_dir[0]) {
		ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
		char *slash;

		if (n < 0)
			die("readlink /proc/self/exe: %s", strerror(errno));
		exe_dir[n] = 0;
		slash = strrchr(exe_dir, '/');
		*slash = 0;
	}
	return exe_dir;
}

const char *vmt_file(const char *name)
{
	char *p;

	if (name[0] == '/')
		return name;
	if (asprintf(&p, "%s/%s", dir(), name) < 0)
		die("out of memory");
	return own(p);
}

const char *vmt_motevm(void)
{
	static char *path;
	const char *env = getenv("MOTEVM");

	if (env)
		return env;
	if (!path) {
		if (asprintf(&path, "%s/../../motevm", dir()) < 0)
			die("out of memory");
		own(path);
	}
	return path;
}

static void cleanup(void)
{
	char *cmd;

	if (tmp_dir[0] && !getenv("VMT_KEEP") && asprintf(&cmd, "rm -rf '%s'", tmp_dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmp_dir);
		free(cmd);
	}
}

static const char *tmp(void)
{
	if (!tmp_dir[0]) {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

		snprintf(tmp_dir, sizeof(tmp_dir), "%s/motevm-test.XXXXXX", base);
		if (!mkdtemp(tmp_dir))
			die("mkdtemp: %s", strerror(errno));
		atexit(cleanup);
	}
	return tmp_dir;
}

const char *vmt_write_bytes(const char *name, const void *data, size_t len)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", tmp(), name) < 0)
		die("out of memory");
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("writing %s: %s", path, strerror(errno));
	return own(path);
}

const char *vmt_write_file(const char *name, const char *fmt, ...)
{
	va_list ap;
	char *text;
	const char *path;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	path = vmt_write_bytes(name, text, (size_t)n);
	free(text);
	return path;
}

const char *vmt_config(const char *kernel, const char *boot_args, unsigned vcpus, unsigned mem_mib)
{
	static int seq;
	char name[32];

	snprintf(name, sizeof(name), "config%d.json", seq++);
	return vmt_write_file(name,
			      "{\"boot-source\": {\"kernel_image_path\": \"%s\", "
			      "\"boot_args\": \"%s\"},\n"
			      " \"machine-config\": {\"vcpu_count\": %u, \"mem_size_mib\": %u},\n"
			      " \"drives\": []}\n",
			      vmt_file(kernel), boot_args, vcpus, mem_mib);
}

static void append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	if (!*buf)
		die("out of memory");
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = 0;
}

static int decode_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	return 128 + WTERMSIG(ws);
}

void vmt_run(struct vm_result *r, const char *const *args, const void *in, size_t len,
	     int timeout_s)
{
	int pin[2], pout[2], perr[2], ws, n = 0;
	const char *argv[32];
	size_t off = 0;
	double start = now(), deadline = start + timeout_s;
	bool timed_out = false;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	append(&r->out, &r->out_len, "", 0);
	append(&r->err, &r->err_len, "", 0);
	argv[n++] = vmt_motevm();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (in)
			dup2(pin[0], 0);
		else
			dup2(open("/dev/null", O_RDONLY), 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (!in || len == 0) {
		close(pin[1]);
		pin[1] = -1;
	} else {
		fcntl(pin[1], F_SETFL, O_NONBLOCK);
	}
	signal(SIGPIPE, SIG_IGN);
	while (pout[0] >= 0 || perr[0] >= 0) {
		struct pollfd p[3] = { { pout[0], POLLIN, 0 },
				       { perr[0], POLLIN, 0 },
				       { pin[1], POLLOUT, 0 } };
		double left = deadline - now();
		char buf[65536];

		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(p, 3, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		for (int i = 0; i < 2; i++) {
			int *fd = i ? &perr[0] : &pout[0];

			if (*fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				ssize_t k = read(*fd, buf, sizeof(buf));

				if (k > 0)
					append(i ? &r->err : &r->out, i ? &r->err_len : &r->out_len,
					       buf, (size_t)k);
				else {
					close(*fd);
					*fd = -1;
				}
			}
		}
		if (pin[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t k = write(pin[1], (const char *)in + off, len - off);

			if (k > 0)
				off += (size_t)k;
			if (k < 0 && errno != EAGAIN) {
				close(pin[1]);
				pin[1] = -1;
			} else if (off == len) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if ((i ? perr[0] : pout[0]) >= 0)
			close(i ? perr[0] : pout[0]);
	if (pin[1] >= 0)
		close(pin[1]);
	waitpid(pid, &ws, 0);
	r->secs = now() - start;
	r->status = timed_out ? -1 : decode_status(ws);
	if (timed_out)
		printf("%s: motevm timed out after %d s (killed)\n", test_name, timeout_s);
}

void vmt_run_config(struct vm_result *r, const char *config, int timeout_s)
{
	const char *args[] = { "--no-api", "--config-file", config, NULL };

	vmt_run(r, args, NULL, 0, timeout_s);
}

void vmt_result_free(struct vm_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

pid_t vmt_spawn(const char *const *args, const char *out_path, const char *err_path)
{
	return vmt_spawn_in(args, "/dev/null", out_path, err_path);
}

pid_t vmt_spawn_in(const char *const *args, const char *in_path, const char *out_path,
		   const char *err_path)
{
	const char *argv[32];
	int n = 0;
	pid_t pid;

	argv[n++] = vmt_motevm();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open(in_path, O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0 || err < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int vmt_wait(pid_t pid, int timeout_s)
{
	double deadline = now() + timeout_s;
	int ws;

	while (now() < deadline) {
		pid_t r = waitpid(pid, &ws, WNOHANG);

		if (r == pid)
			return decode_status(ws);
		usleep(2000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	return -1;
}

char *vmt_read_file(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t k;

	if (!f)
		die("open %s: %s", path, strerror(errno));
	append(&buf, &n, "", 0);
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		append(&buf, &n, chunk, k);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

uint32_t vmt_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

bool vmt_contains(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}

void vmt_begin(const char *name)
{
	test_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void vmt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void dump_text(const char *what, const char *s, size_t len)
{
	size_t start = len > 3000 ? len - 3000 : 0;

	printf("---- %s (%zu bytes%s) ----\n", what, len, start ? ", last 3000" : "");
	for (size_t i = start; i < len; i++)
		putchar(s[i] >= 32 || s[i] == '\n' || s[i] == '\t' ? s[i] : '.');
	if (len && s[len - 1] != '\n')
		putchar('\n');
}

void vmt_dump(const struct vm_result *r)
{
	dump_text("motevm stdout", r->out, r->out_len);
	dump_text("motevm stderr", r->err, r->err_len);
}

int vmt_end(void)
{
	(void)checks_run;
	if (failures) {
		printf("%s: %d check(s) failed\n", test_name, failures);
		return 1;
	}
	printf("%s: all checks passed\n", test_name);
	return 0;
}

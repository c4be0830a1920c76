/* jail_probe.c: stands where motevm would in `mote run --jail` (MOTE_VMM=this), for hosts
 * without KVM, where motevm cannot boot: a static program the jailer copies in and execs
 * with motevm's arguments, which prints what motevm would find there, one "key=value" per
 * line: its ids, capabilities and pid, the jail's root, its open descriptors, its arguments,
 * and each "/dev/fd/N" the configuration names (its access and first bytes). It exits 7 (the
 * test checks that mote reports that status through the jailer's PID namespace), or with
 * --api-sock serves one request first (serve). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void root_listing(void)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir("/");
	struct dirent *e;

	while (d && (e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp);
	printf("root=");
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
}

/* "/dev/fd/N" of the configuration: its access mode and first bytes (hex), ext4's magic. */
static void described(int fd)
{
	unsigned char b[4] = { 0 }, sb[2] = { 0 };
	int mode = fcntl(fd, F_GETFL);

	if (mode < 0) {
		printf("fd%d=closed\n", fd);
		return;
	}
	mode &= O_ACCMODE;
	if (pread(fd, b, 4, 0) != 4) /* a pipe (read already) or an empty file */
		memset(b, 0, 4);
	printf("fd%d=%s,%02x%02x%02x%02x", fd,
	       mode == O_RDWR	  ? "rw"
	       : mode == O_RDONLY ? "ro"
				  : "wo",
	       b[0], b[1], b[2], b[3]);
	if (pread(fd, sb, 2, 1080) == 2 && sb[0] == 0x53 && sb[1] == 0xef)
		printf(",ext4");
	printf("\n");
}

static void config(const char *path)
{
	static char text[65536];
	int fd = -1;
	ssize_t n;
	const char *p;

	if (!strncmp(path, "/dev/fd/", 8))
		fd = atoi(path + 8);
	n = fd >= 3 ? read(fd, text, sizeof(text) - 1) : -1;
	printf("config=%s\n", n > 0 ? "read" : "unreadable");
	if (n <= 0)
		return;
	text[n] = 0;
	for (p = text; (p = strstr(p, "/dev/fd/")); p += 8)
		described(atoi(p + 8));
}

/* --api-sock PATH (mote run -d): bound in the jail; the first request's line printed and
 * answered 204, then the end (status 0), as a Ctrl-Alt-Del from `mote stop` would end it. */
static int serve(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char req[4096] = { 0 };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0) {
		printf("api-sock=%s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("api-sock=%s bound\n", path);
	fflush(stdout);
	c = accept(s, NULL, NULL);
	if (c < 0 || read(c, req, sizeof(req) - 1) <= 0)
		return 1;
	req[strcspn(req, "\r\n")] = 0;
	printf("api-request=%s\n", req);
	fflush(stdout);
	if (write(c, "HTTP/1.1 204 No Content\r\n\r\n", 27) != 27)
		return 1;
	close(c);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2] = { 0 };
	gid_t groups[8];

	printf("uid=%d gid=%d groups=%d\n", (int)getuid(), (int)getgid(), getgroups(8, groups));
	syscall(SYS_capget, &h, c);
	printf("caps=%x%x\n", c[1].effective | c[1].permitted, c[0].effective | c[0].permitted);
	printf("pid=%d\n", (int)getpid());
	root_listing();
	printf("proc=%s\n", access("/proc/self", F_OK) == 0 ? "yes" : "no");
	printf("fds=");
	for (int fd = 0, first = 1; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			printf("%s%d", first ? "" : ",", fd), first = 0;
	printf("\n");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config-file") && i + 1 < argc)
			config(argv[i + 1]);
		if (!strcmp(argv[i], "--log-path") && i + 1 < argc &&
		    !strncmp(argv[i + 1], "/dev/fd/", 8)) /* mote's file for the VM's lines */
			described(atoi(argv[i + 1] + 8));
	}
	fflush(stdout);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--api-sock") && i + 1 < argc)
			return serve(argv[i + 1]);
	return 7;
}

/* klog.c: the VM's own lines, shown after it ended (klog.h). */
#include "klog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int klog_open(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/mote-vm-log.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "mote: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

/* One line (LEN bytes, no newline) after the mark, as the VM wrote it (greps for the kernel's
 * messages still find them); carriage returns (a raw terminal's) and blank lines left out. */
static void show(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len)
		fprintf(stderr, "mote: vm: %.*s\n", (int)len, line);
}

void klog_report(int fd)
{
	char buf[4096], line[1024];
	size_t len = 0, shown = 0, more = 0;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		off += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			if (len && shown < KLOG_MAX_LINES)
				show(line, len), shown++;
			else if (len)
				more++;
			len = 0;
		}
	}
	if (len && shown < KLOG_MAX_LINES)
		show(line, len);
	else if (len)
		more++;
	if (more)
		fprintf(stderr,
			"mote: vm: ... and %zu more lines (--verbose shows them as they come)\n",
			more);
}

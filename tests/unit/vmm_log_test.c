/* vmm_log_test.c: host unit test of motevm's logger (vmm/log.c): a line's Firecracker-style
 * prefix and text, the level filter, and its end: "\n", or "\r\n" while the terminal it goes
 * to is raw (log_set_crlf, which the serial device sets when it clears ONLCR). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

static char path[] = "/tmp/mote-log-test-XXXXXX";

/* The whole log file so far. */
static const char *contents(void)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

int main(void)
{
	int fd = mkstemp(path);
	const char *s;

	CHECK(fd >= 0);
	if (fd < 0)
		return check_done();
	close(fd);
	CHECK(log_open(path) == 0);
	log_set_id("t1");
	log_set_level(LOG_INFO);
	log_msg(LOG_INFO, __FILE__, __LINE__, "one %d", 1);
	log_msg(LOG_DEBUG, __FILE__, __LINE__, "filtered");
	log_set_crlf(true);
	log_msg(LOG_WARN, __FILE__, __LINE__, "two");
	log_set_crlf(false);
	log_msg(LOG_ERROR, __FILE__, __LINE__, "three");
	s = contents();
	CHECK(strstr(s, " [t1:main:INFO] one 1\n") != NULL);
	CHECK(strstr(s, "filtered") == NULL);
	CHECK(strstr(s, " [t1:main:WARN] two\r\n") != NULL);
	CHECK(strstr(s, " [t1:main:ERROR] three\n") != NULL && !strstr(s, "three\r"));
	CHECK(strstr(s, "one 1\r") == NULL);
	unlink(path);
	return check_done();
}

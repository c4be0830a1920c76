/* random.c: randomness: getrandom with each flag, large requests, errors; getentropy; glibc's
 * arc4random; /dev/urandom; and loose statistics showing the bytes are not a pattern. */
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/syscall.h>

#define BIG (1 << 20)

static unsigned char big[BIG];

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void calls(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	int fd;

	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a) && !all_zero(a, sizeof(a)),
	      "getrandom 64 bytes");
	CHECK(getrandom(b, sizeof(b), 0) == sizeof(b) && memcmp(a, b, sizeof(a)) != 0,
	      "a second call gives different bytes");
	CHECK_EQ(getrandom(a, 16, GRND_NONBLOCK), 16, "GRND_NONBLOCK");
	CHECK_EQ(getrandom(a, 16, GRND_RANDOM), 16, "GRND_RANDOM");
	CHECK_EQ(getrandom(a, 16, GRND_RANDOM | GRND_NONBLOCK), 16, "GRND_RANDOM|GRND_NONBLOCK");
	CHECK_EQ(getrandom(a, 16, GRND_INSECURE), 16, "GRND_INSECURE");
	CHECK_EQ(getrandom(a, 0, 0), 0, "a 0-byte request returns 0");
	CHECK_ERR(getrandom(a, 16, 0x100), EINVAL, "unknown flags: EINVAL");
	CHECK_ERR(getrandom(a, 16, GRND_INSECURE | GRND_RANDOM), EINVAL,
		  "GRND_INSECURE with GRND_RANDOM: EINVAL");
	CHECK_ERR(syscall(SYS_getrandom, (void *)8, 16, 0), EFAULT, "a bad buffer: EFAULT");
	CHECK(getentropy(big, 256) == 0, "getentropy 256 bytes");
	CHECK_ERR(getentropy(big, 257), EIO, "getentropy 257 bytes: EIO");
	uint32_t r1 = arc4random(), r2 = arc4random(), r3 = arc4random();
	CHECK(arc4random_uniform(10) < 10 && !(r1 == r2 && r2 == r3), "arc4random");
	fd = open("/dev/urandom", O_RDONLY);
	CHECK(fd >= 0 && read(fd, b, sizeof(b)) == sizeof(b) && memcmp(a, b, sizeof(b)) != 0,
	      "/dev/urandom reads");
	close(fd);
}

static void statistics(void)
{
	static long hist[256];
	long bits = 0, lo = BIG, hi = 0, got = 0, r;

	while (got < BIG && (r = getrandom(big + got, BIG - got, 0)) > 0)
		got += r;
	CHECK_EQ(got, BIG, "getrandom fills 1 MiB");
	for (long i = 0; i < BIG; i++) {
		hist[big[i]]++;
		bits += __builtin_popcount(big[i]);
	}
	for (int v = 0; v < 256; v++) {
		lo = hist[v] < lo ? hist[v] : lo;
		hi = hist[v] > hi ? hist[v] : hi;
	}
	/* 1 MiB: 4096 of each byte value (sd 64), 4194304 one bits (sd 1448) */
	CHECK(lo > 3500 && hi < 4700, "every byte value occurs 4096 +- 600 times");
	CHECK(bits > 4194304 - 20000 && bits < 4194304 + 20000, "half the bits are set, +- 0.5%%");
	CHECK_EQ(getrandom(big, BIG, 0), BIG, "one 1 MiB getrandom call returns it all");
}

int main(void)
{
	check_start();
	calls();
	statistics();
	return check_done();
}

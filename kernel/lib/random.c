/* random.c: xoshiro256** seeded (and reseeded every 2^16 outputs) from RDRAND and the TSC. */
#include "lib/random.h"
#include "arch/x86_64/cpu.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static struct spinlock lock = SPINLOCK_INIT;
static uint64_t s[4];
static uint32_t left;
static int has_rdrand = -1;

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t hw_seed(void)
{
	uint64_t v = 0;
	uint32_t r[4];
	unsigned char ok = 0;

	if (has_rdrand < 0) {
		arch_cpuid(1, 0, r);
		has_rdrand = (r[2] >> 30) & 1;
	}
	for (int i = 0; has_rdrand && i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	return v ^ rdtsc() * 0x9e3779b97f4a7c15UL;
}

static uint64_t next(void)
{
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

uint64_t random_u64(void)
{
	uint64_t f = spin_lock(&lock), v;

	if (!left) {
		for (int i = 0; i < 4; i++)
			s[i] ^= hw_seed() + (uint64_t)i;
		if (!(s[0] | s[1] | s[2] | s[3]))
			s[0] = 1;
		left = 1 << 16;
	}
	left--;
	v = next();
	spin_unlock(&lock, f);
	return v;
}

void random_add_entropy(const void *buf, size_t n)
{
	uint64_t f = spin_lock(&lock), v;
	const uint8_t *p = buf;

	for (size_t i = 0; i < n; i += sizeof(v)) {
		v = 0;
		memcpy(&v, p + i, MIN(n - i, sizeof(v)));
		s[(i / sizeof(v)) % 4] ^= v;
	}
	if (!(s[0] | s[1] | s[2] | s[3]))
		s[0] = 1;
	left = 1 << 16; /* as good as a fresh seed */
	spin_unlock(&lock, f);
}

void random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		uint64_t v = random_u64();
		size_t k = MIN(n, sizeof(v));

		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

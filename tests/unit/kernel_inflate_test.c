/* kernel_inflate_test.c: host unit test of the kernel's gzip/DEFLATE decoder (kernel/lib/
 * inflate.c, gzip.c, crc32.c) against the real gzip: round trips at levels 1, 6 and 9 over
 * text, random bytes, zeros, short repeats and real ELF binaries; stored blocks; every header
 * flag; several members with zero padding; empty data; then corrupt input that must fail
 * cleanly: truncated at every offset, flipped bits, bad CRC and ISIZE, an output buffer one
 * byte short, and random garbage. Prints the decoding speed. Build with `make SAN=1` or run
 * under valgrind to check memory safety too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/crc32.h"
#include "lib/gzip.h"
#include "lib/inflate.h"

#define ENOSPC_ 28 /* the kernel's errno values (lib/errno.h would clash with libc's) */
#define EINVAL_ 22

static int fails, checks;
static struct inflate st;
static char dir[] = "/tmp/inflate-test.XXXXXX";

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			fails++;                                               \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf read_file(const char *path)
{
	struct buf b = { NULL, 0 };
	FILE *f = fopen(path, "rb");
	size_t cap = 0, got;

	if (!f) {
		printf("cannot open %s\n", path);
		exit(1);
	}
	do {
		if (b.n == cap) {
			cap = cap ? cap * 2 : 65536;
			b.p = realloc(b.p, cap);
		}
		got = fread(b.p + b.n, 1, cap - b.n, f);
		b.n += got;
	} while (got);
	fclose(f);
	return b;
}

/* The real gzip's output for data with options opts (e.g. "-6", "-9 -n"). */
static struct buf gzip(struct buf data, const char *opts)
{
	char in[64], cmd[256];
	FILE *f;

	snprintf(in, sizeof(in), "%s/data", dir);
	f = fopen(in, "wb");
	if (!f || fwrite(data.p, 1, data.n, f) != data.n || fclose(f)) {
		printf("cannot write %s\n", in);
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "gzip -c %s %s > %s/data.gz", opts, in, dir);
	if (system(cmd)) {
		printf("%s failed\n", cmd);
		exit(1);
	}
	snprintf(in, sizeof(in), "%s/data.gz", dir);
	return read_file(in);
}

/* Decompress gz into a buffer of cap bytes; returns the result, output in *out. */
static int gunzip(struct buf gz, size_t cap, struct buf *out, const char **why)
{
	/* the exact size, in its own allocation, so ASan/valgrind see any overrun */
	out->p = malloc(cap ? cap : 1);
	out->n = 0;
	*why = "";
	return gzip_decompress(&st, gz.p, gz.n, out->p, cap, &out->n, why);
}

static void round_trip(const char *name, struct buf data, const char *opts)
{
	struct buf gz = gzip(data, opts), out;
	const char *why;
	int r = gunzip(gz, data.n, &out, &why);

	CHECK(r == 0 && out.n == data.n && !memcmp(out.p, data.p, data.n), "%s gzip %s: %d %s",
	      name, opts, r, why);
	free(out.p);
	if (data.n) { /* one byte short: refused, not overrun */
		r = gunzip(gz, data.n - 1, &out, &why);
		CHECK(r == -ENOSPC_, "%s gzip %s, buffer one short: %d %s", name, opts, r, why);
		free(out.p);
	}
	free(gz.p);
}

static uint64_t rng = 0x9e3779b97f4a7c15;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static struct buf make(size_t n)
{
	struct buf b = { malloc(n ? n : 1), n };

	return b;
}

static struct buf text(size_t n)
{
	static const char *const words[] = { "the ",	 "initrd ",  "is ",	  "a ",
					     "cpio ",	 "archive ", "kernel ",	  "unpacks ",
					     "into ",	 "ramfs, ",  "and ",	  "files ",
					     "point ",	 "at ",	     "memory.\n", "gzip ",
					     "DEFLATE ", "Huffman ", "block ",	  "of " };
	struct buf b = make(n);

	for (size_t i = 0; i < n;) {
		const char *w = words[rnd() % 20];

		while (*w && i < n)
			b.p[i++] = (uint8_t)*w++;
	}
	return b;
}

static struct buf random_bytes(size_t n)
{
	struct buf b = make(n);

	for (size_t i = 0; i < n; i++)
		b.p[i] = (uint8_t)rnd();
	return b;
}

/* Short repeats (distances 1..7) and runs: the byte-wise and pattern copy paths. */
static struct buf repeats(size_t n)
{
	struct buf b = make(n);

	for (size_t i = 0; i < n;) {
		unsigned period = 1 + rnd() % 7, len = 3 + rnd() % 300;

		for (unsigned j = 0; j < len && i < n; j++, i++)
			b.p[i] = j < period ? (uint8_t)rnd() : b.p[i - period];
	}
	return b;
}

/* A gzip member with stored blocks of at most chunk bytes, written by hand, with the header
 * fields flags asks for (FEXTRA 4, FNAME 8, FCOMMENT 16, FHCRC 2). */
static struct buf stored_member(struct buf data, size_t chunk, uint8_t flags)
{
	struct buf g = make(64 + data.n + 5 * (data.n / chunk + 1));
	size_t at = 0, hstart = 0;
	uint32_t crc = crc32_update(0, data.p, data.n);
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

	memcpy(g.p, hdr, 10);
	g.p[3] = flags;
	at = 10;
	if (flags & 4) {
		memcpy(g.p + at,
		       "\x05\x00"
		       "AB\x03\x00x",
		       7);
		at += 7;
	}
	if (flags & 8) {
		memcpy(g.p + at, "name.cpio", 10);
		at += 10;
	}
	if (flags & 16) {
		memcpy(g.p + at, "a comment", 10);
		at += 10;
	}
	if (flags & 2) {
		uint32_t h = crc32_update(0, g.p + hstart, at);

		g.p[at++] = (uint8_t)h;
		g.p[at++] = (uint8_t)(h >> 8);
	}
	for (size_t off = 0;;) {
		size_t n = data.n - off < chunk ? data.n - off : chunk;
		bool last = off + n == data.n;

		g.p[at++] = last;
		g.p[at++] = (uint8_t)n;
		g.p[at++] = (uint8_t)(n >> 8);
		g.p[at++] = (uint8_t)~n;
		g.p[at++] = (uint8_t)(~n >> 8);
		memcpy(g.p + at, data.p + off, n);
		at += n;
		off += n;
		if (last)
			break;
	}
	for (int i = 0; i < 4; i++)
		g.p[at++] = (uint8_t)(crc >> (8 * i));
	for (int i = 0; i < 4; i++)
		g.p[at++] = (uint8_t)(data.n >> (8 * i));
	g.n = at;
	return g;
}

static void expect(const char *what, struct buf gz, size_t cap, int want, struct buf *data)
{
	struct buf out;
	const char *why;
	int r = gunzip(gz, cap, &out, &why);

	CHECK(r == want && (r || !data || (out.n == data->n && !memcmp(out.p, data->p, out.n))),
	      "%s: got %d (%s), want %d", what, r, why, want);
	free(out.p);
}

static void stored_and_headers(void)
{
	struct buf data = random_bytes(200000), gz, empty = make(0);

	for (uint8_t flags = 0; flags < 32; flags += 2) {
		char what[64];

		snprintf(what, sizeof(what), "stored blocks, header flags %#x", flags);
		gz = stored_member(data, 65535, flags);
		expect(what, gz, data.n, 0, &data);
		free(gz.p);
	}
	gz = stored_member(data, 1000, 0);
	expect("many small stored blocks", gz, data.n, 0, &data);
	gz.p[10 + 3] ^= 1; /* NLEN of the first block */
	expect("stored block with a bad NLEN", gz, data.n, -EINVAL_, NULL);
	free(gz.p);
	gz = stored_member(data, 65535, 2);
	gz.p[10] ^= 1; /* the header CRC */
	expect("bad header CRC", gz, data.n, -EINVAL_, NULL);
	free(gz.p);
	gz = stored_member(empty, 65535, 0);
	expect("an empty stored block", gz, 0, 0, &empty);
	free(gz.p);
	gz = gzip(data, "-1 -n"); /* gzip stores what does not compress */
	CHECK(gz.n > 10 && (gz.p[10] >> 1 & 3) == 0, "gzip -1 of random data uses stored blocks");
	free(gz.p);
	free(data.p);
	free(empty.p);
}

/* Several members back to back with zero padding between and after them, as Linux initramfs
 * allows; the output is their concatenation. */
static void members(void)
{
	struct buf a = text(30000), b = repeats(20000), ga = gzip(a, "-6"), gb = gzip(b, "-9");
	struct buf all = make(a.n + b.n), cat = make(ga.n + gb.n + 16);

	memcpy(all.p, a.p, a.n);
	memcpy(all.p + a.n, b.p, b.n);
	memcpy(cat.p, ga.p, ga.n);
	memset(cat.p + ga.n, 0, 4);
	memcpy(cat.p + ga.n + 4, gb.p, gb.n);
	memset(cat.p + ga.n + 4 + gb.n, 0, 12);
	expect("two members with zero padding", cat, all.n, 0, &all);
	cat.p[cat.n - 1] = 7;
	expect("garbage after the last member", cat, all.n, -EINVAL_, NULL);
	free(a.p), free(b.p), free(ga.p), free(gb.p), free(all.p), free(cat.p);
}

/* Corrupt copies of one valid file. */
static void corrupt(const char *name, struct buf data, const char *opts, size_t step)
{
	struct buf gz = gzip(data, opts), bad = make(gz.n), out;
	size_t errors = 0, flips = 0, start = 10;
	const char *why;
	char what[96];

	if (gz.p[3] & 8) /* FNAME: a flip there changes only the name */
		start += strlen((const char *)gz.p + 10) + 1;
	for (size_t cut = 0; cut < gz.n; cut += step) { /* truncated */
		struct buf t = { bad.p, cut };

		memcpy(bad.p, gz.p, cut);
		snprintf(what, sizeof(what), "%s gzip %s truncated to %zu of %zu", name, opts, cut,
			 gz.n);
		expect(what, t, data.n, -EINVAL_, NULL);
	}
	/* a flipped bit in the DEFLATE data or trailer: an error, or (rarely: an unused bit of
	 * the last byte, a literal both codes agree on) the right output; never a wrong one */
	for (size_t i = start; i < gz.n; i += step) {
		int r;

		memcpy(bad.p, gz.p, gz.n);
		bad.p[i] ^= (uint8_t)(1 << (rnd() % 8));
		r = gunzip(bad, data.n, &out, &why);
		CHECK(r == -EINVAL_ || r == -ENOSPC_ ||
			      (r == 0 && out.n == data.n && !memcmp(out.p, data.p, data.n)),
		      "%s: bit flipped at %zu: %d", name, i, r);
		errors += r != 0;
		flips++;
		free(out.p);
	}
	CHECK(errors * 10 >= flips * 9, "%s: only %zu of %zu bit flips detected", name, errors,
	      flips);
	memcpy(bad.p, gz.p, gz.n);
	bad.p[gz.n - 8] ^= 0x10;
	expect("bad CRC-32", bad, data.n, -EINVAL_, NULL);
	memcpy(bad.p, gz.p, gz.n);
	bad.p[gz.n - 4] ^= 0x01;
	expect("bad ISIZE", bad, data.n + 1, -EINVAL_, NULL);
	free(gz.p);
	free(bad.p);
}

/* Random bytes after a valid header, and valid files with random bytes overwritten: must
 * end in an error (or, if the checks all pass, the right size), never a crash or a hang. */
static void garbage(struct buf data)
{
	struct buf gz = gzip(data, "-6"), bad = make(gz.n + 4096), out;
	int decoded = 0; /* a crash or a hang would not get this far */
	const char *why;

	for (int i = 0; i < 3000; i++) {
		size_t n = 10 + rnd() % 4096;
		int r;

		memcpy(bad.p, gz.p, 10);
		for (size_t j = 10; j < n; j++)
			bad.p[j] = (uint8_t)rnd();
		if (i & 1) /* bias towards dynamic blocks, the most complex header */
			bad.p[10] = (uint8_t)((bad.p[10] & ~6) | 4);
		bad.n = n;
		r = gunzip(bad, 65536, &out, &why);
		decoded += r == 0;
		free(out.p);
	}
	CHECK(decoded == 0, "random data decoded without error %d times", decoded);
	for (int i = 0; i < 2000; i++) {
		int r;

		memcpy(bad.p, gz.p, gz.n);
		bad.n = gz.n;
		for (int k = 0; k < 1 + (int)(rnd() % 8); k++)
			bad.p[10 + rnd() % (gz.n - 10)] = (uint8_t)rnd();
		r = gunzip(bad, data.n, &out, &why);
		CHECK(r != 0 || (out.n == data.n && !memcmp(out.p, data.p, data.n)),
		      "mutated file decoded to wrong data");
		free(out.p);
	}
	free(gz.p);
	free(bad.p);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Decoding speed on real binaries (what an initrd mostly holds), for the record. */
static void speed(struct buf elf)
{
	struct buf data = make(elf.n * 8), gz, out;
	const char *why;
	double t, best = 1e9;
	int r = 0;

	for (int i = 0; i < 8; i++)
		memcpy(data.p + i * elf.n, elf.p, elf.n);
	for (size_t i = 0; i < data.n; i += 4096) /* so the copies are not just long matches */
		data.p[i] = (uint8_t)rnd();
	gz = gzip(data, "-6");
	out = make(data.n);
	for (int i = 0; i < 5; i++) {
		t = now();
		r |= gzip_decompress(&st, gz.p, gz.n, out.p, data.n, &out.n, &why);
		t = now() - t;
		best = t < best ? t : best;
	}
	CHECK(r == 0 && out.n == data.n && !memcmp(out.p, data.p, data.n), "speed run: %s", why);
	printf("speed: %zu KiB -> %zu KiB (gzip -6 of ELF binaries) in %.1f ms: %.0f MB/s\n",
	       gz.n >> 10, data.n >> 10, best * 1e3, (double)data.n / best / 1e6);
	free(data.p);
	free(gz.p);
	free(out.p);
}

int main(void)
{
	static const char *const levels[] = { "-1 -n", "-6", "-9" };
	struct buf sets[8];
	static const char *const names[8] = {
		"text",	     "random",	 "zeros",	  "repeats",
		"tiny text", "one byte", "this test ELF", "bash ELF"
	};

	if (!mkdtemp(dir)) {
		printf("cannot make a temporary directory\n");
		return 1;
	}
	if (system("command -v gzip >/dev/null")) {
		printf("SKIP: gzip not installed\n");
		return 77;
	}
	sets[0] = text(300000);
	sets[1] = random_bytes(300000);
	sets[2] = make(1 << 20);
	memset(sets[2].p, 0, sets[2].n);
	sets[3] = repeats(300000);
	sets[4] = text(100);
	sets[5] = text(1);
	sets[6] = read_file("/proc/self/exe");
	sets[7] = read_file("/bin/bash");
	for (int s = 0; s < 8; s++)
		for (int l = 0; l < 3; l++)
			round_trip(names[s], sets[s], levels[l]);
	{
		struct buf empty = make(0);

		round_trip("empty", empty, "-6");
		free(empty.p);
	}
	stored_and_headers();
	members();
	corrupt("text", sets[4], "-6", 1);
	corrupt("ELF", sets[6], "-9", 37);
	corrupt("random", sets[1], "-1", 4099);
	garbage(sets[0]);
	speed(sets[7]);
	for (int s = 0; s < 8; s++)
		free(sets[s].p);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("cannot remove %s\n", dir);
	}
	printf("%d/%d checks passed\n", checks - fails, checks);
	return fails != 0;
}

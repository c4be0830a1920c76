/* ext4_hash_test.c: host unit test of the kernel's ext4 directory hashes (kernel/fs/ext4/
 * hash.c) against a second party, e2fsprogs' debugfs (dx_hash -h VERSION -s SEED NAME), run
 * here: legacy, half_md4 and tea, signed and unsigned (versions 3..5), the default seed and a
 * chosen one, over a few hundred names: 1 byte, every length to 255, bytes above 0x7f, UTF-8.
 * debugfs 1.47.0 has no unsigned flag: its -h takes the versions' numbers, 3..5 being the
 * unsigned ones (a name it does not know, like "tea_unsigned", silently means legacy).
 * Skips when debugfs is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fs/ext4/hash.h"

#define NAMES 400

static int fails, checks;
static char names[NAMES][256];
static size_t lens[NAMES];
static unsigned n;

static void add(const char *s, size_t len)
{
	memcpy(names[n], s, len);
	lens[n++] = len;
}

/* A byte debugfs's command parser passes through unchanged inside double quotes. */
static char safe_byte(unsigned r)
{
	char c = (char)(0x21 + r % (0xff - 0x21));

	return c == '"' || c == '\\' ? 'q' : c;
}

static void make_names(void)
{
	static const char *utf8[] = { "é",	  "日本語のファイル名", "naïve café", "ünïcödé dir",
				      "Ελληνικά", "😀 emoji 🚀",		"ß",	      "Ω" };
	char buf[256];

	srand(12345);
	for (unsigned c = 0x21; c < 0x100 && n < 100; c += 2) {
		buf[0] = c == '"' || c == '\\' || c == '-' ? 'z' : (char)c;
		add(buf, 1); /* 1-byte names, above 0x7f too */
	}
	for (size_t i = 0; i < ARRAY_SIZE(utf8); i++)
		add(utf8[i], strlen(utf8[i]));
	for (size_t len = 2; len <= 255; len++) { /* every length, random bytes */
		for (size_t i = 0; i < len; i++)
			buf[i] = safe_byte((unsigned)rand());
		buf[0] = 'a';
		add(buf, len);
	}
	for (unsigned i = 0; n < NAMES; i++) { /* names like a program makes */
		int len = snprintf(buf, sizeof(buf), "file-%u.txt", i * 7919);

		add(buf, (size_t)len);
	}
}

int main(void)
{
	static const uint32_t zero[4],
		seed[4] = { 0x67452301 ^ 0x1234, 0xdeadbeef, 0x0badf00d, 0x80000001 };
	char seed_uuid[2][40];
	char cmds[] = "/tmp/ext4-hash-test.XXXXXX", line[1024];
	FILE *f, *p;
	int fd, nout = 0;

	if (system("command -v debugfs >/dev/null 2>&1")) {
		printf("SKIP: debugfs missing (e2fsprogs)\n");
		return 77;
	}
	make_names();
	/* the superblock's s_hash_seed is the UUID's 16 bytes: the words little-endian */
	for (unsigned s = 0; s < 2; s++) {
		const uint8_t *b = (const void *)(s ? seed : zero);

		snprintf(seed_uuid[s], sizeof(seed_uuid[s]),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			 b[12], b[13], b[14], b[15]);
	}
	fd = mkstemp(cmds);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		printf("cannot make %s\n", cmds);
		return 1;
	}
	for (unsigned s = 0; s < 2; s++)
		for (unsigned v = 0; v <= EXT4_HASH_MAX; v++)
			for (unsigned i = 0; i < n; i++)
				fprintf(f, "dx_hash -h %u -s %s \"%.*s\"\n", v, seed_uuid[s],
					(int)lens[i], names[i]);
	fclose(f);
	snprintf(line, sizeof(line), "debugfs -f %s 2>&1", cmds);
	p = popen(line, "r");
	for (unsigned s = 0; p && s < 2; s++)
		for (unsigned v = 0; v <= EXT4_HASH_MAX; v++)
			for (unsigned i = 0; i < n; i++) {
				unsigned want_major = 0, want_minor = 0;
				uint32_t major, minor;
				char *at = NULL;

				while (fgets(line, sizeof(line), p) && strncmp(line, "Hash of ", 8))
					;
				for (char *q = line; (q = strstr(q, " is 0x")); q++)
					at = q;
				checks++;
				if (!at || sscanf(at, " is 0x%x (minor 0x%x)", &want_major,
						  &want_minor) != 2) {
					printf("FAIL: no hash from debugfs for name %u version %u\n",
					       i, v);
					fails++;
					continue;
				}
				nout++;
				if (ext4_hash(v, s ? seed : zero, names[i], lens[i], &major,
					      &minor) ||
				    major != want_major || minor != want_minor) {
					fails++;
					printf("FAIL: version %u seed %u name %u (%zu bytes): "
					       "0x%x/0x%x, debugfs 0x%x/0x%x\n",
					       v, s, i, lens[i], major, minor, want_major,
					       want_minor);
				}
			}
	if (p)
		pclose(p);
	unlink(cmds);
	/* the seed given equals the default one: the same as no seed */
	{
		static const uint32_t dflt[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
		uint32_t a, b, c, d;

		checks++;
		if (ext4_hash(1, dflt, "hello", 5, &a, &b) ||
		    ext4_hash(1, zero, "hello", 5, &c, &d) || a != c || b != d)
			fails++;
		checks++;
		if (ext4_hash(6, zero, "hello", 5, &a, &b) != -22)
			fails++;
	}
	printf("%u names x 6 versions x 2 seeds: %d hashes compared with debugfs\n", n, nout);
	printf("%d/%d checks passed\n", checks - fails, checks);
	return fails != 0;
}

/* kernel_cmdline_test.c: host unit test of the kernel's command-line parser (kernel/core/cmdline.c,
 * built with CMDLINE_HOST_TEST against the host C library). */
#include "core/cmdline.h"
#include "check.h"
#include "lib/string.h"

char *strncpy(char *d, const char *s, size_t n);
char *strstr(const char *h, const char *n);

static int parse(const char *s, struct cmdline *c, char *err)
{
	static char buf[512];

	strncpy(buf, s, sizeof(buf) - 1);
	return cmdline_parse(buf, c, err, 128);
}

int main(void)
{
	struct cmdline c;
	char err[128];

	CHECK(parse("", &c, err) == 0 && c.argc == 0 && !c.verbose && !c.selftest);
	CHECK(parse("   ", &c, err) == 0 && c.argc == 0);
	CHECK(parse("--verbose --selftest", &c, err) == 0 && c.verbose && c.selftest &&
	      !c.selftest_names);
	CHECK(parse("--selftest=page,heap", &c, err) == 0 && c.selftest &&
	      !strcmp(c.selftest_names, "page,heap"));
	CHECK(parse("--selftest=", &c, err) < 0 && strstr(err, "--selftest"));
	CHECK(parse("--test-fault=ap", &c, err) == 0 && c.test_fault_ap);
	CHECK(parse("--stats prog", &c, err) == 0 && c.stats && c.argc == 1);
	CHECK(parse("--stats=1", &c, err) < 0 && strstr(err, "--stats=1"));
	CHECK(parse("p", &c, err) == 0 && c.fast_syscalls == CMDLINE_AUTO);
	CHECK(parse("--fast-syscalls=on p", &c, err) == 0 && c.fast_syscalls == CMDLINE_ON);
	CHECK(parse("--fast-syscalls=off p", &c, err) == 0 && c.fast_syscalls == CMDLINE_OFF);
	CHECK(parse("--fast-syscalls=auto p", &c, err) == 0 && c.fast_syscalls == CMDLINE_AUTO);
	CHECK(parse("--fast-syscalls p", &c, err) < 0 && strstr(err, "--fast-syscalls"));
	CHECK(parse("--ip=eth0,10.0.2.15,255.255.255.0 --defaultgw=10.0.2.2 p", &c, err) == 0 &&
	      c.ip == 0x0a00020f && c.netmask == 0xffffff00 && c.gateway == 0x0a000202);
	CHECK(parse("--ip=eth1,10.0.2.15,255.255.255.0 p", &c, err) < 0 && strstr(err, "--ip"));
	CHECK(parse("--ip=eth0,10.0.2.256,255.255.255.0 p", &c, err) < 0);
	CHECK(parse("--ip=eth0,10.0.2.15 p", &c, err) < 0);
	CHECK(parse("--defaultgw=10.0.2 p", &c, err) < 0 && strstr(err, "--defaultgw"));
	CHECK(parse("--nameserver=10.0.2.3 --nameserver=192.0.2.1 p", &c, err) == 0 && c.nns == 2 &&
	      c.nameserver[0] == 0x0a000203 && c.nameserver[1] == 0xc0000201);
	CHECK(parse("--nameserver=10.0.2 p", &c, err) < 0 && strstr(err, "--nameserver"));
	CHECK(parse("--nameserver=1.1.1.1 --nameserver=1.1.1.2 --nameserver=1.1.1.3 "
		    "--nameserver=1.1.1.4 p",
		    &c, err) < 0 &&
	      strstr(err, "at most 3"));
	/* the host terminal's settings: three hex flag words and c_cc's 19 bytes */
	CHECK(parse("--console-termios=500,5,8a3b,"
		    "031c7f150401000011131a0012170f1600000000 p",
		    &c, err) < 0);
	CHECK(parse("--console-termios=500,5,8a3b,031c7f150401000011131a0012170f16000000 p", &c,
		    err) == 0 &&
	      c.console_termios_set && c.console_iflag == 0x500 && c.console_oflag == 5 &&
	      c.console_lflag == 0x8a3b && c.console_cc[0] == 3 && c.console_cc[2] == 0x7f &&
	      c.console_cc[10] == 0x1a && c.console_cc[18] == 0 && c.argc == 1);
	CHECK(parse("--console-termios=500,5,8a3b p", &c, err) < 0 &&
	      strstr(err, "--console-termios"));
	CHECK(parse("--console-termios=500,5,8a3b,03 p", &c, err) < 0);
	CHECK(parse("--console-termios=1ffffffff,5,8a3b,031c7f150401000011131a0012170f16000000 p",
		    &c, err) < 0);
	/* virtio-mmio devices as Firecracker and QEMU append them, after the program's args */
	CHECK(parse("--stats p a virtio_mmio.device=4K@0xd0000000:5 "
		    "virtio_mmio.device=512@0xfeb00e00:12:3",
		    &c, err) == 0 &&
	      c.argc == 2 && c.nvirtio == 2 && c.virtio[0].size == 4096 &&
	      c.virtio[0].base == 0xd0000000 && c.virtio[0].irq == 5 && c.virtio[1].size == 512 &&
	      c.virtio[1].base == 0xfeb00e00 && c.virtio[1].irq == 12);
	CHECK(parse("virtio_mmio.device=4K@0xd0000000 p", &c, err) < 0 &&
	      strstr(err, "virtio_mmio.device=4K@0xd0000000"));
	CHECK(parse("virtio_mmio.device=4X@1:5", &c, err) < 0);
	/* root= and ro/rw: Firecracker appends them after boot_args, so anywhere */
	CHECK(parse("p", &c, err) == 0 && !c.root && !c.root_ro);
	CHECK(parse("--stats p a root=/dev/vda ro virtio_mmio.device=4K@0xd0000000:5", &c, err) ==
		      0 &&
	      c.argc == 2 && c.root && !strcmp(c.root, "/dev/vda") && c.root_ro && c.nvirtio == 1);
	CHECK(parse("root=/dev/vdb rw p ro", &c, err) == 0 && !strcmp(c.root, "/dev/vdb") &&
	      !c.root_ro && c.argc == 2 && !strcmp(c.argv[1], "ro"));
	CHECK(parse("ro root=/dev/vda p", &c, err) == 0 && c.root_ro && c.argc == 1);
	CHECK(parse("root=/dev/sda p", &c, err) < 0 && strstr(err, "root=/dev/sda"));
	CHECK(parse("root=/dev/vda1 p", &c, err) < 0);
	/* Firecracker's default boot_args before the program are skipped; the program's own kept */
	CHECK(parse("console=ttyS0 reboot=k panic=1 pci=off --stats p console=x quiet", &c, err) ==
		      0 &&
	      c.stats && c.argc == 3 && !strcmp(c.argv[0], "p") &&
	      !strcmp(c.argv[1], "console=x") && !strcmp(c.argv[2], "quiet"));
	CHECK(parse("virtio_mmio.device=4K@0x:5", &c, err) < 0);
	CHECK(parse("virtio_mmio.device=4K@1:999", &c, err) < 0);
	CHECK(parse("virtio_mmio.device=0x99999999999999999999@1:5", &c, err) < 0);
	CHECK(parse("--test-fault=bsp", &c, err) < 0 && strstr(err, "--test-fault"));
	CHECK(parse("--test-fault", &c, err) < 0 && strstr(err, "--test-fault"));
	CHECK(parse("--env=A=1 --env=PATH=/bin:/usr/bin /bin/prog -x --y z", &c, err) == 0);
	CHECK(c.nenv == 2 && !strcmp(c.env[0], "A=1") && !strcmp(c.env[1], "PATH=/bin:/usr/bin"));
	CHECK(c.argc == 4 && !strcmp(c.argv[0], "/bin/prog") && !strcmp(c.argv[1], "-x") &&
	      !strcmp(c.argv[2], "--y") && !strcmp(c.argv[3], "z") && c.argv[4] == NULL);
	CHECK(parse("prog \"two words\" x\"y z\"", &c, err) == 0 && c.argc == 3 &&
	      !strcmp(c.argv[1], "two words") && !strcmp(c.argv[2], "xy z"));
	CHECK(parse("--verbose --bogus=1 prog", &c, err) < 0 &&
	      !strcmp(err, "unknown option --bogus=1"));
	CHECK(parse("--verbose=1", &c, err) < 0 && strstr(err, "--verbose=1"));
	CHECK(parse("--env", &c, err) < 0 && strstr(err, "NAME=VALUE"));
	CHECK(parse("--env==x", &c, err) < 0);
	/* --mount=DEV:DIR, repeatable */
	CHECK(parse("--mount=/dev/vda:/data --mount=/dev/vdb:/mnt/b prog", &c, err) == 0 &&
	      c.nmounts == 2 && !strcmp(c.mounts[0].dev, "/dev/vda") &&
	      !strcmp(c.mounts[0].dir, "/data") && !strcmp(c.mounts[1].dev, "/dev/vdb") &&
	      !strcmp(c.mounts[1].dir, "/mnt/b") && c.argc == 1 && !c.mounts[0].ro &&
	      !c.mounts[1].ro);
	CHECK(parse("--mount=/dev/vda", &c, err) < 0 && strstr(err, "DEVICE:/DIRECTORY"));
	CHECK(parse("--mount=/dev/vda:data", &c, err) < 0);
	CHECK(parse("--mount=:/data", &c, err) < 0);
	/* read-write unless :ro */
	CHECK(parse("--mount=/dev/vda:/data:ro --mount=/dev/vdb:/b:rw prog", &c, err) == 0 &&
	      c.nmounts == 2 && c.mounts[0].ro && !strcmp(c.mounts[0].dir, "/data") &&
	      !c.mounts[1].ro && !strcmp(c.mounts[1].dir, "/b"));
	CHECK(parse("--mount=/dev/vda:/data:rx", &c, err) < 0 && strstr(err, "rx"));
	/* shell-style words: single quotes, double quotes, backslashes, empty words */
	CHECK(parse("prog -c 'a b' 'it'\\''s' \"\\$x \\\"q\\\"\" a\\ b '' x''y", &c, err) == 0 &&
	      c.argc == 8 && !strcmp(c.argv[1], "-c") && !strcmp(c.argv[2], "a b") &&
	      !strcmp(c.argv[3], "it's") && !strcmp(c.argv[4], "$x \"q\"") &&
	      !strcmp(c.argv[5], "a b") && !strcmp(c.argv[6], "") && c.argv[7] != NULL &&
	      !strcmp(c.argv[7], "xy"));
	CHECK(parse("p 'back\\slash' \"d\\n\"", &c, err) == 0 && c.argc == 3 &&
	      !strcmp(c.argv[1], "back\\slash") && !strcmp(c.argv[2], "d\\n"));
	CHECK(parse("'--env=A=hello world' --cwd=/srv prog", &c, err) == 0 && c.nenv == 1 &&
	      !strcmp(c.env[0], "A=hello world") && !strcmp(c.cwd, "/srv") && c.argc == 1);
	CHECK(parse("prog 'unterminated", &c, err) < 0 && strstr(err, "quote"));
	CHECK(parse("prog trailing\\", &c, err) < 0);
	CHECK(parse("--cwd=relative prog", &c, err) < 0 && strstr(err, "--cwd"));
	CHECK(parse("--strace prog", &c, err) == 0 && c.strace && c.argc == 1);
	return check_done();
}

/* main.c: `mote`, the command people type — its subcommand table and `mote help`. */
#include "cmd_build.h"
#include "cmd_cache.h"
#include "cmd_inspect.h"
#include "cmd_run.h"
#include "cmd_vm.h"
#include "cmd_volume.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(void);
};

static const struct command commands[] = {
	{ "run", "run a program (or an image) in a microVM", cmd_run, cmd_run_help },
	{ "build", "write a program's image without running it", cmd_build, cmd_build_help },
	{ "inspect", "list what an image holds", cmd_inspect, cmd_inspect_help },
	{ "volume", "make or check an ext4 image for mote run -v", cmd_volume, cmd_volume_help },
	{ "cache", "list or prune the image cache", cmd_cache, cmd_cache_help },
	{ "ps", "list the VMs run with -d", cmd_ps, cmd_ps_help },
	{ "logs", "print a VM's output (-f: follow it)", cmd_logs, cmd_logs_help },
	{ "stop", "stop a VM: Ctrl-Alt-Del, then a kill", cmd_stop, cmd_stop_help },
	{ "rm", "remove a stopped VM's state and log", cmd_rm, cmd_rm_help },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mote COMMAND [ARGS...]\n\n"
		"Runs Linux programs as microVMs: `mote run /usr/bin/redis-server --port 6380`.\n\n"
		"commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-9s %s\n", "help", "show help for mote or one command");
	fprintf(f,
		"\n`mote help COMMAND` shows a command's options; `mote --version` the version.\n");
}

static int help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "mote help: no command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	c->help();
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("mote %s\n", MOTE_VERSION);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "mote: no command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		c->help();
		return 0;
	}
	return c->run(argc - 1, argv + 1);
}

/* vmstate.h: the VMs `mote run -d` starts, each a directory under the runtime directory
 * ($MOTE_RUNTIME_DIR, else $XDG_RUNTIME_DIR/mote, else /run/mote as root, else
 * /tmp/mote-UID): `state` (JSON: its id, name, program, the supervising mote's and the VMM's
 * pids, status, exit code, times), `log` (the VM's stdout and stderr), and the VMM's control
 * socket: `api.sock` (motevm's Firecracker API, for any Firecracker client) or `qmp.sock`
 * (QEMU's QMP). */
#ifndef MOTE_TOOLS_VMSTATE_H
#define MOTE_TOOLS_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>

#define VMSTATE_PATH_MAX 4300 /* a file in a VM's directory */

struct vmstate {
	char id[13];   /* 12 hex digits */
	char name[64]; /* --name, else "mote-" and the id's first 6 digits */
	char program[512];
	char vmm[8];	/* "motevm" or "qemu" */
	char dir[4200]; /* its directory: <runtime dir>/<id> */
	int pid;	/* the supervising mote (detached; waits for the VMM) */
	int vmm_pid;	/* the VMM, once started (0 before) */
	bool running;	/* as the state file says: "running", else "exited" */
	int exit_code;	/* once exited: the program's status (128+N: killed by signal N) */
	long long created, finished; /* seconds since the epoch (finished: 0 while running) */
};

/* The runtime directory (created if missing): 0, or -errno with the reason in err. */
int vmstate_root(char *out, size_t len, char *err, size_t errlen);
/* A new VM's state: a fresh id, its name (NULL: the default; one in use: -EEXIST), its
 * directory made. 0, or -errno with the reason in err. */
int vmstate_create(struct vmstate *s, const char *name, const char *program, const char *vmm,
		   char *err, size_t errlen);
/* Write s to its state file (atomically). 0, or -errno. */
int vmstate_save(const struct vmstate *s);
/* Read the state of the VM named by `ref`: its id, a unique prefix of one, or its name. 0,
 * -ENOENT (no such VM) or -EEXIST (a prefix of several), with the reason in err. */
int vmstate_find(const char *ref, struct vmstate *s, char *err, size_t errlen);
/* Read s's state file again (its own only). 0, or -1 (gone or unreadable). */
int vmstate_reload(struct vmstate *s);
/* Every VM's state, oldest first, into *out (free it): the count, or -errno with err. */
long vmstate_list(struct vmstate **out, char *err, size_t errlen);
/* Whether the VM's supervisor is alive (a "running" state whose supervisor is gone: the
 * VM died with it). */
bool vmstate_alive(const struct vmstate *s);
/* Path of a file in the VM's directory ("log", "api.sock", "qmp.sock"). */
void vmstate_path(const struct vmstate *s, const char *file, char *out, size_t len);
/* Remove the VM's directory and all it holds. 0, or -errno. */
int vmstate_remove(const struct vmstate *s);

#endif /* MOTE_TOOLS_VMSTATE_H */

/* vmstate.c: the detached VMs' directories and state files (vmstate.h). */
#include "vmstate.h"
#include "errmsg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int vmstate_root(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("MOTE_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && *env)
		snprintf(out, len, "%s", env);
	else if (xdg && *xdg == '/')
		snprintf(out, len, "%s/mote", xdg);
	else if (geteuid() == 0)
		snprintf(out, len, "/run/mote");
	else
		snprintf(out, len, "/tmp/mote-%u", (unsigned)geteuid());
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return errmsg(err, errlen, -errno, "%s: %s", out, strerror(errno));
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= 64 || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!(((*s | 32) >= 'a' && (*s | 32) <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

int vmstate_create(struct vmstate *s, const char *name, const char *program, const char *vmm,
		   char *err, size_t errlen)
{
	char root[PATH_MAX], msg[256];
	unsigned char r[6];
	struct vmstate other;
	int ret = vmstate_root(root, sizeof(root), err, errlen);

	if (ret < 0)
		return ret;
	memset(s, 0, sizeof(*s));
	if (name && !valid_name(name))
		return errmsg(err, errlen, -EINVAL,
			      "--name %s: use letters, digits, '-', '_' and '.' (up to 63)", name);
	if (name && vmstate_find(name, &other, msg, sizeof(msg)) == 0)
		return errmsg(err, errlen, -EEXIST, "--name %s: in use by VM %s (mote rm it first)",
			      name, other.id);
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return errmsg(err, errlen, -EIO, "getrandom: %s", strerror(errno));
	for (int i = 0; i < 6; i++)
		snprintf(s->id + 2 * i, 3, "%02x", r[i]);
	if (name)
		snprintf(s->name, sizeof(s->name), "%s", name);
	else
		snprintf(s->name, sizeof(s->name), "mote-%.6s", s->id);
	snprintf(s->program, sizeof(s->program), "%s", program);
	snprintf(s->vmm, sizeof(s->vmm), "%s", vmm);
	snprintf(s->dir, sizeof(s->dir), "%s/%.12s", root, s->id);
	s->created = (long long)time(NULL);
	s->running = true;
	if (mkdir(s->dir, 0700) < 0)
		return errmsg(err, errlen, -errno, "%s: %s", s->dir, strerror(errno));
	return 0;
}

void vmstate_path(const struct vmstate *s, const char *file, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", s->dir, file);
}

int vmstate_save(const struct vmstate *s)
{
	char path[VMSTATE_PATH_MAX], tmp[VMSTATE_PATH_MAX];
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:I, s:I}", "id", s->id,
			      "name", s->name, "program", s->program, "vmm", s->vmm, "pid", s->pid,
			      "vmm_pid", s->vmm_pid, "status", s->running ? "running" : "exited",
			      "exit_code", s->exit_code, "created", (json_int_t)s->created,
			      "finished", (json_int_t)s->finished);
	int ret = 0;

	if (!o)
		return -ENOMEM;
	vmstate_path(s, "state", path, sizeof(path));
	vmstate_path(s, ".state.new", tmp, sizeof(tmp));
	if (json_dump_file(o, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0)
		ret = errno ? -errno : -EIO;
	json_decref(o);
	return ret;
}

/* Read the state file of directory dir (under root) into s. 0, or -1. */
static int load(const char *root, const char *dir, struct vmstate *s)
{
	char path[PATH_MAX + 32];
	const char *id, *name, *program, *vmm, *status;
	json_int_t created = 0, finished = 0;
	json_t *o;
	int r;

	if (strlen(dir) != 12)
		return -1; /* (not a VM's directory) */
	snprintf(path, sizeof(path), "%s/%.12s/state", root, dir);
	o = json_load_file(path, 0, NULL);
	if (!o)
		return -1;
	memset(s, 0, sizeof(*s));
	r = json_unpack(o, "{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i, s:I, s:I}", "id", &id, "name",
			&name, "program", &program, "vmm", &vmm, "pid", &s->pid, "vmm_pid",
			&s->vmm_pid, "status", &status, "exit_code", &s->exit_code, "created",
			&created, "finished", &finished);
	if (r == 0) {
		snprintf(s->id, sizeof(s->id), "%s", id);
		snprintf(s->name, sizeof(s->name), "%s", name);
		snprintf(s->program, sizeof(s->program), "%s", program);
		snprintf(s->vmm, sizeof(s->vmm), "%s", vmm);
		snprintf(s->dir, sizeof(s->dir), "%s/%.12s", root, dir);
		s->running = !strcmp(status, "running");
		s->created = created;
		s->finished = finished;
	}
	json_decref(o);
	return r;
}

static int by_creation(const void *a, const void *b)
{
	const struct vmstate *x = a, *y = b;

	return x->created != y->created ? (x->created < y->created ? -1 : 1) : strcmp(x->id, y->id);
}

long vmstate_list(struct vmstate **out, char *err, size_t errlen)
{
	char root[PATH_MAX];
	struct vmstate *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = vmstate_root(root, sizeof(root), err, errlen);

	*out = NULL;
	if (ret < 0)
		return ret;
	d = opendir(root);
	if (!d)
		return errmsg(err, errlen, -errno, "%s: %s", root, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct vmstate *nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return errmsg(err, errlen, -ENOMEM, "out of memory");
			}
			v = nv;
		}
		if (load(root, de->d_name, &v[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), by_creation);
	*out = v;
	return (long)n;
}

int vmstate_find(const char *ref, struct vmstate *s, char *err, size_t errlen)
{
	struct vmstate *v;
	long n = vmstate_list(&v, err, errlen), match = -1, matches = 0;

	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		if (!strcmp(v[i].name, ref) || !strcmp(v[i].id, ref)) {
			match = i;
			matches = 1;
			break;
		}
		if (strlen(ref) >= 1 && !strncmp(v[i].id, ref, strlen(ref))) {
			match = i;
			matches++;
		}
	}
	if (matches == 1)
		*s = v[match];
	free(v);
	if (matches == 1)
		return 0;
	if (matches > 1)
		return errmsg(err, errlen, -EEXIST, "%s: the prefix of several VMs' ids", ref);
	return errmsg(err, errlen, -ENOENT, "no VM %s (mote ps -a lists them)", ref);
}

int vmstate_reload(struct vmstate *s)
{
	char root[sizeof(s->dir)], *slash;

	snprintf(root, sizeof(root), "%s", s->dir);
	slash = strrchr(root, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return load(root, slash + 1, s);
}

bool vmstate_alive(const struct vmstate *s)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	if (s->pid <= 0 || (kill(s->pid, 0) < 0 && errno != EPERM))
		return false;
	/* a zombie (killed, its new parent yet to reap it) is gone too */
	snprintf(path, sizeof(path), "/proc/%d/stat", s->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return !p || (p[1] == ' ' && p[2] != 'Z' && p[2] != 'X');
}

int vmstate_remove(const struct vmstate *s)
{
	static const char *const files[] = { "state",	 ".state.new", "log",
					     "api.sock", "qmp.sock",   "config.json" };
	char path[VMSTATE_PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		vmstate_path(s, files[i], path, sizeof(path));
		unlink(path);
	}
	return rmdir(s->dir) < 0 ? -errno : 0;
}

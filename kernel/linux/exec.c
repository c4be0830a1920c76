/* exec.c: the program loader: ELF64 x86-64 (ET_EXEC, ET_DYN static-PIE or PIE, PT_INTERP),
 * "#!" scripts, and the initial stack with argv, envp and the auxiliary vector. Segments are
 * mmap'ed from the file (mm.c), so read-only ones map the initrd's pages in place. */
#include "linux/exec.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/time.h"
#include "fs/file.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/random.h"
#include "lib/string.h"
#include "linux/elf.h"
#include "linux/mm.h"
#include "linux/process.h"
#include "linux/task.h"
#include "core/uaccess.h"
#include "linux/vdso.h"

#define MAX_PHDRS 64
#define SCRIPT_DEPTH 4

struct image {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_PHDRS];
	uint64_t bias;	 /* load address - link address */
	uint64_t lo, hi; /* link-time span of the PT_LOAD segments */
};

int exec_args_init(struct exec_args *a)
{
	memset(a, 0, sizeof(*a));
	a->size = EXEC_MAX_STRINGS;
	a->buf = kmalloc(a->size);
	a->argv = kmalloc(sizeof(char *) * EXEC_MAX_ARGS);
	a->envp = kmalloc(sizeof(char *) * EXEC_MAX_ARGS);
	if (!a->buf || !a->argv || !a->envp) {
		exec_args_free(a);
		return -ENOMEM;
	}
	return 0;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->buf);
	kfree(a->argv);
	kfree(a->envp);
	a->buf = NULL;
	a->argv = a->envp = NULL;
}

static char *store(struct exec_args *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (a->size - a->used < n)
		return NULL;
	p = a->buf + a->used;
	memcpy(p, s, n);
	a->used += n;
	return p;
}

int exec_args_push(struct exec_args *a, bool env, const char *s)
{
	int *n = env ? &a->envc : &a->argc;
	char *p;

	if (*n + 1 >= EXEC_MAX_ARGS || !(p = store(a, s)))
		return -E2BIG;
	(env ? a->envp : a->argv)[(*n)++] = p;
	return 0;
}

int exec_args_insert(struct exec_args *a, int i, const char *s)
{
	char *p;

	if (a->argc + 1 >= EXEC_MAX_ARGS || !(p = store(a, s)))
		return -E2BIG;
	memmove(&a->argv[i + 1], &a->argv[i], sizeof(char *) * (size_t)(a->argc - i));
	a->argv[i] = p;
	a->argc++;
	return 0;
}

static int open_exec(const char *path, struct file **out)
{
	struct dentry *start;
	int r = path_start(AT_FDCWD, path, &start);

	if (r)
		return r;
	r = vfs_open(start, path, O_RDONLY, 0, out);
	vfs_dentry_put(start);
	if (r)
		return r;
	if (!S_ISREG((*out)->inode->mode)) {
		file_put(*out);
		return S_ISDIR((*out)->inode->mode) ? -EACCES : -EACCES;
	}
	if (!((*out)->inode->mode & 0111)) {
		file_put(*out);
		return -EACCES;
	}
	return 0;
}

static int read_image(struct file *f, struct image *im, char *why, size_t wl, const char *path)
{
	const struct elf64_ehdr *eh = &im->eh;
	ssize_t n = kernel_read(f, &im->eh, sizeof(im->eh), 0);

	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(im->eh) || memcmp(eh->e_ident, ELFMAG, 4)) {
		snprintf(why, wl, "%s: not an ELF file or a #! script", path);
		return -ENOEXEC;
	}
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64) {
		snprintf(why, wl,
			 "%s: ELF for another architecture (class %u, machine %u), not x86-64",
			 path, eh->e_ident[4], eh->e_machine);
		return -ENOEXEC;
	}
	if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    eh->e_phnum > MAX_PHDRS) {
		snprintf(why, wl, "%s: not an executable ELF file (type %u, %u program headers)",
			 path, eh->e_type, eh->e_phnum);
		return -ENOEXEC;
	}
	n = kernel_read(f, im->ph, sizeof(struct elf64_phdr) * eh->e_phnum, eh->e_phoff);
	if (n != (ssize_t)(sizeof(struct elf64_phdr) * eh->e_phnum)) {
		snprintf(why, wl, "%s: truncated ELF file", path);
		return -ENOEXEC;
	}
	im->lo = UINT64_MAX;
	im->hi = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &im->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		if ((p->p_offset - p->p_vaddr) % PAGE_SIZE || p->p_filesz > p->p_memsz) {
			snprintf(why, wl, "%s: malformed PT_LOAD segment", path);
			return -ENOEXEC;
		}
		im->lo = MIN(im->lo, ALIGN_DOWN(p->p_vaddr, PAGE_SIZE));
		im->hi = MAX(im->hi, ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE_SIZE));
	}
	if (im->hi <= im->lo) {
		snprintf(why, wl, "%s: no loadable segment", path);
		return -ENOEXEC;
	}
	return 0;
}

static uint32_t prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* Map im's segments at bias (ET_DYN: base chosen here unless fixed_base). */
static int map_image(struct file *f, struct image *im, uint64_t fixed_base)
{
	uint64_t base;
	long r;

	if (im->eh.e_type == ET_EXEC) {
		im->bias = 0;
	} else {
		/* Reserve the whole span, then map the segments over it. */
		r = mm_mmap(fixed_base, im->hi - im->lo, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | (fixed_base ? MAP_FIXED : 0), NULL, 0,
			    NULL);
		if (r < 0)
			return (int)r;
		base = (uint64_t)r;
		im->bias = base - im->lo;
	}
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &im->ph[i];
		uint64_t va = p->p_vaddr + im->bias, start = ALIGN_DOWN(va, PAGE_SIZE);
		uint64_t fend = va + p->p_filesz, mend = ALIGN_UP(va + p->p_memsz, PAGE_SIZE);
		uint32_t prot = prot_of(p->p_flags);

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz) {
			r = mm_mmap(start, fend - start, prot, MAP_PRIVATE | MAP_FIXED, f,
				    ALIGN_DOWN(p->p_offset, PAGE_SIZE), NULL);
			if (r < 0)
				return (int)r;
			/* The rest of the last file page belongs to .bss: zero it. */
			if ((fend & (PAGE_SIZE - 1)) && (prot & PROT_WRITE) &&
			    clear_user((void *)fend, ALIGN_UP(fend, PAGE_SIZE) - fend))
				return -EFAULT;
		}
		if (mend > ALIGN_UP(fend, PAGE_SIZE) || !p->p_filesz) {
			uint64_t s = p->p_filesz ? ALIGN_UP(fend, PAGE_SIZE) : start;

			if (mend > s) {
				r = mm_mmap(s, mend - s, prot,
					    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL);
				if (r < 0)
					return (int)r;
			}
		}
	}
	return 0;
}

static uint64_t phdr_addr(const struct image *im)
{
	for (int i = 0; i < im->eh.e_phnum; i++)
		if (im->ph[i].p_type == PT_PHDR)
			return im->ph[i].p_vaddr + im->bias;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &im->ph[i];

		if (p->p_type == PT_LOAD && p->p_offset <= im->eh.e_phoff &&
		    im->eh.e_phoff < p->p_offset + p->p_filesz)
			return p->p_vaddr + (im->eh.e_phoff - p->p_offset) + im->bias;
	}
	return 0;
}

/* Build the initial stack; returns the stack pointer (argc) or -errno. */
static long build_stack(struct exec_args *a, const struct image *main, uint64_t interp_base,
			const char *execfn)
{
	struct process *p = current_process();
	uint64_t sp = MM_STACK_TOP, auxv[64], rnd[2], *vec;
	uint64_t argp, envp, execfn_at, platform_at, random_at;
	size_t strings = a->used, nvec, k = 0;
	uint32_t r4[4];
	long r;

	r = mm_mmap(MM_STACK_TOP - MM_STACK_SIZE, MM_STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0, "[stack]");
	if (r < 0)
		return r;
	/* Strings, top down: execfn, the platform, argv + envp (one block), 16 random bytes. */
	sp -= strlen(execfn) + 1;
	execfn_at = sp;
	if (copy_to_user((void *)sp, execfn, strlen(execfn) + 1))
		return -EFAULT;
	sp -= 8;
	platform_at = sp;
	if (copy_to_user((void *)sp, "x86_64", 7))
		return -EFAULT;
	sp -= strings;
	argp = sp;
	if (copy_to_user((void *)sp, a->buf, strings))
		return -EFAULT;
	sp = ALIGN_DOWN(sp - 16, 16);
	random_at = sp;
	rnd[0] = random_u64();
	rnd[1] = random_u64();
	if (copy_to_user((void *)sp, rnd, 16))
		return -EFAULT;

	arch_cpuid(1, 0, r4);
#define AUX(t, v)                          \
	do {                               \
		auxv[k++] = (t);           \
		auxv[k++] = (uint64_t)(v); \
	} while (0)
	AUX(AT_SYSINFO_EHDR, vdso_base);
	AUX(AT_MINSIGSTKSZ, ALIGN_UP(appcpu_fpu_size + 1024, 1024));
	AUX(AT_HWCAP, r4[3]);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, phdr_addr(main));
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, main->eh.e_phnum);
	AUX(AT_BASE, interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, main->eh.e_entry + main->bias);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_at);
	AUX(AT_HWCAP2, appcpu_fsgsbase ? 2 : 0);
	AUX(AT_EXECFN, execfn_at);
	AUX(AT_PLATFORM, platform_at);
	AUX(AT_NULL, 0);
#undef AUX
	if (!vdso_base) { /* no vDSO: leave the entry out rather than pass 0 */
		memmove(auxv, auxv + 2, (k - 2) * sizeof(uint64_t));
		k -= 2;
	}
	nvec = 1 + (size_t)a->argc + 1 + (size_t)a->envc + 1 + k;
	sp = ALIGN_DOWN(sp - nvec * 8, 16);
	vec = kmalloc(nvec * 8);
	if (!vec)
		return -ENOMEM;
	{
		size_t i = 0;

		vec[i++] = (uint64_t)a->argc;
		for (int j = 0; j < a->argc; j++)
			vec[i++] = argp + (uint64_t)(a->argv[j] - a->buf);
		vec[i++] = 0;
		envp = argp + (a->envc ? (uint64_t)(a->envp[0] - a->buf) : strings);
		for (int j = 0; j < a->envc; j++)
			vec[i++] = argp + (uint64_t)(a->envp[j] - a->buf);
		vec[i++] = 0;
		memcpy(&vec[i], auxv, k * 8);
	}
	r = copy_to_user((void *)sp, vec, nvec * 8);
	kfree(vec);
	if (r)
		return r;
	mutex_lock(&p->lock); /* (procfs reads them under it, from any process) */
	p->arg_start = argp;
	p->arg_end = envp;
	p->env_start = envp;
	p->env_end = argp + strings;
	memcpy(p->auxv, auxv, k * 8);
	mutex_unlock(&p->lock);
	return (long)sp;
}

/* "#!interpreter [arg]": rewrite args (interpreter, [arg], path, argv[1..]) and return the
 * interpreter in interp. 0, or -ENOEXEC if not a script. */
static int script(struct file *f, const char *path, struct exec_args *a, char *interp, size_t ilen)
{
	char line[256], *s, *e, *arg = NULL;
	ssize_t n = kernel_read(f, line, sizeof(line) - 1, 0);
	int r;

	if (n < 2 || line[0] != '#' || line[1] != '!')
		return -ENOEXEC;
	line[n] = 0;
	e = strchr(line, '\n');
	if (e)
		*e = 0;
	for (s = line + 2; *s == ' ' || *s == '\t'; s++)
		;
	for (e = s; *e && *e != ' ' && *e != '\t'; e++)
		;
	if (*e) {
		*e++ = 0;
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e) {
			size_t l = strlen(e);

			while (l && (e[l - 1] == ' ' || e[l - 1] == '\t'))
				e[--l] = 0;
			arg = e;
		}
	}
	if (!*s || strlen(s) >= ilen)
		return -ENOEXEC;
	memcpy(interp, s, strlen(s) + 1);
	/* argv[0] is replaced by the script's path */
	if (a->argc) {
		memmove(&a->argv[0], &a->argv[1], sizeof(char *) * (size_t)(a->argc - 1));
		a->argc--;
	}
	r = exec_args_insert(a, 0, path);
	if (!r && arg)
		r = exec_args_insert(a, 0, arg);
	if (!r)
		r = exec_args_insert(a, 0, interp);
	return r;
}

int exec_program(const char *path, struct exec_args *args, struct trapframe *tf, char *why,
		 size_t wl)
{
	struct image *main = kzalloc(sizeof(*main)), *in = kzalloc(sizeof(*in));
	char *interp = kmalloc(PATH_MAX), *cur = kmalloc(PATH_MAX), *execfn = kmalloc(PATH_MAX);
	struct file *f = NULL, *fi = NULL;
	uint64_t entry, interp_base = 0;
	long sp;
	int r = -ENOMEM, depth;
	char dummy[8];

	if (!why) {
		why = dummy;
		wl = sizeof(dummy);
	}
	why[0] = 0;
	if (!main || !in || !interp || !cur || !execfn)
		goto out;
	snprintf(cur, PATH_MAX, "%s", path);
	snprintf(execfn, PATH_MAX, "%s", path);
	for (depth = 0;; depth++) {
		r = open_exec(cur, &f);
		if (r) {
			snprintf(why, wl, "%s: %s", cur,
				 r == -ENOENT	 ? "no such file"
				 : r == -EACCES	 ? "not an executable file (permission denied)"
				 : r == -ENOTDIR ? "a path component is not a directory"
						 : "cannot open");
			goto out;
		}
		r = script(f, cur, args, interp, PATH_MAX);
		if (r == -ENOEXEC)
			break;
		file_put(f);
		f = NULL;
		if (r)
			goto out;
		if (depth == SCRIPT_DEPTH) {
			snprintf(why, wl, "%s: too many levels of #! interpreters", path);
			r = -ELOOP;
			goto out;
		}
		memcpy(cur, interp, strlen(interp) + 1);
	}
	r = read_image(f, main, why, wl, cur);
	if (r)
		goto out;
	for (int i = 0; i < main->eh.e_phnum; i++) {
		const struct elf64_phdr *p = &main->ph[i];

		if (p->p_type != PT_INTERP)
			continue;
		if (p->p_filesz < 2 || p->p_filesz >= PATH_MAX ||
		    kernel_read(f, interp, p->p_filesz, p->p_offset) != (ssize_t)p->p_filesz) {
			snprintf(why, wl, "%s: bad PT_INTERP", cur);
			r = -ENOEXEC;
			goto out;
		}
		interp[p->p_filesz] = 0;
		r = open_exec(interp, &fi);
		if (r) {
			snprintf(why, wl, "%s: missing ELF interpreter %s", cur, interp);
			r = -ELIBBAD;
			goto out;
		}
		r = read_image(fi, in, why, wl, interp);
		if (!r && in->eh.e_type != ET_DYN) {
			snprintf(why, wl, "%s: the ELF interpreter %s is not ET_DYN", cur, interp);
			r = -ELIBBAD;
		}
		if (r)
			goto out;
		break;
	}

	/* The point of no return: the old program goes. */
	r = process_exec_mm();
	if (r) {
		snprintf(why, wl, "%s: out of memory for the new program", cur);
		goto fatal;
	}
	r = map_image(f, main, main->eh.e_type == ET_DYN ? MM_PIE_BASE : 0);
	if (!r && fi) {
		r = map_image(fi, in, 0);
		interp_base = in->lo + in->bias;
	}
	if (r) {
		snprintf(why, wl, "%s: cannot map the program (error %d)", cur, -r);
		goto fatal;
	}
	mm_set_brk(main->hi + main->bias);
	vdso_map();
	sp = build_stack(args, main, interp_base, execfn);
	if (sp < 0) {
		r = (int)sp;
		snprintf(why, wl, "%s: cannot build the initial stack (error %d)", cur, -r);
		goto fatal;
	}
	entry = fi ? in->eh.e_entry + in->bias : main->eh.e_entry + main->bias;
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->rsp = (uint64_t)sp;
	tf->cs = SEL_KCODE;
	tf->ss = SEL_KDATA;
	tf->rflags = RFLAGS_IF;
	{
		struct process *p = current_process();
		char *exe = kmalloc(PATH_MAX);
		const char *base = execfn;

		if (!exe || vfs_path_of(f->dentry, exe, PATH_MAX) <= 0) {
			kfree(exe);
			exe = NULL;
		}
		p->start_ns = time_ns();
		/* comm (PR_GET_NAME, /proc/self/stat): the file's name, as Linux sets it */
		for (const char *c = execfn; *c; c++)
			if (*c == '/')
				base = c + 1;
		mutex_lock(&p->lock); /* (procfs reads them under it, from any process) */
		if (exe) {
			char *old = p->exe;

			p->exe = exe;
			exe = old;
		}
		snprintf(current_thread()->name, sizeof(current_thread()->name), "%s", base);
		mutex_unlock(&p->lock);
		kfree(exe);
	}
	r = 0;
	goto out;
fatal:
	r = EXEC_FATAL;
out:
	file_put(f);
	file_put(fi);
	kfree(main);
	kfree(in);
	kfree(interp);
	kfree(cur);
	kfree(execfn);
	return r;
}

/* json.c: seccompiler's JSON format to filter.h's structure, then the one compiler (json.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "seccomp/filter.h"
#include "seccomp/json.h"

/* Where a problem is ("vcpu.filter[3].args[0]") and what it is. */
struct where {
	char *err;
	size_t size;
	const char *path;
};

static int bad(const struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const struct where *w, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->size, "%s: %s", w->path, msg);
	return -1;
}

/* Every key of OBJ is one of KEYS (NULL-terminated); else the unknown one in *UNKNOWN. */
static bool known_keys(json_t *obj, const char *const *keys, const char **unknown)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
	{
		bool found = false;

		for (const char *const *p = keys; *p && !found; p++)
			found = strcmp(k, *p) == 0;
		if (!found) {
			*unknown = k;
			return false;
		}
	}
	return true;
}

static int number(json_t *v, uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* "allow", "trap", "log", "kill_thread", "kill_process", {"errno": N} or {"trace": N}. */
static int parse_action(const struct where *w, const char *cat, const char *key, json_t *v,
			struct seccomp_action *a)
{
	static const struct {
		const char *name;
		enum seccomp_action_kind kind;
	} names[] = {
		{ "allow", SECCOMP_ACT_ALLOW },
		{ "trap", SECCOMP_ACT_TRAP },
		{ "log", SECCOMP_ACT_LOG },
		{ "kill_thread", SECCOMP_ACT_KILL_THREAD },
		{ "kill_process", SECCOMP_ACT_KILL_PROCESS },
	};
	uint64_t n;

	if (json_is_string(v)) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(json_string_value(v), names[i].name) == 0) {
				*a = (struct seccomp_action){ names[i].kind, 0 };
				return 0;
			}
		}
	} else if (json_is_object(v) && json_object_size(v) == 1) {
		json_t *e = json_object_get(v, "errno"), *t = json_object_get(v, "trace");

		if ((e || t) && number(e ? e : t, 0xffff, &n) == 0) {
			*a = (struct seccomp_action){ e ? SECCOMP_ACT_ERRNO : SECCOMP_ACT_TRACE,
						      (uint32_t)n };
			return 0;
		}
	}
	return bad(w,
		   "%s.%s: unknown action (allow, trap, log, kill_thread, kill_process, "
		   "{\"errno\": N} or {\"trace\": N})",
		   cat, key);
}

/* "eq", "ne", "lt", "le", "gt", "ge", or {"masked_eq": MASK}. */
static int parse_op(json_t *v, struct seccomp_cond *c)
{
	static const char *const ops[] = { "eq", "ne", "lt", "le", "gt", "ge" };

	if (json_is_string(v)) {
		for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			if (strcmp(json_string_value(v), ops[i]) == 0) {
				c->op = (enum seccomp_op)i;
				return 0;
			}
		}
		return -1;
	}
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    number(json_object_get(v, "masked_eq"), UINT64_MAX, &c->mask) == 0) {
		c->op = SECCOMP_OP_MASKED_EQ;
		return 0;
	}
	return -1;
}

static int parse_cond(const struct where *w, const char *at, json_t *a, struct seccomp_cond *c)
{
	static const char *const keys[] = { "index", "type", "op", "val", "comment", NULL };
	const char *type, *unknown;
	uint64_t index;

	if (!json_is_object(a))
		return bad(w, "%s: not an object", at);
	if (!known_keys(a, keys, &unknown))
		return bad(w, "%s: unknown field \"%s\"", at, unknown);
	if (number(json_object_get(a, "index"), 5, &index))
		return bad(w, "%s.index: an argument number from 0 to 5", at);
	c->index = (uint8_t)index;
	type = json_string_value(json_object_get(a, "type"));
	if (!type || (strcmp(type, "dword") && strcmp(type, "qword")))
		return bad(w, "%s.type: \"dword\" or \"qword\"", at);
	c->qword = strcmp(type, "qword") == 0;
	if (parse_op(json_object_get(a, "op"), c))
		return bad(w,
			   "%s.op: unknown comparison (eq, ne, lt, le, gt, ge or "
			   "{\"masked_eq\": MASK})",
			   at);
	if (number(json_object_get(a, "val"), c->qword ? UINT64_MAX : 0xffffffffu, &c->val))
		return bad(w, "%s.val: a number that fits a %s", at, type);
	if (!c->qword && c->mask > 0xffffffffu)
		return bad(w, "%s.op: a mask that fits a dword", at);
	return 0;
}

static int parse_rule(const struct where *w, const char *cat, size_t i, json_t *o,
		      struct seccomp_rule *r)
{
	static const char *const keys[] = { "syscall", "args", "comment", NULL };
	const char *unknown;
	json_t *args, *a;
	char at[96];
	size_t k;

	snprintf(at, sizeof(at), "%s.filter[%zu]", cat, i);
	if (!json_is_object(o))
		return bad(w, "%s: not an object", at);
	if (!known_keys(o, keys, &unknown))
		return bad(w, "%s: unknown field \"%s\"", at, unknown);
	r->syscall = json_string_value(json_object_get(o, "syscall"));
	if (!r->syscall)
		return bad(w, "%s.syscall: a system call's name is required", at);
	args = json_object_get(o, "args");
	if (!args)
		return 0;
	if (!json_is_array(args) || json_array_size(args) > SECCOMP_MAX_CONDS)
		return bad(w, "%s.args: an array of up to %d conditions", at, SECCOMP_MAX_CONDS);
	json_array_foreach(args, k, a)
	{
		char at_arg[128];

		snprintf(at_arg, sizeof(at_arg), "%s.args[%zu]", at, k);
		if (parse_cond(w, at_arg, a, &r->conds[k]))
			return -1;
	}
	r->nr_conds = (unsigned)json_array_size(args);
	return 0;
}

static int compile_category(const struct where *w, enum seccomp_thread t, json_t *o)
{
	static const char *const keys[] = { "default_action", "filter_action", "filter", NULL };
	const char *cat = seccomp_thread_name(t), *unknown;
	struct seccomp_filter f = { 0 };
	struct seccomp_rule *rules;
	json_t *list, *rule;
	char why[320];
	size_t i;
	int r = -1;

	if (!json_is_object(o))
		return bad(w, "%s: not an object", cat);
	if (!known_keys(o, keys, &unknown))
		return bad(w, "%s: unknown field \"%s\"", cat, unknown);
	list = json_object_get(o, "filter");
	if (!json_is_array(list))
		return bad(w, "%s.filter: an array of rules is required", cat);
	if (parse_action(w, cat, "default_action", json_object_get(o, "default_action"),
			 &f.default_action) ||
	    parse_action(w, cat, "filter_action", json_object_get(o, "filter_action"),
			 &f.filter_action))
		return -1;
	rules = calloc(json_array_size(list) + 1, sizeof(*rules));
	if (!rules)
		return bad(w, "out of memory");
	json_array_foreach(list, i, rule)
	{
		if (parse_rule(w, cat, i, rule, &rules[i]))
			goto out;
	}
	f.rules = rules;
	f.nr_rules = json_array_size(list);
	r = seccomp_compile(t, &f, why, sizeof(why));
	if (r)
		bad(w, "%s", why);
out:
	free(rules);
	return r;
}

int seccomp_json_compile(const char *path, char *err, size_t size)
{
	static const char *const keys[] = { "vmm", "api", "vcpu", NULL };
	struct where w = { err, size, path };
	const char *unknown;
	json_error_t jerr;
	json_t *root;
	int r = 0;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0) /* not read at all: jansson's text says why */
			return bad(&w, "%s", jerr.text);
		return bad(&w, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(root))
		r = bad(&w, "not a JSON object of thread categories (vmm, api, vcpu)");
	else if (!known_keys(root, keys, &unknown))
		r = bad(&w, "unknown thread category \"%s\" (vmm, api, vcpu)", unknown);
	for (int t = 0; t < SECCOMP_NR_THREADS && r == 0; t++) {
		json_t *o = json_object_get(root, seccomp_thread_name(t));

		r = o ? compile_category(&w, t, o)
		      : bad(&w, "no filter for the \"%s\" threads", seccomp_thread_name(t));
	}
	json_decref(root);
	return r;
}

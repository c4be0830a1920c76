/* serde.c: typed JSON field reads with serde's error texts (see serde.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "config/serde.h"

int serde_fail(struct config_error *err, int kind, const char *fmt, ...)
{
	va_list ap;

	err->kind = (enum config_err_kind)kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* serde's description of an unexpected value: "string \"x\"", "integer `3`", "map"... */
static void describe(json_t *v, char *buf, size_t size)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		snprintf(buf, size, "map");
		break;
	case JSON_ARRAY:
		snprintf(buf, size, "sequence");
		break;
	case JSON_STRING:
		snprintf(buf, size, "string \"%.64s\"", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, size, "integer `%lld`", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, size, "floating point `%g`", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(buf, size, "boolean `%s`", json_is_true(v) ? "true" : "false");
		break;
	default:
		snprintf(buf, size, "null");
	}
}

int serde_invalid_type(json_t *v, const char *expected, struct config_error *err)
{
	char what[96];

	describe(v, what, sizeof(what));
	return serde_fail(err, CONFIG_ERR_BODY, "invalid type: %s, expected %s", what, expected);
}

/* "`a`", "`a` or `b`", "one of `a`, `b`, `c`" as serde lists expected names. */
static void list_names(const char *const *names, char *buf, size_t size)
{
	size_t n = 0, count = 0;

	while (names[count])
		count++;
	buf[0] = 0;
	if (count > 2)
		n += (size_t)snprintf(buf, size, "one of ");
	for (size_t i = 0; i < count && n < size; i++) {
		const char *sep = i == 0 ? "" : (count == 2 ? " or " : ", ");

		n += (size_t)snprintf(buf + n, size - n, "%s`%s`", sep, names[i]);
	}
}

int serde_struct(json_t *body, const char *type, const char *const *fields,
		 struct config_error *err)
{
	const char *key;
	json_t *val;

	if (!json_is_object(body)) {
		char expected[64];

		snprintf(expected, sizeof(expected), "struct %s", type);
		return serde_invalid_type(body, expected, err);
	}
	json_object_foreach(body, key, val)
	{
		const char *const *f;
		char names[256];

		for (f = fields; *f; f++)
			if (strcmp(*f, key) == 0)
				break;
		if (*f)
			continue;
		list_names(fields, names, sizeof(names));
		if (!fields[0])
			return serde_fail(err, CONFIG_ERR_BODY,
					  "unknown field `%.64s`, there are no fields", key);
		return serde_fail(err, CONFIG_ERR_BODY, "unknown field `%.64s`, expected %s", key,
				  names);
	}
	return 0;
}

/* The value of KEY, NULL when absent; a missing REQUIRED field or a null that is not NULLABLE
 * fails (*BAD set). */
static json_t *field(json_t *body, const char *key, int flags, const char *expected, bool *bad,
		     struct config_error *err)
{
	json_t *v = json_object_get(body, key);

	*bad = false;
	if (v && json_is_null(v) && (flags & SERDE_NULLABLE))
		v = NULL;
	if (!v && (flags & SERDE_REQUIRED)) {
		*bad = true;
		serde_fail(err, CONFIG_ERR_BODY, "missing field `%s`", key);
	} else if (v && json_is_null(v)) {
		*bad = true;
		serde_invalid_type(v, expected, err);
	}
	return v;
}

json_t *serde_get(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);

	return v && !json_is_null(v) ? v : NULL;
}

int serde_string(json_t *body, const char *key, int flags, char **out, struct config_error *err)
{
	bool bad;
	json_t *v = field(body, key, flags, "a string", &bad, err);

	*out = NULL;
	if (bad)
		return -1;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return serde_invalid_type(v, "a string", err);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return serde_fail(err, CONFIG_ERR_BODY, "`%s` contains a NUL character", key);
	*out = strdup(json_string_value(v));
	if (!*out)
		return serde_fail(err, CONFIG_ERR_VALUE, "out of memory");
	return 0;
}

int serde_uint(json_t *body, const char *key, int flags, const char *type, uint64_t max,
	       uint64_t *out, bool *present, struct config_error *err)
{
	bool bad;
	json_t *v = field(body, key, flags, type, &bad, err);
	json_int_t n;

	if (present)
		*present = false;
	if (bad)
		return -1;
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return serde_invalid_type(v, type, err);
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return serde_fail(err, CONFIG_ERR_BODY,
				  "invalid value: integer `%lld`, expected %s", (long long)n, type);
	*out = (uint64_t)n;
	if (present)
		*present = true;
	return 0;
}

int serde_bool(json_t *body, const char *key, int flags, bool *out, bool *present,
	       struct config_error *err)
{
	bool bad;
	json_t *v = field(body, key, flags, "a boolean", &bad, err);

	if (present)
		*present = false;
	if (bad)
		return -1;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return serde_invalid_type(v, "a boolean", err);
	*out = json_is_true(v);
	if (present)
		*present = true;
	return 0;
}

int serde_enum(json_t *body, const char *key, int flags, const char *const *variants, int *out,
	       bool *present, struct config_error *err)
{
	bool bad;
	json_t *v = field(body, key, flags, "a string", &bad, err);
	char names[256];

	if (present)
		*present = false;
	if (bad)
		return -1;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return serde_invalid_type(v, "variant identifier", err);
	for (int i = 0; variants[i]; i++) {
		if (strcmp(variants[i], json_string_value(v)) == 0) {
			*out = i;
			if (present)
				*present = true;
			return 0;
		}
	}
	list_names(variants, names, sizeof(names));
	return serde_fail(err, CONFIG_ERR_BODY, "unknown variant `%.64s`, expected %s",
			  json_string_value(v), names);
}

/* Configuration variables (§1.10): the `config = { ... }` block, overridden
 * by BPFTRACE_<NAME> / SONDE_<NAME> environment variables. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

enum value_kind { V_INT, V_BOOL, V_WORD };

/* Keys sonde knows. Those without an effect yet are accepted, so that
 * bpftrace scripts setting them still run. */
static const struct {
	const char *name;
	enum value_kind kind;
} known[] = {
	{ "max_strlen", V_INT },        { "max_map_keys", V_INT },    { "print_maps_on_exit", V_BOOL },
	{ "stack_mode", V_WORD },       { "missing_probes", V_WORD }, { "license", V_WORD },
	{ "str_trunc_trailer", V_WORD }, { "max_probes", V_INT },     { "max_bpf_progs", V_INT },
	{ "max_cat_bytes", V_INT },     { "perf_rb_pages", V_INT },   { "log_size", V_INT },
	{ "on_stack_limit", V_INT },    { "cache_user_symbols", V_WORD }, { "cpp_demangle", V_BOOL },
	{ "lazy_symbolication", V_BOOL }, { "show_debug_info", V_BOOL }, { "unstable_tseries", V_WORD },
	{ "unstable_dw_ustack", V_WORD }, { "unstable_import_statement", V_WORD },
	{ "unstable_typeinfo", V_WORD },
};

static const struct {
	const char *old, *new;
} renamed[] = {
	{ "strlen", "max_strlen" },          { "no_cpp_demangle", "cpp_demangle" },
	{ "cat_bytes_max", "max_cat_bytes" }, { "map_keys_max", "max_map_keys" },
};

/* "MAX_STRLEN", "BPFTRACE_MAX_STRLEN" -> "max_strlen" */
static char *normalize(struct arena *a, const char *key)
{
	if (!strncasecmp(key, "bpftrace_", 9))
		key += 9;
	else if (!strncasecmp(key, "sonde_", 6))
		key += 6;
	char *k = arena_strdup(a, key);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

static int known_index(const char *key)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].name, key))
			return (int)i;
	return -1;
}

/* Apply one setting; returns an error message or NULL. */
static const char *apply(struct arena *a, struct compile_options *o, const char *key, const char *text,
			 const struct node *value)
{
	int k = known_index(key);
	if (k < 0) {
		for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
			if (!strcmp(renamed[i].old, key))
				return arena_printf(a, "%s has been renamed to '%s'", key, renamed[i].new);
		return arena_printf(a, "%s: not a known configuration option", key);
	}
	uint64_t num = 0;
	bool is_num = false, is_bool = false, boolean = false;
	if (value && value->kind == N_INT) {
		num = value->ival;
		is_num = true;
	} else if (value && value->kind == N_BOOL) {
		boolean = value->ival != 0;
		is_bool = true;
	} else if (text) {
		char *end;
		num = strtoull(text, &end, 0);
		is_num = *text && !*end;
		if (!strcmp(text, "true") || !strcmp(text, "false")) {
			is_bool = true;
			boolean = text[0] == 't';
		}
	}
	switch (known[k].kind) {
	case V_INT:
		if (!is_num)
			return arena_printf(a, "%s: expects an integer", key);
		break;
	case V_BOOL:
		if (is_num && num <= 1) {
			is_bool = true;
			boolean = num == 1;
		}
		if (!is_bool)
			return arena_printf(a, "%s: expects true or false", key);
		break;
	case V_WORD:
		if (!text)
			return arena_printf(a, "%s: expects a word or a string", key);
		break;
	}
	if (!strcmp(key, "max_strlen")) {
		if (num < 1 || num > 65536)
			return "max_strlen: must be between 1 and 65536";
		o->max_strlen = (int)num;
	} else if (!strcmp(key, "max_map_keys")) {
		if (num < 1 || num > UINT32_MAX)
			return "max_map_keys: must be a positive 32-bit number";
		o->max_map_keys = (uint32_t)num;
	} else if (!strcmp(key, "print_maps_on_exit")) {
		o->print_maps_on_exit = boolean;
	} else if (!strcmp(key, "stack_mode")) {
		if (!strcmp(text, "bpftrace"))
			o->stack_mode = STACK_BPFTRACE;
		else if (!strcmp(text, "perf"))
			o->stack_mode = STACK_PERF;
		else if (!strcmp(text, "raw"))
			o->stack_mode = STACK_RAW;
		else
			return arena_printf(a, "stack_mode: '%s' is not one of bpftrace, perf, raw", text);
	} else if (!strcmp(key, "missing_probes")) {
		if (!strcmp(text, "error"))
			o->missing_probes = PROBE_MISSING_ERROR;
		else if (!strcmp(text, "warn"))
			o->missing_probes = PROBE_MISSING_WARN;
		else if (!strcmp(text, "ignore"))
			o->missing_probes = PROBE_MISSING_IGNORE;
		else
			return arena_printf(a, "missing_probes: '%s' is not one of error, warn, ignore", text);
	} else if (!strcmp(key, "license")) {
		static const char *const licenses[] = { "GPL", "GPL v2", "GPL and additional rights",
							"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" };
		bool ok = false;
		for (size_t i = 0; i < sizeof(licenses) / sizeof(licenses[0]); i++)
			ok = ok || !strcmp(licenses[i], text);
		if (!ok)
			return arena_printf(a, "license: '%s' is not a GPL-compatible license", text);
		o->license = text;
	}
	return NULL;
}

/* The text of a config value: a string, integer, bool or bare word. */
static const char *value_text(struct arena *a, const struct node *v)
{
	switch (v->kind) {
	case N_STR: return v->str;
	case N_IDENT: return v->name;
	case N_BOOL: return v->ival ? "true" : "false";
	case N_INT: return arena_printf(a, "%llu", (unsigned long long)v->ival);
	default: return NULL;
	}
}

int config_apply(struct compiler *c, struct compile_options *o)
{
	struct arena *a = c->arena;
	for (const struct node *e = c->ast->config; e; e = e->next) {
		const char *key = normalize(a, e->name);
		const char *text = value_text(a, e->a);
		if (!text) {
			diag_error(c->diags, &e->a->loc, "config values are integers, strings, true/false or words");
			continue;
		}
		const char *err = apply(a, o, key, text, e->a);
		if (err)
			diag_error(c->diags, &e->loc, "%s", err);
	}
	/* the environment beats the config block; SONDE_ beats BPFTRACE_ */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char name[64];
		const char *v = NULL;
		for (const char *prefix = "BPFTRACE_"; prefix; prefix = strcmp(prefix, "SONDE_") ? "SONDE_" : NULL) {
			size_t n = (size_t)snprintf(name, sizeof(name), "%s", prefix);
			for (const char *p = known[i].name; *p && n < sizeof(name) - 1; p++)
				name[n++] = (char)toupper((unsigned char)*p);
			name[n] = 0;
			const char *env = getenv(name);
			if (env)
				v = env;
		}
		if (!v)
			continue;
		const char *err = apply(a, o, known[i].name, v, NULL);
		if (err)
			diag_error(c->diags, NULL, "%s (from the environment)", err);
	}
	return c->diags->errors ? -1 : 0;
}

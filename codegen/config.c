/* Configuration variables (§1.10): the `config = { ... }` block, overridden
 * by BPFTRACE_<NAME> / SONDE_<NAME> environment variables. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "compiler.h"

enum value_kind { V_INT, V_BOOL, V_WORD };

/* A setting's value, parsed per its kind. */
struct config_value {
	const char *key;
	const char *text;
	uint64_t num;
	bool boolean;
};

/* The effect of a key on the options; returns an error message or NULL. */
typedef const char *(*config_set)(struct arena *a, struct compile_options *o, const struct config_value *v);

/* The index of text in a NULL-terminated list of words, -1 if absent. */
static int word_index(const char *const *words, const char *text)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], text))
			return i;
	return -1;
}

static const char *set_max_strlen(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	if (v->num < 1 || v->num > LIMIT_MAX_STRLEN)
		return arena_printf(a, "max_strlen: must be between 1 and %d", LIMIT_MAX_STRLEN);
	o->max_strlen = (int)v->num;
	return NULL;
}

static const char *set_max_map_keys(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	if (v->num < 1 || v->num > UINT32_MAX)
		return "max_map_keys: must be a positive 32-bit number";
	o->max_map_keys = (uint32_t)v->num;
	return NULL;
}

static const char *set_max_probes(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	if (v->num < 1 || v->num > UINT32_MAX)
		return "max_probes: must be a positive 32-bit number";
	o->max_probes = (uint32_t)v->num;
	return NULL;
}

static const char *set_max_cat_bytes(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	if (v->num < 1)
		return "max_cat_bytes: must be a positive number";
	o->max_cat_bytes = v->num;
	return NULL;
}

static const char *set_perf_rb_pages(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	/* the kernel's ring buffer is a power of 2 pages */
	if (v->num < 1 || v->num > (1u << 20) || (v->num & (v->num - 1)))
		return "perf_rb_pages: must be a power of 2 between 1 and 1048576";
	o->perf_rb_pages = (uint32_t)v->num;
	return NULL;
}

static const char *set_cpp_demangle(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	o->no_cpp_demangle = !v->boolean;
	return NULL;
}

static const char *set_show_debug_info(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	o->no_debug_info = !v->boolean;
	return NULL;
}

static const char *set_print_maps_on_exit(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	o->print_maps_on_exit = v->boolean;
	return NULL;
}

static const char *set_hist_percentiles(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	o->hist_percentiles = v->boolean;
	return NULL;
}

static const char *set_stack_mode(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	/* in the order of enum stack_mode */
	static const char *const modes[] = { "bpftrace", "perf", "raw", "build_id", NULL };
	int m = word_index(modes, v->text);
	if (m < 0)
		return arena_printf(a, "stack_mode: '%s' is not one of bpftrace, perf, raw, build_id", v->text);
	o->stack_mode = (enum stack_mode)m;
	return NULL;
}

static const char *set_missing_probes(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	/* in the order of enum probe_missing_mode */
	static const char *const modes[] = { "error", "warn", "ignore", NULL };
	int m = word_index(modes, v->text);
	if (m < 0)
		return arena_printf(a, "missing_probes: '%s' is not one of error, warn, ignore", v->text);
	o->missing_probes = m;
	return NULL;
}

static const char *set_license(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	static const char *const licenses[] = { "GPL", "GPL v2", "GPL and additional rights",
						"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL", NULL };
	if (word_index(licenses, v->text) < 0)
		return arena_printf(a, "license: '%s' is not a GPL-compatible license", v->text);
	o->license = v->text;
	return NULL;
}

/* The unstable features, in the order of enum unstable_feature: the name
 * messages use and the config key that sets how a use is reported. */
static const struct {
	const char *name, *key;
} unstable_features[UNSTABLE_NFEATURES] = {
	[UNSTABLE_TSERIES] = { "tseries", "unstable_tseries" },
	[UNSTABLE_DW_USTACK] = { "dw_ustack", "unstable_dw_ustack" },
	[UNSTABLE_IMPORT] = { "import", "unstable_import_statement" },
	[UNSTABLE_TYPEINFO] = { "typeinfo", "unstable_typeinfo" },
};

static const char *set_unstable(struct arena *a, struct compile_options *o, const struct config_value *v)
{
	/* in the order of enum unstable_mode */
	static const char *const modes[] = { "warn", "error", "enable", NULL };
	int m = word_index(modes, v->text);
	if (m < 0)
		return arena_printf(a, "%s: '%s' is not one of error, warn, enable", v->key, v->text);
	for (int f = 0; f < UNSTABLE_NFEATURES; f++)
		if (!strcmp(unstable_features[f].key, v->key))
			o->unstable[f] = (enum unstable_mode)m;
	return NULL;
}

void unstable_feature_use(struct compiler *c, enum unstable_feature f, const struct src_loc *loc)
{
	enum unstable_mode mode = c->opts->unstable[f];
	if (mode == UNSTABLE_ENABLE || (c->unstable_reported & (1u << f)))
		return;
	c->unstable_reported |= 1u << f;
	const char *name = unstable_features[f].name, *key = unstable_features[f].key;
	if (mode == UNSTABLE_ERROR)
		diag_error(c->diags, loc,
			   "%s is an unstable feature. To use it you must explicitly enable it in the config e.g. %s=enable",
			   name, key);
	else
		diag_warning(c->diags, loc,
			     "Script is using an unstable feature: %s. To prevent this warning you must explicitly "
			     "enable it in the config e.g. %s=enable",
			     name, key);
}

/* Keys sonde knows. Those without an effect (set == NULL) are accepted, so
 * that bpftrace scripts setting them still run. */
static const struct {
	const char *name;
	enum value_kind kind;
	config_set set;
} known[] = {
	{ "max_strlen", V_INT, set_max_strlen },
	{ "max_map_keys", V_INT, set_max_map_keys },
	{ "print_maps_on_exit", V_BOOL, set_print_maps_on_exit },
	{ "hist_percentiles", V_BOOL, set_hist_percentiles },
	{ "stack_mode", V_WORD, set_stack_mode },
	{ "missing_probes", V_WORD, set_missing_probes },
	{ "license", V_WORD, set_license },
	{ "str_trunc_trailer", V_WORD, NULL }, { "max_probes", V_INT, set_max_probes },
	{ "max_bpf_progs", V_INT, NULL },      { "max_cat_bytes", V_INT, set_max_cat_bytes },
	{ "perf_rb_pages", V_INT, set_perf_rb_pages },      { "log_size", V_INT, NULL },
	{ "on_stack_limit", V_INT, NULL },     { "cache_user_symbols", V_WORD, NULL },
	{ "cpp_demangle", V_BOOL, set_cpp_demangle },      { "lazy_symbolication", V_BOOL, NULL },
	{ "show_debug_info", V_BOOL, set_show_debug_info },   { "unstable_tseries", V_WORD, set_unstable },
	{ "unstable_dw_ustack", V_WORD, set_unstable }, { "unstable_import_statement", V_WORD, set_unstable },
	{ "unstable_typeinfo", V_WORD, set_unstable },
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
	struct config_value v = { .key = key, .text = text };
	bool is_num = false, is_bool = false;
	if (value && value->kind == N_INT) {
		v.num = value->ival;
		is_num = true;
	} else if (value && value->kind == N_BOOL) {
		v.boolean = value->ival != 0;
		is_bool = true;
	} else if (text) {
		char *end;
		v.num = strtoull(text, &end, 0);
		is_num = *text && !*end;
		if (!strcmp(text, "true") || !strcmp(text, "false")) {
			is_bool = true;
			v.boolean = text[0] == 't';
		}
	}
	switch (known[k].kind) {
	case V_INT:
		if (!is_num)
			return arena_printf(a, "%s: expects an integer", key);
		break;
	case V_BOOL:
		if (is_num && v.num <= 1) {
			is_bool = true;
			v.boolean = v.num == 1;
		}
		if (!is_bool)
			return arena_printf(a, "%s: expects true or false", key);
		break;
	case V_WORD:
		if (!text)
			return arena_printf(a, "%s: expects a word or a string", key);
		break;
	}
	return known[k].set ? known[k].set(a, o, &v) : NULL;
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

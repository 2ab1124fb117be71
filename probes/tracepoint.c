/* tracepoint:CATEGORY:EVENT (alias t). Events and their argument formats
 * come from tracefs (events/CAT/EVENT/format). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "../common/file.h"
#include "internal.h"

static const char *const tracepoint_aliases[] = { "t", NULL };

static int tracepoint_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			    const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *cat, *event;

	if (nparts == 3) {
		cat = parts[1];
		event = parts[2];
	} else if (nparts == 2 && probe_has_wildcard(parts[1])) {
		/* `tracepoint:*foo*` means `tracepoint:*:*foo*`. */
		cat = "*";
		event = parts[1];
	} else {
		return probe_arity_error(d, loc, "tracepoint", "2", nparts - 1);
	}
	if (!*cat || !*event) {
		diag_error(d, loc, "tracepoint probe type requires a category and an event: %s:%s",
			   cat, event);
		return -1;
	}
	out->target = cat;
	out->func = event;
	out->canonical = arena_printf(a, "tracepoint:%s:%s", cat, event);
	return 0;
}

static bool is_dir_at(DIR *dir, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	return !fstatat(dirfd(dir), de->d_name, &st, 0) && S_ISDIR(st.st_mode);
}

/* Call fn for every tracefs event whose category and event names match the
 * globs. Returns -1 if the events directory cannot be read. */
static int for_each_event(const char *cat_glob, const char *event_glob,
			  void (*fn)(const char *cat, const char *event, void *arg), void *arg)
{
	const char *tracefs = probe_tracefs_dir();
	char path[4096];
	DIR *events;
	struct dirent *cde;

	if (!tracefs)
		return -1;
	snprintf(path, sizeof(path), "%s/events", tracefs);
	events = opendir(path);
	if (!events)
		return -1;
	while ((cde = readdir(events))) {
		DIR *cat;
		struct dirent *ede;

		if (cde->d_name[0] == '.' || !is_dir_at(events, cde) ||
		    !probe_glob_match(cat_glob, cde->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", tracefs, cde->d_name);
		cat = opendir(path);
		if (!cat)
			continue;
		while ((ede = readdir(cat)))
			if (ede->d_name[0] != '.' && is_dir_at(cat, ede) &&
			    probe_glob_match(event_glob, ede->d_name))
				fn(cde->d_name, ede->d_name, arg);
		closedir(cat);
	}
	closedir(events);
	return 0;
}

struct expand_ctx {
	struct arena *a;
	const struct attach_spec *pattern;
	struct spec_vec sv;
};

static void expand_one(const char *cat, const char *event, void *arg)
{
	struct expand_ctx *x = arg;
	struct attach_spec *s = spec_vec_push(x->a, &x->sv);

	*s = *x->pattern;
	s->target = arena_strdup(x->a, cat);
	s->func = arena_strdup(x->a, event);
	s->canonical = arena_printf(x->a, "tracepoint:%s:%s", cat, event);
}

static bool tracepoint_exists(const char *tracefs, const char *cat, const char *event)
{
	char path[4096];

	/* Refuse names that would walk out of events/. */
	if (strchr(cat, '/') || strchr(event, '/') || !strcmp(cat, "..") || !strcmp(event, ".."))
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, cat, event);
	/* effective ids and capabilities: a user holding CAP_DAC_READ_SEARCH
	 * can read tracefs, which access() (real ids) would deny */
	return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}

static int tracepoint_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
			     const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out, int *n)
{
	const char *tracefs = probe_tracefs_dir();
	struct expand_ctx x = { .a = a, .pattern = pattern };

	*out = NULL;
	*n = 0;
	if (!tracefs) {
		diag_error(d, loc, "Cannot look up %s: tracefs is not mounted "
			   "(neither /sys/kernel/tracing nor /sys/kernel/debug/tracing has events/)",
			   pattern->canonical);
		return -1;
	}
	if (!probe_has_wildcard(pattern->target) && !probe_has_wildcard(pattern->func)) {
		if (!tracepoint_exists(tracefs, pattern->target, pattern->func))
			return probe_missing(d, loc, ctx->missing, "Unknown tracepoint: %s",
					     pattern->canonical);
		*out = arena_alloc(a, sizeof(**out));
		**out = *pattern;
		*n = 1;
		return 0;
	}
	if (for_each_event(pattern->target, pattern->func, expand_one, &x)) {
		diag_error(d, loc, "Cannot read %s/events: %s", tracefs, strerror(errno));
		return -1;
	}
	if (x.sv.n == 0)
		return probe_missing(d, loc, ctx->missing, "No tracepoints matched: %s",
				     pattern->canonical);
	spec_vec_sort_unique(&x.sv);
	*out = x.sv.v;
	*n = x.sv.n;
	return 0;
}

static const char *tracepoint_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "tracepoint/%s/%s", spec->target, spec->func);
}

static int tracepoint_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			     struct probe_link **links, int *nlinks)
{
	/* One perf event serves every CPU; -p is an implicit filter in the
	 * generated code, not an attach option. */
	struct bpf_link *l = bpf_program__attach_tracepoint(prog, spec->target, spec->func);
	long err = libbpf_get_error(l);

	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

/* ---- format files ------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* "const char * filename", "char comm[16]", "__data_loc char[] name". */
static bool parse_decl(struct arena *a, char *decl, struct tp_field *f)
{
	char *name_end, *name, *type, *bracket = NULL;
	bool data_loc = false;

	decl = trim(decl);
	f->decl = arena_strdup(a, decl);
	if (!strncmp(decl, "__data_loc ", 11)) {
		data_loc = true;
		decl = trim(decl + 11);
	}
	name_end = decl + strlen(decl);
	if (name_end > decl && name_end[-1] == ']') {
		bracket = strrchr(decl, '[');
		if (!bracket)
			return false;
		name_end = bracket;
		while (name_end > decl && isspace((unsigned char)name_end[-1]))
			name_end--;
	}
	name = name_end;
	while (name > decl && is_ident_char(name[-1]))
		name--;
	if (name == name_end)
		return false;
	f->name = arena_strndup(a, name, (size_t)(name_end - name));
	type = arena_strndup(a, decl, (size_t)(name - decl));
	type = trim(type);
	if (data_loc && !bracket) {
		/* `__data_loc char[] name`: the brackets belong to the type. */
		size_t tl = strlen(type);
		if (tl >= 2 && !strcmp(type + tl - 2, "[]"))
			bracket = type + tl - 2;
	}
	f->is_data_loc = data_loc;
	if (bracket && !data_loc) {
		char *endp;
		long len = strtol(bracket + 1, &endp, 0);
		f->array_len = *endp == ']' && len > 0 ? (int)len : 0;
		f->ctype = arena_printf(a, "%s[%d]", type, f->array_len);
	} else {
		f->ctype = type;
	}
	/* The element type decides whether an array is a string. */
	if (bracket) {
		char base[64];
		size_t bl = data_loc ? (size_t)(bracket - type) : strlen(type);
		if (bl < sizeof(base)) {
			memcpy(base, type, bl);
			base[bl] = '\0';
			char *b = trim(base);
			f->is_char_array = !strcmp(b, "char") || !strcmp(b, "const char");
		}
	}
	f->is_pointer = !bracket && type[0] && type[strlen(type) - 1] == '*';
	return true;
}

int tracepoint_format(struct arena *a, const char *category, const char *event,
		      struct tp_format *out)
{
	const char *tracefs = probe_tracefs_dir();
	char path[4096], *text, *save = NULL;
	int cap = 0;

	out->nfields = 0;
	out->fields = NULL;
	if (!tracefs || !tracepoint_exists(tracefs, category, event))
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, category, event);
	text = file_read_all(path, NULL);
	if (!text)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "field:"), *semi;
		struct tp_field f = { 0 };
		int off, size, sign;

		if (!p)
			continue;
		p += 6;
		semi = strchr(p, ';');
		if (!semi)
			continue;
		*semi = '\0';
		if (sscanf(semi + 1, " offset:%d; size:%d; signed:%d;", &off, &size, &sign) != 3)
			continue;
		if (!parse_decl(a, p, &f) || !strncmp(f.name, "common_", 7))
			continue;
		f.offset = off;
		f.size = size;
		f.is_signed = sign != 0;
		if (out->nfields == cap) {
			cap = cap ? cap * 2 : 16;
			struct tp_field *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
			if (out->nfields)
				memcpy(v, out->fields, sizeof(*v) * (size_t)out->nfields);
			out->fields = v;
		}
		out->fields[out->nfields++] = f;
	}
	free(text);
	return 0;
}

/* ---- listing ------------------------------------------------------------ */

struct list_ctx {
	struct arena *a;
	const char *pattern;
	struct str_vec names;
};

static void list_one(const char *cat, const char *event, void *arg)
{
	struct list_ctx *x = arg;
	char *name = arena_printf(x->a, "tracepoint:%s:%s", cat, event);

	if (probe_list_match(x->pattern, name))
		str_vec_push(x->a, &x->names, name);
}

static void tracepoint_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			    bool verbose)
{
	struct arena a = { 0 };
	struct list_ctx x = { .a = &a, .pattern = pattern };

	if (for_each_event("*", "*", list_one, &x) == 0) {
		str_vec_sort_unique(&x.names);
		for (int i = 0; i < x.names.n; i++) {
			fprintf(out, "%s\n", x.names.v[i]);
			if (!verbose)
				continue;
			/* "tracepoint:CAT:EVENT": neither part contains ':'. */
			const char *cat = x.names.v[i] + strlen("tracepoint:");
			const char *colon = strchr(cat, ':');
			char *c = arena_strndup(&a, cat, (size_t)(colon - cat));
			struct tp_format fmt;
			if (tracepoint_format(&a, c, colon + 1, &fmt))
				continue;
			for (int j = 0; j < fmt.nfields; j++)
				fprintf(out, "    %s\n", fmt.fields[j].decl);
		}
	}
	arena_free(&a);
}

const struct probe_ops probe_tracepoint_ops = {
	.name = "tracepoint",
	.aliases = tracepoint_aliases,
	.kind = PROBE_TRACEPOINT,
	.flags = PF_ARGS | PF_PID_FILTER | PF_LISTED | PF_GLOB_CANDIDATE | PF_SIGNAL,
	.parse = tracepoint_parse,
	.expand = tracepoint_expand,
	.section = tracepoint_section,
	.attach = tracepoint_attach,
	.list = tracepoint_list,
};

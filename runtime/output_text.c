/* Text rendering of values (§10.2) and text map printing (§10.3). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "output.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/types.h"
#include "symbols.h"
#include "values.h"

static void render_int(FILE *f, uint64_t v, bool is_signed)
{
	if (is_signed)
		fprintf(f, "%" PRId64, (int64_t)v);
	else
		fprintf(f, "%" PRIu64, v);
}

/* Raw bytes up to the NUL; no NUL within the capacity means the value was
 * cut: mark it with the trailer. */
static void render_string(FILE *f, const unsigned char *s, size_t cap)
{
	const unsigned char *nul = memchr(s, '\0', cap);

	fwrite(s, 1, nul ? (size_t)(nul - s) : cap, f);
	if (!nul && cap)
		fputs(OUTPUT_TRUNC_TRAILER, f);
}

static void render_probe(FILE *f, const struct compiled_program *prog, uint64_t idx)
{
	if (prog && idx < (uint64_t)prog->nprobe_names && prog->probe_names[idx])
		fputs(prog->probe_names[idx], f);
	else
		fprintf(f, "%" PRIu64, idx);
}

static void render_tuple(struct output *o, FILE *f, const struct type *t,
			 const unsigned char *data)
{
	if (t->names && t->nfields == 0) {
		fputs("{}", f);
		return;
	}
	fputs(t->names ? "{ " : "(", f);
	for (int i = 0; i < t->nfields; i++) {
		if (i)
			fputs(", ", f);
		if (t->names)
			fprintf(f, ".%s = ", t->names[i]);
		output_text(o, f, t->fields[i], data + t->offsets[i]);
	}
	fputs(t->names ? " }" : ")", f);
}

/* stats: the average divided by div. */
static void render_stats(FILE *f, const struct agg_value *a, int64_t div, bool is_signed)
{
	fprintf(f, "{ .count = %" PRIu64 ", .average = ", a->count);
	render_int(f, agg_div((uint64_t)a->num, is_signed, div), is_signed);
	fputs(", .total = ", f);
	render_int(f, (uint64_t)a->total, is_signed);
	fputs(" }", f);
}

/* ---- stacks and symbols (§10.6) ---- */

#define DEFAULT_STACK_FRAMES 127
#define MAX_STACK_FRAMES 1024

struct symbolizer *output_symbolizer(struct output *o)
{
	if (!o->syms)
		o->syms = symbolizer_new();
	return o->syms;
}

/* "name+off" (with_offset) or "name"; unknown: 0x + hex. */
static void render_ksym(struct output *o, FILE *f, uint64_t addr, bool with_offset)
{
	const char *name;
	uint64_t off;

	if (ksym_lookup(output_symbolizer(o), addr, &name, &off)) {
		fputs(name, f);
		if (with_offset)
			fprintf(f, "+%" PRIu64, off);
	} else {
		fprintf(f, "0x%" PRIx64, addr);
	}
}

/* As render_ksym; perf mode adds " (module)" / " ([unknown])". */
static void render_usym(struct output *o, FILE *f, uint32_t pid, uint64_t addr, bool with_offset,
			bool with_module)
{
	const char *name, *module;
	uint64_t off;

	if (usym_lookup(output_symbolizer(o), pid, addr, &name, &off, &module)) {
		fputs(name, f);
		if (with_offset)
			fprintf(f, "+%" PRIu64, off);
		if (with_module)
			fprintf(f, " (%s)", module ? module : "[unknown]");
	} else {
		fprintf(f, "0x%" PRIx64, addr);
		if (with_module)
			fputs(" ([unknown])", f);
	}
}

/* The frames of stack id from the stack map: a calloc'ed array of *n
 * entries (0-terminated list of IPs), NULL when unavailable. */
static uint64_t *read_stack(struct output *o, int64_t id, size_t *n)
{
	size_t frames = o->prog && o->prog->stack_frames > 0 ? (size_t)o->prog->stack_frames
							     : DEFAULT_STACK_FRAMES;

	if (id < 0 || id > UINT32_MAX || o->stack_fd < 0)
		return NULL;
	/* room for the largest stack map value, whatever the program says */
	uint64_t *v = calloc(frames > MAX_STACK_FRAMES ? frames : MAX_STACK_FRAMES, sizeof(*v));
	uint32_t key = (uint32_t)id;
	if (!v || bpf_map_lookup_elem(o->stack_fd, &key, v)) {
		free(v);
		return NULL;
	}
	*n = frames;
	return v;
}

void output_stack_text(struct output *o, FILE *f, const struct type *t, const void *data,
		       bool json)
{
	const unsigned char *d = data;
	bool user = t->kind == TY_USTACK;
	uint32_t pid = user ? (uint32_t)rd64(d + 8) : 0;
	size_t n = 0;
	uint64_t *frames = read_stack(o, (int64_t)rd64(d), &n);
	size_t limit = t->stack_limit > 0 ? (size_t)t->stack_limit : DEFAULT_STACK_FRAMES;

	if (!json)
		fputc('\n', f);
	for (size_t i = 0; frames && i < n && i < limit && frames[i]; i++) {
		uint64_t ip = frames[i];

		switch (t->stack_mode) {
		case STACK_RAW:
			fprintf(f, "%" PRIx64 "\n", ip);
			continue;
		case STACK_PERF:
			fprintf(f, "\t%" PRIx64 " ", ip);
			break;
		default:
			fputs("        ", f);
			break;
		}
		if (user)
			render_usym(o, f, pid, ip, true, t->stack_mode == STACK_PERF);
		else
			render_ksym(o, f, ip, true);
		fputc('\n', f);
	}
	free(frames);
}

/* strftime(): a boot-clock timestamp as local wall time. Besides the C
 * conversions, %f is microseconds (6 digits), %l milliseconds (3) and %k
 * nanoseconds (9). */
void render_timestamp(FILE *f, const char *fmt, uint64_t boot_ns)
{
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	int64_t now_real = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
	int64_t now_boot = (int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec;
	int64_t wall = now_real - (now_boot - (int64_t)boot_ns);
	time_t secs = (time_t)(wall / 1000000000);
	long nanos = (long)(wall % 1000000000);
	struct tm tm;
	localtime_r(&secs, &tm);
	/* expand the sub-second conversions first, then let strftime do the rest */
	char expanded[1024], out[1024];
	size_t j = 0;
	for (const char *p = fmt; *p && j < sizeof(expanded) - 16; p++) {
		if (p[0] == '%' && (p[1] == 'f' || p[1] == 'l' || p[1] == 'k')) {
			long v = p[1] == 'f' ? nanos / 1000 : p[1] == 'l' ? nanos / 1000000 : nanos;
			int width = p[1] == 'f' ? 6 : p[1] == 'l' ? 3 : 9;
			j += (size_t)snprintf(expanded + j, sizeof(expanded) - j, "%0*ld", width, v);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			expanded[j++] = *p++;
			expanded[j++] = *p;
		} else {
			expanded[j++] = *p;
		}
	}
	expanded[j] = 0;
	size_t n = strftime(out, sizeof(out), expanded, &tm);
	fwrite(out, 1, n, f);
}

/* ntop(): { u64 family; u8 address[16] } */
void render_inet(FILE *f, const unsigned char *d)
{
	char text[INET6_ADDRSTRLEN];
	int family = rd64(d) == AF_INET6 ? AF_INET6 : AF_INET;
	if (inet_ntop(family, d + 8, text, sizeof(text)))
		fputs(text, f);
}

/* ---- values ---- */

void output_text(struct output *o, FILE *f, const struct type *t, const void *data)
{
	const unsigned char *d = data;

	switch (t->kind) {
	case TY_INT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
		render_int(f, rd64(d), t->is_signed);
		break;
	case TY_COUNT:
		render_int(f, rd64(d), false);
		break;
	case TY_BOOL:
		fputs(rd64(d) ? "true" : "false", f);
		break;
	case TY_POINTER:
		fprintf(f, "0x%" PRIx64, rd64(d));
		break;
	case TY_STRING:
		render_string(f, d, t->size);
		break;
	case TY_TUPLE:
		render_tuple(o, f, t, d);
		break;
	case TY_PROBE:
		render_probe(f, o->prog, rd64(d));
		break;
	case TY_AVG:
		render_int(f, (uint64_t)agg_stats_read(d, t->is_signed).num, t->is_signed);
		break;
	case TY_STATS: {
		struct agg_value a = agg_stats_read(d, t->is_signed);
		render_stats(f, &a, 0, t->is_signed);
		break;
	}
	case TY_KSTACK:
	case TY_USTACK:
		output_stack_text(o, f, t, d, false);
		break;
	case TY_KSYM:
		render_ksym(o, f, rd64(d), false);
		break;
	case TY_USYM:
		render_usym(o, f, (uint32_t)rd64(d + 8), rd64(d), false, false);
		break;
	case TY_TIMESTAMP:
		render_timestamp(f, t->time_fmt, rd64(d));
		break;
	case TY_INET:
		render_inet(f, d);
		break;
	default:
		/* void, hist/lhist: nothing printable as a single value */
		break;
	}
}

char *output_text_alloc(struct output *o, const struct type *t, const void *data, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	output_text(o, f, t, data);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

/* A rendering context with only the program (see output.h). */
static void bare_output(struct output *o, const struct compiled_program *prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->stack_fd = -1;
}

void output_render_text(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data)
{
	struct output o;

	bare_output(&o, prog);
	output_text(&o, f, t, data);
	output_free(&o);
}

char *output_render_text_alloc(const struct compiled_program *prog, const struct type *t,
			       const void *data, size_t *len)
{
	struct output o;

	bare_output(&o, prog);
	char *s = output_text_alloc(&o, t, data, len);
	output_free(&o);
	return s;
}

void output_render_json(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data)
{
	struct output o;

	bare_output(&o, prog);
	output_json(&o, f, t, data);
	output_free(&o);
}

char *output_map_key(struct output *o, const struct type *t, const void *key, bool json)
{
	size_t n;
	char *s;

	if (json && (t->kind == TY_KSTACK || t->kind == TY_USTACK)) {
		/* the JSON string of the stack, spaces kept */
		FILE *f = open_memstream(&s, &n);
		if (!f)
			return NULL;
		output_stack_text(o, f, t, key, true);
		if (fclose(f)) {
			free(s);
			return NULL;
		}
		return s;
	}
	s = output_text_alloc(o, t, key, &n);
	if (!s)
		return NULL;
	/* done on the text, as bpftrace does: "(x)" prints as x too */
	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		memmove(s, s + 1, n - 2);
		n -= 2;
		s[n] = '\0';
	}
	if (json) {
		size_t j = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i] != ' ')
				s[j++] = s[i];
		s[j] = '\0';
	}
	return s;
}

char *output_key_text(const struct compiled_program *prog, const struct type *t, const void *key,
		      bool json)
{
	struct output o;

	bare_output(&o, prog);
	char *s = output_map_key(&o, t, key, json);
	output_free(&o);
	return s;
}

/* The value part of a non-histogram entry. */
static void print_entry_value(struct output *o, FILE *f, const struct type *vt,
			      const struct map_entry *e, int64_t div)
{
	uint64_t v;
	bool is_signed;

	if (vt->kind == TY_STATS)
		render_stats(f, &e->agg, div, vt->is_signed);
	else if (agg_number(vt, &e->agg, e->value, div, &v, &is_signed))
		render_int(f, v, is_signed);
	else
		output_text(o, f, vt, e->value);
}

static void print_entry_name(struct output *o, FILE *f, const struct map_desc *m,
			     const struct map_entry *e)
{
	fputs(m->name, f);
	if (!m->key)
		return;
	char *k = output_map_key(o, m->key, e->key, false);
	fprintf(f, "[%s]", k ? k : "?");
	free(k);
}

void output_map_text(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
		     size_t first, int64_t div)
{
	FILE *f = o->out;
	bool hist = map_is_hist(m);

	for (size_t i = first; i < s->n; i++) {
		const struct map_entry *e = &s->entries[i];

		print_entry_name(o, f, m, e);
		if (hist) {
			fputs(":\n", f);
			hist_print_text(f, m->value, e->buckets, e->nbuckets, div);
			fputc('\n', f);
			continue;
		}
		fputs(": ", f);
		print_entry_value(o, f, m->value, e, div);
		fputc('\n', f);
	}
}

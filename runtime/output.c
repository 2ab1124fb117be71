/* Program output records: printf, print(), time, attached (§10); values
 * rendered with only the program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream, localtime_r */
#endif
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "printf.h"

void output_printf(struct output *o, const char *fmt, const struct type *args, const void *data)
{
	if (o->mode == OUTPUT_TEXT) {
		format_print_out(o->out, fmt, args, data, o);
		return;
	}
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return;
	format_print_out(f, fmt, args, data, o);
	if (!fclose(f))
		json_write_text_record(o->out, "printf", buf, n);
	free(buf);
}

void output_array(struct output *o, FILE *f, const struct type *t, const void *data,
		  void (*write_element)(struct output *, FILE *, const struct type *, const void *))
{
	size_t step = type_field_size(t->pointee);
	fputc('[', f);
	for (size_t i = 0; i < t->nelems; i++) {
		if (i)
			fputc(',', f);
		write_element(o, f, t->pointee, (const unsigned char *)data + i * step);
	}
	fputc(']', f);
}

void output_value(struct output *o, const struct type *t, const void *data)
{
	if (o->mode == OUTPUT_TEXT) {
		output_text(o, o->out, t, data);
		fputc('\n', o->out);
		return;
	}
	json_record_begin(o->out, "value");
	output_json(o, o->out, t, data);
	json_record_end(o->out);
}

void output_attached(struct output *o, int nprobes)
{
	if (o->mode == OUTPUT_JSON)
		fprintf(o->out, "{\"type\": \"attached_probes\", \"count\": %d, \"data\": {\"probes\": %d}}\n",
			nprobes, nprobes);
}

void output_time(struct output *o, const char *fmt)
{
	char buf[1024];
	time_t now = time(NULL);
	struct tm tm;

	if (!fmt)
		fmt = "%H:%M:%S\n";
	if (now == (time_t)-1 || !localtime_r(&now, &tm))
		return;
	size_t n = strftime(buf, sizeof(buf), fmt, &tm);
	if (o->mode == OUTPUT_JSON)
		json_write_text_record(o->out, "time", buf, n);
	else
		fwrite(buf, 1, n, o->out);
}

void output_exit_separator(struct output *o)
{
	if (o->mode == OUTPUT_TEXT && !o->folded)
		fputs("\n\n", o->out);
}

char *output_render_text_alloc(const struct compiled_program *prog, const struct type *t,
			       const void *data, size_t *len)
{
	struct output o;

	output_init_bare(&o, prog);
	char *s = output_text_alloc(&o, t, data, len);
	output_free(&o);
	return s;
}

char *output_key_text(const struct compiled_program *prog, const struct type *t, const void *key,
		      bool json)
{
	struct output o;

	output_init_bare(&o, prog);
	char *s = output_map_key(&o, t, key, json);
	output_free(&o);
	return s;
}

/* Program output records: printf, print(), maps, time, attached (§10). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream, localtime_r */
#endif
#include "output.h"

#include <bpf/libbpf.h>
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

int output_map(struct output *o, const struct map_desc *m, int map_fd, int64_t top, int64_t div,
	       bool explicit_print)
{
	struct map_snapshot s;
	int ncpus = o->ncpus > 0 ? o->ncpus : libbpf_num_possible_cpus();
	int err = map_snapshot_read(&s, m, map_fd, ncpus > 0 ? ncpus : 1);

	if (!err && s.n == 0 && explicit_print && !m->key && !map_is_hist(m))
		err = map_snapshot_add_zero(&s, m);
	if (err) {
		map_snapshot_free(&s);
		return err;
	}
	map_snapshot_sort(&s, m);
	/* top: the last `top` entries of the ascending order */
	size_t first = top > 0 && (uint64_t)top < s.n ? s.n - (size_t)top : 0;
	if (o->mode == OUTPUT_JSON)
		output_map_json(o, m, &s, first, div);
	else
		output_map_text(o, m, &s, first, div);
	map_snapshot_free(&s);
	return 0;
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
	if (o->mode == OUTPUT_TEXT)
		fputs("\n\n", o->out);
}

void output_free(struct output *o)
{
	symbolizer_free(o->syms);
	o->syms = NULL;
}

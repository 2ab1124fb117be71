/* Events whose work happens in user space: system() runs a shell command,
 * cat() prints a file, join() prints an array of strings. Their output is
 * program output: text, or one JSON record each. */
#include "actions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "printf.h"
#include "values.h"

/* The printf-formatted text of an event (command, file name). */
static char *formatted(struct output *o, const struct action *a, const void *payload)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	format_print_out(m, a->fmt, a->type, payload, o);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void emit(struct output *o, const char *record, const char *data, size_t n)
{
	if (o->mode == OUTPUT_JSON)
		json_write_text_record(o->out, record, data, n);
	else
		fwrite(data, 1, n, o->out);
}

/* Copy what f yields to the output; event processing waits meanwhile. */
static void copy_stream(struct output *o, const char *record, FILE *f, size_t limit)
{
	char buf[4096];
	size_t n, total = 0;
	while (total < limit && (n = fread(buf, 1, sizeof(buf) < limit - total ? sizeof(buf) : limit - total, f)) > 0) {
		emit(o, record, buf, n);
		total += n;
	}
}

void action_system(struct output *o, const struct action *a, const void *payload)
{
	char *cmd = formatted(o, a, payload);
	if (!cmd)
		return;
	fflush(o->out);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!p) {
		fprintf(stderr, "WARNING: system() failed: %s\n", strerror(errno));
		return;
	}
	copy_stream(o, "syscall", p, (size_t)-1);
	pclose(p);
}

void action_cat(struct output *o, const struct action *a, const void *payload)
{
	char *path = formatted(o, a, payload);
	if (!path)
		return;
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ERROR: failed to open file '%s': %s\n", path, strerror(errno));
	} else {
		copy_stream(o, "cat", f, o->prog->max_cat_bytes);
		fclose(f);
	}
	free(path);
}

void action_join(struct output *o, const struct action *a, const void *payload)
{
	uint64_t count = rd64(payload);
	if (count > JOIN_MAX_ELEMS)
		count = JOIN_MAX_ELEMS;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return;
	const char *elems = (const char *)payload + 8;
	for (uint64_t i = 0; i < count; i++) {
		const char *e = elems + i * JOIN_ELEM_SIZE;
		if (i)
			fputs(a->fmt, m);
		fwrite(e, 1, strnlen(e, JOIN_ELEM_SIZE), m);
	}
	if (o->mode == OUTPUT_TEXT)
		fputc('\n', m);
	if (fclose(m) == 0)
		emit(o, "join", text, len);
	free(text);
}

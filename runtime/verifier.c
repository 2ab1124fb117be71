#include "verifier.h"

#include <stdbool.h>
#include <string.h>

/* Kernel verifier messages and what they mean for a script. */
static const struct {
	const char *needle;
	const char *meaning;
} reasons[] = {
	{ "BPF program is too large", "the program is too complex for the BPF verifier (a loop runs too many times?)" },
	{ "is too complex", "the program is too complex for the BPF verifier (a loop runs too many times?)" },
	{ "infinite loop detected", "the BPF verifier found a loop that may never end" },
	{ "back-edge", "the BPF verifier refused a loop" },
	{ "combined stack size", "BPF stack limit of 512 bytes exceeded" },
	{ "stack limit", "BPF stack limit of 512 bytes exceeded" },
	{ "invalid stack off", "BPF stack limit of 512 bytes exceeded" },
	{ "unknown func", "helper not allowed in this probe type" },
	{ "program of this type cannot use helper", "helper not allowed in this probe type" },
	{ "cannot call GPL-restricted function", "a helper requires a GPL-compatible license" },
	{ "invalid mem access", "invalid memory access (internal code generation problem)" },
	{ "invalid access to map value", "out-of-bounds access to a map value (internal code generation problem)" },
};

/* The last line of the log that is neither an instruction dump nor the
 * final statistics: the verifier's own complaint. */
static void last_message(const char *log, char *buf, size_t len)
{
	buf[0] = 0;
	const char *line = log;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		bool insn = n && line[0] >= '0' && line[0] <= '9' && memchr(line, ':', n);
		bool stats = !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
			     !strncmp(line, "stack depth", 11);
		if (n && !insn && !stats && line[0] != ';' && n < len) {
			memcpy(buf, line, n);
			buf[n] = 0;
		}
		if (!end)
			break;
		line = end + 1;
	}
}

/* The last `@ FILE:LINE` annotation the verifier printed (line info). */
static void last_source(const char *log, char *buf, size_t len)
{
	buf[0] = 0;
	for (const char *p = strstr(log, " @ "); p; p = strstr(p + 3, " @ ")) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p - 3) : strlen(p + 3);
		if (n < len) {
			memcpy(buf, p + 3, n);
			buf[n] = 0;
		}
	}
}

void verifier_explain(FILE *f, const char *probe, const char *log, int tail_lines)
{
	char msg[512], src[256];
	last_message(log, msg, sizeof(msg));
	last_source(log, src, sizeof(src));
	const char *meaning = NULL;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]) && !meaning; i++)
		if (strstr(log, reasons[i].needle))
			meaning = reasons[i].meaning;
	fprintf(f, "ERROR: the kernel verifier rejected probe %s%s%s: %s\n", probe, *src ? " at " : "", src,
		meaning ? meaning : *msg ? msg : "no reason given");
	if (meaning && *msg)
		fprintf(f, "HINT: verifier message: %s\n", msg);
	const char *tail = log;
	int lines = 0;
	for (const char *p = log + strlen(log); p > log; p--)
		if (*p == '\n' && p[1] && ++lines > tail_lines) {
			tail = p + 1;
			break;
		}
	if (*tail) {
		fputs(tail, f);
		if (tail[strlen(tail) - 1] != '\n')
			fputc('\n', f);
	}
}

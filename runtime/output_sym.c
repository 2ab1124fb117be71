/* Text of the values that need outside context: stacks and symbols (the
 * stack map and the symbolizer, §10.6), timestamps (the clocks) and inet
 * addresses. Both renderers use it: JSON writes this text as strings. Also
 * the output context's own state (the symbolizer it holds). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* localtime_r */
#endif
#include "output.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/demangle.h"
#include "../common/types.h"
#include "source_frames.h"
#include "symbols.h"
#include "../common/syscall_names.h"
#include "values.h"

/* ---- the output context ---- */

void output_init_bare(struct output *o, const struct compiled_program *prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->stack_fd = -1;
	o->ustack_fd = -1;
}

struct symbolizer *output_symbolizer(struct output *o)
{
	if (o->syms)
		return o->syms;
	o->syms = symbolizer_new();
	for (int i = 0; o->syms && o->prog && i < o->prog->nprogs; i++) {
		const struct attach_spec *spec = &o->prog->progs[i].spec;
		if ((spec->flags & PF_USER) && spec->target)
			symbolizer_add_binary(o->syms, spec->target);
	}
	return o->syms;
}

void output_free(struct output *o)
{
	symbolizer_free(o->syms);
	o->syms = NULL;
	source_frames_free(o->frames);
	o->frames = NULL;
}

/* ---- stacks and symbols (§10.6) ---- */

#define DEFAULT_STACK_FRAMES 127
#define MAX_STACK_FRAMES 1024

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

/* A user symbol found (or not) for addr: "name+off" (with_offset) or
 * "name", demangled unless cpp_demangle is off; unknown: 0x + hex. Perf
 * mode adds " (module)" / " ([unknown])". */
static void print_usym(struct output *o, FILE *f, bool found, const char *name, uint64_t off,
		       const char *module, uint64_t addr, bool with_offset, bool with_module)
{
	if (found) {
		char *readable = o->prog && o->prog->no_cpp_demangle ? NULL : demangle(name);
		fputs(readable ? readable : name, f);
		free(readable);
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

static void render_usym(struct output *o, FILE *f, uint32_t pid, uint64_t addr, bool with_offset,
			bool with_module)
{
	const char *name, *module;
	uint64_t off;
	bool found = usym_lookup(output_symbolizer(o), pid, addr, &name, &off, &module);

	print_usym(o, f, found, name, off, module, addr, with_offset, with_module);
}

/* show_debug_info: with the DWARF of module, the frame as its source lines
 * ([inlined] calls first, then name+off@file:line). false without. */
static bool print_source_frames(struct output *o, FILE *f, const char *module, const char *name,
				uint64_t off)
{
	if (o->prog && o->prog->no_debug_info)
		return false;
	if (!o->frames && !(o->frames = source_frames_new()))
		return false;
	char *readable = o->prog && o->prog->no_cpp_demangle ? NULL : demangle(name);
	char text[4096];
	size_t n = source_frames_render(o->frames, module, readable ? readable : name, off, "        ",
					text, sizeof(text));
	free(readable);
	if (n)
		fputs(text, f);
	return n > 0;
}

/* A stack frame: an address, or (user stacks, a build-id stack map) the
 * build id of the file and the offset in it. */
struct frame {
	uint64_t addr;
	const unsigned char *build_id; /* NULL: addr is all there is */
	uint64_t file_offset;
};

/* The value of stack id in the stack map fd (frames entries of
 * frame_size bytes): a calloc'ed buffer, NULL when unavailable. */
static unsigned char *read_stack(int fd, int64_t id, size_t frames, size_t frame_size)
{
	if (id < 0 || id > UINT32_MAX || fd < 0)
		return NULL;
	unsigned char *v = calloc(frames, frame_size);
	uint32_t key = (uint32_t)id;
	if (!v || bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return NULL;
	}
	return v;
}

/* Frame i of a stack value; false past its end. */
static bool stack_frame(const unsigned char *v, bool user, size_t i, struct frame *fr)
{
	if (!user) {
		*fr = (struct frame){ .addr = rd64(v + i * 8) };
		return fr->addr != 0;
	}
	const unsigned char *e = v + i * BUILD_ID_FRAME_SIZE;
	int32_t status;
	memcpy(&status, e, sizeof(status));
	*fr = (struct frame){ .addr = rd64(e + BUILD_ID_FRAME_OFFSET) };
	if (status == BUILD_ID_FRAME_VALID) {
		fr->build_id = e + 4;
		fr->file_offset = fr->addr;
		fr->addr = 0;
		return true;
	}
	return status == BUILD_ID_FRAME_IP && fr->addr;
}

/* What precedes a frame's symbol: 8 spaces, or in perf mode a tab and the
 * address; raw mode prints the address alone (returns false: no symbol). */
static bool frame_prefix(FILE *f, enum stack_mode mode, uint64_t addr)
{
	switch (mode) {
	case STACK_RAW:
		fprintf(f, "%" PRIx64, addr);
		return false;
	case STACK_PERF:
		fprintf(f, "\t%" PRIx64 " ", addr);
		return true;
	default:
		fputs("        ", f);
		return true;
	}
}

/* The symbol of a user frame; *addr gets its address while the process
 * still maps the file, else the offset in the file. */
static bool user_frame_lookup(struct output *o, uint32_t pid, const struct frame *fr, const char **name,
			      uint64_t *off, const char **module, uint64_t *addr)
{
	*addr = fr->addr;
	if (!fr->build_id)
		return usym_lookup(output_symbolizer(o), pid, fr->addr, name, off, module);
	bool found = usym_lookup_build_id(output_symbolizer(o), pid, fr->build_id, fr->file_offset, name, off,
					  module, addr);
	if (!*addr)
		*addr = fr->file_offset;
	return found;
}

/* One frame of a user stack. A frame known by build id shows its address
 * while the process still maps the file, else the offset in the file. */
static void render_user_frame(struct output *o, FILE *f, uint32_t pid, const struct frame *fr,
			      enum stack_mode mode)
{
	const char *name = NULL, *module = NULL;
	uint64_t off = 0, addr;

	if (mode == STACK_BUILD_ID) {
		if (!fr->build_id) {
			fprintf(f, "0x%" PRIx64, fr->addr);
			return;
		}
		for (int k = 0; k < BUILD_ID_LEN; k++)
			fprintf(f, "%02x", fr->build_id[k]);
		fprintf(f, " 0x%" PRIx64, fr->file_offset);
		return;
	}
	bool found = user_frame_lookup(o, pid, fr, &name, &off, &module, &addr);
	if (!frame_prefix(f, mode, addr))
		return;
	if (found && module && mode == STACK_BPFTRACE && print_source_frames(o, f, module, name, off))
		return;
	print_usym(o, f, found, name, off, module, addr, true, mode == STACK_PERF);
}

/* The frames of a stack value read from its stack map. */
struct stack_value {
	bool user;
	uint32_t pid;        /* ustack: the process */
	unsigned char *v;    /* the map value, NULL when unavailable */
	size_t n;            /* frames to look at */
};

static struct stack_value stack_value_read(struct output *o, const struct type *t, const void *data)
{
	const unsigned char *d = data;
	struct stack_value s = { .user = t->kind == TY_USTACK };
	int frames = o->prog ? (s.user ? o->prog->ustack_frames : o->prog->stack_frames) : 0;
	size_t n = frames > 0 ? (size_t)frames : DEFAULT_STACK_FRAMES;
	size_t limit = t->stack_limit > 0 ? (size_t)t->stack_limit : DEFAULT_STACK_FRAMES;

	s.pid = s.user ? (uint32_t)rd64(d + 8) : 0;
	s.v = read_stack(s.user ? o->ustack_fd : o->stack_fd, (int64_t)rd64(d), n,
			 s.user ? BUILD_ID_FRAME_SIZE : 8);
	s.n = n < limit ? n : limit;
	return s;
}

void output_stack_text(struct output *o, FILE *f, const struct type *t, const void *data,
		       bool json)
{
	struct stack_value s = stack_value_read(o, t, data);
	struct frame fr;

	if (!json)
		fputc('\n', f);
	for (size_t i = 0; s.v && i < s.n && stack_frame(s.v, s.user, i, &fr); i++) {
		if (s.user)
			render_user_frame(o, f, s.pid, &fr, t->stack_mode);
		else if (frame_prefix(f, t->stack_mode, fr.addr))
			render_ksym(o, f, fr.addr, true);
		fputc('\n', f);
	}
	free(s.v);
}

char *output_stack_names(struct output *o, const struct type *t, const void *data)
{
	struct stack_value s = stack_value_read(o, t, data);
	struct frame fr;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		free(s.v);
		return NULL;
	}
	for (size_t i = 0; s.v && i < s.n && stack_frame(s.v, s.user, i, &fr); i++) {
		const char *name = NULL, *module = NULL;
		uint64_t off = 0, addr;
		if (s.user) {
			bool found = user_frame_lookup(o, s.pid, &fr, &name, &off, &module, &addr);
			print_usym(o, f, found, name, off, module, addr, false, false);
		} else {
			render_ksym(o, f, fr.addr, false);
		}
		fputc('\n', f);
	}
	free(s.v);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* strftime(): a boot-clock timestamp as local wall time. Besides the C
 * conversions, %f is microseconds (6 digits), %l milliseconds (3) and %k
 * nanoseconds (9). */
static void render_timestamp(FILE *f, const char *fmt, uint64_t boot_ns)
{
	int64_t wall = (int64_t)boot_ns + wall_minus_boot_ns();
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

void output_bytes(FILE *f, char mode, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (mode == 'h')
			fprintf(f, i ? " %02x" : "%02x", b[i]);
		else if (mode == 'x' || b[i] < 32 || b[i] > 126)
			fprintf(f, "\\x%02x", b[i]);
		else
			fputc(b[i], f);
	}
}

/* The directory below dir (a path in a buffer of PATH_MAX) whose inode is
 * id: path is extended in place. cgroup v2 ids are the directories' inodes. */
static bool find_cgroup(char *path, size_t len, uint64_t id, int depth)
{
	DIR *d = depth < 64 ? opendir(path) : NULL;
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		int n = snprintf(path + len, PATH_MAX - len, "/%s", e->d_name);
		if (n < 0 || (size_t)n >= PATH_MAX - len)
			continue;
		struct stat st;
		found = (!stat(path, &st) && st.st_ino == id) || find_cgroup(path, len + (size_t)n, id, depth + 1);
	}
	if (d)
		closedir(d);
	if (!found)
		path[len] = '\0';
	return found;
}

/* Where the cgroup2 file system is mounted (into path), false if nowhere. */
static bool cgroup2_mount(char *path, size_t size)
{
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[PATH_MAX + 256], dir[PATH_MAX], type[64];
	bool found = false;
	while (m && !found && fgets(line, sizeof(line), m))
		found = sscanf(line, "%*s %4095s %63s", dir, type) == 2 && !strcmp(type, "cgroup2");
	if (m)
		fclose(m);
	if (found)
		snprintf(path, size, "%s", dir);
	return found;
}

/* cgroup_path(): "unified:/PATH" below the cgroup2 mount */
static void render_cgroup(FILE *f, uint64_t id)
{
	char path[PATH_MAX];
	struct stat st;
	size_t root_len;
	if (!cgroup2_mount(path, sizeof(path)) || stat(path, &st)) {
		fprintf(f, "%" PRIu64, id);
		return;
	}
	root_len = strlen(path);
	if (st.st_ino == id)
		fputs("unified:/", f);
	else if (find_cgroup(path, root_len, id, 0))
		fprintf(f, "unified:%s", path + root_len);
	else
		fprintf(f, "%" PRIu64, id);
}

/* func of a uprobe_multi program: the function of the attach point with
 * that `probe` index. */
static void render_func(FILE *f, const struct compiled_program *prog, uint64_t idx)
{
	if (prog && idx < (uint64_t)prog->nprobe_names && prog->probe_funcs && prog->probe_funcs[idx])
		fputs(prog->probe_funcs[idx], f);
	else
		fprintf(f, "%" PRIu64, idx);
}

/* strerror(e): the C library's text; signal_name(s): "SIGKILL";
 * syscall_name(n): "read"; username: the uid's login name. Numbers without
 * a name print as numbers. */
static void render_name(FILE *f, enum name_kind kind, uint64_t v)
{
	int n = (int)v;
	bool is_int = (uint64_t)n == v && n > 0;
	const char *abbrev = kind == NAME_SIGNAL && is_int ? sigabbrev_np(n) : NULL;
	const char *syscall = kind == NAME_SYSCALL ? syscall_name_of(v) : NULL;
	struct passwd pw, *user = NULL;
	char pwbuf[1024];
	if (kind == NAME_USER && getpwuid_r((uid_t)v, &pw, pwbuf, sizeof(pwbuf), &user))
		user = NULL;
	if (kind == NAME_MAC) {
		unsigned char b[8];
		memcpy(b, &v, sizeof(b));
		fprintf(f, "%02X:%02X:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3], b[4], b[5]);
	} else if (kind == NAME_ERRNO)
		fputs(strerror(n), f);
	else if (kind == NAME_CGROUP)
		render_cgroup(f, v);
	else if (abbrev)
		fprintf(f, "SIG%s", abbrev);
	else if (syscall)
		fputs(syscall, f);
	else if (user)
		fputs(user->pw_name, f);
	else
		fprintf(f, "%" PRId64, (int64_t)v);
}

/* ntop(): { u64 family; u8 address[16] } */
static void render_inet(FILE *f, const unsigned char *d)
{
	char text[INET6_ADDRSTRLEN];
	int family = rd64(d) == AF_INET6 ? AF_INET6 : AF_INET;
	if (inet_ntop(family, d + 8, text, sizeof(text)))
		fputs(text, f);
}

bool output_sym_text(struct output *o, FILE *f, const struct type *t, const void *data)
{
	const unsigned char *d = data;

	switch (t->kind) {
	case TY_KSTACK:
	case TY_USTACK:
		output_stack_text(o, f, t, d, false);
		return true;
	case TY_KSYM:
		render_ksym(o, f, rd64(d), false);
		return true;
	case TY_USYM:
		render_usym(o, f, (uint32_t)rd64(d + 8), rd64(d), false, false);
		return true;
	case TY_TIMESTAMP:
		render_timestamp(f, t->time_fmt, rd64(d));
		return true;
	case TY_INET:
		render_inet(f, d);
		return true;
	case TY_NAME:
		if (t->name_kind == NAME_FUNC)
			render_func(f, o->prog, rd64(d));
		else
			render_name(f, t->name_kind, rd64(d));
		return true;
	case TY_BUF: {
		size_t len = rd64(d), cap = type_buffer_capacity(t);
		output_bytes(f, 0, d + 8, len < cap ? len : cap);
		return true;
	}
	default:
		return false;
	}
}

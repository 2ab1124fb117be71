/* program_io: a compiled program written as bytes and read back is the
 * same program (every type kind, attach specs with uprobe_multi and USDT
 * parts, programs from the compiler), and cut or damaged bytes are
 * refused or read without a crash. */
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "codegen/compiler.h"
#include "common/program_io.h"

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_type(const struct type *a, const struct type *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->bits != b->bits || a->is_signed != b->is_signed ||
	    a->is_literal != b->is_literal || a->size != b->size || a->nfields != b->nfields ||
	    a->align != b->align || !same_type(a->pointee, b->pointee) || a->hist_bits != b->hist_bits ||
	    a->lh_min != b->lh_min || a->lh_max != b->lh_max || a->lh_step != b->lh_step ||
	    a->ts_interval_ns != b->ts_interval_ns || a->ts_intervals != b->ts_intervals ||
	    a->ts_agg != b->ts_agg || a->stack_mode != b->stack_mode || a->stack_limit != b->stack_limit ||
	    !same_str(a->time_fmt, b->time_fmt) || a->btf_id != b->btf_id || !same_str(a->name, b->name) ||
	    a->name_kind != b->name_kind || a->capacity != b->capacity || a->nelems != b->nelems ||
	    a->bit_shift != b->bit_shift || a->bit_width != b->bit_width || !a->names != !b->names ||
	    !a->offsets != !b->offsets || !a->enums != !b->enums)
		return false;
	for (int i = 0; i < a->nfields; i++)
		if (!same_type(a->fields[i], b->fields[i]) || (a->names && !same_str(a->names[i], b->names[i])) ||
		    (a->offsets && a->offsets[i] != b->offsets[i]))
			return false;
	if (a->enums) {
		if (a->enums->n != b->enums->n)
			return false;
		for (int i = 0; i < a->enums->n; i++)
			if (!same_str(a->enums->names[i], b->enums->names[i]) || a->enums->values[i] != b->enums->values[i])
				return false;
	}
	return true;
}

static bool same_usdt(const struct usdt_location *a, const struct usdt_location *b)
{
	if (!a || !b)
		return a == b;
	if (!same_str(a->provider, b->provider) || !same_str(a->name, b->name) || a->nargs != b->nargs ||
	    a->semaphore_offset != b->semaphore_offset)
		return false;
	for (int i = 0; i < a->nargs; i++) {
		const struct usdt_arg *x = &a->args[i], *y = &b->args[i];
		if (x->kind != y->kind || x->size != y->size || x->is_signed != y->is_signed || !same_str(x->reg, y->reg) ||
		    !same_str(x->index, y->index) || x->scale != y->scale || x->value != y->value ||
		    !same_str(x->symbol, y->symbol) || !same_str(x->text, y->text))
			return false;
	}
	return true;
}

static bool same_spec(const struct attach_spec *a, const struct attach_spec *b)
{
	if (a->kind != b->kind || a->flags != b->flags || !same_str(a->canonical, b->canonical) ||
	    !same_str(a->target, b->target) || !same_str(a->func, b->func) || !same_str(a->symbol, b->symbol) ||
	    a->offset != b->offset || a->func_offset != b->func_offset || a->cpp != b->cpp ||
	    !same_str(a->func_name, b->func_name) || a->nmulti != b->nmulti || a->period_ns != b->period_ns ||
	    a->freq_hz != b->freq_hz || a->watch_len != b->watch_len || !same_usdt(a->usdt, b->usdt) ||
	    a->source_line != b->source_line)
		return false;
	if (!a->syscall_nrs != !b->syscall_nrs)
		return false;
	for (int i = 0; i < a->nmulti; i++)
		if (!same_spec(&a->multi[i], &b->multi[i]) || a->multi_cookies[i] != b->multi_cookies[i] ||
		    (a->syscall_nrs && a->syscall_nrs[i] != b->syscall_nrs[i]))
			return false;
	return true;
}

/* What differs between two programs, or NULL. */
static const char *difference(const struct compiled_program *a, const struct compiled_program *b)
{
	if (a->elf_size != b->elf_size || memcmp(a->elf, b->elf, a->elf_size))
		return "ELF bytes";
	if (a->nmaps != b->nmaps || a->nactions != b->nactions || a->nprogs != b->nprogs ||
	    a->nprobe_names != b->nprobe_names)
		return "counts";
	for (int i = 0; i < a->nmaps; i++) {
		const struct map_desc *x = &a->maps[i], *y = &b->maps[i];
		if (!same_str(x->name, y->name) || !same_str(x->bpf_name, y->bpf_name) || !same_type(x->key, y->key) ||
		    !same_type(x->value, y->value) || x->key_size != y->key_size || x->value_size != y->value_size ||
		    x->percpu != y->percpu || x->lru != y->lru || x->array != y->array || x->max_entries != y->max_entries)
			return "maps";
	}
	for (int i = 0; i < a->nactions; i++) {
		const struct action *x = &a->actions[i], *y = &b->actions[i];
		if (x->kind != y->kind || !same_str(x->fmt, y->fmt) || !same_type(x->type, y->type) || x->map != y->map ||
		    x->skb_offset != y->skb_offset)
			return "actions";
	}
	for (int i = 0; i < a->nprogs; i++)
		if (!same_str(a->progs[i].fn_name, b->progs[i].fn_name) ||
		    !same_str(a->progs[i].section, b->progs[i].section) || !same_spec(&a->progs[i].spec, &b->progs[i].spec) ||
		    a->progs[i].streams != b->progs[i].streams)
			return "programs";
	for (int i = 0; i < a->nprobe_names; i++)
		if (!same_str(a->probe_names[i], b->probe_names[i]) ||
		    !same_str(a->probe_funcs ? a->probe_funcs[i] : NULL, b->probe_funcs[i]))
			return "probe names";
	if (!same_str(a->ringbuf_name, b->ringbuf_name) || !same_str(a->scratch_name, b->scratch_name) ||
	    !same_str(a->skb_events_name, b->skb_events_name) ||
	    a->print_maps_on_exit != b->print_maps_on_exit || a->no_cpp_demangle != b->no_cpp_demangle ||
	    a->no_debug_info != b->no_debug_info || a->hist_percentiles != b->hist_percentiles ||
	    a->max_cat_bytes != b->max_cat_bytes || a->missing_probes != b->missing_probes ||
	    a->ringbuf_pages != b->ringbuf_pages ||
	    !same_str(a->stack_map_name, b->stack_map_name) || a->stack_frames != b->stack_frames ||
	    !same_str(a->ustack_map_name, b->ustack_map_name) || a->ustack_frames != b->ustack_frames)
		return "settings";
	return NULL;
}

/* Round-trip p; then every shorter prefix must be refused, and damaged
 * bytes must not crash the reader. */
static void round_trip(const char *what, const struct compiled_program *p)
{
	unsigned char *bytes;
	size_t len;
	if (!check_true(what, program_serialize(p, &bytes, &len) == 0))
		return;
	struct arena a = { 0 };
	const struct compiled_program *back = program_deserialize(&a, bytes, len);
	const char *diff = back ? difference(p, back) : "not read back";
	if (diff)
		check_fail(what, "differs after the round trip: %s", diff);
	else
		check_pass();
	bool refused = true;
	for (size_t n = 0; n < len && refused; n += n < 64 ? 1 : 7)
		refused = program_deserialize(&a, bytes, n) == NULL;
	check_true("a cut entry is refused", refused);
	for (size_t i = 0; i < len; i += 13) {
		bytes[i] ^= 0xa5;
		program_deserialize(&a, bytes, len); /* may read or refuse; must not crash */
		bytes[i] ^= 0xa5;
	}
	check_pass();
	arena_free(&a);
	free(bytes);
}

/* A program by hand with a value of every type kind. */
static void every_kind(void)
{
	struct arena a = { 0 };
	const struct type *pair[] = { &type_u32, type_string(&a, 16) };
	const char *names[] = { "pid", "comm" };
	static const char *enum_names[] = { "A", "B" };
	static int64_t enum_values[] = { 0, -7 };
	static const struct enum_names enums = { 2, enum_names, enum_values };
	const struct type *kinds[] = {
		&type_none, &type_void, &type_i16, &type_bool, type_string(&a, 64),
		type_tuple(&a, 2, pair, NULL), type_tuple(&a, 2, pair, names), type_pointer(&a, &type_u8),
		type_pointer(&a, NULL), type_aggregate(&a, TY_COUNT, false), type_aggregate(&a, TY_SUM, true),
		type_aggregate(&a, TY_MIN, true), type_aggregate(&a, TY_MAX, false), type_aggregate(&a, TY_AVG, true),
		type_aggregate(&a, TY_STATS, true), type_aggregate(&a, TY_HIST, false),
		type_aggregate(&a, TY_LHIST, false), type_aggregate(&a, TY_TSERIES, false), &type_probe,
		type_stack(&a, false, STACK_PERF, 7), type_stack(&a, true, STACK_BUILD_ID, 20), type_symbol(&a, false),
		type_symbol(&a, true), type_timestamp(&a, "%H:%M:%S"), type_inet(&a), type_name_of(&a, NAME_SIGNAL),
		type_buffer(&a, 40), type_array(&a, &type_i32, 5), type_enum(&a, &type_u32, &enums),
		type_bitfield(&a, &type_u8, 3, 2),
		type_struct_value(&a, "struct x", 2, pair, names, (const size_t[]){ 0, 8 }, 24, 8),
	};
	enum { N = sizeof(kinds) / sizeof(kinds[0]) };
	struct type *lh = (struct type *)kinds[16];
	lh->lh_min = -10, lh->lh_max = 100, lh->lh_step = 5;
	struct type *ts = (struct type *)kinds[17];
	ts->ts_interval_ns = 1000000, ts->ts_intervals = 10, ts->ts_agg = TSERIES_MAX;
	((struct type *)kinds[15])->hist_bits = 2;
	((struct type *)kinds[29])->btf_id = 1234;

	struct map_desc maps[N];
	struct action actions[N];
	for (int i = 0; i < N; i++) {
		maps[i] = (struct map_desc){ .name = "@m", .bpf_name = "map_x", .key = i % 2 ? kinds[i] : NULL,
					     .value = kinds[(i + 3) % N], .key_size = 8, .value_size = (size_t)i,
					     .percpu = i % 3 == 0, .lru = i % 5 == 0, .array = i % 4 == 1, .max_entries = 4096 };
		actions[i] = (struct action){ .kind = (enum action_kind)(i % (ACT_SKB_OUTPUT + 1)), .fmt = i % 4 ? "%d\n" : NULL,
					      .type = kinds[i], .map = i, .skb_offset = (uint32_t)i * 7 };
	}
	struct usdt_arg args[] = {
		{ .kind = USDT_ARG_CONST, .size = 4, .is_signed = true, .value = -3, .text = "-4@$-3" },
		{ .kind = USDT_ARG_MEM, .size = 8, .reg = "ax", .index = "bx", .scale = 4, .value = 16, .text = "8@16(%rax,%rbx,4)" },
		{ .kind = USDT_ARG_SYMBOL, .size = 2, .symbol = "counter", .value = 2, .text = "2@counter+2(%rip)" },
	};
	struct usdt_location usdt = { .provider = "prov", .name = "probe", .args = args, .nargs = 3, .semaphore_offset = 77 };
	struct attach_spec multi[] = {
		{ .kind = PROBE_UPROBE, .canonical = "uprobe:/bin/x:f", .target = "/bin/x", .func = "f", .symbol = "f", .offset = 9 },
		{ .kind = PROBE_UPROBE, .canonical = "uprobe:/bin/x:g", .target = "/bin/x", .func = "g+4", .symbol = "g",
		  .func_offset = 4, .cpp = true, .func_name = "ns::g()" },
	};
	uint64_t cookies[] = { 3, 4 };
	uint32_t syscall_nrs[] = { 39, 257 };
	struct prog_desc progs[] = {
		{ "probe_0", "raw_tp", { .kind = PROBE_BEGIN, .flags = PF_RUN_ONCE, .canonical = "begin" } },
		{ "probe_1", "uprobe.multi", { .kind = PROBE_UPROBE, .flags = PF_USER | PF_FUNC, .canonical = "uprobe:/bin/x:*",
					       .target = "/bin/x", .multi = multi, .multi_cookies = cookies, .nmulti = 2 } },
		{ "probe_2", "usdt", { .kind = PROBE_USDT, .canonical = "usdt:/bin/x:prov:probe", .usdt = &usdt,
				       .offset = 1234 } },
		{ "probe_3", "perf_event", { .kind = PROBE_PROFILE, .canonical = "profile:hz:99", .freq_hz = 99 } },
		{ "probe_4", "perf_event", { .kind = PROBE_WATCHPOINT, .func = "rw", .watch_len = 8, .source_line = true } },
		{ "probe_9", "tracepoint/raw_syscalls/sys_enter", { .kind = PROBE_TRACEPOINT, .canonical = "tracepoint:syscalls:sys_enter_*",
				       .target = "raw_syscalls", .func = "sys_enter", .multi = multi, .multi_cookies = cookies,
				       .nmulti = 2, .syscall_nrs = syscall_nrs } },
	};
	const char *probe_names[] = { "begin", "uprobe:/bin/x:f", "uprobe:/bin/x:g" };
	const char *probe_funcs[] = { NULL, "f", "ns::g()" };
	static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, 3 };
	struct compiled_program p = {
		.elf = elf, .elf_size = sizeof(elf), .maps = maps, .nmaps = N, .actions = actions, .nactions = N,
		.progs = progs, .nprogs = 5, .probe_names = probe_names, .probe_funcs = probe_funcs, .nprobe_names = 3,
		.ringbuf_name = "events", .skb_events_name = "packets", .scratch_name = "scratch", .print_maps_on_exit = true, .no_cpp_demangle = true,
		.hist_percentiles = true, .max_cat_bytes = 99, .missing_probes = 2, .ringbuf_pages = 128, .stack_map_name = "stacks",
		.stack_frames = 127, .ustack_map_name = NULL, .ustack_frames = 0,
	};
	round_trip("every type kind", &p);
	arena_free(&a);
}

/* Programs as the compiler makes them. */
static void compiled(const char *what, const char *src)
{
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "test", src);
	struct compile_options opts = { .ncpus = 4, .max_strlen = 1024, .max_map_keys = 4096, .print_maps_on_exit = true };
	struct compiled_program *p = compile_source(&a, &d, &opts);
	if (check_true(what, p != NULL))
		round_trip(what, p);
	else
		diags_print(&d, stdout, DIAG_ERROR);
	arena_free(&a);
}

int main(void)
{
	libbpf_set_print(NULL);
	every_kind();
	compiled("maps and printf",
		 "BEGIN { @a[1, \"x\"] = count(); @h = hist(5); @l = lhist(3, 0, 10, 1); @s = stats(2);"
		 " @t[(1, 2)] = avg(3); printf(\"%d %s\\n\", 1, \"y\"); print(@a); clear(@h); exit(); }");
	compiled("stacks and symbols",
		 "profile:hz:99 { @[kstack(perf, 3), ksym(0)] = count(); @u[ustack, usym(0)] = count();"
		 " @n[strerror(1), probe] = sum(1); time(\"%H\"); }");
	compiled("values", "interval:s:1 { $b = buf(\"ab\", 2); @v = ($b, nsecs, (int8)1, true); @ts = tseries(1, 1s, 5); }");
	return check_summary();
}

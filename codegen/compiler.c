/* The compilation driver: parse, analyse, lower. */
#include "compiler.h"

#include <string.h>
#include <time.h>

#include "../common/limits.h"
#include "ast_dump.h"
#include "btf.h"
#include "btf_internal.h"
#include "dwarf_btf.h"
#include "dump.h"
#include "preproc.h"

struct btf_types *compiler_btf(struct compiler *c)
{
	if (!c->btf_tried) {
		c->btf_tried = true;
		c->btf = btf_types_load(c->arena);
	}
	return c->btf;
}

struct btf_types *compiler_script_btf(struct compiler *c)
{
	struct btf_types *bt = compiler_btf(c);
	if (!bt)
		bt = c->btf = btf_types_empty(c->arena);
	return bt && btf_types_begin_script(bt) == 0 ? bt : NULL;
}

const char *const compile_stage_names[COMPILE_STAGES] = {
	[CSTAGE_PARSE] = "parse (preprocessor, imports)",
	[CSTAGE_MACROS] = "macro expansion",
	[CSTAGE_SEMA] = "semantic analysis",
	[CSTAGE_CODEGEN] = "codegen (IR, optimisation, BPF ELF)",
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The time since *since goes to the stage; *since becomes now. */
static void stage_done(const struct compile_options *o, enum compile_stage stage, uint64_t *since)
{
	uint64_t now = now_ns();
	if (o->timings)
		o->timings->ns[stage] += now - *since;
	*since = now;
}

struct compiled_program *compile_source(struct arena *a, struct diags *d, const struct compile_options *opts)
{
	struct compile_options o = *opts;
	if (!o.license)
		o.license = "GPL";
	if (!o.max_probes)
		o.max_probes = LIMIT_PROBES;
	if (!o.max_cat_bytes)
		o.max_cat_bytes = 10240;
	struct compiler c = { .arena = a, .diags = d, .opts = &o };
	if (o.features)
		c.features = *o.features;
	struct pp_options pp = {
		.script_dir = o.script_dir,
		.script_path = o.script_path,
		.include_dirs = o.include_dirs,
		.ninclude_dirs = o.ninclude_dirs,
		.include_files = o.include_files,
		.ninclude_files = o.ninclude_files,
		.verbose = o.verbose,
		.inputs = o.inputs,
	};
	uint64_t t = now_ns();
	c.ast = parse_program(a, d, d->src, &pp);
	stage_done(&o, CSTAGE_PARSE, &t);
	if (c.ast && (o.dumps & DUMP_AST)) {
		fprintf(stderr, "AST after parsing:\n");
		ast_dump_program(stderr, c.ast, NULL, NULL);
	}
	if (!c.ast || d->errors || config_apply(&c, &o) < 0)
		return NULL;
	struct compiled_program *out = arena_alloc(a, sizeof(*out));
	int err = 0;
	int expanded = macros_expand(&c);
	stage_done(&o, CSTAGE_MACROS, &t);
	int analysed = expanded < 0 ? -1 : sema_run(&c);
	stage_done(&o, CSTAGE_SEMA, &t);
	if (analysed < 0) {
		err = -1;
	} else {
		if (o.dumps & DUMP_AST) {
			fprintf(stderr, "AST after semantic analysis:\n");
			ast_dump_program(stderr, c.ast, type_name, a);
		}
		if (o.dumps & DUMP_TYPES)
			dump_types(&c, stderr);
		t = now_ns();
		if (lower_program(&c, out) < 0)
			err = -1;
		stage_done(&o, CSTAGE_CODEGEN, &t);
	}
	btf_types_free(c.btf);
	dwarf_targets_close(&c);
	if (err)
		return NULL;
	if ((o.dumps & DUMP_DIS) && dump_dis(out, stderr) < 0)
		fprintf(stderr, "-d dis: the BPF object cannot be read\n");
	out->print_maps_on_exit = o.print_maps_on_exit;
	out->no_cpp_demangle = o.no_cpp_demangle;
	out->no_debug_info = o.no_debug_info;
	out->hist_percentiles = o.hist_percentiles;
	out->max_cat_bytes = o.max_cat_bytes;
	out->ringbuf_pages = o.perf_rb_pages;
	out->uncacheable = c.uncacheable;
	return out;
}

/* What uprobes take from the probed binary's DWARF: source-line attach
 * points (uprobe:BIN@FILE:LINE[:COL]) and the parameters `-lv` lists. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../common/dwarf.h"
#include "internal.h"

/* LINE or COL of a line probe: a positive decimal number. */
static bool parse_position(const char *s, int *out)
{
	uint64_t v;
	if (!probe_parse_u64(s, &v) || v == 0 || v > INT32_MAX)
		return false;
	*out = (int)v;
	return true;
}

static void no_code_error(struct arena *a, struct diags *d, const struct src_loc *loc, const char *file,
			  int line, int col, const struct dwarf_line *l)
{
	if (col && l->ncols) {
		const char *cols = "";
		for (int i = 0; i < l->ncols; i++)
			cols = arena_printf(a, "%s%s%d", cols, i ? ", " : "", l->cols[i]);
		struct diag_entry *e = diag_error(d, loc, "line %d of %s has no statement at column %d", line, file, col);
		diag_hint(d, e, "its statements start at column%s %s", l->ncols > 1 ? "s" : "", cols);
		return;
	}
	struct diag_entry *e = diag_error(d, loc, "line %d of %s has no code", line, file);
	if (l->prev && l->next)
		diag_hint(d, e, "the closest lines with code are %d and %d", l->prev, l->next);
	else if (l->prev || l->next)
		diag_hint(d, e, "the closest line with code is %d", l->prev ? l->prev : l->next);
}

int uprobe_line_parse(struct arena *a, struct diags *d, const struct src_loc *loc, const char *provider,
		      char **pos, int npos, struct attach_spec *out)
{
	const char *file = pos[0];
	int line = 0, col = 0;
	if (out->kind == PROBE_URETPROBE) {
		diag_error(d, loc, "uretprobes can not be attached to a source line");
		return -1;
	}
	if (!*file || !parse_position(pos[1], &line) || (npos == 3 && !parse_position(pos[2], &col))) {
		diag_error(d, loc, "Invalid %s source line: expected BIN@FILE:LINE[:COL]", provider);
		return -1;
	}
	if (probe_has_wildcard(out->target) || probe_has_wildcard(file)) {
		diag_error(d, loc, "%s source lines do not take wildcards", provider);
		return -1;
	}
	struct dwarf_file *df = dwarf_open(a, out->target);
	struct dwarf_line l;
	int err = df && dwarf_has_info(df) ? dwarf_line_address(df, file, line, col, &l) : -ENODATA;
	dwarf_close(df);
	if (err == -ENODATA) {
		diag_error(d, loc, "No debuginfo found for %s", out->target);
		return -1;
	}
	if (err == -ENOENT) {
		diag_error(d, loc, "source file '%s' is not in the debug info of %s", file, out->target);
		return -1;
	}
	if (err) {
		no_code_error(a, d, loc, file, line, col, &l);
		return -1;
	}
	out->source_line = true;
	out->symbol = NULL;
	out->offset = l.addr;
	out->func = l.func ? l.func : arena_printf(a, "0x%" PRIx64, l.addr);
	out->canonical = col ? arena_printf(a, "%s:%s@%s:%d:%d", provider, out->target, file, line, col)
			     : arena_printf(a, "%s:%s@%s:%d", provider, out->target, file, line);
	return 0;
}

void uprobe_list_params(struct arena *a, struct dwarf_file *df, const char *func, FILE *out)
{
	struct dwarf_func fn;
	if (dwarf_function(df, func, &fn))
		return;
	for (int i = 0; i < fn.nparams; i++) {
		const char *type = dwarf_type_name(a, fn.params[i].type);
		if (fn.params[i].name)
			fprintf(out, "    %s %s\n", type, fn.params[i].name);
		else
			fprintf(out, "    %s\n", type);
	}
}

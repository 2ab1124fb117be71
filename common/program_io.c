/* Serializing a compiled program (see program_io.h). */
#include "program_io.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = "SONDEPG1";
enum { NULL_STRING = ~0u, MAX_COUNT = 1u << 24 };

/* ---- writing ------------------------------------------------------------ */

struct writer {
	unsigned char *data;
	size_t len, cap;
	bool oom;
	const struct type **types; /* the type table, children first */
	size_t ntypes, cap_types;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (w->oom || !n)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap < w->len + n)
			cap *= 2;
		unsigned char *d = realloc(w->data, cap);
		if (!d) {
			w->oom = true;
			return;
		}
		w->data = d;
		w->cap = cap;
	}
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

static void put_u64(struct writer *w, uint64_t v)
{
	put_bytes(w, &v, sizeof(v));
}

static void put_str(struct writer *w, const char *s)
{
	if (!s) {
		put_u64(w, NULL_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u64(w, n);
	put_bytes(w, s, n);
}

static uint64_t type_ref(const struct writer *w, const struct type *t)
{
	if (!t)
		return 0;
	for (size_t i = 0; i < w->ntypes; i++)
		if (w->types[i] == t)
			return i + 1;
	return 0; /* not reached: collect_type saw every type */
}

static void collect_type(struct writer *w, const struct type *t)
{
	if (!t || w->oom || type_ref(w, t))
		return;
	for (int i = 0; i < t->nfields; i++)
		collect_type(w, t->fields[i]);
	collect_type(w, t->pointee);
	if (w->ntypes == w->cap_types) {
		size_t cap = w->cap_types ? 2 * w->cap_types : 64;
		const struct type **nt = realloc(w->types, cap * sizeof(*nt));
		if (!nt) {
			w->oom = true;
			return;
		}
		w->types = nt;
		w->cap_types = cap;
	}
	w->types[w->ntypes++] = t;
}

static void put_type(struct writer *w, const struct type *t)
{
	put_u64(w, t->kind);
	put_u64(w, (uint64_t)t->bits);
	put_u64(w, t->is_signed);
	put_u64(w, t->is_literal);
	put_u64(w, t->size);
	put_u64(w, (uint64_t)t->nfields);
	for (int i = 0; i < t->nfields; i++) {
		put_u64(w, type_ref(w, t->fields[i]));
		put_u64(w, t->offsets ? t->offsets[i] : 0);
	}
	put_u64(w, t->offsets != NULL);
	put_u64(w, t->names != NULL);
	for (int i = 0; t->names && i < t->nfields; i++)
		put_str(w, t->names[i]);
	put_u64(w, t->align);
	put_u64(w, type_ref(w, t->pointee));
	put_u64(w, (uint64_t)t->hist_bits);
	put_u64(w, (uint64_t)t->lh_min);
	put_u64(w, (uint64_t)t->lh_max);
	put_u64(w, (uint64_t)t->lh_step);
	put_u64(w, t->ts_interval_ns);
	put_u64(w, t->ts_intervals);
	put_u64(w, t->ts_agg);
	put_u64(w, t->stack_mode);
	put_u64(w, (uint64_t)t->stack_limit);
	put_str(w, t->time_fmt);
	put_u64(w, (uint64_t)t->btf_id);
	put_str(w, t->name);
	put_u64(w, t->name_kind);
	put_u64(w, t->capacity);
	put_u64(w, t->nelems);
	put_u64(w, t->enums ? (uint64_t)t->enums->n + 1 : 0);
	for (int i = 0; t->enums && i < t->enums->n; i++) {
		put_str(w, t->enums->names[i]);
		put_u64(w, (uint64_t)t->enums->values[i]);
	}
	put_u64(w, (uint64_t)t->bit_shift);
	put_u64(w, (uint64_t)t->bit_width);
}

static void put_usdt(struct writer *w, const struct usdt_location *u)
{
	put_u64(w, u != NULL);
	if (!u)
		return;
	put_str(w, u->provider);
	put_str(w, u->name);
	put_u64(w, (uint64_t)u->nargs);
	for (int i = 0; i < u->nargs; i++) {
		const struct usdt_arg *a = &u->args[i];
		put_u64(w, a->kind);
		put_u64(w, (uint64_t)a->size);
		put_u64(w, a->is_signed);
		put_str(w, a->reg);
		put_str(w, a->index);
		put_u64(w, (uint64_t)a->scale);
		put_u64(w, (uint64_t)a->value);
		put_str(w, a->symbol);
		put_str(w, a->text);
	}
	put_u64(w, u->semaphore_offset);
}

static void put_spec(struct writer *w, const struct attach_spec *s)
{
	put_u64(w, s->kind);
	put_u64(w, s->flags);
	put_str(w, s->canonical);
	put_str(w, s->target);
	put_str(w, s->func);
	put_str(w, s->symbol);
	put_u64(w, s->offset);
	put_u64(w, s->func_offset);
	put_u64(w, s->cpp);
	put_str(w, s->func_name);
	put_u64(w, (uint64_t)s->nmulti);
	put_u64(w, s->syscall_nrs != NULL);
	for (int i = 0; i < s->nmulti; i++) {
		put_spec(w, &s->multi[i]);
		put_u64(w, s->multi_cookies ? s->multi_cookies[i] : 0);
		put_u64(w, s->syscall_nrs ? s->syscall_nrs[i] : 0);
	}
	put_u64(w, s->period_ns);
	put_u64(w, s->freq_hz);
	put_u64(w, (uint64_t)s->watch_len);
	put_usdt(w, s->usdt);
	put_u64(w, s->source_line);
}

int program_serialize(const struct compiled_program *p, unsigned char **out, size_t *len)
{
	struct writer w = { 0 };
	for (int i = 0; i < p->nmaps; i++) {
		collect_type(&w, p->maps[i].key);
		collect_type(&w, p->maps[i].value);
	}
	for (int i = 0; i < p->nactions; i++)
		collect_type(&w, p->actions[i].type);
	put_bytes(&w, magic, sizeof(magic));
	put_u64(&w, w.ntypes);
	for (size_t i = 0; i < w.ntypes; i++)
		put_type(&w, w.types[i]);
	put_u64(&w, p->elf_size);
	put_bytes(&w, p->elf, p->elf_size);
	put_u64(&w, (uint64_t)p->nmaps);
	for (int i = 0; i < p->nmaps; i++) {
		const struct map_desc *m = &p->maps[i];
		put_str(&w, m->name);
		put_str(&w, m->bpf_name);
		put_u64(&w, type_ref(&w, m->key));
		put_u64(&w, type_ref(&w, m->value));
		put_u64(&w, m->key_size);
		put_u64(&w, m->value_size);
		put_u64(&w, m->percpu);
		put_u64(&w, m->lru);
		put_u64(&w, m->array);
		put_u64(&w, m->max_entries);
	}
	put_u64(&w, (uint64_t)p->nactions);
	for (int i = 0; i < p->nactions; i++) {
		const struct action *a = &p->actions[i];
		put_u64(&w, a->kind);
		put_str(&w, a->fmt);
		put_u64(&w, type_ref(&w, a->type));
		put_u64(&w, (uint64_t)a->map);
		put_u64(&w, a->skb_offset);
	}
	put_u64(&w, (uint64_t)p->nprogs);
	for (int i = 0; i < p->nprogs; i++) {
		put_str(&w, p->progs[i].fn_name);
		put_str(&w, p->progs[i].section);
		put_spec(&w, &p->progs[i].spec);
		put_u64(&w, p->progs[i].streams);
	}
	put_u64(&w, (uint64_t)p->nprobe_names);
	for (int i = 0; i < p->nprobe_names; i++) {
		put_str(&w, p->probe_names[i]);
		put_str(&w, p->probe_funcs ? p->probe_funcs[i] : NULL);
	}
	put_str(&w, p->ringbuf_name);
	put_str(&w, p->skb_events_name);
	put_str(&w, p->scratch_name);
	put_u64(&w, p->print_maps_on_exit);
	put_u64(&w, p->no_cpp_demangle);
	put_u64(&w, p->no_debug_info);
	put_u64(&w, p->hist_percentiles);
	put_u64(&w, p->max_cat_bytes);
	put_u64(&w, (uint64_t)p->missing_probes);
	put_u64(&w, p->ringbuf_pages);
	put_str(&w, p->stack_map_name);
	put_u64(&w, (uint64_t)p->stack_frames);
	put_str(&w, p->ustack_map_name);
	put_u64(&w, (uint64_t)p->ustack_frames);
	free(w.types);
	if (w.oom) {
		free(w.data);
		return -1;
	}
	*out = w.data;
	*len = w.len;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
	struct arena *a;
	const unsigned char *p, *end;
	bool bad; /* truncated or malformed: every later read gives 0 */
	const struct type **types;
	uint64_t ntypes;
};

static uint64_t get_u64(struct reader *r)
{
	uint64_t v = 0;
	if (r->bad || (size_t)(r->end - r->p) < sizeof(v)) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	return v;
}

/* A count of things that follow (each at least one word): bounded by the
 * bytes left, so a corrupt count cannot make a huge allocation. */
static int get_count(struct reader *r)
{
	uint64_t n = get_u64(r);
	if (n > MAX_COUNT || n > (uint64_t)(r->end - r->p) / sizeof(uint64_t))
		r->bad = true;
	return r->bad ? 0 : (int)n;
}

static bool get_bool(struct reader *r)
{
	return get_u64(r) != 0;
}

static const char *get_str(struct reader *r)
{
	uint64_t n = get_u64(r);
	if (r->bad || n == NULL_STRING)
		return NULL;
	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	char *s = arena_strndup(r->a, (const char *)r->p, (size_t)n);
	r->p += n;
	return s;
}

/* A type reference: only to a type already read. */
static const struct type *get_type_ref(struct reader *r, uint64_t limit)
{
	uint64_t i = get_u64(r);
	if (i > limit) {
		r->bad = true;
		return NULL;
	}
	return i ? r->types[i - 1] : NULL;
}

static void *get_array(struct reader *r, size_t n, size_t size)
{
	return n ? arena_alloc(r->a, n * size) : NULL;
}

static const struct type *get_type(struct reader *r, uint64_t index)
{
	struct type *t = arena_alloc(r->a, sizeof(*t));
	t->kind = (enum type_kind)get_u64(r);
	t->bits = (int)get_u64(r);
	t->is_signed = get_bool(r);
	t->is_literal = get_bool(r);
	t->size = get_u64(r);
	t->nfields = get_count(r);
	const struct type **fields = get_array(r, (size_t)t->nfields, sizeof(*fields));
	size_t *offsets = get_array(r, (size_t)t->nfields, sizeof(*offsets));
	for (int i = 0; i < t->nfields; i++) {
		fields[i] = get_type_ref(r, index);
		offsets[i] = get_u64(r);
	}
	t->fields = fields;
	t->offsets = get_bool(r) ? offsets : NULL;
	if (get_bool(r)) {
		const char **names = get_array(r, (size_t)t->nfields, sizeof(*names));
		for (int i = 0; i < t->nfields; i++)
			names[i] = get_str(r);
		t->names = names;
	}
	t->align = get_u64(r);
	t->pointee = get_type_ref(r, index);
	t->hist_bits = (int)get_u64(r);
	t->lh_min = (int64_t)get_u64(r);
	t->lh_max = (int64_t)get_u64(r);
	t->lh_step = (int64_t)get_u64(r);
	t->ts_interval_ns = get_u64(r);
	t->ts_intervals = (uint32_t)get_u64(r);
	t->ts_agg = (enum tseries_agg)get_u64(r);
	t->stack_mode = (enum stack_mode)get_u64(r);
	t->stack_limit = (int)get_u64(r);
	t->time_fmt = get_str(r);
	t->btf_id = (int)get_u64(r);
	t->name = get_str(r);
	t->name_kind = (enum name_kind)get_u64(r);
	t->capacity = get_u64(r);
	t->nelems = get_u64(r);
	uint64_t nenums = get_u64(r);
	if (nenums > MAX_COUNT) {
		r->bad = true;
		nenums = 0;
	}
	if (nenums) {
		struct enum_names *e = arena_alloc(r->a, sizeof(*e));
		e->n = (int)(nenums - 1);
		e->names = get_array(r, (size_t)e->n, sizeof(*e->names));
		e->values = get_array(r, (size_t)e->n, sizeof(*e->values));
		for (int i = 0; i < e->n && !r->bad; i++) {
			e->names[i] = get_str(r);
			e->values[i] = (int64_t)get_u64(r);
		}
		t->enums = e;
	}
	t->bit_shift = (int)get_u64(r);
	t->bit_width = (int)get_u64(r);
	return t;
}

static const struct usdt_location *get_usdt(struct reader *r)
{
	if (!get_bool(r))
		return NULL;
	struct usdt_location *u = arena_alloc(r->a, sizeof(*u));
	u->provider = get_str(r);
	u->name = get_str(r);
	u->nargs = get_count(r);
	struct usdt_arg *args = get_array(r, (size_t)u->nargs, sizeof(*args));
	for (int i = 0; i < u->nargs; i++) {
		struct usdt_arg *a = &args[i];
		a->kind = (enum usdt_arg_kind)get_u64(r);
		a->size = (int)get_u64(r);
		a->is_signed = get_bool(r);
		a->reg = get_str(r);
		a->index = get_str(r);
		a->scale = (int)get_u64(r);
		a->value = (int64_t)get_u64(r);
		a->symbol = get_str(r);
		a->text = get_str(r);
	}
	u->args = args;
	u->semaphore_offset = get_u64(r);
	return u;
}

static void get_spec(struct reader *r, struct attach_spec *s, int depth)
{
	s->kind = (enum probe_kind)get_u64(r);
	s->flags = (unsigned)get_u64(r);
	s->canonical = get_str(r);
	s->target = get_str(r);
	s->func = get_str(r);
	s->symbol = get_str(r);
	s->offset = get_u64(r);
	s->func_offset = get_u64(r);
	s->cpp = get_bool(r);
	s->func_name = get_str(r);
	s->nmulti = get_count(r);
	bool has_nrs = get_bool(r);
	if (s->nmulti && depth > 0) /* the attach points of a multi program are single */
		r->bad = true;
	if (s->nmulti && !r->bad) {
		struct attach_spec *multi = get_array(r, (size_t)s->nmulti, sizeof(*multi));
		uint64_t *cookies = get_array(r, (size_t)s->nmulti, sizeof(*cookies));
		uint32_t *nrs = get_array(r, (size_t)s->nmulti, sizeof(*nrs));
		for (int i = 0; i < s->nmulti && !r->bad; i++) {
			get_spec(r, &multi[i], depth + 1);
			cookies[i] = get_u64(r);
			nrs[i] = (uint32_t)get_u64(r);
		}
		s->multi = multi;
		s->multi_cookies = cookies;
		s->syscall_nrs = has_nrs ? nrs : NULL;
	}
	s->period_ns = get_u64(r);
	s->freq_hz = get_u64(r);
	s->watch_len = (int)get_u64(r);
	s->usdt = get_usdt(r);
	s->source_line = get_bool(r);
}

struct compiled_program *program_deserialize(struct arena *a, const void *data, size_t len)
{
	struct reader r = { .a = a, .p = data, .end = (const unsigned char *)data + len };
	if (len < sizeof(magic) || memcmp(data, magic, sizeof(magic)))
		return NULL;
	r.p += sizeof(magic);
	struct compiled_program *p = arena_alloc(a, sizeof(*p));
	r.ntypes = (uint64_t)get_count(&r);
	r.types = get_array(&r, (size_t)r.ntypes, sizeof(*r.types));
	for (uint64_t i = 0; i < r.ntypes && !r.bad; i++)
		r.types[i] = get_type(&r, i);
	p->elf_size = get_u64(&r);
	if (p->elf_size > (size_t)(r.end - r.p))
		return NULL;
	void *elf = arena_alloc(a, p->elf_size ? p->elf_size : 1);
	memcpy(elf, r.p, p->elf_size);
	r.p += p->elf_size;
	p->elf = elf;
	p->nmaps = get_count(&r);
	p->maps = get_array(&r, (size_t)p->nmaps, sizeof(*p->maps));
	for (int i = 0; i < p->nmaps; i++) {
		struct map_desc *m = &p->maps[i];
		m->name = get_str(&r);
		m->bpf_name = get_str(&r);
		m->key = get_type_ref(&r, r.ntypes);
		m->value = get_type_ref(&r, r.ntypes);
		m->key_size = get_u64(&r);
		m->value_size = get_u64(&r);
		m->percpu = get_bool(&r);
		m->lru = get_bool(&r);
		m->array = get_bool(&r);
		m->max_entries = (uint32_t)get_u64(&r);
	}
	p->nactions = get_count(&r);
	p->actions = get_array(&r, (size_t)p->nactions, sizeof(*p->actions));
	for (int i = 0; i < p->nactions; i++) {
		struct action *act = &p->actions[i];
		act->kind = (enum action_kind)get_u64(&r);
		act->fmt = get_str(&r);
		act->type = get_type_ref(&r, r.ntypes);
		act->map = (int)get_u64(&r);
		act->skb_offset = (uint32_t)get_u64(&r);
		if (act->map >= p->nmaps && (act->kind == ACT_PRINT_MAP || act->kind == ACT_CLEAR || act->kind == ACT_ZERO))
			r.bad = true;
	}
	p->nprogs = get_count(&r);
	p->progs = get_array(&r, (size_t)p->nprogs, sizeof(*p->progs));
	for (int i = 0; i < p->nprogs && !r.bad; i++) {
		p->progs[i].fn_name = get_str(&r);
		p->progs[i].section = get_str(&r);
		get_spec(&r, &p->progs[i].spec, 0);
		p->progs[i].streams = get_bool(&r);
	}
	p->nprobe_names = get_count(&r);
	p->probe_names = get_array(&r, (size_t)p->nprobe_names, sizeof(*p->probe_names));
	p->probe_funcs = get_array(&r, (size_t)p->nprobe_names, sizeof(*p->probe_funcs));
	for (int i = 0; i < p->nprobe_names; i++) {
		p->probe_names[i] = get_str(&r);
		p->probe_funcs[i] = get_str(&r);
	}
	p->ringbuf_name = get_str(&r);
	p->skb_events_name = get_str(&r);
	p->scratch_name = get_str(&r);
	p->print_maps_on_exit = get_bool(&r);
	p->no_cpp_demangle = get_bool(&r);
	p->no_debug_info = get_bool(&r);
	p->hist_percentiles = get_bool(&r);
	p->max_cat_bytes = get_u64(&r);
	p->missing_probes = (int)get_u64(&r);
	p->ringbuf_pages = (uint32_t)get_u64(&r);
	p->stack_map_name = get_str(&r);
	p->stack_frames = (int)get_u64(&r);
	p->ustack_map_name = get_str(&r);
	p->ustack_frames = (int)get_u64(&r);
	if (r.bad || r.p != r.end)
		return NULL;
	return p;
}

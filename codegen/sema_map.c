/* Maps in the semantic pass: the map table, the key and value types a map
 * gets from its uses, reading a map, and map arguments of functions. */
#include "sema_internal.h"

/* ---- maps ---- */

struct map_info *map_get(struct compiler *c, const char *name, bool create)
{
	for (int i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i]->name, name)) {
			if (!create)
				c->maps[i]->used = true;
			return c->maps[i];
		}
	if (!create)
		return NULL;
	c->maps = grow_array(c->arena, c->maps, c->nmaps, &c->cap_maps, sizeof(*c->maps), 16);
	struct map_info *m = arena_alloc(c->arena, sizeof(*m));
	m->name = name;
	m->value = &type_none;
	m->max_entries = c->opts->max_map_keys;
	m->index = c->nmaps;
	c->maps[c->nmaps++] = m;
	return m;
}

const char *map_name(struct sema *s, struct node *n)
{
	return arena_printf(s->c->arena, "@%s", n->name ? n->name : "");
}

/* Check (or fix, on first use) the key of a map access. */
struct map_info *use_map_key(struct sema *s, struct node *mapnode, bool create)
{
	struct map_info *m = map_get(s->c, map_name(s, mapnode), create);
	sema_info(s->c, mapnode)->map = m;
	if (!mapnode->a) {
		if (m && !m->keyless_use)
			m->keyless_use = &mapnode->loc;
		if (m && m->key && m->assigned)
			ERR(s, &mapnode->loc, "%s used as a map without an explicit key (scalar map), previously used with keys",
			    m->name);
		return m;
	}
	const struct type *kt = check_value(s, mapnode->a);
	if (!m || kt->kind == TY_NONE)
		return m;
	if (type_is_aggregate(kt) || kt->kind == TY_VOID) {
		ERR(s, &mapnode->a->loc, "%s is not a valid map key type", tname(s, kt));
		return m;
	}
	if (!m->key) {
		m->key = storage_type(kt);
		/* a use without a key checked before the key was known (inside
		 * the key itself: @m[@m]) */
		if (m->keyless_use)
			ERR(s, m->keyless_use, "%s is used without a key but it has keys of type '%s'", m->name,
			    tname(s, m->key));
		return m;
	}
	const struct type *merged = merge_types(s->c->arena, m->key, kt);
	if (!merged)
		ERR(s, &mapnode->loc,
		    "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'",
		    m->name, tname(s, kt), tname(s, m->key));
	else
		m->key = merged;
	return m;
}

void assign_map_value(struct sema *s, struct map_info *m, const struct type *t, const struct src_loc *loc)
{
	if (t->kind == TY_STRUCT) {
		ERR(s, loc, "a struct value ('%s') cannot be stored yet; store a pointer to it instead", t->name);
		return;
	}
	if (!m->assigned) {
		m->assigned = true;
		m->loc = *loc;
	}
	const struct type *merged = merge_types(s->c->arena, m->value, t);
	if (!merged && m->value->kind == TY_TSERIES && t->kind == TY_TSERIES) {
		ERR(s, loc, "Different tseries intervals or aggregations in a single map unsupported");
		return;
	}
	if (!merged) {
		ERR(s, loc, "Type mismatch for %s: trying to assign value of type '%s' when map already has a type '%s'",
		    m->name, tname(s, t), tname(s, m->value));
		return;
	}
	m->value = merged;
}

const struct type *check_map_read(struct sema *s, struct node *n)
{
	note_runtime_check(s, n, false);
	struct map_info *m = use_map_key(s, n, false);
	if (!m) {
		ERR(s, &n->loc, "Undefined map: %s", map_name(s, n));
		return &type_none;
	}
	if (!m->assigned && s->c->second_pass) {
		ERR(s, &n->loc, "Undefined map: %s", m->name);
		return &type_none;
	}
	if (n->a && !m->key && m->assigned) {
		ERR(s, &n->loc, "%s is a scalar map and has no keys", m->name);
		return &type_none;
	}
	if (!n->a && m->key) {
		ERR(s, &n->loc, "%s is used without a key but it has keys of type '%s'", m->name,
		    tname(s, m->key));
		return &type_none;
	}
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM: case TY_MIN: case TY_MAX: case TY_AVG:
		return m->value->is_signed ? &type_i64 : &type_u64;
	case TY_STATS: case TY_HIST: case TY_LHIST: case TY_TSERIES:
		ERR(s, &n->loc, "%s of type '%s' cannot be read as a value", m->name, tname(s, m->value));
		return &type_none;
	default:
		return m->value;
	}
}

/* ---- map functions ---- */

/* A map argument of print/clear/zero/delete/has_key: `@m` or `@m[k]`. */
/* An update of map node n (an assignment at loc) may find the map full:
 * the runtime warning of §11.3, carried by the map node. */
void note_map_update(struct sema *s, struct node *n, const struct src_loc *loc)
{
	struct action act = { .kind = ACT_WARNING, .map = -1 };
	act.fmt = diag_render(s->c->diags, DIAG_WARNING, loc,
			      "Map full; can't update element. Try increasing max_map_keys config or manually "
			      "setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n"
			      "Additional Info - helper: map_update_elem, retcode: -7");
	sema_add_action(s, n, act);
}

struct map_info *map_arg(struct sema *s, struct node *call, struct node *arg, bool keyed_ok)
{
	if (!arg || arg->kind != N_MAP) {
		ERR(s, arg ? &arg->loc : &call->loc, "%s() expects a map argument", call->name);
		return NULL;
	}
	if (arg->a && !keyed_ok) {
		ERR(s, &arg->loc, "%s() expects a map without a key", call->name);
		return NULL;
	}
	struct map_info *m = map_get(s->c, map_name(s, arg), false);
	sema_info(s->c, arg)->map = m;
	if (!m) {
		ERR(s, &arg->loc, "Undefined map: %s", map_name(s, arg));
		return NULL;
	}
	return m;
}

/* Rust symbol demangling (see demangle_rust.h): the v0 scheme (RFC 2603)
 * and the legacy Itanium-like one. Names come from any binary, so every
 * read is bounded by the name, recursion and output are bounded, and
 * anything malformed fails as a whole rather than printing a guess. */
#include "demangle_rust.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of paths, types, constants and backrefs; the demangled length
 * (a longer name fails, it is never cut); characters of one punycode
 * identifier. */
#define RUST_MAX_DEPTH 128
#define RUST_MAX_OUT 4096
#define RUST_MAX_PUNYCODE 128

/* ---- characters and numbers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* What rustc writes in identifiers (others are escaped or punycode). */
static bool is_ident_byte(char c)
{
	return is_digit(c) || is_lower(c) || is_upper(c) || c == '_';
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lowercase hex digits (leading zeros allowed) as a number; false on
 * another character or past 64 bits. */
static bool hex_value(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	while (n && *s == '0')
		s++, n--;
	if (n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

/* Surrogates and values past U+10FFFF are not characters. */
static bool is_scalar(uint64_t cp)
{
	return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

/* C0 and C1 control characters (Unicode category Cc). */
static bool is_control(uint64_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* ---- output ---- */

struct rust_out {
	size_t len;
	char buf[RUST_MAX_OUT];
};

static bool out_put(struct rust_out *o, const char *s, size_t n)
{
	if (n >= RUST_MAX_OUT - o->len)
		return false;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

static bool out_str(struct rust_out *o, const char *s)
{
	return out_put(o, s, strlen(s));
}

static bool out_utf8(struct rust_out *o, uint64_t cp)
{
	char b[4];
	size_t n;

	if (!is_scalar(cp))
		return false;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		n = 4;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (char)(0x80 | (cp >> 6 * (n - 1 - i) & 0x3f));
	return out_put(o, b, n);
}

/* The name and what the toolchain appended to the symbol, malloc'ed. */
static char *out_finish(struct rust_out *o, const char *suffix, size_t suffix_len)
{
	if (!o->len || !out_put(o, suffix, suffix_len))
		return NULL;
	return strndup(o->buf, o->len);
}

/* What may follow a mangled name: nothing, or a suffix the compiler or
 * linker appended (".cold", ".constprop.0"): kept, except ThinLTO's
 * ".llvm.<hex>", which only says where the copy came from (rustc-demangle
 * drops it too). False when rest is something else. */
static bool vendor_suffix(const char *rest, const char **keep, size_t *keep_len)
{
	static const char llvm[] = ".llvm.";
	size_t n = strlen(rest);

	if (n && rest[0] != '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)rest[i] <= ' ' || (unsigned char)rest[i] >= 0x7f)
			return false;
	*keep = rest;
	*keep_len = n;
	const char *l = strstr(rest, llvm);
	if (l) {
		const char *id = l + strlen(llvm);
		if (*id && strspn(id, "0123456789ABCDEF@") == strlen(id))
			*keep_len = (size_t)(l - rest);
	}
	return true;
}

/* ---- v0 ---- */

struct v0 {
	const char *sym;          /* the name after its "_R" */
	size_t len;               /* of the mangled part (before any suffix) */
	size_t pos;
	unsigned depth;
	uint64_t bound_lifetimes; /* by the enclosing for<...> binders */
	bool skipping;            /* parse, print nothing (an impl's own path) */
	struct rust_out out;
};

typedef bool (*v0_printer)(struct v0 *p);

static bool print_path(struct v0 *p, bool in_value);
static bool print_type(struct v0 *p);
static bool print_const(struct v0 *p);

static bool peek_is(const struct v0 *p, char c)
{
	return p->pos < p->len && p->sym[p->pos] == c;
}

static bool eat(struct v0 *p, char c)
{
	if (!peek_is(p, c))
		return false;
	p->pos++;
	return true;
}

static bool next(struct v0 *p, char *c)
{
	if (p->pos >= p->len)
		return false;
	*c = p->sym[p->pos++];
	return true;
}

static bool push_depth(struct v0 *p)
{
	return ++p->depth <= RUST_MAX_DEPTH;
}

static bool emit_n(struct v0 *p, const char *s, size_t n)
{
	return p->skipping || out_put(&p->out, s, n);
}

static bool emit(struct v0 *p, const char *s)
{
	return emit_n(p, s, strlen(s));
}

static bool emit_u64(struct v0 *p, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return emit(p, s);
}

static int base62_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (is_lower(c))
		return c - 'a' + 10;
	if (is_upper(c))
		return c - 'A' + 36;
	return -1;
}

/* <base-62-number>: "_" is 0, "<digits>_" their value plus one. */
static bool parse_base62(struct v0 *p, uint64_t *v)
{
	uint64_t x = 0;
	char c;

	if (eat(p, '_')) {
		*v = 0;
		return true;
	}
	while (!eat(p, '_')) {
		if (!next(p, &c))
			return false;
		int d = base62_digit(c);
		if (d < 0 || x > (UINT64_MAX - (uint64_t)d) / 62)
			return false;
		x = x * 62 + (uint64_t)d;
	}
	if (x == UINT64_MAX)
		return false;
	*v = x + 1;
	return true;
}

/* tag <base-62-number>, optional (a disambiguator "s", a binder "G"):
 * 0 when absent, the number plus one otherwise. */
static bool parse_opt_base62(struct v0 *p, char tag, uint64_t *v)
{
	*v = 0;
	if (!eat(p, tag))
		return true;
	if (!parse_base62(p, v) || *v == UINT64_MAX)
		return false;
	(*v)++;
	return true;
}

/* <decimal-number>: "0", or digits without a leading zero. A length, so
 * never more than what is left of the name. */
static bool parse_decimal(struct v0 *p, uint64_t *v)
{
	char c;

	if (!next(p, &c) || !is_digit(c))
		return false;
	uint64_t x = (uint64_t)(c - '0');
	while (x && p->pos < p->len && is_digit(p->sym[p->pos])) {
		x = x * 10 + (uint64_t)(p->sym[p->pos++] - '0');
		if (x > p->len)
			return false;
	}
	*v = x;
	return true;
}

/* An identifier: its ASCII part and, for a punycode one, the encoded
 * rest (puny != NULL). */
struct ident {
	const char *ascii;
	size_t ascii_len;
	const char *puny;
	size_t puny_len;
};

/* <undisambiguated-identifier> = ["u"] <decimal> ["_"] <bytes>. With "u"
 * the bytes are punycode whose last "_" ends the ASCII part. */
static bool parse_ident(struct v0 *p, struct ident *id)
{
	bool punycode = eat(p, 'u');
	uint64_t n;

	if (!parse_decimal(p, &n))
		return false;
	eat(p, '_');
	if (n > p->len - p->pos)
		return false;
	const char *s = p->sym + p->pos;
	for (size_t i = 0; i < n; i++)
		if (!is_ident_byte(s[i]))
			return false;
	p->pos += n;
	*id = (struct ident){ .ascii = s, .ascii_len = n };
	if (!punycode)
		return true;
	size_t sep = n;
	while (sep > 0 && s[sep - 1] != '_')
		sep--;
	id->ascii_len = sep ? sep - 1 : 0;
	id->puny = s + sep;
	id->puny_len = n - sep;
	return id->puny_len > 0;
}

static int punycode_digit(char c)
{
	if (is_lower(c))
		return c - 'a';
	if (is_digit(c))
		return c - '0' + 26;
	return -1;
}

/* RFC 3492 bias adaptation after each decoded character. */
static uint64_t punycode_adapt(uint64_t delta, size_t len, bool first)
{
	enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700 };
	uint64_t k = 0;

	delta /= first ? DAMP : 2;
	delta += delta / len;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + ((BASE - TMIN + 1) * delta) / (delta + SKEW);
}

/* One variable-length delta; false when malformed or absurdly large
 * (a real one stays far below 2^40 for 128 characters). */
static bool punycode_delta(const struct ident *id, size_t *at, uint64_t bias, uint64_t *delta)
{
	enum { BASE = 36, TMIN = 1, TMAX = 26 };
	const uint64_t limit = (uint64_t)1 << 40;
	uint64_t w = 1;

	*delta = 0;
	for (uint64_t k = BASE;; k += BASE) {
		if (*at >= id->puny_len)
			return false;
		int d = punycode_digit(id->puny[(*at)++]);
		if (d < 0)
			return false;
		uint64_t t = k > bias ? k - bias : 0;
		t = t < TMIN ? TMIN : t > TMAX ? TMAX : t;
		*delta += (uint64_t)d * w;
		if (*delta > limit)
			return false;
		if ((uint64_t)d < t)
			return true;
		w *= BASE - t;
		if (w > limit)
			return false;
	}
}

/* The characters of a punycode identifier into cps (RUST_MAX_PUNYCODE). */
static bool punycode_decode(const struct ident *id, uint32_t *cps, size_t *ncps)
{
	uint64_t n = 0x80, bias = 72, pos = 0, delta;
	size_t len = id->ascii_len, at = 0;

	if (len > RUST_MAX_PUNYCODE)
		return false;
	for (size_t i = 0; i < len; i++)
		cps[i] = (unsigned char)id->ascii[i];
	while (at < id->puny_len) {
		if (len == RUST_MAX_PUNYCODE || !punycode_delta(id, &at, bias, &delta))
			return false;
		len++;
		pos += delta;
		n += pos / len;
		pos %= len;
		if (!is_scalar(n))
			return false;
		memmove(cps + pos + 1, cps + pos, (len - 1 - pos) * sizeof(*cps));
		cps[pos++] = (uint32_t)n;
		bias = punycode_adapt(delta, len, len == id->ascii_len + 1);
	}
	*ncps = len;
	return true;
}

static bool print_ident(struct v0 *p, const struct ident *id)
{
	uint32_t cps[RUST_MAX_PUNYCODE];
	size_t n;

	if (!id->puny)
		return emit_n(p, id->ascii, id->ascii_len);
	if (!punycode_decode(id, cps, &n))
		return false;
	for (size_t i = 0; i < n && !p->skipping; i++)
		if (!out_utf8(&p->out, cps[i]))
			return false;
	return true;
}

static bool ident_is_empty(const struct ident *id)
{
	return !id->ascii_len && !id->puny_len;
}

/* Lifetime lt: 0 is erased ('_), others count binders outward from the
 * innermost: 'a, 'b, ... then '_26, '_27, ... */
static bool print_lifetime(struct v0 *p, uint64_t lt)
{
	if (p->skipping)
		return true;
	if (lt == 0)
		return emit(p, "'_");
	if (lt > p->bound_lifetimes)
		return false;
	uint64_t index = p->bound_lifetimes - lt;
	if (index < 26) {
		char name[3] = { '\'', (char)('a' + index), 0 };
		return emit(p, name);
	}
	return emit(p, "'_") && emit_u64(p, index);
}

/* [G<base-62-number>] then what print shows, the lifetimes the binder
 * introduces written first: "for<'a, 'b> ". */
static bool print_binder(struct v0 *p, v0_printer print)
{
	uint64_t n;

	if (!parse_opt_base62(p, 'G', &n))
		return false;
	if (p->skipping)
		return print(p);
	if (n) {
		if (!emit(p, "for<"))
			return false;
		for (uint64_t i = 0; i < n; i++) {
			p->bound_lifetimes++;
			if ((i && !emit(p, ", ")) || !print_lifetime(p, 1))
				return false;
		}
		if (!emit(p, "> "))
			return false;
	}
	bool ok = print(p);
	p->bound_lifetimes -= n;
	return ok;
}

/* Items up to "E", sep between them; *count of them. */
static bool print_list(struct v0 *p, v0_printer item, const char *sep, size_t *count)
{
	for (*count = 0; !eat(p, 'E'); (*count)++)
		if ((*count && !emit(p, sep)) || !item(p))
			return false;
	return true;
}

/* What a backref stands for. */
enum backref_kind { BACKREF_PATH, BACKREF_VALUE_PATH, BACKREF_TYPE, BACKREF_CONST, BACKREF_DYN_TRAIT };

static bool print_dyn_trait_path(struct v0 *p, bool *open);

/* B<base-62-number> (the "B" read): what starts at that earlier offset
 * is printed again. Only backward, so it cannot loop; each one counts as
 * a level of depth. Not followed while skipping. */
static bool print_backref(struct v0 *p, enum backref_kind kind, bool *open)
{
	size_t tag_pos = p->pos - 1;
	uint64_t target;

	if (!parse_base62(p, &target) || target >= tag_pos || !push_depth(p))
		return false;
	bool ok = true;
	size_t resume = p->pos;
	if (!p->skipping) {
		p->pos = (size_t)target;
		switch (kind) {
		case BACKREF_PATH:
		case BACKREF_VALUE_PATH:
			ok = print_path(p, kind == BACKREF_VALUE_PATH);
			break;
		case BACKREF_TYPE:
			ok = print_type(p);
			break;
		case BACKREF_CONST:
			ok = print_const(p);
			break;
		case BACKREF_DYN_TRAIT:
			ok = print_dyn_trait_path(p, open);
			break;
		}
	}
	p->pos = resume;
	p->depth--;
	return ok;
}

/* C [s<disambiguator>] <ident>: the crate name (its hash not shown). */
static bool print_crate_root(struct v0 *p)
{
	uint64_t dis;
	struct ident id;

	return parse_opt_base62(p, 's', &dis) && parse_ident(p, &id) && print_ident(p, &id);
}

/* N<namespace><path>[s<dis>]<ident>: "path::name". Uppercase namespaces
 * are special: {closure#N}, {shim:name#N}; lowercase ones are internal:
 * the plain name, nothing when it is empty. */
static bool print_nested_path(struct v0 *p, bool in_value)
{
	char ns;
	uint64_t dis;
	struct ident id;

	if (!next(p, &ns) || !(is_lower(ns) || is_upper(ns)))
		return false;
	if (!print_path(p, in_value) || !parse_opt_base62(p, 's', &dis) || !parse_ident(p, &id))
		return false;
	if (is_lower(ns))
		return ident_is_empty(&id) || (emit(p, "::") && print_ident(p, &id));
	char other[2] = { ns, 0 };
	const char *kind = ns == 'C' ? "closure" : ns == 'S' ? "shim" : other;
	if (!emit(p, "::{") || !emit(p, kind))
		return false;
	if (!ident_is_empty(&id) && !(emit(p, ":") && print_ident(p, &id)))
		return false;
	return emit(p, "#") && emit_u64(p, dis) && emit(p, "}");
}

/* The path of an impl block ([s<dis>] <path>): parsed, not shown. */
static bool skip_impl_path(struct v0 *p)
{
	uint64_t dis;
	bool was_skipping = p->skipping;

	if (!parse_opt_base62(p, 's', &dis))
		return false;
	p->skipping = true;
	bool ok = print_path(p, false);
	p->skipping = was_skipping;
	return ok;
}

/* M<impl-path><type>: "<Type>" (inherent impl); X<impl-path><type><path>:
 * "<Type as Trait>"; Y<type><path>: the same in a trait definition. */
static bool print_impl_path(struct v0 *p, char tag)
{
	if (tag != 'Y' && !skip_impl_path(p))
		return false;
	if (!emit(p, "<") || !print_type(p))
		return false;
	if (tag != 'M' && !(emit(p, " as ") && print_path(p, false)))
		return false;
	return emit(p, ">");
}

/* <lifetime> | <type> | K<const> */
static bool print_generic_arg(struct v0 *p)
{
	uint64_t lt;

	if (eat(p, 'L'))
		return parse_base62(p, &lt) && print_lifetime(p, lt);
	if (eat(p, 'K'))
		return print_const(p);
	return print_type(p);
}

/* I<path>{<generic-arg>}E: "path<args>", in a value "path::<args>". */
static bool print_generic_path(struct v0 *p, bool in_value)
{
	size_t n;

	return print_path(p, in_value) && (!in_value || emit(p, "::")) && emit(p, "<") &&
	       print_list(p, print_generic_arg, ", ", &n) && emit(p, ">");
}

static bool print_tagged_path(struct v0 *p, char tag, bool in_value)
{
	switch (tag) {
	case 'C':
		return print_crate_root(p);
	case 'N':
		return print_nested_path(p, in_value);
	case 'M':
	case 'X':
	case 'Y':
		return print_impl_path(p, tag);
	case 'I':
		return print_generic_path(p, in_value);
	case 'B':
		return print_backref(p, in_value ? BACKREF_VALUE_PATH : BACKREF_PATH, NULL);
	}
	return false;
}

/* A path; in_value for the symbol itself, whose generic arguments need
 * "::<" (a type's do not). */
static bool print_path(struct v0 *p, bool in_value)
{
	char tag;

	if (!next(p, &tag) || !push_depth(p) || !print_tagged_path(p, tag, in_value))
		return false;
	p->depth--;
	return true;
}

/* What a constant of a basic type looks like. */
enum const_kind { CONST_NONE, CONST_UNSIGNED, CONST_SIGNED, CONST_BOOL, CONST_CHAR };

struct basic_type {
	char tag;
	const char *name;
	enum const_kind as_const;
};

static const struct basic_type basic_types[] = {
	{ 'a', "i8", CONST_SIGNED },    { 'b', "bool", CONST_BOOL },     { 'c', "char", CONST_CHAR },
	{ 'd', "f64", CONST_NONE },     { 'e', "str", CONST_NONE },      { 'f', "f32", CONST_NONE },
	{ 'h', "u8", CONST_UNSIGNED },  { 'i', "isize", CONST_SIGNED },  { 'j', "usize", CONST_UNSIGNED },
	{ 'l', "i32", CONST_SIGNED },   { 'm', "u32", CONST_UNSIGNED },  { 'n', "i128", CONST_SIGNED },
	{ 'o', "u128", CONST_UNSIGNED }, { 'p', "_", CONST_NONE },       { 's', "i16", CONST_SIGNED },
	{ 't', "u16", CONST_UNSIGNED }, { 'u', "()", CONST_NONE },       { 'v', "...", CONST_NONE },
	{ 'x', "i64", CONST_SIGNED },   { 'y', "u64", CONST_UNSIGNED },  { 'z', "!", CONST_NONE },
};

static const struct basic_type *basic_type(char tag)
{
	for (size_t i = 0; i < sizeof(basic_types) / sizeof(basic_types[0]); i++)
		if (basic_types[i].tag == tag)
			return &basic_types[i];
	return NULL;
}

/* R/Q [L<lifetime>] <type>: "&'a T", "&mut T". */
static bool print_ref_type(struct v0 *p, bool mutable)
{
	uint64_t lt = 0;

	if (!emit(p, "&") || (eat(p, 'L') && !parse_base62(p, &lt)))
		return false;
	if (lt && !(print_lifetime(p, lt) && emit(p, " ")))
		return false;
	return (!mutable || emit(p, "mut ")) && print_type(p);
}

/* T{<type>}E: "(a, b)", "(a,)", "()". */
static bool print_tuple_type(struct v0 *p)
{
	size_t n;

	return emit(p, "(") && print_list(p, print_type, ", ", &n) && (n != 1 || emit(p, ",")) &&
	       emit(p, ")");
}

/* K<abi> (the "K" read): "C", or a name in which the mangling wrote each
 * '-' as '_' ("C_unwind" is extern "C-unwind"). */
static bool print_abi(struct v0 *p)
{
	struct ident abi;

	if (eat(p, 'C'))
		return emit(p, "extern \"C\" ");
	if (!parse_ident(p, &abi) || !abi.ascii_len || abi.puny || !emit(p, "extern \""))
		return false;
	for (size_t i = 0; i < abi.ascii_len; i++)
		if (!emit_n(p, abi.ascii[i] == '_' ? "-" : &abi.ascii[i], 1))
			return false;
	return emit(p, "\" ");
}

/* [U] [K<abi>] {<type>} E <type>: "unsafe extern "C" fn(a, b) -> r"; a
 * "()" return is not shown. */
static bool print_fn_sig(struct v0 *p)
{
	size_t n;

	if (eat(p, 'U') && !emit(p, "unsafe "))
		return false;
	if (eat(p, 'K') && !print_abi(p))
		return false;
	if (!emit(p, "fn(") || !print_list(p, print_type, ", ", &n) || !emit(p, ")"))
		return false;
	return eat(p, 'u') || (emit(p, " -> ") && print_type(p));
}

/* The trait path of a dyn bound with its generic argument list left open
 * ("Fn<(u8,)"), for the associated type bindings that follow. */
static bool print_dyn_trait_path(struct v0 *p, bool *open)
{
	size_t n;

	*open = false;
	if (eat(p, 'B'))
		return print_backref(p, BACKREF_DYN_TRAIT, open);
	if (!eat(p, 'I'))
		return print_path(p, false);
	*open = true;
	return print_path(p, false) && emit(p, "<") && print_list(p, print_generic_arg, ", ", &n);
}

/* <path> {p <ident> <type>}: "Iterator<Item = f32>". */
static bool print_dyn_trait(struct v0 *p)
{
	bool open;
	struct ident name;

	if (!print_dyn_trait_path(p, &open))
		return false;
	for (; eat(p, 'p'); open = true)
		if (!emit(p, open ? ", " : "<") || !parse_ident(p, &name) || !print_ident(p, &name) ||
		    !emit(p, " = ") || !print_type(p))
			return false;
	return !open || emit(p, ">");
}

static bool print_dyn_traits(struct v0 *p)
{
	size_t n;

	return print_list(p, print_dyn_trait, " + ", &n);
}

/* D <binder> {<dyn-trait>} E L<lifetime>: "dyn A + B + 'a". */
static bool print_dyn_type(struct v0 *p)
{
	uint64_t lt;

	if (!emit(p, "dyn ") || !print_binder(p, print_dyn_traits) || !eat(p, 'L') ||
	    !parse_base62(p, &lt))
		return false;
	return !lt || (emit(p, " + ") && print_lifetime(p, lt));
}

/* A type other than a basic one, by its tag. */
static bool print_tagged_type(struct v0 *p, char tag)
{
	switch (tag) {
	case 'R':
	case 'Q':
		return print_ref_type(p, tag == 'Q');
	case 'P':
		return emit(p, "*const ") && print_type(p);
	case 'O':
		return emit(p, "*mut ") && print_type(p);
	case 'A':
		return emit(p, "[") && print_type(p) && emit(p, "; ") && print_const(p) && emit(p, "]");
	case 'S':
		return emit(p, "[") && print_type(p) && emit(p, "]");
	case 'T':
		return print_tuple_type(p);
	case 'F':
		return print_binder(p, print_fn_sig);
	case 'D':
		return print_dyn_type(p);
	case 'B':
		return print_backref(p, BACKREF_TYPE, NULL);
	}
	/* a named type: a path */
	p->pos--;
	return print_path(p, false);
}

static bool print_type(struct v0 *p)
{
	char tag;

	if (!next(p, &tag))
		return false;
	const struct basic_type *basic = basic_type(tag);
	if (basic)
		return emit(p, basic->name);
	if (!push_depth(p) || !print_tagged_type(p, tag))
		return false;
	p->depth--;
	return true;
}

/* {<hex-digit>} "_" */
static bool parse_hex(struct v0 *p, const char **hex, size_t *n)
{
	size_t start = p->pos;
	char c;

	do {
		if (!next(p, &c) || (c != '_' && hex_digit(c) < 0))
			return false;
	} while (c != '_');
	*hex = p->sym + start;
	*n = p->pos - 1 - start;
	return true;
}

/* A char constant as Rust's escape_debug writes it between quotes. */
static bool print_char_const(struct v0 *p, uint64_t c)
{
	static const struct {
		char c;
		const char *escaped;
	} escapes[] = {
		{ '\t', "\\t" }, { '\r', "\\r" }, { '\n', "\\n" }, { '\0', "\\0" }, { '\\', "\\\\" }, { '\'', "\\'" },
	};
	char hex[16];

	if (p->skipping)
		return true;
	if (!emit(p, "'"))
		return false;
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++)
		if ((uint64_t)escapes[i].c == c)
			return emit(p, escapes[i].escaped) && emit(p, "'");
	if (is_control(c)) {
		snprintf(hex, sizeof(hex), "\\u{%" PRIx64 "}", c);
		if (!emit(p, hex))
			return false;
	} else if (!out_utf8(&p->out, c)) {
		return false;
	}
	return emit(p, "'");
}

/* The value of a constant of a basic type: ["n"] <hex> "_". Integers
 * past 64 bits are shown in hex, like rustc-demangle. */
static bool print_const_value(struct v0 *p, enum const_kind kind)
{
	const char *hex;
	size_t n;
	uint64_t v;
	bool negative = kind == CONST_SIGNED && eat(p, 'n');

	if (!parse_hex(p, &hex, &n))
		return false;
	bool fits = hex_value(hex, n, &v);
	switch (kind) {
	case CONST_UNSIGNED:
	case CONST_SIGNED:
		if (negative && !emit(p, "-"))
			return false;
		return fits ? emit_u64(p, v) : emit(p, "0x") && emit_n(p, hex, n);
	case CONST_BOOL:
		return fits && v <= 1 && emit(p, v ? "true" : "false");
	case CONST_CHAR:
		return fits && is_scalar(v) && print_char_const(p, v);
	case CONST_NONE:
		break;
	}
	return false;
}

/* <type> <value> | "p" (a placeholder: "_") | <backref>. Only integer,
 * bool and char values: the str, reference, array, tuple and struct
 * constants of unstable const generics are not supported. */
static bool print_const(struct v0 *p)
{
	char tag;
	bool ok;

	if (!next(p, &tag) || !push_depth(p))
		return false;
	if (tag == 'p') {
		ok = emit(p, "_");
	} else if (tag == 'B') {
		ok = print_backref(p, BACKREF_CONST, NULL);
	} else {
		const struct basic_type *basic = basic_type(tag);
		ok = basic && print_const_value(p, basic->as_const);
	}
	p->depth--;
	return ok;
}

/* The mangled part after "_R", "R" (Windows' dbghelp strips the "_") or
 * "__R" (macOS adds one), which starts with a path; NULL otherwise. */
static const char *v0_body(const char *name)
{
	static const char *const prefixes[] = { "_R", "__R", "R" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], n) && name[n] && strchr("CMXYNI", name[n]))
			return name + n;
	}
	return NULL;
}

bool demangle_rust_v0_prefix(const char *name)
{
	return v0_body(name) != NULL;
}

/* <path> [<instantiating-crate>] [<vendor-suffix>]: the crate that
 * instantiated a generic is parsed, not shown. */
char *demangle_rust_v0(const char *name)
{
	const char *sym = v0_body(name), *suffix;
	size_t suffix_len;

	if (!sym)
		return NULL;
	struct v0 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sym = sym;
	p->len = strcspn(sym, ".");
	char *out = NULL;
	bool ok = vendor_suffix(sym + p->len, &suffix, &suffix_len) && print_path(p, true);
	if (ok && p->pos < p->len && is_upper(sym[p->pos])) {
		p->skipping = true;
		ok = print_path(p, false);
	}
	if (ok && p->pos == p->len)
		out = out_finish(&p->out, suffix, suffix_len);
	free(p);
	return out;
}

/* ---- legacy ---- */

/* One element of a legacy path, "<decimal length><bytes>", at *s. */
static bool legacy_element(const char **s, const char **text, size_t *n)
{
	const char *p = *s;
	size_t len = 0;

	if (!is_digit(*p))
		return false;
	while (is_digit(*p)) {
		len = len * 10 + (size_t)(*p++ - '0');
		if (len > RUST_MAX_OUT)
			return false;
	}
	if (strnlen(p, len) < len)
		return false;
	*text = p;
	*n = len;
	*s = p + len;
	return true;
}

/* The last element rustc adds to a legacy name: "h" + 16 hex digits. */
static bool is_legacy_hash(const char *s, size_t n)
{
	if (n != 17 || s[0] != 'h')
		return false;
	for (size_t i = 1; i < n; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	return true;
}

/* $code$ escapes of characters a linker symbol cannot hold. */
static const struct {
	const char *code;
	const char *text;
} legacy_escapes[] = {
	{ "SP", "@" }, { "BP", "*" }, { "RF", "&" }, { "LT", "<" },
	{ "GT", ">" }, { "LP", "(" }, { "RP", ")" }, { "C", "," },
};

/* The code between the '$'s: a name from the table, or "u" and the
 * lowercase hex code point of a character that is not a control one. */
static bool legacy_escape(struct rust_out *o, const char *code, size_t n)
{
	uint64_t cp;

	for (size_t i = 0; i < sizeof(legacy_escapes) / sizeof(legacy_escapes[0]); i++)
		if (strlen(legacy_escapes[i].code) == n && !memcmp(legacy_escapes[i].code, code, n))
			return out_str(o, legacy_escapes[i].text);
	if (n < 2 || code[0] != 'u' || !hex_value(code + 1, n - 1, &cp) || is_control(cp))
		return false;
	return out_utf8(o, cp);
}

/* An element's text: "$..$" escapes, ".." for "::", a leading "_$"
 * (an identifier cannot start with '$') for "$". */
static bool legacy_unescape(struct rust_out *o, const char *s, size_t n)
{
	const char *end = s + n;

	if (n >= 2 && s[0] == '_' && s[1] == '$')
		s++;
	while (s < end) {
		if (*s == '.') {
			bool pair = s + 1 < end && s[1] == '.';
			if (!out_str(o, pair ? "::" : "."))
				return false;
			s += pair ? 2 : 1;
		} else if (*s == '$') {
			const char *close = memchr(s + 1, '$', (size_t)(end - s - 1));
			if (!close || !legacy_escape(o, s + 1, (size_t)(close - s - 1)))
				return false;
			s = close + 1;
		} else if (is_ident_byte(*s)) {
			if (!out_put(o, s++, 1))
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* "_ZN" {<element>} "E" [<vendor-suffix>], the last element the hash
 * (not shown). */
char *demangle_rust_legacy(const char *name, bool *is_rust)
{
	const char *s, *text = NULL, *suffix;
	size_t n = 0, count = 0, suffix_len;

	*is_rust = false;
	if (strncmp(name, "_ZN", 3))
		return NULL;
	for (s = name + 3; *s != 'E'; count++)
		if (!legacy_element(&s, &text, &n))
			return NULL;
	if (count < 2 || !is_legacy_hash(text, n) || !vendor_suffix(s + 1, &suffix, &suffix_len))
		return NULL;
	*is_rust = true;
	struct rust_out *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	char *out = NULL;
	bool ok = true;
	s = name + 3;
	for (size_t i = 0; ok && i + 1 < count; i++)
		ok = legacy_element(&s, &text, &n) && (!i || out_str(o, "::")) &&
		     legacy_unescape(o, text, n);
	if (ok)
		out = out_finish(o, suffix, suffix_len);
	free(o);
	return out;
}

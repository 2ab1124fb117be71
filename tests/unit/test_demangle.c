/* Symbol demangling (common/demangle.c, common/demangle_rust.c): Rust v0
 * and legacy names, C++ names, and malformed names, which must fail
 * without reading past them. The v0 and legacy names come from binaries
 * rustc 1.95 built (-C symbol-mangling-version=v0 for v0); the expected
 * strings are gdb's demangling of them in rustc-demangle's short form
 * (no "[crate hash]", no ": type" after constants). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/demangle.h"
#include "check.h"

struct demangle_case {
	const char *mangled;
	const char *want; /* NULL: must fail */
};

static const struct demangle_case v0_cases[] = {
	{ "_RNvCs2ndz2m94zur_4demo4main", "demo::main" },
	{ "_RNvNtNtCs2ndz2m94zur_4demo5outer5inner4deep", "demo::outer::inner::deep" },
	/* the R and __R prefixes of Windows' dbghelp and of macOS */
	{ "RNvCs2ndz2m94zur_4demo4main", "demo::main" },
	{ "__RNvCs2ndz2m94zur_4demo4main", "demo::main" },
	/* inherent impl; instantiating crate (B2_) not shown */
	{ "_RNvMCs2ndz2m94zur_4demoINtB2_3FoohE3barB2_", "<demo::Foo<u8>>::bar" },
	{ "_RNvMCs2ndz2m94zur_4demoINtB2_3FooReE3barB2_", "<demo::Foo<&str>>::bar" },
	/* trait impls over every kind of type */
	{ "_RNvXs_Cs2ndz2m94zur_4demoINtB4_3FoohENtB4_5Trait6method",
	  "<demo::Foo<u8> as demo::Trait>::method" },
	{ "_RNvXs0_Cs2ndz2m94zur_4demoRStNtB5_5Trait6method", "<&[u16] as demo::Trait>::method" },
	{ "_RNvXs1_Cs2ndz2m94zur_4demoThxcENtB5_5Trait6method",
	  "<(u8, i64, char) as demo::Trait>::method" },
	{ "_RNvXs2_Cs2ndz2m94zur_4demoAhj4_NtB5_5Trait6method", "<[u8; 4] as demo::Trait>::method" },
	{ "_RNvXs3_Cs2ndz2m94zur_4demoPlNtB5_5Trait6method", "<*const i32 as demo::Trait>::method" },
	{ "_RNvXs4_Cs2ndz2m94zur_4demoObNtB5_5Trait6method", "<*mut bool as demo::Trait>::method" },
	{ "_RNvXs5_Cs2ndz2m94zur_4demoFhEsNtB5_5Trait6method",
	  "<fn(u8) -> i16 as demo::Trait>::method" },
	{ "_RNvXs8_Cs2ndz2m94zur_4demoFG_QL0_oERL0_iNtB5_5Trait6method",
	  "<for<'a> fn(&'a mut u128) -> &'a isize as demo::Trait>::method" },
	{ "_RNvXs7_Cs2ndz2m94zur_4demoINtNtCslNYArtu3iFV_5alloc5boxed3BoxDG_INtNtNtCsgEmfK2I1SDS_4core3ops8function2FnTRL0_eEEp6OutputdNtNtB17_6marker4SendEL_ENtB5_5Trait6method",
	  "<alloc::boxed::Box<dyn for<'a> core::ops::function::Fn<(&'a str,), Output = f64> + "
	  "core::marker::Send> as demo::Trait>::method" },
	{ "_RNvXs9_Cs2ndz2m94zur_4demoINtNtCslNYArtu3iFV_5alloc5boxed3BoxDNtNtNtNtCsgEmfK2I1SDS_4core4iter6traits8iterator8Iteratorp4ItemfEL_ENtB5_5Trait6method",
	  "<alloc::boxed::Box<dyn core::iter::traits::iterator::Iterator<Item = f32>> as "
	  "demo::Trait>::method" },
	{ "_RNvXsa_Cs2ndz2m94zur_4demouNtB5_5Trait6method", "<() as demo::Trait>::method" },
	{ "_RNvXsb_Cs2ndz2m94zur_4demoTnENtB5_5Trait6method", "<(i128,) as demo::Trait>::method" },
	{ "_RNvXCsgAJmZNLiHkx_5demo2FUKCavEuNtB2_5Trait6method",
	  "<unsafe extern \"C\" fn(i8, ...) as demo2::Trait>::method" },
	{ "_RNvXs_CsgAJmZNLiHkx_5demo2FK8C_unwindEuNtB4_5Trait6method",
	  "<extern \"C-unwind\" fn() as demo2::Trait>::method" },
	{ "_RNvXs0_CsgAJmZNLiHkx_5demo2FEzNtB5_5Trait6method", "<fn() -> ! as demo2::Trait>::method" },
	{ "_RNvXs1_CsgAJmZNLiHkx_5demo2RDG_INtNtNtCsgEmfK2I1SDS_4core3ops8function2FnTRL0_hEEp6OutputuEL_NtB5_5Trait6method",
	  "<&dyn for<'a> core::ops::function::Fn<(&'a u8,), Output = ()> as demo2::Trait>::method" },
	{ "_RNvXs2_CsgAJmZNLiHkx_5demo2QSReNtB5_5Trait6method", "<&mut [&str] as demo2::Trait>::method" },
	/* generic functions: "::<" in a value path */
	{ "_RINvCs2ndz2m94zur_4demo7genericmEB2_", "demo::generic::<u32>" },
	{ "_RINvCs2ndz2m94zur_4demo7genericReEB2_", "demo::generic::<&str>" },
	{ "_RINvCs2ndz2m94zur_4demo7genericINtNtCsgEmfK2I1SDS_4core6option6OptionaEEB2_",
	  "demo::generic::<core::option::Option<i8>>" },
	/* const generics */
	{ "_RINvCs2ndz2m94zur_4demo5konstKj3_EB2_", "demo::konst::<3>" },
	{ "_RINvCs2ndz2m94zur_4demo5konstKjff_EB2_", "demo::konst::<255>" },
	{ "_RINvCs2ndz2m94zur_4demo4knegKln5_EB2_", "demo::kneg::<-5>" },
	{ "_RNvMs3_CsgAJmZNLiHkx_5demo2INtB5_1WKxn8000000000000000_E3getB5_",
	  "<demo2::W<-9223372036854775808>>::get" },
	{ "_RINvCs2ndz2m94zur_4demo5kboolKb1_EB2_", "demo::kbool::<true>" },
	{ "_RINvCs2ndz2m94zur_4demo5kboolKb0_EB2_", "demo::kbool::<false>" },
	{ "_RINvCs2ndz2m94zur_4demo5kcharKc61_EB2_", "demo::kchar::<'a'>" },
	/* rustc-demangle's escaping (gdb prints ''' and '\u{df}') */
	{ "_RINvCs2ndz2m94zur_4demo5kcharKc27_EB2_", "demo::kchar::<'\\''>" },
	{ "_RINvCs2ndz2m94zur_4demo5kcharKcdf_EB2_", "demo::kchar::<'\xc3\x9f'>" },
	/* past 64 bits: hex, like rustc-demangle; a placeholder; a lifetime */
	{ "_RINvC1a1fKo100000000000000000_E", "a::f::<0x100000000000000000>" },
	{ "_RINvC1a1fKpE", "a::f::<_>" },
	{ "_RINvC1a1fL_E", "a::f::<'_>" },
	/* closures and shims */
	{ "_RNCNvCs2ndz2m94zur_4demo4main0B3_", "demo::main::{closure#0}" },
	{ "_RNCNvCs2ndz2m94zur_4demo4mains_0B3_", "demo::main::{closure#1}" },
	{ "_RINvCs2ndz2m94zur_4demo5applyNCNvB2_4mains0_0EB2_",
	  "demo::apply::<demo::main::{closure#2}>" },
	{ "_RNSNvYNCNvCs2ndz2m94zur_4demo4main0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceTReEE9call_once6vtableB8_",
	  "<demo::main::{closure#0} as core::ops::function::FnOnce<(&str,)>>::call_once::{shim:vtable#0}" },
	/* punycode identifiers: gödel::東京, ünicode_fn */
	{ "_RNvNtCs2ndz2m94zur_4demou8gdel_5qau7_1lqs71d",
	  "demo::g\xc3\xb6" "del::\xe6\x9d\xb1\xe4\xba\xac" },
	{ "_RNvCs2ndz2m94zur_4demou13nicode_fn_p9a", "demo::\xc3\xbcnicode_fn" },
	/* suffixes: ".0" kept, ThinLTO's ".llvm.<hex>" dropped */
	{ "_RNvNtNtCsjrHSEGnQ3l9_3std6thread11main_thread4MAIN.0", "std::thread::main_thread::MAIN.0" },
	{ "_RNvCs2ndz2m94zur_4demo4main.llvm.1234ABCD", "demo::main" },
};

static const struct demangle_case legacy_cases[] = {
	{ "_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write" },
	{ "_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$3bar17h930b740aa94f1d3aE",
	  "<Test + 'static as foo::Bar<Test>>::bar" },
	{ "_ZN40_$LT$$LP$$RP$$u20$as$u20$demo..Trait$GT$6method17h8c34215c29c38505E",
	  "<() as demo::Trait>::method" },
	{ "_ZN103_$LT$alloc..vec..into_iter..IntoIter$LT$T$C$A$GT$$u20$as$u20$core..iter..traits..iterator..Iterator$GT$4next17h477fa4c1f8acdf25E",
	  "<alloc::vec::into_iter::IntoIter<T,A> as core::iter::traits::iterator::Iterator>::next" },
	/* $uXX$ beyond ASCII (gdb leaves these escaped): gödel::東京 */
	{ "_ZN4demo9g$uf6$del15_$u6771$$u4eac$17ha2b793d9818f007bE",
	  "demo::g\xc3\xb6" "del::\xe6\x9d\xb1\xe4\xba\xac" },
	{ "_ZN4test20$RF$$BP$$SP$$C$$u7e$17h0123456789abcdefE", "test::&*@,~" },
	{ "_ZN4test6_$LT$a17h0123456789abcdefE", "test::<a" },
	{ "_ZN4core3fmt5write17h0123456789abcdefE.llvm.77AB", "core::fmt::write" },
	{ "_ZN4core3fmt5write17h0123456789abcdefE.cold", "core::fmt::write.cold" },
	/* malformed escapes: an unknown one, a control character, unclosed */
	{ "_ZN4test4$XX$17h0123456789abcdefE", NULL },
	{ "_ZN4test5$u1f$17h0123456789abcdefE", NULL },
	{ "_ZN4test4$LTa17h0123456789abcdefE", NULL },
	{ "_ZN4test3a b17h0123456789abcdefE", NULL },
};

/* Not Rust: C++ through __cxa_demangle, as before. */
static const struct demangle_case cxx_cases[] = {
	{ "_ZN2ns3fooEi", "ns::foo(int)" },
	{ "_Z3fooPKc", "foo(char const*)" },
	{ "_ZNK3Foo3barEv", "Foo::bar() const" },
	/* a hash-like last element that is not 17 bytes: still C++ */
	{ "_ZN4core3fmt5write16h0123456789abcdeE", "core::fmt::write::h0123456789abcde" },
	{ "_ZN4core3fmt5writeE", "core::fmt::write" },
	{ "main", NULL },
};

static const char *const malformed_v0[] = {
	/* truncated */
	"_R", "_RN", "_RNv", "_RC", "_RNvC", "_RNvCs2ndz2m94zur_4de", "_RNvCs2ndz2m94zur_4demo4mai",
	"_RNvMCs2ndz2m94zur_4demoINtB2_3Fooh", "_RINvC1a1fKj3", "_RNvXs_Cs2ndz2m94zur_4demoINtB4_3FoohE",
	/* backrefs: forward, to themselves, into the middle of a path, to what
	 * holds them (endless but for the depth bound), overflowing */
	"_RNvB5_4main", "_RNvB1_4main", "_RINvC1a1fB3_E", "_RINvC1a1fB_E", "_RNvBZZZZZZZZZZZZZZZZZZZ_1a",
	/* lengths past the end or overflowing */
	"_RNvC1a99999999999999999999999b", "_RNvC1a18446744073709551616b", "_RNvC1a5bc",
	/* disambiguator overflow */
	"_RNvCsZZZZZZZZZZZZZZZZZZZZZZZZZ_1a1b",
	/* embedded garbage */
	"_RNvCs2ndz2m94zur_4demo4main$$", "_RNvC1a1b xyz", "_RNvC1a2\xc3\xa9", "_RNvC1a1bq",
	"_RNvC1a3b$c", "_RNvC1a1b\n",
	/* bad tags: namespace, path, type, const */
	"_RN1C1a1b", "_RNvQ1a1b", "_RINvC1a1fwE", "_RINvC1a1fKgE",
	/* bad constants: surrogate char, bool 2, uppercase hex, str (unsupported) */
	"_RINvC1a1fKcd800_E", "_RINvC1a1fKb2_E", "_RINvC1a1fKjFF_E", "_RINvC1a1fKe616263_E",
	/* a lifetime no binder introduced */
	"_RINvC1a1fRL0_hE",
	/* bad punycode: uppercase digits, an empty encoded part */
	"_RNvC1au2AB", "_RNvC1au2a_",
	/* an empty name */
	"_RC0",
	/* not v0 at all, though "R" + uppercase */
	"RAND_bytes", "RNG_init",
};

static void check_cases(const char *group, const struct demangle_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char what[160];
		char *got = demangle(cases[i].mangled);
		snprintf(what, sizeof(what), "%s %.100s", group, cases[i].mangled);
		check_str(what, got, cases[i].want);
		free(got);
	}
}

static void check_malformed(void)
{
	for (size_t i = 0; i < sizeof(malformed_v0) / sizeof(malformed_v0[0]); i++) {
		char what[160];
		char *got = demangle(malformed_v0[i]);
		snprintf(what, sizeof(what), "malformed %.100s", malformed_v0[i]);
		check_str(what, got, NULL);
		free(got);
	}
}

/* head + n times rep + middle + n times rep2, malloc'ed. */
static char *repeat(const char *head, const char *rep, size_t n, const char *middle, const char *rep2)
{
	size_t len = strlen(head) + (strlen(rep) + strlen(rep2)) * n + strlen(middle);
	char *s = malloc(len + 1);

	if (!s)
		abort();
	strcpy(s, head);
	for (size_t i = 0; i < n; i++)
		strcat(s, rep);
	strcat(s, middle);
	for (size_t i = 0; i < n; i++)
		strcat(s, rep2);
	return s;
}

/* Whether the built name demangles (ok) or fails; frees it. */
static void check_demangles(const char *what, char *mangled, bool ok)
{
	char *got = demangle(mangled);

	check_true(what, ok ? got != NULL : got == NULL);
	free(got);
	free(mangled);
}

/* Built names: the depth and output bounds, on both sides of them. */
static void check_bounds(void)
{
	/* nested paths "a::b::b::...": Nv * n, C1a, 1b * n */
	check_demangles("50 nested paths", repeat("_R", "Nv", 50, "C1a", "1b"), true);
	check_demangles("300 nested paths", repeat("_R", "Nv", 300, "C1a", "1b"), false);
	/* nested types: a::f::<&&&...u8> */
	check_demangles("50 nested refs", repeat("_RINvC1a1f", "R", 50, "hE", ""), true);
	check_demangles("10000 nested refs", repeat("_RINvC1a1f", "R", 10000, "hE", ""), false);
	/* names over the output bound fail (never cut) */
	check_demangles("4000-byte name", repeat("_RNvC1a3999_", "x", 3999, "", ""), true);
	check_demangles("5000-byte name", repeat("_RNvC1a4999_", "x", 4999, "", ""), false);
	/* a binder of 2^41 lifetimes stops on the output bound too */
	check_demangles("huge binder", repeat("_RINvC1a1fFGZZZZZZZ_EuE", "", 0, "", ""), false);
}

/* B<base-62> for an offset (counted from after "_R"): "_" is 0, then
 * the base-62 digits of offset - 1. */
static void append_backref(char *s, size_t offset)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char rev[16];
	size_t n = 0, len = strlen(s);

	s[len++] = 'B';
	if (offset) {
		for (size_t v = offset - 1; n == 0 || v; v /= 62)
			rev[n++] = digits[v % 62];
		while (n)
			s[len++] = rev[--n];
	}
	s[len++] = '_';
	s[len] = 0;
}

/* Generic arguments where each tuple type holds two backrefs to the one
 * before: the output doubles at every level (2^40 bytes in all), so it
 * must fail on the output bound, and quickly. */
static void check_backref_blowup(void)
{
	char name[1024] = "_RINvC1a1fTuuE";
	size_t prev = strlen("INvC1a1f");

	for (int level = 0; level < 40; level++) {
		size_t here = strlen(name) - 2;
		strcat(name, "T");
		append_backref(name, prev);
		append_backref(name, prev);
		strcat(name, "E");
		prev = here;
	}
	strcat(name, "E");
	char *got = demangle(name);
	check_str("backref blow-up", got, NULL);
	free(got);
	/* the same over 3 levels is fine */
	got = demangle("_RINvC1a1fuTB7_B7_ETB8_B8_EE");
	check_str("3 levels of backrefs", got, "a::f::<(), ((), ()), (((), ()), ((), ()))>");
	free(got);
}

/* Every truncation of every v0 case fails or demangles, and reads
 * nothing past its end (each one is a copy of its own size, for ASan). */
static void check_truncations(void)
{
	for (size_t i = 0; i < sizeof(v0_cases) / sizeof(v0_cases[0]); i++) {
		const char *full = v0_cases[i].mangled;
		size_t n = strlen(full), ok = 0;
		for (size_t len = 0; len < n; len++) {
			char *cut = strndup(full, len);
			char *got = cut ? demangle(cut) : NULL;
			ok += got != NULL;
			free(got);
			free(cut);
		}
		CHECK(ok < n, "%s: %zu of %zu truncations demangle", full, ok, n);
	}
}

static void check_is_mangled(void)
{
	check_true("_Z is mangled", demangle_is_mangled("_ZN2ns3fooEi"));
	check_true("_R is mangled", demangle_is_mangled("_RNvC1a1b"));
	check_true("R is mangled", demangle_is_mangled("RNvC1a1b"));
	check_true("__R is mangled", demangle_is_mangled("__RNvC1a1b"));
	check_true("main is not", !demangle_is_mangled("main"));
	check_true("R alone is not", !demangle_is_mangled("R"));
	check_true("RAND_bytes is not", !demangle_is_mangled("RAND_bytes"));
}

static void check_base_len(void)
{
	const char *rust_tuple = "<(u8, u16) as m::T>::f";
	const char *rust_fn = "m::foo::<fn() -> u8>";

	check_int("C++ base", (long long)demangle_base_len("ns::foo(int) const"), 7);
	check_int("C++ operator()", (long long)demangle_base_len("S::operator()(int)"), 13);
	check_int("Rust path", (long long)demangle_base_len("demo::main"), 10);
	check_int("Rust tuple", (long long)demangle_base_len(rust_tuple), (long long)strlen(rust_tuple));
	check_int("Rust fn type", (long long)demangle_base_len(rust_fn), (long long)strlen(rust_fn));
}

int main(void)
{
	check_cases("v0", v0_cases, sizeof(v0_cases) / sizeof(v0_cases[0]));
	check_cases("legacy", legacy_cases, sizeof(legacy_cases) / sizeof(legacy_cases[0]));
	check_cases("c++", cxx_cases, sizeof(cxx_cases) / sizeof(cxx_cases[0]));
	check_malformed();
	check_bounds();
	check_backref_blowup();
	check_truncations();
	check_is_mangled();
	check_base_len();
	return check_summary();
}

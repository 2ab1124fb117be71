/* libFuzzer target: the whole compile path of compile_source (preprocessor,
 * parser, macro expansion, semantic analysis, lowering, BPF object emission)
 * up to the ELF in memory; nothing is loaded or attached. */
#include "fuzz.h"

#include <llvm-c/Target.h>

#include "../../codegen/compiler.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* LLVM's target registry, once (compile_source makes and disposes its
	 * own context per call). */
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	return 0;
}

/* Wildcard attach points expand against tracefs, kallsyms or ELF symbol
 * tables into up to thousands of programs: seconds per input, and mostly
 * file system work. Such inputs are skipped. */
static int slow_attach_points(const char *src)
{
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "stdin", src);
	struct program *p = parse_program(&a, &d, src, NULL);
	int slow = 0;
	for (const struct probe *pr = p ? p->probes : NULL; pr && !slow; pr = pr->next)
		for (const struct attach_point *ap = pr->points; ap && !slow; ap = ap->next)
			slow = strpbrk(ap->raw, "*?[") != NULL;
	arena_free(&a);
	return slow;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_LEN)
		return -1;
	char *src = fuzz_source(data, size);
	if (slow_attach_points(src)) {
		free(src);
		return -1;
	}
	static char *const params[] = { "42", "str" };
	struct compile_options opts = {
		.params = params,
		.nparams = 2,
		.unsafe = 1,
		.ncpus = 2,
		.max_strlen = 1024,
		.max_map_keys = 4096,
		.print_maps_on_exit = 1,
	};
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "stdin", src);
	struct compiled_program *prog = compile_source(&a, &d, &opts);
	fuzz_check(&d, !prog);
	if (prog && (prog->elf_size < 4 || memcmp(prog->elf, "\177ELF", 4)))
		fuzz_fail(&d, "compiled, but no ELF object");
	arena_free(&a);
	free(src);
	return 0;
}

/* A kprobe session program: a kprobe and a kretprobe on the same functions
 * as one program the kernel runs at each entry and again at its return.
 * The kfunc bpf_session_is_return() tells which body runs; the link cookie
 * holds the `probe` index of both (the kprobe's in the low half). */
#include <string.h>

#include "lower_internal.h"

enum { DW_ATE_BOOLEAN = 0x02 };

/* `bool bpf_session_is_return(void)`, an extern in section .ksyms with BTF
 * of its own: libbpf resolves it to the kernel's kfunc. The kernel sets
 * only the low byte of a bool. */
static LLVMValueRef session_is_return(struct lower *l)
{
	static const char name[] = "bpf_session_is_return";
	LLVMTypeRef fty = LLVMFunctionType(l->i8, NULL, 0, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(l->mod, name);
	if (!fn) {
		fn = LLVMAddFunction(l->mod, name, fty);
		LLVMSetLinkage(fn, LLVMExternalLinkage);
		LLVMSetSection(fn, ".ksyms");
		LLVMMetadataRef di_bool = LLVMDIBuilderCreateBasicType(l->di, "bool", 4, 8, DW_ATE_BOOLEAN, LLVMDIFlagZero);
		LLVMMetadataRef dty = LLVMDIBuilderCreateSubroutineType(l->di, l->di_file, &di_bool, 1, LLVMDIFlagZero);
		LLVMMetadataRef sp = LLVMDIBuilderCreateFunction(l->di, l->di_file, name, strlen(name), name,
								 strlen(name), l->di_file, 0, dty, 0, 0, 0,
								 LLVMDIFlagPrototyped, 1);
		LLVMSetSubprogram(fn, sp);
	}
	LLVMValueRef r = LLVMBuildCall2(l->b, fty, fn, NULL, 0, "");
	return LLVMBuildICmp(l->b, LLVMIntNE, r, LLVMConstInt(l->i8, 0, 0), "");
}

void lower_session(struct lower *l, struct probe_info *entry)
{
	LLVMValueRef cookie = lower_helper(l, H_GET_ATTACH_COOKIE, l->i64, &l->ctx_arg, 1);
	LLVMBasicBlockRef at_entry = new_block(l, "session.entry"), at_return = new_block(l, "session.return");
	LLVMBuildCondBr(l->b, session_is_return(l), at_return, at_entry);

	/* the entry body ends with 0, so that the return runs too */
	LLVMPositionBuilderAtEnd(l->b, at_entry);
	l->probe_value = LLVMBuildAnd(l->b, cookie, lower_const(l, UINT32_MAX), "");
	lower_probe_body(l, entry);

	LLVMPositionBuilderAtEnd(l->b, at_return);
	l->probe_value = LLVMBuildLShr(l->b, cookie, lower_const(l, 32), "");
	lower_probe_body(l, entry->session_return);
}

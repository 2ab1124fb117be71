/* What one program may ask for. Going past a limit is a located error
 * that names it; man/sonde.8 (LIMITS) lists them. */
#ifndef SONDE_LIMITS_H
#define SONDE_LIMITS_H

enum {
	LIMIT_STRING_LITERAL = 65536,  /* bytes of one string literal */
	LIMIT_NESTING = 1000,          /* levels of nested expressions, blocks and parentheses */
	LIMIT_UNROLL = 100,            /* count of one unroll */
	LIMIT_UNROLL_COPIES = 1000,    /* copies of a body that nested unrolls make */
	LIMIT_MAX_STRLEN = 65536,      /* the max_strlen config value */
	LIMIT_MAP_KEY = 262144,        /* bytes of a map key */
	LIMIT_MAP_VALUE = 262144,      /* bytes of a map value */
	LIMIT_EVENT = 262144,          /* bytes of the arguments of one printf, print, ... */
	LIMIT_PRINTF_ARGS = 128,       /* arguments of one printf */
	LIMIT_ARRAY_COMPARE = 1024,    /* elements of arrays compared with ==, unrolled */
	LIMIT_SCRATCH = 4 << 20,       /* bytes of working memory of one probe */
	LIMIT_PROBES = 1024,           /* attach points (default of the max_probes config) */
	LIMIT_INCLUDE_DEPTH = 200,     /* levels of nested #include */
	LIMIT_PROGRAM_SIZE = 16000,    /* optimised LLVM instructions of one BPF function: BPF
					  branches reach 32767 instructions */
	LIMIT_DEBUG_REGISTERS = 4,     /* watchpoints at once: x86 and arm64 CPUs have 4 */
	LIMIT_SYMBOL_PIDS = 1024,      /* processes whose mappings the symbolizer keeps: past
					  it, every cached process and file is dropped and
					  read again when needed */
};

#endif

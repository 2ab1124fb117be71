/* The entry of sonde-compiler.so: the one symbol the sonde binary looks up
 * (runtime/compiler_load.c). */
#include "compiler.h"

const struct compiler_api sonde_compiler_api = {
	.version = SONDE_VERSION,
	.options_size = sizeof(struct compile_options),
	.program_size = sizeof(struct compiled_program),
	.compile_source = compile_source,
	.stage_names = compile_stage_names,
};

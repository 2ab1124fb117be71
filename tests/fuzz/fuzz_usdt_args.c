/* libFuzzer target: USDT argument specs (the text a binary's notes carry,
 * so any bytes) parsed into arguments that keep their invariants: a size
 * of 1, 2, 4 or 8 bytes, a register where the kind reads one, a scale of
 * 1, 2, 4 or 8. */
#include "fuzz.h"

#include "../../common/usdt_args.h"

static bool valid_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_LEN)
		return -1;
	char *text = fuzz_source(data, size);
	struct arena a = { 0 };
	struct usdt_arg *args;
	int n;

	usdt_args_parse(&a, text, &args, &n);
	for (int i = 0; i < n; i++) {
		const struct usdt_arg *arg = &args[i];
		bool ok = valid_size(arg->size) && arg->text && usdt_arg_ctype(arg);
		switch (arg->kind) {
		case USDT_ARG_REG:
			ok = ok && arg->reg;
			break;
		case USDT_ARG_MEM:
			ok = ok && (arg->reg || arg->index) && valid_size(arg->scale);
			break;
		case USDT_ARG_SYMBOL:
			ok = ok && arg->symbol && arg->reg && !strcmp(arg->reg, "ip");
			break;
		default:
			break;
		}
		if (!ok) {
			fprintf(stderr, "fuzz: argument spec '%s' parsed inconsistently\n", arg->text);
			abort();
		}
	}
	arena_free(&a);
	free(text);
	return 0;
}

/* sonde: the command line (§1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "../codegen/compiler.h"
#include "../parser/preproc.h"
#include "../parser/source_format.h"
#include "../probes/probe.h"
#include "cache.h"
#include "compiler_load.h"
#include "info.h"
#include "list_types.h"
#include "run.h"

#ifndef SONDE_VERSION
#define SONDE_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
	fputs("USAGE:\n"
	      "    sonde [options] filename [args...]\n"
	      "    sonde [options] - [args...]        (program from stdin)\n"
	      "    sonde [options] -e 'program' [args...]\n"
	      "    sonde -l [pattern]\n"
	      "\n"
	      "OPTIONS:\n"
	      "    -e PROGRAM              program text\n"
	      "    -l, --list [PATTERN]    list probes matching PATTERN (or used by the program)\n"
	      "    -c, --cmd CMD           run CMD (no shell) and trace until it exits; cpid is its pid\n"
	      "    -p, --pid PID           trace only PID and exit when it exits\n"
	      "    -o, --output FILE       write program output to FILE\n"
	      "    -f text|json|folded     output format; folded: maps keyed by stacks as folded\n"
	      "                            stacks (\"root;...;leaf COUNT\"), for flame graph tools\n"
	      "    -B line|full|none       output buffering\n"
	      "    -q, --quiet             do not print the 'Attached N probes' line\n"
	      "    -v, --verbose           verbose: libbpf messages and verifier logs\n"
	      "    -d, --debug STAGE[,..]  debug output: ast, types, codegen, codegen-opt, dis,\n"
	      "                            verifier, libbpf, all\n"
	      "    --dry-run               load and attach, then exit\n"
	      "    --duration SECONDS      end the run after SECONDS (as exit() would: end probes\n"
	      "                            run, maps print)\n"
	      "    --flamegraph FILE.svg   at exit, write an interactive flame graph of the maps\n"
	      "                            keyed by stacks to FILE.svg\n"
	      "    --metrics [ADDR:]PORT   serve the maps at http://ADDR:PORT/metrics (OpenMetrics,\n"
	      "                            for Prometheus) while the program runs; ADDR is\n"
	      "                            127.0.0.1 unless given (localhost, [::1], or any\n"
	      "                            numeric address); port 0 takes a free port\n"
	      "    --no-warnings           do not print warnings (compile time, run time, warnf)\n"
	      "    --no-cache              compile even if the compile cache has the program\n"
	      "    -k, --warnings          also warn about failed probe reads and map lookups\n"
	      "    --unsafe                allow unsafe functions (system, signal, override,\n"
	      "                            write_user) and probes by address\n"
	      "    --emit-elf FILE         compile only: write the BPF object to FILE and exit\n"
	      "                            (loads nothing, so needs no privileges; works with -d\n"
	      "                            ast, types, codegen, codegen-opt and dis)\n"
	      "    --emit-llvm FILE        also write FILE.original.ll and FILE.optimized.ll\n"
	      "    --probe-filter REGEX    attach only the probes whose name matches REGEX\n"
	      "    --test                  run the test: probes, report each, fail if one fails\n"
	      "    --bench                 run the bench: probes, report their average run time\n"
	      "    --fmt                   print the program laid out anew (--mode format)\n"
	      "    --mode MODE             test, bench, codegen (compile only, load nothing),\n"
	      "                            compiler-bench (time each compile stage)\n"
	      "                            or format (the program laid out anew on stdout)\n"
	      "    --usdt-file-activation  usdt probes attach to every process mapping the\n"
	      "                            binary (its semaphores count in all of them), even\n"
	      "                            with -p or -c\n"
	      "    --no-feature LIST       do not use these kernel features: uprobe_multi,\n"
	      "                            kprobe_multi, raw_syscalls (one program for many\n"
	      "                            syscall tracepoints), kprobe_session (a kprobe and\n"
	      "                            a kretprobe on the same functions as one program)\n"
	      "    -I DIR                  add DIR to the #include search path (repeatable)\n"
	      "    --include FILE          include FILE before the program (repeatable)\n"
	      "    -b, --btf FILE          kernel types from FILE instead of /sys/kernel/btf/vmlinux\n"
	      "    --debuginfo DIR[:DIR]   look for separate debug files of uprobe targets in DIRs first\n"
	      "    --traceable-functions FILE  the kernel functions kprobes may trace, one per line\n"
	      "                            (as available_filter_functions), instead of tracefs's\n"
	      "    --dwarf-pid PID         accepted: sonde has no dw_ustack to use it\n"
	      "    --aot FILE              not supported: the compile cache serves runs again\n"
	      "    --verify-llvm-ir        accepted: the IR is always verified\n"
	      "    --info                  report versions and what this kernel offers (probe\n"
	      "                            types, map types, helpers, kprobes, fentry)\n"
	      "    -V, --version           print the version\n"
	      "    -h, --help              this help\n"
	      "\n"
	      "EXAMPLES:\n"
	      "    sonde -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'\n"
	      "    sonde -c ./prog -e 'uprobe:./prog:main { printf(\"%d\\n\", pid); }'\n"
	      "    sonde -f json -e 'profile:hz:99 { @[kstack] = count(); }'\n"
	      "    sonde script.bt arg1 arg2\n",
	      f);
}

/* What a run does (--mode): trace, or one of the others. */
enum cli_mode { MODE_TRACE, MODE_TEST, MODE_BENCH, MODE_CODEGEN, MODE_COMPILER_BENCH, MODE_FORMAT };
static const char *const mode_names[] = {
	[MODE_TEST] = "test", [MODE_BENCH] = "bench", [MODE_CODEGEN] = "codegen",
	[MODE_COMPILER_BENCH] = "compiler-bench", [MODE_FORMAT] = "format",
};

static int parse_mode(const char *arg, enum cli_mode *mode)
{
	for (size_t i = MODE_TEST; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(arg, mode_names[i])) {
			*mode = (enum cli_mode)i;
			return 0;
		}
	fprintf(stderr, "ERROR: USAGE: --mode must be one of test, bench, codegen, compiler-bench, format "
		"(got '%s')\n", arg);
	return -1;
}

struct cli {
	const char *program_text;
	const char *filename; /* NULL with -e */
	char **params;
	int nparams;
	char **named;         /* "name" or "name=value" of each -- --name[=value] */
	int nnamed;
	bool list;
	const char *list_pattern;
	struct run_options run;
	char *cmd;
	bool no_warnings;
	bool no_cache;        /* --no-cache */
	bool runtime_checks;  /* -k */
	bool unsafe;
	bool usdt_file_activation;
	bool no_uprobe_multi;      /* --no-feature uprobe_multi */
	bool no_kprobe_multi;      /* --no-feature kprobe_multi */
	bool no_kprobe_session;    /* --no-feature kprobe_session */
	bool no_raw_syscalls;      /* --no-feature raw_syscalls */
	const char *emit_elf;
	enum cli_mode mode;   /* --mode, --test, --bench */
	unsigned dumps;       /* enum dump_stage */
	const char *probe_filter;
	const char *emit_llvm;
	const char *output_path;
	const char *format;
	const char *buffering;
	char *out_buffer;     /* the output stream's block buffer, NULL: stdio's */
	const char *flamegraph_path;          /* --flamegraph */
	struct metrics_address metrics;       /* --metrics, when run.metrics is set */
	const char **include_dirs;  /* -I, in order (argv strings) */
	int ninclude_dirs;
	const char **include_files; /* --include, in order */
	int ninclude_files;
};

/* Append one -I or --include argument. */
static int add_string(const char ***list, int *n, const char *s)
{
	const char **nl = realloc(*list, (size_t)(*n + 1) * sizeof(**list));
	if (!nl) {
		fprintf(stderr, "ERROR: out of memory\n");
		return -1;
	}
	nl[(*n)++] = s;
	*list = nl;
	return 0;
}

/* The directory of the script file, for its `#include "f.h"` (arena). */
static const char *script_dir(struct arena *a, const struct cli *cli)
{
	if (!cli->filename || !strcmp(cli->filename, "-"))
		return ".";
	const char *slash = strrchr(cli->filename, '/');
	if (!slash)
		return ".";
	return slash == cli->filename ? "/" : arena_strndup(a, cli->filename, (size_t)(slash - cli->filename));
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The -d stages (§1.5): what compilation dumps, or a runtime log. */
enum { STAGE_VERIFIER = 1u << 0, STAGE_LIBBPF = 1u << 1 };
static const struct {
	const char *name;
	unsigned compile; /* enum dump_stage */
	unsigned run;     /* STAGE_VERIFIER, STAGE_LIBBPF */
} debug_stages[] = {
	{ "ast", DUMP_AST, 0 },
	{ "types", DUMP_TYPES, 0 },
	{ "codegen", DUMP_IR, 0 },
	{ "codegen-opt", DUMP_IR_OPT, 0 },
	{ "dis", DUMP_DIS, 0 },
	{ "verifier", 0, STAGE_VERIFIER },
	{ "libbpf", 0, STAGE_LIBBPF },
};

static int parse_debug(struct cli *cli, const char *arg)
{
	char *copy = strdup(arg);
	if (!copy)
		return -1;
	int ret = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		bool all = !strcmp(tok, "all"), known = all;
		for (size_t i = 0; i < sizeof(debug_stages) / sizeof(debug_stages[0]); i++) {
			if (!all && strcmp(tok, debug_stages[i].name))
				continue;
			known = true;
			cli->dumps |= debug_stages[i].compile;
			cli->run.dump_verifier |= (debug_stages[i].run & STAGE_VERIFIER) != 0;
			cli->run.dump_libbpf |= (debug_stages[i].run & STAGE_LIBBPF) != 0;
		}
		if (!known) {
			fprintf(stderr, "ERROR: USAGE: invalid option for -d: %s\n", tok);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

/* Split -c CMD on spaces (no shell). */
static char **split_command(char *cmd)
{
	size_t n = 0;
	char **argv = calloc(strlen(cmd) / 2 + 2, sizeof(char *));
	if (!argv)
		return NULL;
	for (char *tok = strtok(cmd, " "); tok; tok = strtok(NULL, " "))
		argv[n++] = tok;
	argv[n] = NULL;
	return n ? argv : NULL;
}

enum { OPT_DRY_RUN = 256, OPT_NO_WARNINGS, OPT_UNSAFE, OPT_INFO, OPT_EMIT_ELF, OPT_INCLUDE, OPT_EMIT_LLVM,
       OPT_PROBE_FILTER, OPT_VERIFY_LLVM_IR, OPT_USDT_FILE_ACTIVATION, OPT_DEBUGINFO,
       OPT_TRACEABLE_FUNCTIONS, OPT_DWARF_PID, OPT_AOT,
       OPT_NO_FEATURE, OPT_TEST, OPT_BENCH, OPT_MODE, OPT_FMT, OPT_DURATION, OPT_FLAMEGRAPH, OPT_METRICS,
       OPT_NO_CACHE };

/* --duration SECONDS: a positive number, fractions allowed (0.5). */
static int parse_duration(struct cli *cli, const char *arg)
{
	char *end;
	errno = 0;
	double s = strtod(arg, &end);
	if (end == arg || *end || errno || !(s > 0) || s > 1e9) {
		fprintf(stderr, "ERROR: USAGE: --duration: '%s' is not a number of seconds greater than 0 "
			"(e.g. 10 or 0.5)\n", arg);
		return -1;
	}
	cli->run.duration = s;
	return 0;
}

/* --no-feature A,B: kernel features sonde would use but is told not to. */
static int parse_no_feature(struct cli *cli, const char *list)
{
	static const char *const known[] = { "uprobe_multi", "raw_syscalls", "kprobe_multi", "kprobe_session", NULL };
	char *copy = strdup(list), *save = NULL;
	int err = copy ? 0 : -1;

	for (char *f = copy ? strtok_r(copy, ",", &save) : NULL; f && !err; f = strtok_r(NULL, ",", &save)) {
		int i = 0;
		while (known[i] && strcmp(known[i], f))
			i++;
		if (!known[i]) {
			fprintf(stderr, "ERROR: --no-feature: unknown feature '%s' (uprobe_multi, raw_syscalls, kprobe_multi, "
				"kprobe_session)\n", f);
			err = -1;
		}
		cli->no_uprobe_multi |= !strcmp(f, "uprobe_multi");
		cli->no_kprobe_multi |= !strcmp(f, "kprobe_multi");
		cli->no_kprobe_session |= !strcmp(f, "kprobe_session");
		cli->no_raw_syscalls |= !strcmp(f, "raw_syscalls");
	}
	free(copy);
	return err;
}

static int parse_args(struct cli *cli, int argc, char **argv)
{
	/* getopt_long stops at "--" and leaves what follows it, in order, at
	 * the end of argv: the last `after_dashes` arguments */
	int after_dashes = 0;
	for (int i = 1; i < argc && !after_dashes; i++)
		if (!strcmp(argv[i], "--"))
			after_dashes = argc - i - 1;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "cmd", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "debug", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "flamegraph", required_argument, NULL, OPT_FLAMEGRAPH },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "no-warnings", no_argument, NULL, OPT_NO_WARNINGS },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "unsafe", no_argument, NULL, OPT_UNSAFE },
		{ "info", no_argument, NULL, OPT_INFO },
		{ "emit-elf", required_argument, NULL, OPT_EMIT_ELF },
		{ "emit-llvm", required_argument, NULL, OPT_EMIT_LLVM },
		{ "probe-filter", required_argument, NULL, OPT_PROBE_FILTER },
		{ "verify-llvm-ir", no_argument, NULL, OPT_VERIFY_LLVM_IR },
		{ "usdt-file-activation", no_argument, NULL, OPT_USDT_FILE_ACTIVATION },
		{ "no-feature", required_argument, NULL, OPT_NO_FEATURE },
		{ "btf", required_argument, NULL, 'b' },
		{ "debuginfo", required_argument, NULL, OPT_DEBUGINFO },
		{ "traceable-functions", required_argument, NULL, OPT_TRACEABLE_FUNCTIONS },
		{ "dwarf-pid", required_argument, NULL, OPT_DWARF_PID },
		{ "aot", required_argument, NULL, OPT_AOT },
		{ "include", required_argument, NULL, OPT_INCLUDE },
		{ "warnings", no_argument, NULL, 'k' },
		{ "test", no_argument, NULL, OPT_TEST },
		{ "bench", no_argument, NULL, OPT_BENCH },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "fmt", no_argument, NULL, OPT_FMT },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "he:lvqp:c:o:f:B:d:I:kVb:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("sonde v%s\n", SONDE_VERSION);
			exit(0);
		case 'e':
			cli->program_text = optarg;
			break;
		case 'l':
			cli->list = true;
			break;
		case 'v':
			cli->run.verbose = true;
			break;
		case 'q':
			cli->run.quiet = true;
			break;
		case 'k':
			if (cli->runtime_checks) {
				fprintf(stderr, "ERROR: USAGE: -kk is deprecated: -k reports every failed read and lookup\n");
				return -1;
			}
			cli->runtime_checks = true;
			break;
		case 'p': {
			char *end;
			errno = 0;
			long pid = strtol(optarg, &end, 10);
			if (errno || *end || pid <= 0) {
				fprintf(stderr, "ERROR: Failed to parse pid: '%s'\n", optarg);
				return -1;
			}
			if (pid > 0x400000) {
				fprintf(stderr, "ERROR: Pid out of range: %ld\n", pid);
				return -1;
			}
			cli->run.pid = (pid_t)pid;
			break;
		}
		case 'c':
			cli->cmd = optarg;
			break;
		case 'o':
			cli->output_path = optarg;
			break;
		case 'f':
			cli->format = optarg;
			break;
		case 'B':
			cli->buffering = optarg;
			break;
		case 'd':
			if (parse_debug(cli, optarg) < 0)
				return -1;
			break;
		case 'I':
			if (add_string(&cli->include_dirs, &cli->ninclude_dirs, optarg) < 0)
				return -1;
			break;
		case OPT_INCLUDE:
			if (add_string(&cli->include_files, &cli->ninclude_files, optarg) < 0)
				return -1;
			break;
		case OPT_DRY_RUN:
			cli->run.dry_run = true;
			break;
		case OPT_DURATION:
			if (parse_duration(cli, optarg) < 0)
				return -1;
			break;
		case OPT_FLAMEGRAPH:
			cli->flamegraph_path = optarg;
			break;
		case OPT_METRICS:
			if (metrics_parse_address(optarg, &cli->metrics) < 0)
				return -1;
			cli->run.metrics = &cli->metrics;
			break;
		case OPT_NO_WARNINGS:
			cli->no_warnings = true;
			break;
		case OPT_NO_CACHE:
			cli->no_cache = true;
			break;
		case OPT_UNSAFE:
			cli->unsafe = true;
			break;
		case OPT_INFO:
			print_info(stdout, SONDE_VERSION);
			exit(0);
		case OPT_EMIT_ELF:
			cli->emit_elf = optarg;
			break;
		case OPT_EMIT_LLVM:
			cli->emit_llvm = optarg;
			break;
		case OPT_PROBE_FILTER:
			cli->probe_filter = optarg;
			break;
		case OPT_VERIFY_LLVM_IR:
			break; /* the module is always verified before it is optimised */
		case OPT_USDT_FILE_ACTIVATION:
			cli->usdt_file_activation = true;
			break;
		case OPT_NO_FEATURE:
			if (parse_no_feature(cli, optarg) < 0)
				return -1;
			break;
		case OPT_TEST:
			cli->mode = MODE_TEST;
			break;
		case OPT_BENCH:
			cli->mode = MODE_BENCH;
			break;
		case OPT_MODE:
			if (parse_mode(optarg, &cli->mode) < 0)
				return -1;
			break;
		case OPT_FMT:
			cli->mode = MODE_FORMAT;
			break;
		case 'b': /* kernel types from this file, as BPFTRACE_BTF says */
			if (setenv("BPFTRACE_BTF", optarg, 1) < 0) {
				fprintf(stderr, "ERROR: --btf: %s\n", strerror(errno));
				return -1;
			}
			break;
		case OPT_DEBUGINFO: /* read by common/dwarf.c, as for -l */
			if (setenv("SONDE_DEBUGINFO", optarg, 1) < 0) {
				fprintf(stderr, "ERROR: --debuginfo: %s\n", strerror(errno));
				return -1;
			}
			break;
		case OPT_TRACEABLE_FUNCTIONS: /* read by probes/kprobe.c */
			if (access(optarg, R_OK) < 0 || setenv("SONDE_TRACEABLE_FUNCTIONS", optarg, 1) < 0) {
				fprintf(stderr, "ERROR: --traceable-functions: %s: %s\n", optarg, strerror(errno));
				return -1;
			}
			break;
		case OPT_DWARF_PID:
			fprintf(stderr, "WARNING: --dwarf-pid is ignored: sonde has no dw_ustack() "
				"(DWARF-unwound user stacks) to use it\n");
			break;
		case OPT_AOT:
			fprintf(stderr, "ERROR: --aot is not supported by sonde: it does not write "
				"ahead-of-time executables; its compile cache serves a program run again\n");
			return -1;
		default:
			usage(stderr);
			return -1;
		}
	}
	/* GNU getopt permutes: every non-option (and everything after "--")
	 * is now at argv[optind..]. */
	char **positional = argv + optind;
	int np = argc - optind;
	int first = 0;
	if (!cli->program_text && !cli->list) {
		if (np == 0) {
			if (argc <= 1) {
				usage(stderr);
				return -1;
			}
			fprintf(stderr, "ERROR: USAGE: filename or -e 'program' required.\n");
			return -1;
		}
		cli->filename = positional[0];
		first = 1;
	} else if (cli->list && !cli->program_text && np > 0) {
		cli->list_pattern = positional[0];
		first = 1;
	}
	/* After "--", `--name[=value]` is a named parameter (getopt()); the
	 * rest stay positional, in order. The named ones are moved behind the
	 * positional ones (without their "--"). */
	int start = np - after_dashes;
	for (int i = first > start ? first : start; i < np - cli->nnamed;) {
		char *arg = positional[i];
		if (strncmp(arg, "--", 2) || !arg[2]) {
			i++;
			continue;
		}
		memmove(positional + i, positional + i + 1, (size_t)(np - 1 - i) * sizeof(char *));
		positional[np - 1] = arg + 2;
		cli->nnamed++;
	}
	cli->params = positional + first;
	cli->nparams = np - first - cli->nnamed;
	cli->named = positional + np - cli->nnamed;
	return 0;
}

static int load_source(struct cli *cli, char **src, const char **name)
{
	size_t len = 0;
	if (cli->program_text) {
		*src = strdup(cli->program_text);
		*name = "stdin";
		return *src ? 0 : -1;
	}
	FILE *f = strcmp(cli->filename, "-") ? fopen(cli->filename, "r") : stdin;
	if (!f) {
		fprintf(stderr, "ERROR: failed to open file '%s': %s\n", cli->filename, strerror(errno));
		return -1;
	}
	*src = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!*src) {
		fprintf(stderr, "ERROR: failed to read '%s'\n", cli->filename);
		return -1;
	}
	if (strlen(*src) != len) {
		fprintf(stderr, "ERROR: %s: the program contains a NUL byte; is it a text file?\n",
			strcmp(cli->filename, "-") ? cli->filename : "stdin");
		free(*src);
		return -1;
	}
	*name = strcmp(cli->filename, "-") ? cli->filename : "stdin";
	return 0;
}

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size) {
		fprintf(stderr, "ERROR: cannot write '%s': %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

static int setup_output(struct cli *cli)
{
	cli->run.out = stdout;
	cli->run.mode = OUTPUT_TEXT;
	if (cli->format) {
		if (!strcmp(cli->format, "json")) {
			cli->run.mode = OUTPUT_JSON;
		} else if (!strcmp(cli->format, "folded")) {
			cli->run.folded = true;
		} else if (strcmp(cli->format, "text")) {
			fprintf(stderr, "ERROR: Invalid output format \"%s\"\nValid formats: 'text', 'json', 'folded'\n",
				cli->format);
			return -1;
		}
	}
	if (cli->flamegraph_path) {
		cli->run.flamegraph_name = cli->flamegraph_path;
		cli->run.flamegraph = fopen(cli->flamegraph_path, "w");
		if (!cli->run.flamegraph) {
			fprintf(stderr, "ERROR: --flamegraph: cannot write '%s': %s\n", cli->flamegraph_path,
				strerror(errno));
			return -1;
		}
	}
	if (cli->output_path) {
		cli->run.out_name = cli->output_path;
		cli->run.out = fopen(cli->output_path, "w");
		if (!cli->run.out) {
			fprintf(stderr, "ERROR: failed to open output file '%s': %s\n", cli->output_path, strerror(errno));
			return -1;
		}
	}
	/* a write per line only where someone reads line by line: elsewhere
	 * large blocks, which the event loop flushes when idle (run.c) */
	int mode = isatty(fileno(cli->run.out)) ? _IOLBF : _IOFBF;
	if (cli->buffering) {
		if (!strcmp(cli->buffering, "full"))
			mode = _IOFBF;
		else if (!strcmp(cli->buffering, "line"))
			mode = _IOLBF;
		else if (!strcmp(cli->buffering, "none"))
			mode = _IONBF;
		else {
			fprintf(stderr, "ERROR: USAGE: -B must be either 'line', 'full', or 'none'.\n");
			return -1;
		}
	}
	enum { BLOCK_BUFFER_SIZE = 256 << 10 };
	/* the stream owns the buffer until it is closed (stdout: until exit) */
	cli->out_buffer = mode == _IOFBF ? malloc(BLOCK_BUFFER_SIZE) : NULL;
	setvbuf(cli->run.out, cli->out_buffer, mode, cli->out_buffer ? BLOCK_BUFFER_SIZE : mode == _IONBF ? 0 : BUFSIZ);
	return 0;
}

/* The effective capability set (capget(2)); false if it cannot be read. */
static bool effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	*caps = (uint64_t)data[1].effective << 32 | data[0].effective;
	return true;
}

static bool has_cap(uint64_t caps, int cap)
{
	return (caps >> cap) & 1;
}

/* Loading tracing programs needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN
 * which implies both (§1.2); the uid does not matter: root may have lost
 * them (a container, capsh --drop) and another user may hold them.
 * Reading tracefs (tracepoint formats and ids) also takes
 * CAP_DAC_READ_SEARCH unless the uid owns it: only a warning, as programs
 * without tracepoints do not need it. */
static int check_privileges(void)
{
	enum { SONDE_CAP_SYS_ADMIN = 21, SONDE_CAP_DAC_READ_SEARCH = 2, SONDE_CAP_PERFMON = 38, SONDE_CAP_BPF = 39 };
	uint64_t caps = 0;
	if (!effective_caps(&caps))
		caps = geteuid() == 0 ? ~(uint64_t)0 : 0; /* cannot tell: trust the uid */
	bool admin = has_cap(caps, SONDE_CAP_SYS_ADMIN);
	bool bpf = admin || has_cap(caps, SONDE_CAP_BPF), perfmon = admin || has_cap(caps, SONDE_CAP_PERFMON);
	if (!bpf || !perfmon) {
		fprintf(stderr, "ERROR: Missing %s capability, please run sonde as the root user.\n",
			!bpf ? "CAP_BPF" : "CAP_PERFMON");
		if (geteuid() == 0 || bpf || perfmon)
			fprintf(stderr,
				"HINT: sonde needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); this process%s has %s\n",
				geteuid() == 0 ? " runs as root but" : "",
				bpf ? "CAP_BPF only" : perfmon ? "CAP_PERFMON only" : "neither");
		return -1;
	}
	if (geteuid() != 0 && !has_cap(caps, SONDE_CAP_DAC_READ_SEARCH) &&
	    faccessat(AT_FDCWD, "/sys/kernel/tracing/events", R_OK | X_OK, AT_EACCESS) < 0)
		fprintf(stderr, "WARNING: cannot read /sys/kernel/tracing (%s): tracepoints need CAP_DAC_READ_SEARCH\n",
			strerror(errno));
	return 0;
}

/* -c CMD: split it and find the executable before anything is loaded, so
 * that a typo fails at once instead of after attaching (§1.2). */
static int setup_command(struct cli *cli, char ***argv, char **path)
{
	*argv = split_command(cli->cmd);
	if (!*argv) {
		fprintf(stderr, "ERROR: USAGE: -c needs a command\n");
		return -1;
	}
	int err = child_resolve((*argv)[0], path);
	if (err) {
		if (err == -ENOENT && !strchr((*argv)[0], '/'))
			fprintf(stderr, "ERROR: Failed to run '%s' (-c): command not found in PATH\n", (*argv)[0]);
		else
			fprintf(stderr, "ERROR: Failed to run '%s' (-c): %s\n", (*argv)[0], strerror(-err));
		free(*argv);
		*argv = NULL;
		return -1;
	}
	cli->run.cmd_argv = *argv;
	cli->run.cmd_path = *path;
	return 0;
}

/* Closes -o FILE and --flamegraph FILE; a failing close means output was
 * lost. */
static int close_output(struct cli *cli)
{
	if (cli->run.flamegraph && fclose(cli->run.flamegraph)) {
		fprintf(stderr, "ERROR: failed to write to %s: %s\n", cli->flamegraph_path, strerror(errno));
		cli->run.flamegraph = NULL;
		return -1;
	}
	cli->run.flamegraph = NULL;
	if (!cli->run.out || cli->run.out == stdout)
		return 0;
	int err = fclose(cli->run.out) ? errno : 0;
	free(cli->out_buffer);
	cli->out_buffer = NULL;
	if (err == 0)
		return 0;
	fprintf(stderr, "ERROR: failed to write to %s: %s\n", cli->output_path, strerror(err));
	return -1;
}

/* The output pipe's reader has gone and everything is cleaned up: end as
 * a filter killed by SIGPIPE would (the shell sees status 141, no
 * message). */
static void end_by_sigpipe(void)
{
	fflush(stdout); /* fails quietly on the broken pipe */
	signal(SIGPIPE, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
}

/* --mode compiler-bench: a table of the compile stages and their times. */
static void print_timings(const struct compile_timings *t, const char *const *stage_names)
{
	uint64_t total = 0;
	printf("%-36s %12s\n", "STAGE", "TIME");
	for (int i = 0; i < COMPILE_STAGES; i++) {
		printf("%-36s %9.3f ms\n", stage_names[i], (double)t->ns[i] / 1e6);
		total += t->ns[i];
	}
	printf("%-36s %9.3f ms\n", "total", (double)total / 1e6);
}


/* --fmt / --mode format: the program laid out anew on stdout, once it
 * parses (else its located errors). Nothing is compiled or loaded. */
static int format_program(struct cli *cli)
{
	char *src;
	const char *name;
	if (load_source(cli, &src, &name) < 0)
		return 1;
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, name, src);
	struct pp_options pp = {
		.script_dir = script_dir(&a, cli),
		.script_path = cli->filename && strcmp(cli->filename, "-") ? cli->filename : NULL,
		.include_dirs = cli->include_dirs,
		.ninclude_dirs = cli->ninclude_dirs,
	};
	bool parses = parse_program(&a, &d, src, &pp) != NULL && !d.errors;
	diags_print(&d, stderr, DIAG_ERROR);
	int status = 1;
	if (parses && !source_format(src, stdout) && !fflush(stdout))
		status = 0;
	else if (parses)
		fprintf(stderr, "ERROR: --fmt: cannot write the program: %s\n", strerror(errno ? errno : EIO));
	arena_free(&a);
	free(src);
	return status;
}

static int sonde_main(struct cli *clip, int argc, char **argv)
{
	struct cli cli = *clip;
	if (parse_args(&cli, argc, argv) < 0) {
		*clip = cli;
		return 1;
	}
	*clip = cli;
	if (cli.cmd && cli.run.pid) {
		fprintf(stderr, "ERROR: USAGE: Cannot use both -c and -p.\n");
		return 1;
	}
	if (cli.runtime_checks && cli.no_warnings) {
		fprintf(stderr, "ERROR: USAGE: -k reports runtime warnings, which --no-warnings suppresses: use one of them\n");
		return 1;
	}
	if (cli.mode == MODE_FORMAT)
		return format_program(&cli);
	/* --emit-elf only compiles: nothing is loaded or attached, so it needs
	 * no privileges (the -d ast/codegen dumps come from compilation). */
	bool compile_only = (cli.emit_elf || cli.mode == MODE_CODEGEN || cli.mode == MODE_COMPILER_BENCH) && !cli.list;
	if (!compile_only && check_privileges() < 0) {
		if (cli.dumps)
			fprintf(stderr, "HINT: with --emit-elf FILE, sonde only compiles and needs no privileges\n");
		return 1;
	}
	/* -l FILE lists the probes of the program in FILE */
	struct stat st;
	if (cli.list && !cli.program_text && cli.list_pattern && !stat(cli.list_pattern, &st) && S_ISREG(st.st_mode)) {
		cli.filename = cli.list_pattern;
		cli.list_pattern = NULL;
	} else if (cli.list && !cli.program_text && cli.list_pattern && strchr(cli.list_pattern, '.') &&
		   !strpbrk(cli.list_pattern, ":*")) {
		fprintf(stderr, "WARNING: It appears that '%s' is a filename but the file does not exist. "
			"Treating '%s' as a search pattern.\n", cli.list_pattern, cli.list_pattern);
	}
	if (cli.list && !cli.program_text && !cli.filename) {
		struct arena a = { 0 };
		struct diags d;
		diags_init(&d, &a, "stdin", "");
		int r = list_patterns(&d, cli.list_pattern, cli.run.pid, stdout, cli.run.verbose);
		diags_print(&d, stderr, DIAG_ERROR);
		arena_free(&a);
		return r < 0 ? 1 : 0;
	}
	char *src;
	const char *name;
	if (load_source(&cli, &src, &name) < 0)
		return 1;

	struct arena arena = { 0 };
	struct diags diags;
	diags_init(&diags, &arena, name, src);
	struct compile_timings timings = { 0 };
	struct compile_options copts = {
		.params = cli.params,
		.nparams = cli.nparams,
		.named = cli.named,
		.nnamed = cli.nnamed,
		.pid = cli.run.pid,
		.child = cli.cmd != NULL,
		.unsafe = cli.unsafe,
		.usdt_file_activation = cli.usdt_file_activation,
		.no_uprobe_multi = cli.no_uprobe_multi,
		.no_kprobe_multi = cli.no_kprobe_multi,
		.no_kprobe_session = cli.no_kprobe_session,
		.no_raw_syscalls = cli.no_raw_syscalls,
		.runtime_checks = cli.runtime_checks,
		.ncpus = libbpf_num_possible_cpus(),
		.max_strlen = 1024,
		.max_map_keys = 4096,
		.print_maps_on_exit = true,
		.dumps = cli.dumps,
		.emit_llvm = cli.emit_llvm,
		.probe_filter = cli.probe_filter,
		.script_dir = script_dir(&arena, &cli),
		.script_path = cli.filename && strcmp(cli.filename, "-") ? cli.filename : NULL,
		.include_dirs = cli.include_dirs,
		.ninclude_dirs = cli.ninclude_dirs,
		.include_files = cli.include_files,
		.ninclude_files = cli.ninclude_files,
		.verbose = cli.run.verbose,
		.run = cli.mode == MODE_TEST ? PROBE_RUN_TESTS : cli.mode == MODE_BENCH ? PROBE_RUN_BENCHES : PROBE_RUN_TRACE,
		.timings = cli.mode == MODE_COMPILER_BENCH ? &timings : NULL,
	};
	if (copts.ncpus <= 0)
		copts.ncpus = 1;
	/* the compile cache, except where compiling is the point: dumps,
	 * --emit-*, -l, --mode codegen and compiler-bench */
	struct compile_cache cache;
	struct input_log inputs = { .arena = &arena };
	bool cached = !cli.no_cache && !cli.dumps && !cli.emit_elf && !cli.emit_llvm && !cli.list &&
		      (cli.mode == MODE_TRACE || cli.mode == MODE_TEST || cli.mode == MODE_BENCH) &&
		      cache_open(&cache, &copts, src, cli.run.verbose);
	const char *replayed = NULL;
	struct compiled_program *prog = cached ? cache_load(&cache, &arena, &replayed) : NULL;
	const struct compiler_api *compiler = NULL;
	int status = 1;
	if (prog) {
		if (!cli.no_warnings && *replayed) {
			fputs(replayed, stdout);
			fflush(stdout);
		}
	} else {
		copts.inputs = cached ? &inputs : NULL;
		compiler = compiler_load();
		if (!compiler)
			goto out;
		prog = compiler->compile_source(&arena, &diags, &copts);
		const char *warnings = prog && cached ? cache_warnings_text(&diags) : NULL;
		if (warnings)
			cache_store(&cache, prog, &inputs, warnings);
	}
	if (!prog) {
		diags_print(&diags, stderr, DIAG_ERROR);
		if (!cli.no_warnings)
			diags_print(&diags, stderr, DIAG_WARNING);
		goto out;
	}
	if (!cli.no_warnings && diags.warnings) {
		diags_print(&diags, stdout, DIAG_WARNING);
		fflush(stdout);
	}
	if (cli.emit_elf) {
		status = write_file(cli.emit_elf, prog->elf, prog->elf_size) < 0 ? 1 : 0;
		goto out;
	}
	if (cli.mode == MODE_CODEGEN) { /* compiled: that is all */
		status = 0;
		goto out;
	}
	if (cli.mode == MODE_COMPILER_BENCH) {
		print_timings(&timings, compiler->stage_names);
		status = 0;
		goto out;
	}
	if (cli.list) {
		const char *last = NULL;
		for (int i = 0; i < prog->nprogs; i++) {
			const struct attach_spec *spec = &prog->progs[i].spec;
			/* one program may stand for several attach points */
			for (int k = 0; k < (spec->nmulti ? spec->nmulti : 1); k++) {
				const char *name = spec->nmulti ? spec->multi[k].canonical : spec->canonical;
				/* a usdt probe has a program per location, all of one name */
				if (!(spec->flags & PF_RUN_ONCE) && !(last && !strcmp(last, name)))
					printf("%s\n", name);
				last = name;
			}
		}
		status = 0;
		goto out;
	}
	if (setup_output(&cli) < 0)
		goto close_out;
	char **cmd_argv = NULL;
	char *cmd_path = NULL;
	if (cli.cmd && setup_command(&cli, &cmd_argv, &cmd_path) < 0)
		goto close_out;
	cli.run.no_warnings = cli.no_warnings;
	cli.run.run = copts.run;
	status = run_program(prog, &cli.run);
	free(cmd_argv);
	free(cmd_path);
close_out:
	if (close_output(&cli) < 0 && (status == 0 || status == RUN_BROKEN_PIPE))
		status = 1;
	if (status == RUN_BROKEN_PIPE) {
		end_by_sigpipe();
		status = 128 + SIGPIPE; /* not reached */
	}
out:
	arena_free(&arena);
	free(src);
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	cli.run.print_maps_on_exit = true;
	int status = sonde_main(&cli, argc, argv);
	free(cli.include_dirs);
	free(cli.include_files);
	return status;
}

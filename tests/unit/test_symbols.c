/* Symbol resolution (runtime/symbols.c) and the rendering of stacks and
 * symbols (§10.2, §10.6, §10.7). Kernel parts need readable kallsyms
 * addresses, stack rendering needs BPF maps (root); both are skipped with a
 * reason otherwise. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/elf_syms.h"
#include "../../common/limits.h"
#include "../../common/program.h"
#include "../../common/types.h"
#include "../../runtime/output.h"
#include "../../runtime/symbols.h"
#include "check.h"
#include "capture.h"

static struct arena arena;
static int ncpus;

/* Functions to look up in this binary. */
__attribute__((noinline, used)) int sonde_test_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

__attribute__((noinline, used)) int sonde_test_other(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 5 + 2;
}

/* ---- kernel ---- */

struct ksym_ref {
	const char *name;
	uint64_t addr;
	bool unique; /* no other text symbol at this address */
};

/* Addresses of the named text symbols from /proc/kallsyms. */
static bool read_kallsyms(struct ksym_ref *refs, int n)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	bool nonzero = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3)
			continue;
		if (a)
			nonzero = true;
		if (!strchr("tTwW", type))
			continue;
		for (int i = 0; i < n; i++)
			if (!refs[i].addr && !strcmp(name, refs[i].name))
				refs[i].addr = a;
	}
	/* second pass: aliases */
	rewind(f);
	for (int i = 0; i < n; i++)
		refs[i].unique = true;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3 || !strchr("tTwW", type))
			continue;
		for (int i = 0; i < n; i++)
			if (refs[i].addr == a && strcmp(name, refs[i].name))
				refs[i].unique = false;
	}
	fclose(f);
	return nonzero;
}

static struct ksym_ref kref[] = { { "vfs_read", 0, false }, { "do_nanosleep", 0, false } };
static bool kernel_ok;

static void test_kernel(void)
{
	struct symbolizer *s = symbolizer_new();
	const char *name = NULL;
	uint64_t off = 99;

	kernel_ok = read_kallsyms(kref, 2) && kref[0].addr && kref[1].addr;
	if (!kernel_ok) {
		check_skip("kernel symbols", "/proc/kallsyms addresses are hidden or missing "
			   "(not root / kptr_restrict)");
		check_true("no kernel symbol without kallsyms",
			   !ksym_lookup(s, 0xffffffff81000000ull, &name, &off));
		symbolizer_free(s);
		return;
	}
	for (int i = 0; i < 2; i++) {
		char what[128];
		name = NULL;
		snprintf(what, sizeof(what), "ksym %s", kref[i].name);
		check_true(what, ksym_lookup(s, kref[i].addr, &name, &off));
		if (kref[i].unique)
			check_str(what, name, kref[i].name);
		check_int(what, off, 0);
		name = NULL;
		check_true(what, ksym_lookup(s, kref[i].addr + 5, &name, &off));
		if (kref[i].unique)
			check_str(what, name, kref[i].name);
		check_int(what, off, 5);
	}
	check_true("ksym of a user address", !ksym_lookup(s, 0x1000, &name, &off));
	symbolizer_free(s);
}

/* ---- user ---- */

static char self_path[PATH_MAX];

static void test_user_self(void)
{
	struct symbolizer *s = symbolizer_new();
	const char *name = NULL, *module = NULL;
	uint64_t off = 99;
	uint64_t a = (uint64_t)(uintptr_t)&sonde_test_target;

	check_true("usym self", usym_lookup(s, (uint32_t)getpid(), a, &name, &off, &module));
	check_str("usym self name", name, "sonde_test_target");
	check_int("usym self offset", off, 0);
	check_str("usym self module", module, self_path);
	name = NULL;
	check_true("usym self +4", usym_lookup(s, (uint32_t)getpid(), a + 4, &name, &off, NULL));
	check_str("usym self +4 name", name, "sonde_test_target");
	check_int("usym self +4 offset", off, 4);
	name = NULL;
	check_true("usym other", usym_lookup(s, (uint32_t)getpid(), (uint64_t)(uintptr_t)&sonde_test_other,
					&name, &off, NULL));
	check_str("usym other name", name, "sonde_test_other");
	check_true("usym of an unmapped address",
		   !usym_lookup(s, (uint32_t)getpid(), 16, &name, &off, &module));
	check_true("no module for an unmapped address", module == NULL);

	/* a shared library function (.dynsym at least) */
	void *fn = dlsym(RTLD_DEFAULT, "getpid");
	if (fn) {
		name = NULL;
		bool ok = usym_lookup(s, (uint32_t)getpid(), (uint64_t)(uintptr_t)fn, &name, &off, &module);
		check_true("usym libc getpid", ok);
		check_int("usym libc offset", off, 0);
		check_true("usym libc name is an alias of getpid",
		      name && (strstr(name, "getpid") || dlsym(RTLD_DEFAULT, name) == fn));
		check_true("usym libc module", module && strstr(module, "libc"));
	}
	symbolizer_free(s);
}

/* A non-PIE executable (the sonde binary, linked -no-pie) mapped at its
 * link-time address, the way the kernel maps ET_EXEC files. */
static void test_user_nonpie(void)
{
	char path[PATH_MAX + 16];
	const char *env = getenv("SONDE_BINARY");
	char *slash;

	if (env) {
		snprintf(path, sizeof(path), "%s", env);
	} else {
		snprintf(path, sizeof(path), "%s", self_path);
		slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
		slash = strrchr(path, '/');
		if (slash)
			strcpy(slash, "/sonde"); /* build/tests/test_x -> build/sonde */
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		check_skip("non-PIE lookup", "no sonde binary at %s (set SONDE_BINARY)", path);
		return;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	uint64_t main_addr = 0;
	GElf_Phdr text = { 0 };
	bool have_text = false;

	if (!e || !gelf_getehdr(e, &eh) || eh.e_type != ET_EXEC) {
		check_skip("non-PIE lookup", "%s is not an ET_EXEC file", path);
		goto out;
	}
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;
			if (gelf_getsym(d, (int)i, &sym) && GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    (n = elf_strptr(e, sh.sh_link, sym.st_name)) && !strcmp(n, "main"))
				main_addr = sym.st_value;
		}
	}
	size_t nph = 0;
	elf_getphdrnum(e, &nph);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && main_addr >= ph.p_vaddr &&
		    main_addr < ph.p_vaddr + ph.p_filesz) {
			text = ph;
			have_text = true;
		}
	}
	if (!main_addr || !have_text) {
		check_skip("non-PIE lookup", "no main in %s", path);
		goto out;
	}
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = text.p_vaddr & ~(page - 1);
	uint64_t foff = text.p_offset & ~(page - 1);
	size_t len = (size_t)(text.p_vaddr + text.p_filesz - start);
	void *m = mmap((void *)(uintptr_t)start, len, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, (off_t)foff);
	if (m == MAP_FAILED || (uint64_t)(uintptr_t)m != start) {
		check_skip("non-PIE lookup", "cannot map %s at 0x%" PRIx64 ": %s", path, start,
			   strerror(errno));
		if (m != MAP_FAILED)
			munmap(m, len);
		goto out;
	}
	struct symbolizer *s = symbolizer_new();
	const char *name = NULL, *module = NULL;
	uint64_t off = 99;
	check_true("usym non-PIE",
		   usym_lookup(s, (uint32_t)getpid(), main_addr + 3, &name, &off, &module));
	check_str("usym non-PIE name", name, "main");
	check_int("usym non-PIE offset", off, 3);
	check_true("usym non-PIE module", module && strstr(module, "sonde"));
	symbolizer_free(s);
	munmap(m, len);
out:
	if (e)
		elf_end(e);
	close(fd);
}

/* Processes that exit: a lookup fails cleanly; a prefetched pid still
 * resolves afterwards. */
static void test_user_exited(void)
{
	struct symbolizer *s = symbolizer_new();
	const char *name = NULL;
	uint64_t off;
	uint64_t a = (uint64_t)(uintptr_t)&sonde_test_target;
	int p[2];

	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	check_true("usym of an exited process", !usym_lookup(s, (uint32_t)gone, a, &name, &off, NULL));

	if (pipe(p)) {
		symbolizer_free(s);
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	symbolizer_prefetch_pid(s, (uint32_t)child);
	close(p[1]); /* child exits */
	waitpid(child, NULL, 0);
	name = NULL;
	check_true("usym after exit (prefetched)", usym_lookup(s, (uint32_t)child, a + 2, &name, &off, NULL));
	check_str("usym after exit name", name, "sonde_test_target");
	check_int("usym after exit offset", off, 2);
	symbolizer_forget_pid(s, (uint32_t)child);
	check_true("usym after forget", !usym_lookup(s, (uint32_t)child, a, &name, &off, NULL));
	symbolizer_free(s);
}

/* Past LIMIT_SYMBOL_PIDS processes the cache starts over; lookups of a
 * live process still work. */
static void test_user_bounded(void)
{
	struct symbolizer *s = symbolizer_new();
	uint64_t a = (uint64_t)(uintptr_t)&sonde_test_target + 2, off = 0;
	const char *name = NULL;

	check_true("usym before many pids", usym_lookup(s, (uint32_t)getpid(), a, &name, &off, NULL));
	for (uint32_t pid = 0x300000; pid < 0x300000 + LIMIT_SYMBOL_PIDS + 10; pid++)
		usym_lookup(s, pid, a, NULL, NULL, NULL);
	name = NULL;
	check_true("usym after many pids", usym_lookup(s, (uint32_t)getpid(), a, &name, &off, NULL));
	check_str("usym after many pids name", name, "sonde_test_target");
	check_int("usym after many pids offset", off, 2);
	symbolizer_free(s);
}

/* ---- rendering ---- */

#define FRAMES 127

/* source lines would depend on how the test is built (RelWithDebInfo has them) */
static struct compiled_program prog = { .stack_frames = FRAMES, .ustack_frames = FRAMES, .no_debug_info = true };

static void cap_open(struct capture *c, enum output_mode mode, int stack_fd)
{
	capture_open(c, mode, &prog, ncpus, stack_fd);
}

#define cap_check capture_check

static void cap_discard(struct capture *c)
{
	capture_check(c, NULL, NULL);
}

/* A user stack of the build-id map: frames the kernel could only give as
 * addresses (status IP), or with build_id as that file's offsets. */
static void put_ustack(int fd, uint32_t id, const uint64_t *vals, int n,
		       const unsigned char *build_id)
{
	static unsigned char v[FRAMES * BUILD_ID_FRAME_SIZE];
	memset(v, 0, sizeof(v));
	for (int i = 0; i < n; i++) {
		unsigned char *e = v + i * BUILD_ID_FRAME_SIZE;
		int32_t status = build_id ? BUILD_ID_FRAME_VALID : BUILD_ID_FRAME_IP;
		memcpy(e, &status, sizeof(status));
		if (build_id)
			memcpy(e + 4, build_id, BUILD_ID_LEN);
		memcpy(e + BUILD_ID_FRAME_OFFSET, &vals[i], sizeof(vals[i]));
	}
	if (bpf_map_update_elem(fd, &id, v, BPF_ANY))
		printf("stack map update: %s\n", strerror(errno));
}

/* The file offset of an address of this process, as the kernel computes
 * it for build-id stacks: from the mapping that holds it. */
static uint64_t self_file_offset(uint64_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long start, end, off;
	uint64_t result = 0;
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) == 3 && addr >= start &&
		    addr < end)
			result = addr - start + off;
	if (f)
		fclose(f);
	return result;
}

static void put_stack(int fd, uint32_t id, const uint64_t *ips, int n)
{
	uint64_t v[FRAMES] = { 0 };

	memcpy(v, ips, (size_t)n * sizeof(*ips));
	if (bpf_map_update_elem(fd, &id, v, BPF_ANY))
		printf("stack map update: %s\n", strerror(errno));
}

/* Symbols without a stack map: ksym/usym values, stack ids that cannot be
 * read. */
static void test_render_symbols(void)
{
	struct capture c;
	const struct type *ksym = type_symbol(&arena, false), *usym = type_symbol(&arena, true);
	const struct type *kst = type_stack(&arena, false, STACK_BPFTRACE, 127);
	uint64_t u[2] = { (uint64_t)(uintptr_t)&sonde_test_target + 1, (uint64_t)getpid() };
	uint64_t unknown = 0x1234, bad[2] = { 0x10, (uint64_t)getpid() };
	int64_t noid = -14;

	cap_open(&c, OUTPUT_TEXT, -1);
	output_value(&c.o, usym, u);
	output_value(&c.o, ksym, &unknown);
	output_value(&c.o, usym, bad);
	output_value(&c.o, kst, &noid);
	cap_check(&c, "symbols text", "sonde_test_target\n0x1234\n0x10\n\n\n");

	cap_open(&c, OUTPUT_JSON, -1);
	output_value(&c.o, usym, u);
	output_value(&c.o, ksym, &unknown);
	output_value(&c.o, kst, &noid);
	cap_check(&c, "symbols json",
		  "{\"type\": \"value\", \"data\": \"sonde_test_target\"}\n"
		  "{\"type\": \"value\", \"data\": \"0x1234\"}\n"
		  "{\"type\": \"value\", \"data\": \"\"}\n");

	if (kernel_ok) {
		uint64_t k = kref[0].addr + 3;
		char want[128];
		cap_open(&c, OUTPUT_TEXT, -1);
		output_value(&c.o, ksym, &k);
		snprintf(want, sizeof(want), "%s\n", kref[0].unique ? kref[0].name : "?");
		if (kref[0].unique)
			cap_check(&c, "ksym value", want);
		else
			cap_discard(&c); /* alias: any name */
	}
}

static void test_render_stacks(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, FRAMES * 8, 16, NULL);
	int ufd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, FRAMES * BUILD_ID_FRAME_SIZE, 16, NULL);
	if (fd < 0 || ufd < 0) {
		check_skip("stack rendering", "bpf_map_create: %s", strerror(-(fd < 0 ? fd : ufd)));
		return;
	}
	struct capture c;
	char want[10000], line[1024];
	uint64_t ut = (uint64_t)(uintptr_t)&sonde_test_target;

	/* user stack: this process */
	uint64_t uips[] = { ut + 4, (uint64_t)(uintptr_t)&sonde_test_other + 1, 0x10 };
	put_ustack(ufd, 7, uips, 3, NULL);
	uint64_t ust[2] = { 7, (uint64_t)getpid() };
	cap_open(&c, OUTPUT_TEXT, fd);
	c.o.ustack_fd = ufd;
	output_value(&c.o, type_stack(&arena, true, STACK_BPFTRACE, 127), ust);
	cap_check(&c, "ustack bpftrace",
		  "\n        sonde_test_target+4\n        sonde_test_other+1\n        0x10\n\n");
	cap_open(&c, OUTPUT_TEXT, fd);
	c.o.ustack_fd = ufd;
	output_value(&c.o, type_stack(&arena, true, STACK_PERF, 2), ust);
	snprintf(want, sizeof(want), "\n\t%" PRIx64 " sonde_test_target+4 (%s)\n\t%" PRIx64
		 " sonde_test_other+1 (%s)\n\n", ut + 4, self_path, uips[1], self_path);
	cap_check(&c, "ustack perf, limit 2", want);
	cap_open(&c, OUTPUT_TEXT, fd);
	c.o.ustack_fd = ufd;
	output_value(&c.o, type_stack(&arena, true, STACK_PERF, 127), ust);
	snprintf(want, sizeof(want), "\n\t%" PRIx64 " sonde_test_target+4 (%s)\n\t%" PRIx64
		 " sonde_test_other+1 (%s)\n\t10 0x10 ([unknown])\n\n", ut + 4, self_path, uips[1],
		 self_path);
	cap_check(&c, "ustack perf unknown", want);

	/* frames by build id of a probed binary resolve for a pid that does
	 * not exist */
	struct elf_syms self;
	unsigned char self_id[BUILD_ID_LEN] = { 0 };
	if (!elf_syms_open(&self, self_path)) {
		elf_syms_build_id(&self, self_id, sizeof(self_id));
		elf_syms_close(&self);
	}
	uint64_t offs[] = { self_file_offset(ut + 4) };
	put_ustack(ufd, 8, offs, 1, self_id);
	uint64_t gone[2] = { 8, 0x3fffff };
	cap_open(&c, OUTPUT_TEXT, fd);
	c.o.ustack_fd = ufd;
	symbolizer_add_binary(output_symbolizer(&c.o), self_path); /* as if probed */
	output_value(&c.o, type_stack(&arena, true, STACK_BPFTRACE, 127), gone);
	cap_check(&c, "ustack by build id", "\n        sonde_test_target+4\n\n");
	cap_open(&c, OUTPUT_TEXT, fd);
	c.o.ustack_fd = ufd;
	output_value(&c.o, type_stack(&arena, true, STACK_BUILD_ID, 127), gone);
	char hex[2 * BUILD_ID_LEN + 1];
	for (int k = 0; k < BUILD_ID_LEN; k++)
		snprintf(hex + 2 * k, 3, "%02x", self_id[k]);
	snprintf(want, sizeof(want), "\n%s 0x%" PRIx64 "\n\n", hex, offs[0]);
	cap_check(&c, "ustack build_id mode", want);
	close(ufd);

	if (!kernel_ok) {
		check_skip("kernel stack rendering", "no kallsyms addresses");
		close(fd);
		return;
	}
	uint64_t kips[] = { kref[0].addr + 16, kref[1].addr + 1 };
	put_stack(fd, 5, kips, 2);
	int64_t id = 5;
	/* expected names: what the lookup says (aliases), checked in test_kernel */
	struct symbolizer *sy = symbolizer_new();
	const char *n0 = kref[0].name, *n1 = kref[1].name;
	uint64_t off;
	ksym_lookup(sy, kips[0], &n0, &off);
	ksym_lookup(sy, kips[1], &n1, &off);

	/* bpftrace mode */
	const struct type *kst = type_stack(&arena, false, STACK_BPFTRACE, 127);
	snprintf(want, sizeof(want), "\n        %s+16\n        %s+1\n", n0, n1);
	cap_open(&c, OUTPUT_TEXT, fd);
	output_text(&c.o, c.o.out, kst, &id);
	cap_check(&c, "kstack bpftrace", want);

	/* perf, raw, limit */
	cap_open(&c, OUTPUT_TEXT, fd);
	output_text(&c.o, c.o.out, type_stack(&arena, false, STACK_PERF, 127), &id);
	snprintf(want, sizeof(want), "\n\t%" PRIx64 " %s+16\n\t%" PRIx64 " %s+1\n", kips[0], n0,
		 kips[1], n1);
	cap_check(&c, "kstack perf", want);
	cap_open(&c, OUTPUT_TEXT, fd);
	output_text(&c.o, c.o.out, type_stack(&arena, false, STACK_RAW, 127), &id);
	snprintf(want, sizeof(want), "\n%" PRIx64 "\n%" PRIx64 "\n", kips[0], kips[1]);
	cap_check(&c, "kstack raw", want);
	cap_open(&c, OUTPUT_TEXT, fd);
	output_text(&c.o, c.o.out, type_stack(&arena, false, STACK_BPFTRACE, 1), &id);
	snprintf(want, sizeof(want), "\n        %s+16\n", n0);
	cap_check(&c, "kstack limit 1", want);

	/* missing id, negative id */
	int64_t missing = 9, neg = -14;
	cap_open(&c, OUTPUT_TEXT, fd);
	output_text(&c.o, c.o.out, kst, &missing);
	output_text(&c.o, c.o.out, kst, &neg);
	cap_check(&c, "kstack missing", "\n\n");

	/* printf %s, print(), JSON value */
	const struct type *ksym = type_symbol(&arena, false);
	const struct type *pf[] = { ksym, kst };
	const struct type *args = type_tuple(&arena, 2, pf, NULL);
	unsigned char ad[16];
	uint64_t ka = kips[1];
	memcpy(ad, &ka, 8);
	memcpy(ad + 8, &id, 8);
	cap_open(&c, OUTPUT_TEXT, fd);
	output_printf(&c.o, "[%s]%s|", args, ad);
	snprintf(want, sizeof(want), "[%s]\n        %s+16\n        %s+1\n|", n1, n0, n1);
	cap_check(&c, "printf ksym kstack", want);

	cap_open(&c, OUTPUT_JSON, fd);
	output_value(&c.o, kst, &id);
	output_value(&c.o, args, ad);
	snprintf(want, sizeof(want),
		 "{\"type\": \"value\", \"data\": \"        %s+16\\n        %s+1\\n\"}\n"
		 "{\"type\": \"value\", \"data\": [\"%s\",\"        %s+16\\n        %s+1\\n\"]}\n",
		 n0, n1, n1, n0, n1);
	cap_check(&c, "json kstack", want);

	/* map with a stack key (§10.6) and a stack value */
	struct map_desc mk = { "@", "m", kst, type_aggregate(&arena, TY_COUNT, false), 8, 8, true, 16 };
	int fm = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, NULL, 8, 8, 16, NULL);
	struct map_desc mv = { "@s", "s", &type_i64, kst, 8, 8, false, 16 };
	int fv = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 8, 8, 16, NULL);
	if (fm < 0 || fv < 0) {
		check_true("create count map", false);
		close(fd);
		symbolizer_free(sy);
		return;
	}
	uint64_t *cnt = calloc((size_t)ncpus, 8);
	cnt[0] = 12;
	bpf_map_update_elem(fm, &id, cnt, BPF_ANY);
	free(cnt);
	int64_t one = 1;
	bpf_map_update_elem(fv, &one, &id, BPF_ANY);

	cap_open(&c, OUTPUT_TEXT, fd);
	check_true("output_map stack key", output_map(&c.o, &mk, fm, 0, 0, false) == 0);
	check_true("output_map stack value", output_map(&c.o, &mv, fv, 0, 0, false) == 0);
	snprintf(want, sizeof(want), "@[\n        %s+16\n        %s+1\n]: 12\n"
		 "@s[1]: \n        %s+16\n        %s+1\n\n", n0, n1, n0, n1);
	cap_check(&c, "map stack key", want);

	cap_open(&c, OUTPUT_JSON, fd);
	output_map(&c.o, &mk, fm, 0, 0, false);
	output_map(&c.o, &mv, fv, 0, 0, false);
	snprintf(line, sizeof(line), "        %s+16\\n        %s+1\\n", n0, n1);
	snprintf(want, sizeof(want), "{\"type\": \"map\", \"data\": {\"@\": {\"%s\": 12}}}\n"
		 "{\"type\": \"map\", \"data\": {\"@s\": {\"1\": \"%s\"}}}\n", line, line);
	cap_check(&c, "json map stack key", want);

	close(fm);
	close(fv);
	close(fd);
	symbolizer_free(sy);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = '\0';
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		ncpus = 1;

	test_kernel();
	test_user_self();
	test_user_nonpie();
	test_user_exited();
	test_user_bounded();
	test_render_symbols();
	test_render_stacks();

	arena_free(&arena);
	return check_summary();
}

/* The system call number behind a syscalls:sys_enter_X / sys_exit_X
 * tracepoint, so that one program on raw_syscalls:sys_enter / sys_exit can
 * stand for many of them. The kernel names each tracepoint after the
 * SYSCALL_DEFINE of the function it binds to, which is the system call's
 * name except for the few below; a name neither table has cannot be
 * mapped with certainty and keeps its own tracepoint. */
#include <string.h>

#include "../common/syscall_names.h"
#include "internal.h"

/* Tracepoint names whose x86-64 system call is called otherwise. */
static const struct {
	const char *event, *syscall;
} renamed[] = {
	{ "newstat", "stat" },       { "newfstat", "fstat" },      { "newlstat", "lstat" },
	{ "newuname", "uname" },     { "sendfile64", "sendfile" }, { "umount", "umount2" },
};

/* x86-64 system calls newer than older C library headers (numbers of the
 * kernel's syscall_64.tbl, which are never reused). */
static const struct {
	const char *name;
	int nr;
} newer[] = {
	{ "uretprobe", 335 },        { "uprobe", 336 },            { "cachestat", 451 },
	{ "fchmodat2", 452 },        { "map_shadow_stack", 453 },  { "futex_wake", 454 },
	{ "futex_wait", 455 },       { "futex_requeue", 456 },     { "statmount", 457 },
	{ "listmount", 458 },        { "lsm_get_self_attr", 459 }, { "lsm_set_self_attr", 460 },
	{ "lsm_list_modules", 461 }, { "mseal", 462 },             { "setxattrat", 463 },
	{ "getxattrat", 464 },       { "listxattrat", 465 },       { "removexattrat", 466 },
	{ "open_tree_attr", 467 },   { "file_getattr", 468 },      { "file_setattr", 469 },
};

static int syscall_nr_named(const char *name)
{
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(renamed[i].event, name))
			name = renamed[i].syscall;
	int nr = syscall_nr_of(name);
	for (size_t i = 0; nr < 0 && i < sizeof(newer) / sizeof(newer[0]); i++)
		if (!strcmp(newer[i].name, name))
			nr = newer[i].nr;
	return nr;
}

int syscall_tracepoint_nr(const struct attach_spec *spec, enum syscall_side *side)
{
	static const char *const prefixes[] = { [SYSCALL_ENTER] = "sys_enter_", [SYSCALL_EXIT] = "sys_exit_" };

	*side = SYSCALL_ENTER;
	if (spec->kind != PROBE_TRACEPOINT || strcmp(spec->target, "syscalls"))
		return -1;
	for (int s = SYSCALL_ENTER; s <= SYSCALL_EXIT; s++) {
		size_t len = strlen(prefixes[s]);
		if (!strncmp(spec->func, prefixes[s], len)) {
			*side = (enum syscall_side)s;
			return syscall_nr_named(spec->func + len);
		}
	}
	return -1;
}

// Run-time statistics of the BPF programs a process holds (by a program fd
// or a link fd), one line per program:
//   ID TYPE RUN_CNT RUN_TIME_NS NAME
// The counts grow only while run-time statistics are on:
//   bench-progstats --hold
// turns them on (BPF_ENABLE_STATS, which counts its users, so others
// turning them off do not stop ours) until its standard input closes.
#include <bpf/bpf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PROGS 4096

// Adds the prog_id of one /proc/PID/fdinfo file to ids, once.
static void collect_prog_id(const char *path, unsigned *ids, int *count)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned id;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &id) == 1) {
			int seen = 0;
			for (int i = 0; i < *count; i++)
				seen |= ids[i] == id;
			if (!seen && *count < MAX_PROGS)
				ids[(*count)++] = id;
		}
	fclose(f);
}

static int print_prog(unsigned id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -1;
	printf("%u %u %llu %llu %s\n", id, info.type, (unsigned long long)info.run_cnt,
	       (unsigned long long)info.run_time_ns, info.name[0] ? info.name : "-");
	return 0;
}

static int hold_stats(void)
{
	char byte;
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		perror("bench-progstats: BPF_ENABLE_STATS");
		return 1;
	}
	printf("on\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &byte, 1) > 0)
		;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned ids[MAX_PROGS];
	int count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-progstats --hold | PID...\n");
		return 2;
	}
	if (strcmp(argv[1], "--hold") == 0)
		return hold_stats();
	for (int a = 1; a < argc; a++) {
		char dir_path[64], path[384];
		snprintf(dir_path, sizeof(dir_path), "/proc/%s/fdinfo", argv[a]);
		DIR *dir = opendir(dir_path);
		if (!dir) {
			perror(dir_path);
			return 1;
		}
		for (struct dirent *e; (e = readdir(dir));)
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir_path, e->d_name);
				collect_prog_id(path, ids, &count);
			}
		closedir(dir);
	}
	for (int i = 0; i < count; i++)
		print_prog(ids[i]);
	return 0;
}

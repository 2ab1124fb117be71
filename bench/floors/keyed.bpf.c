// Floor of `@[pid] = count()`: a per-CPU hash keyed by the process id,
// incremented in place when the key exists, inserted otherwise.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint")
int keyed_event(void *ctx)
{
	__u64 key = bpf_get_current_pid_tgid() >> 32;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	if (value) {
		*value += 1;
	} else {
		__u64 one = 1;

		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

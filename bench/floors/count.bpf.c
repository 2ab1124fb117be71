// Floor of `@ = count()`: one per-CPU array slot, incremented in place.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tracepoint")
int count_event(void *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&counter, &key);

	if (value)
		*value += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// Floor of `/pid == cpid/ { printf("%d\n", pid); }`: one ring-buffer
// record per event of the target process; a full buffer counts a loss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

SEC("tracepoint")
int printf_event(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 key = 0;
	__u32 *record;
	__u64 *lost_count;

	if (pid != target_pid)
		return 0;
	record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);
	if (!record) {
		lost_count = bpf_map_lookup_elem(&lost, &key);
		if (lost_count)
			*lost_count += 1;
		return 0;
	}
	*record = pid;
	bpf_ringbuf_submit(record, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// The least a libbpf program can load: one program, no maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint")
int minimal_event(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

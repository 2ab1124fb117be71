// Floor of `@ = hist(nsecs & 0xffff)`: the log2 bucket by a loop-free
// binary search, one per-CPU array slot per bucket, bpftrace's bucket layout
// (0: negative, 1: zero, 2 + log2(v) otherwise). nsecs is the boot clock
// (LANGUAGE.md §7), so the floor reads that clock too.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BUCKETS 66

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} buckets SEC(".maps");

static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 log = 0, shift;

	if (v == 0)
		return 1;
	shift = (v > 0xffffffffULL) << 5;
	v >>= shift;
	log |= shift;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	log |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	log |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	log |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	log |= shift;
	log |= (__u32)(v >> 1);
	return log + 2;
}

SEC("tracepoint")
int hist_event(void *ctx)
{
	__u32 key = log2_bucket(bpf_ktime_get_boot_ns() & 0xffff);
	__u64 *value = bpf_map_lookup_elem(&buckets, &key);

	if (value)
		*value += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

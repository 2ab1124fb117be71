// Workload for the Rust demangling case: calls demo::work(i) for i = 1..3
// and prints "demo done 12".
#[inline(never)]
fn work(x: u64) -> u64 {
    std::hint::black_box(x * 2)
}

fn main() {
    let mut sum = 0;
    for i in 1..=3 {
        sum += work(i);
    }
    println!("demo done {}", sum);
}

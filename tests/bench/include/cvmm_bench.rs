// SPDX-License-Identifier: MIT
// The Rust peers' copy of cvmm_bench.h: runs a body for REPS repetitions
// of `ops` operations after one warm-up and prints the median in the same
// format as the C benchmarks:
//   name=<name> ops=<ops> ns_per_op=<median> reps=<reps> min_ns_per_op=<min>
// Peer programs include it with #[path] so that every side times alike.
use std::time::Instant;

pub const REPS: usize = 15;

pub fn run<F: FnMut(u64)>(name: &str, ops: u64, mut body: F) -> f64 {
    body(ops);
    let mut per_op: Vec<f64> = (0..REPS)
        .map(|_| {
            let t = Instant::now();
            body(ops);
            t.elapsed().as_nanos() as f64 / ops as f64
        })
        .collect();
    per_op.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "name={} ops={} ns_per_op={:.2} reps={} min_ns_per_op={:.2}",
        name, ops, per_op[REPS / 2], REPS, per_op[0]
    );
    per_op[REPS / 2]
}

// SPDX-License-Identifier: MIT
// vm-superio 0.7 under the workloads of libsuperio's C benchmarks: guest TX
// polled through LSR+THR, RX drained through LSR+RBR after 64-byte pushes,
// the same 12-access register-probe sequence, and PL031 reads.  Prints the
// median of 15 repetitions in the cvmm_bench format.
#[path = "../../../../tests/bench/include/cvmm_bench.rs"]
mod cvmm_bench;
mod rig;

use cvmm_bench::run;
use rig::{NoIrq, Sink};
use vm_superio::{Rtc, Serial};

fn main() {
    let mut s = Serial::new(NoIrq, Sink::default());
    let mut sink = 0u64;
    s.write(2, 0xc7).unwrap();
    run("vm-superio-serial-tx-polled-per-byte", 1_000_000, |n| {
        for i in 0..n {
            while s.read(5) & 0x20 == 0 {}
            s.write(0, i as u8).unwrap();
        }
    });
    let buf = [b'r'; 64];
    run("vm-superio-serial-rx-drain-per-byte", 1_000_000, |n| {
        let mut done = 0;
        while done < n {
            let _ = s.enqueue_raw_bytes(&buf);
            while s.read(5) & 0x01 != 0 {
                sink += s.read(0) as u64;
                done += 1;
            }
        }
    });
    const SEQ: [(u8, bool, u8); 12] = [
        (1, true, 0x0f), (1, false, 0), (2, false, 0), (3, true, 0x03), (3, false, 0),
        (4, true, 0x0b), (4, false, 0), (5, false, 0), (6, false, 0), (7, true, 0x5a),
        (7, false, 0), (1, true, 0x00),
    ];
    run("vm-superio-serial-probe-mix-per-access", 1_000_000, |n| {
        for i in 0..n {
            let (off, write, val) = SEQ[(i % 12) as usize];
            if write {
                s.write(off, val).unwrap();
            } else {
                sink += s.read(off) as u64;
            }
        }
    });
    let mut rtc = Rtc::new();
    run("vm-superio-pl031-read-per-access", 1_000_000, |n| {
        let mut data = [0u8; 4];
        for i in 0..n {
            rtc.read(if i & 1 == 1 { 0x000 } else { 0x018 }, &mut data);
            sink += data[0] as u64;
        }
    });
    std::process::exit((sink == 0) as i32);
}

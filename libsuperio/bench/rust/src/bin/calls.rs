// SPDX-License-Identifier: MIT
// vm-superio 0.7 under the workloads of ../../bench_serial_calls.c, each
// register access through a non-inlined call as the C side makes a library
// call (tests/bench/callgrind-compare.sh runs both).
// Usage: calls                 wall time, all workloads
//        calls cg NAME OPS     one run of cg_serial_NAME, for callgrind
#[path = "../../../../../tests/bench/include/cvmm_bench.rs"]
mod cvmm_bench;
#[path = "../rig.rs"]
mod rig;

use rig::{NoIrq, Sink};
use vm_superio::Serial;

pub type Uart = Serial<NoIrq, vm_superio::serial::NoEvents, Sink>;

#[inline(never)]
fn rd(s: &mut Uart, off: u8) -> u8 {
    s.read(off)
}

#[inline(never)]
fn wr(s: &mut Uart, off: u8, v: u8) {
    s.write(off, v).unwrap()
}

#[inline(never)]
fn push(s: &mut Uart, buf: &[u8]) -> usize {
    s.enqueue_raw_bytes(buf).unwrap()
}

#[no_mangle]
#[inline(never)]
pub fn cg_serial_tx(s: &mut Uart, n: u64, _sunk: &mut u64) {
    for i in 0..n {
        while rd(s, 5) & 0x20 == 0 {}
        wr(s, 0, i as u8);
    }
}

#[no_mangle]
#[inline(never)]
pub fn cg_serial_rx(s: &mut Uart, n: u64, sunk: &mut u64) {
    let mut burst = [0u8; 64];
    burst[0] = b'r';
    let mut done = 0;
    while done < n {
        if push(s, &burst) != burst.len() {
            std::process::abort();
        }
        *sunk += rd(s, 2) as u64;
        while rd(s, 5) & 0x01 != 0 {
            *sunk += rd(s, 0) as u64;
            done += 1;
        }
    }
}

#[no_mangle]
#[inline(never)]
pub fn cg_serial_probe(s: &mut Uart, n: u64, sunk: &mut u64) {
    const SEQ: [(u8, bool, u8); 12] = [
        (1, true, 0x0f), (1, false, 0), (2, false, 0), (3, true, 0x03), (3, false, 0),
        (4, true, 0x0b), (4, false, 0), (5, false, 0), (6, false, 0), (7, true, 0x5a),
        (7, false, 0), (1, true, 0x00),
    ];
    let mut k = 0;
    for _ in 0..n {
        let (off, write, val) = SEQ[k];
        if write {
            wr(s, off, val);
        } else {
            *sunk += rd(s, off) as u64;
        }
        k = if k == 11 { 0 } else { k + 1 };
    }
}

fn setup(ier: u8) -> Uart {
    let mut s = Serial::new(NoIrq, Sink::default());
    wr(&mut s, 2, 0xc7);
    wr(&mut s, 1, ier);
    s
}

type Workload = fn(&mut Uart, u64, &mut u64);

fn main() {
    let w: [(&str, Workload, u8); 3] = [
        ("serial_tx", cg_serial_tx, 0x00),
        ("serial_rx", cg_serial_rx, 0x05),
        ("serial_probe", cg_serial_probe, 0x00),
    ];
    let args: Vec<String> = std::env::args().collect();
    let mut sunk = 0u64;
    if args.len() == 4 && args[1] == "cg" {
        for (name, f, ier) in w.iter() {
            if name["serial_".len()..] == args[2] {
                let mut s = setup(*ier);
                f(&mut s, args[3].parse().unwrap(), &mut sunk);
                std::hint::black_box(sunk);
                return;
            }
        }
        std::process::exit(2);
    }
    for (name, f, ier) in w.iter() {
        let mut s = setup(*ier);
        cvmm_bench::run(name, 1_000_000, |n| f(&mut s, n, &mut sunk));
    }
    std::process::exit((sunk == 0) as i32);
}

// SPDX-License-Identifier: MIT
// vm-memory under the workloads of ../../bench_vmmem_calls.c, each access
// through a non-inlined call as the C side makes a library call
// (tests/bench/callgrind-compare.sh runs both).
// Usage: calls                 wall time, all workloads
//        calls cg NAME OPS     one run of cg_vmmem_NAME, for callgrind
#[path = "../../../../../tests/bench/include/cvmm_bench.rs"]
mod cvmm_bench;

use std::hint::black_box;
use std::sync::atomic::Ordering;
use vm_memory::{Bytes, GuestAddress, GuestMemory, GuestMemoryMmap, VolatileSlice};

const MIB: u64 = 1 << 20;
const LOW_SPLIT: u64 = 32 * MIB;
pub type Mem = GuestMemoryMmap<()>;

fn addr(i: u64) -> u64 {
    (i * 4096 + (i & 63) * 8) % LOW_SPLIT
}

// The counterparts of vmmem_translate(gpa, 8), vmmem_load_uN, vmmem_store_uN.
#[inline(never)]
fn translate(m: &Mem, gpa: u64) -> Option<VolatileSlice<'_>> {
    m.get_slice(GuestAddress(gpa), 8).ok()
}
#[inline(never)]
fn load_u16(m: &Mem, gpa: u64) -> Option<u16> {
    m.load(GuestAddress(gpa), Ordering::Relaxed).ok()
}
#[inline(never)]
fn store_u16(m: &Mem, gpa: u64, v: u16) -> bool {
    m.store(v, GuestAddress(gpa), Ordering::Relaxed).is_ok()
}
#[inline(never)]
fn load_u64(m: &Mem, gpa: u64) -> Option<u64> {
    m.load(GuestAddress(gpa), Ordering::Relaxed).ok()
}
#[inline(never)]
fn store_u64(m: &Mem, gpa: u64, v: u64) -> bool {
    m.store(v, GuestAddress(gpa), Ordering::Relaxed).is_ok()
}

#[no_mangle]
#[inline(never)]
pub fn cg_vmmem_translate(m: &Mem, n: u64) {
    for i in 0..n {
        black_box(translate(m, addr(i) + (i & 1) * LOW_SPLIT).unwrap().as_ptr());
    }
}
#[no_mangle]
#[inline(never)]
pub fn cg_vmmem_translate_local(m: &Mem, n: u64) {
    for i in 0..n {
        black_box(translate(m, addr(i)).unwrap().as_ptr());
    }
}
// The scalar workloads, one pair per width.
macro_rules! scalar_workloads {
    ($load:ident, $store:ident, $ld:ident, $st:ident, $t:ty) => {
        #[no_mangle]
        #[inline(never)]
        pub fn $load(m: &Mem, n: u64) {
            for i in 0..n {
                black_box($ld(m, addr(i)).unwrap());
            }
        }
        #[no_mangle]
        #[inline(never)]
        pub fn $store(m: &Mem, n: u64) {
            for i in 0..n {
                assert!($st(m, addr(i), i as $t));
            }
        }
    };
}
scalar_workloads!(cg_vmmem_load_u16, cg_vmmem_store_u16, load_u16, store_u16, u16);
scalar_workloads!(cg_vmmem_load_u64, cg_vmmem_store_u64, load_u64, store_u64, u64);

type Workload = fn(&Mem, u64);

fn main() {
    let w: [(&str, Workload); 6] = [
        ("translate", cg_vmmem_translate),
        ("translate_local", cg_vmmem_translate_local),
        ("load_u16", cg_vmmem_load_u16),
        ("store_u16", cg_vmmem_store_u16),
        ("load_u64", cg_vmmem_load_u64),
        ("store_u64", cg_vmmem_store_u64),
    ];
    let mem: Mem = GuestMemoryMmap::from_ranges(&[
        (GuestAddress(0), LOW_SPLIT as usize),
        (GuestAddress(LOW_SPLIT), LOW_SPLIT as usize),
        (GuestAddress(4096 * MIB), (64 * MIB) as usize),
    ])
    .expect("guest memory");
    let mut a = 0;
    while a < 2 * LOW_SPLIT {
        mem.store(0u8, GuestAddress(a), Ordering::Relaxed).unwrap();
        a += 4096;
    }
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "cg" {
        for (name, f) in w.iter() {
            if *name == args[2] {
                f(&mem, args[3].parse().unwrap());
            }
        }
        return;
    }
    for (name, f) in w.iter() {
        cvmm_bench::run(&format!("vmmem_{}", name), 1_000_000, |n| f(&mem, n));
    }
}

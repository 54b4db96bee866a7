// SPDX-License-Identifier: MIT
// Peer benchmark: vm-memory doing what libvmmem's bench_vmmem.c does, with
// the same layout, address pattern, repetition count and output format.
#[path = "../../../../tests/bench/include/cvmm_bench.rs"]
mod cvmm_bench;

use cvmm_bench::run;
use std::hint::black_box;
use std::sync::atomic::Ordering;
use vm_memory::{Bytes, GuestAddress, GuestMemory, GuestMemoryMmap};

const MIB: u64 = 1 << 20;
const LOW_SPLIT: u64 = 32 * MIB;

fn addr(i: u64) -> u64 {
    (i * 4096 + (i & 63) * 8) % LOW_SPLIT
}

fn main() {
    let mem: GuestMemoryMmap<()> = GuestMemoryMmap::from_ranges(&[
        (GuestAddress(0), LOW_SPLIT as usize),
        (GuestAddress(LOW_SPLIT), LOW_SPLIT as usize),
        (GuestAddress(4096 * MIB), (64 * MIB) as usize),
    ])
    .expect("guest memory");
    let mut buf = vec![0xa5u8; 64 * 1024];
    let mut a = 0;
    while a < 2 * LOW_SPLIT {
        mem.store(0u8, GuestAddress(a), Ordering::Relaxed).unwrap();
        a += 4096;
    }

    run("vm_memory_translate", 1_000_000, |ops| {
        for i in 0..ops {
            let gpa = GuestAddress(addr(i) + (i & 1) * LOW_SPLIT);
            // get_slice checks the length like vmmem_translate(gpa, 8).
            black_box(mem.get_slice(gpa, 8).unwrap());
        }
    });
    run("vm_memory_translate_local", 1_000_000, |ops| {
        for i in 0..ops {
            black_box(mem.get_slice(GuestAddress(addr(i)), 8).unwrap());
        }
    });
    run("vm_memory_load_u16_aligned", 1_000_000, |ops| {
        for i in 0..ops {
            black_box(mem.load::<u16>(GuestAddress(addr(i)), Ordering::Relaxed).unwrap());
        }
    });
    run("vm_memory_store_u16_aligned", 1_000_000, |ops| {
        for i in 0..ops {
            mem.store(i as u16, GuestAddress(addr(i)), Ordering::Relaxed).unwrap();
        }
    });
    run("vm_memory_load_u64_aligned", 1_000_000, |ops| {
        for i in 0..ops {
            black_box(mem.load::<u64>(GuestAddress(addr(i)), Ordering::Relaxed).unwrap());
        }
    });
    run("vm_memory_store_u64_aligned", 1_000_000, |ops| {
        for i in 0..ops {
            mem.store(i, GuestAddress(addr(i)), Ordering::Relaxed).unwrap();
        }
    });
    run("vm_memory_read_4k", 20_000, |ops| {
        for i in 0..ops {
            mem.read_slice(&mut buf[..4096], GuestAddress((i * 4096) % LOW_SPLIT)).unwrap();
        }
    });
    let src = vec![0x5au8; 4096];
    run("vm_memory_write_4k", 20_000, |ops| {
        for i in 0..ops {
            mem.write_slice(&src, GuestAddress((i * 4096) % LOW_SPLIT)).unwrap();
        }
    });
    run("vm_memory_read_64k_cross_region", 2_000, |ops| {
        for _ in 0..ops {
            mem.read_slice(&mut buf, GuestAddress(LOW_SPLIT - 32 * 1024)).unwrap();
        }
    });
}

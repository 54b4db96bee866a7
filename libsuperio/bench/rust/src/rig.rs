// SPDX-License-Identifier: MIT
// Test doubles shared by the vm-superio peer programs: an interrupt line
// that does nothing and an output sink that consumes every byte, like the
// C benchmarks' sink().
use std::io;

use vm_superio::Trigger;

pub struct NoIrq;
impl Trigger for NoIrq {
    type E = io::Error;
    fn trigger(&self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Default)]
pub struct Sink(pub u64);
impl io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf[0] as u64 + buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

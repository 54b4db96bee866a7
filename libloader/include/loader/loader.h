/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header of libloader: kernel images, initrd, command line, boot
 * params, E820, PVH start info, MP table, ACPI tables and the boot vCPU
 * state (GDT, IDT, page tables, registers) for x86_64.
 */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H

#include <loader/version.h>
#include <loader/layout.h>
#include <loader/kernel.h>
#include <loader/elf.h>
#include <loader/bzimage.h>
#include <loader/initrd.h>
#include <loader/cmdline.h>
#include <loader/e820.h>
#include <loader/bootparams.h>
#include <loader/pvh.h>
#include <loader/irq.h>
#include <loader/mptable.h>
#include <loader/aml.h>
#include <loader/acpi.h>
#include <loader/bootcpu.h>

#endif

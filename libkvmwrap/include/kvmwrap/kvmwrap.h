/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header of libkvmwrap: typed, argument-checked wrappers over the
 * Linux KVM API (Documentation/virt/kvm/api.rst), in the spirit of rust-vmm's
 * kvm-ioctls and kvm-bindings.
 */
#ifndef KVMWRAP_KVMWRAP_H
#define KVMWRAP_KVMWRAP_H

#include <kvmwrap/version.h>
#include <kvmwrap/system.h>
#include <kvmwrap/vm.h>
#include <kvmwrap/vcpu.h>
#include <kvmwrap/exit.h>
#include <kvmwrap/host.h>

#endif

/* SPDX-License-Identifier: MIT */
/*
 * libevmgr: the epoll event loop of cvmm, with timers, signals, eventfd
 * helpers and remote calls.  Including this header gives the whole API.
 */
#ifndef EVMGR_EVMGR_H
#define EVMGR_EVMGR_H

#include <evmgr/version.h>
#include <evmgr/loop.h>
#include <evmgr/remote.h>
#include <evmgr/timer.h>
#include <evmgr/signal.h>
#include <evmgr/eventfd.h>

#endif

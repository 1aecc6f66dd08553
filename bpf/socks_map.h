/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The socket-pin storage: one map definition for the TC program (maps.h)
 * and the listing iterators (srv6steer_iter.bpf.c), which look the pins up
 * in the pinned map of an attachment (libbpf reuses its fd). */
#ifndef SRV6S_BPF_SOCKS_MAP_H
#define SRV6S_BPF_SOCKS_MAP_H

#include "srv6steer/abi.h"

/* Socket pins: a pin in the socket's own storage, written by user space with
 * the socket's fd as key; gone with the socket. Checked first. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct srv6s_pin);
} srv6s_socks SEC(".maps");

#endif

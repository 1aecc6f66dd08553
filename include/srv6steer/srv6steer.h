/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libsrv6steer C ABI: steer flows, RoCEv2 queue pairs and prefixes onto SRv6
 * paths from the host, from C (C99) or any language with a C FFI (the Python
 * binding uses ctypes). A thin layer over the C++ API in srv6steer.hpp: same
 * state, same rules, same messages.
 *
 *   srv6s_handle *h;
 *   if (srv6s_attach("eth0", NULL, NULL, 0, &h) < 0)
 *       fprintf(stderr, "%s\n", srv6s_last_error());
 *   srv6s_add_path_usids(h, 1, "fcbb:0::/32", "1004,1001,1006,fe06", 0);
 *   srv6s_pin_flow(h, IPPROTO_TCP, "fcbb:0:800:1::10", 40000,
 *                  "fcbb:0:800:2::20", 5201, SRV6S_TARGET_PATH, 1, 0,
 *                  SRV6S_OWNER_SELF);
 *   srv6s_close(h);   // the steering stays; srv6s_detach("eth0", NULL) ends it
 *
 * Conventions
 *  - Every function that can fail returns 0 on success or a negative
 *    errno-style code: the errno of the failing system call (-EEXIST,
 *    -ENOENT, -EPERM, ...), or -EINVAL when the input was invalid. Nothing
 *    is ever thrown across this ABI.
 *  - After a failure, srv6s_last_error() says what failed and what to do
 *    about it. It is per thread and kept until the next failure in that
 *    thread. A failed call leaves the state as it was.
 *  - Text in: addresses are IPv6 or IPv4 text ("fcbb:0:800:2::20",
 *    "10.0.2.20"); uSIDs "1004,1001,1006,fe06"; blocks and prefixes
 *    "fcbb:0::/32", "10.0.2.0/24".
 *  - A handle refers to the state pinned for one interface in bpffs. It may
 *    be used by one thread at a time; several handles (in one process or
 *    many) may refer to the same interface: changes are serialised by a lock
 *    on the pin directory. Closing a handle does not stop the steering.
 *  - Strings passed to callbacks, and the structs they point at, live only
 *    until the callback returns. A callback returns 0 to go on; a non-zero
 *    value stops the walk and becomes the return value of the call.
 */
#ifndef SRV6STEER_H
#define SRV6STEER_H

#include <stddef.h>
#include <stdint.h>

#include "srv6steer/abi.h" /* enum srv6s_reason, SRV6S_R_MAX, struct srv6s_counter */

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: one open view of an interface's steering state. */
typedef struct srv6s_handle srv6s_handle;

/* Room for any address text, NUL included (INET6_ADDRSTRLEN is 46). */
#define SRV6S_ADDRSTRLEN 48
/* Room for any prefix text ("addr/len"), NUL included. */
#define SRV6S_PREFIXSTRLEN 56

/* What a pin points at: one path, or a path set (srv6s_define_set). */
enum srv6s_target_kind {
	SRV6S_TARGET_PATH = 0,
	SRV6S_TARGET_SET = 1,
};

/* Flags of the pin calls. */
enum srv6s_pin_flags {
	/* Re-pin a key already pinned to another target (else: -EEXIST).
	 * Pinning a key to the target it already has is always a no-op. */
	SRV6S_PIN_REPLACE = 1U << 0,
};

/* owner_pid of the pin calls: who made a pin decides when srv6s_gc may
 * remove it. A pid: that process (the calling process also records its
 * cgroup). SRV6S_OWNER_SELF: the calling process. SRV6S_OWNER_NONE: nobody,
 * the pin never goes stale (pins from configuration). */
#define SRV6S_OWNER_NONE 0U
#define SRV6S_OWNER_SELF 0xffffffffU

/* A transport 5-tuple in text form. */
struct srv6s_flow {
	char src[SRV6S_ADDRSTRLEN]; /* IPv6 or IPv4 text */
	char dst[SRV6S_ADDRSTRLEN];
	uint16_t sport;             /* host order; 0 for protocols without ports */
	uint16_t dport;
	uint8_t proto;              /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint8_t pad[3];
};

/* One element of a batch for srv6s_pin_flows. */
struct srv6s_flow_pin {
	struct srv6s_flow flow;
	uint32_t target_kind; /* enum srv6s_target_kind */
	uint32_t target_id;
};

/* What a pin says besides its key. */
struct srv6s_pin_info {
	uint32_t target_kind;  /* enum srv6s_target_kind */
	uint32_t target_id;
	uint32_t owner_pid;    /* 0: none */
	uint32_t pad;
	uint64_t owner_cgroup; /* cgroup v2 id, 0 if none */
	uint64_t created_ns;   /* CLOCK_REALTIME when pinned */
	uint64_t packets;      /* steered by this pin */
	uint64_t bytes;        /* before encapsulation */
};

struct srv6s_flow_entry {
	struct srv6s_flow flow;
	struct srv6s_pin_info pin;
};

struct srv6s_qp_entry {
	char dst[SRV6S_ADDRSTRLEN];
	uint32_t qp;               /* 24-bit destination queue pair */
	uint32_t pad;
	struct srv6s_pin_info pin;
};

struct srv6s_prefix_entry {
	char prefix[SRV6S_PREFIXSTRLEN]; /* IPv4 prefixes print as IPv4 */
	struct srv6s_pin_info pin;
};

/* Packets and bytes the TC program saw, per reason (enum srv6s_reason). */
struct srv6s_stats {
	struct srv6s_counter reasons[SRV6S_R_MAX];
};

typedef int (*srv6s_path_stats_fn)(uint32_t path_id, const struct srv6s_counter *counter,
				   void *ctx);
typedef int (*srv6s_flow_fn)(const struct srv6s_flow_entry *entry, void *ctx);
typedef int (*srv6s_qp_fn)(const struct srv6s_qp_entry *entry, void *ctx);
typedef int (*srv6s_prefix_fn)(const struct srv6s_prefix_entry *entry, void *ctx);

/* ---- library ------------------------------------------------------------ */

/* The library's version, "MAJOR.MINOR.PATCH". Never fails. */
const char *srv6s_version(void);

/* The message of the last failing call in this thread; "" if none failed
 * yet. Valid until the next failing call in this thread. Never NULL. */
const char *srv6s_last_error(void);

/* The name of a reason ("steered", "no_match", ...), "unknown" when out of
 * range. Never NULL. */
const char *srv6s_reason_name(uint32_t reason);

/* ---- lifecycle ---------------------------------------------------------- */

/* Loads the data plane, pins its maps under BPFFS/srv6steer/IFNAME/ and
 * attaches it to TC egress of `ifname` (tcx, else clsact).
 *  source:    outer IPv6 source address; NULL: the interface's first global
 *             IPv6 address.
 *  bpffs:     a bpf filesystem mount; NULL: /sys/fs/bpf.
 *  max_flows: size of the flow pin map; 0: the default (SRV6S_DEFAULT_MAX_FLOWS).
 *  out:       receives a handle to close with srv6s_close; may be NULL (the
 *             steering stays attached either way).
 * -EEXIST if srv6steer is attached there already. Needs CAP_BPF/CAP_NET_ADMIN. */
int srv6s_attach(const char *ifname, const char *source, const char *bpffs, uint32_t max_flows,
		 srv6s_handle **out);

/* Opens the state pinned for `ifname` by an earlier attach (any process).
 * bpffs NULL: /sys/fs/bpf. -ENOENT if srv6steer is not attached there. */
int srv6s_open(const char *ifname, const char *bpffs, srv6s_handle **out);

/* Detaches from `ifname` and removes exactly what attach and later calls
 * created: the TC attachment, the pins, the route MTUs. Handles still open on
 * it keep working on orphaned maps that steer nothing; close them.
 * -ENOENT if srv6steer was not attached there. */
int srv6s_detach(const char *ifname, const char *bpffs);

/* Frees a handle (NULL: nothing). The steering stays. */
void srv6s_close(srv6s_handle *h);

/* ---- paths and path sets ------------------------------------------------ */

/* Adds path `id` (0 .. SRV6S_MAX_PATHS-1) made of uSIDs packed into
 * containers of `block`, e.g. block "fcbb:0::/32", usids
 * "1004,1001,1006,fe06". full_srh 0: reduced encapsulation (H.Encaps.Red,
 * no SRH for one container); non-zero: every container in an SRH.
 * Adding a path that exists with the same segments is a no-op; with other
 * segments it is -EEXIST (a path in use never changes). */
int srv6s_add_path_usids(srv6s_handle *h, uint32_t id, const char *block, const char *usids,
			 int full_srh);

/* Adds path `id` from `n` full SIDs / containers in path order
 * (sids[0] is the first destination). Same rules as srv6s_add_path_usids. */
int srv6s_add_path_segments(srv6s_handle *h, uint32_t id, const char *const *sids, size_t n,
			    int full_srh);

/* Removes path `id`. -ENOENT if it does not exist, -EBUSY while a set or a
 * pin uses it. */
int srv6s_remove_path(srv6s_handle *h, uint32_t id);

/* Marks path `id` down (non-zero) or up (0). Path sets skip down paths;
 * pins straight to a down path are counted (all_paths_down) and pass. */
int srv6s_set_path_down(srv6s_handle *h, uint32_t id, int down);

/* Defines (or changes) path set `id` (0 .. SRV6S_MAX_PATHS-1) over `n`
 * existing paths (1 .. SRV6S_MAX_SET_PATHS; list a path twice to give it
 * twice the weight). Changing a set in use never tears. */
int srv6s_define_set(srv6s_handle *h, uint32_t id, const uint32_t *path_ids, size_t n);

/* Removes path set `id`. -ENOENT if it does not exist, -EBUSY while a pin
 * uses it. */
int srv6s_remove_set(srv6s_handle *h, uint32_t id);

/* ---- pins --------------------------------------------------------------- */

/* Pins one flow to a target. flags: enum srv6s_pin_flags; owner_pid: see
 * SRV6S_OWNER_SELF. -EEXIST if pinned to another target without
 * SRV6S_PIN_REPLACE; -E2BIG when the flow map is full. Every pin call also
 * lowers the route MTU towards the destination so that the encapsulation
 * fits (srv6s_gc undoes it once no pin needs it, srv6s_detach always): the
 * destination needs a route in this network namespace, else -ENETUNREACH. */
int srv6s_pin_flow(srv6s_handle *h, uint8_t proto, const char *src, uint16_t sport,
		   const char *dst, uint16_t dport, uint32_t target_kind, uint32_t target_id,
		   uint32_t flags, uint32_t owner_pid);

/* Removes a flow pin. -ENOENT if the flow is not pinned. */
int srv6s_unpin_flow(srv6s_handle *h, uint8_t proto, const char *src, uint16_t sport,
		     const char *dst, uint16_t dport);

/* Pins `n` flows at once, all or nothing (one batch map update). n_added,
 * if not NULL, receives how many pins were new. */
int srv6s_pin_flows(srv6s_handle *h, const struct srv6s_flow_pin *pins, size_t n, uint32_t flags,
		    uint32_t owner_pid, size_t *n_added);

/* Parses "PROTO SRC SPORT DST DPORT" (e.g. "tcp fcbb:0:800:1::10 40000
 * fcbb:0:800:2::20 5201"; PROTO tcp, udp, icmp, icmpv6, sctp or 0-255) into
 * *out. Needs no handle. */
int srv6s_flow_parse(const char *text, struct srv6s_flow *out);

/* Pins RoCEv2 traffic to `dst` with destination queue pair `qp` (24 bits). */
int srv6s_pin_qp(srv6s_handle *h, const char *dst, uint32_t qp, uint32_t target_kind,
		 uint32_t target_id, uint32_t flags, uint32_t owner_pid);

/* Removes a queue pair pin. -ENOENT if it is not pinned. */
int srv6s_unpin_qp(srv6s_handle *h, const char *dst, uint32_t qp);

/* Pins traffic to a destination prefix ("fcbb:0:800:2::/64", "10.0.2.0/24",
 * an address alone is /128 or /32). Flow and queue pair pins win over it. */
int srv6s_pin_prefix(srv6s_handle *h, const char *prefix, uint32_t target_kind,
		     uint32_t target_id, uint32_t flags, uint32_t owner_pid);

/* Removes a prefix pin. -ENOENT if it is not pinned. */
int srv6s_unpin_prefix(srv6s_handle *h, const char *prefix);

/* Calls fn for every pin, in key order. */
int srv6s_list_flows(srv6s_handle *h, srv6s_flow_fn fn, void *ctx);
int srv6s_list_qps(srv6s_handle *h, srv6s_qp_fn fn, void *ctx);
int srv6s_list_prefixes(srv6s_handle *h, srv6s_prefix_fn fn, void *ctx);

/* ---- statistics and housekeeping ---------------------------------------- */

/* Fills *out (if not NULL) with the per-reason counters (summed over CPUs),
 * then calls fn (if not NULL) for every existing path, by id, with its
 * counters. */
int srv6s_get_stats(srv6s_handle *h, struct srv6s_stats *out, srv6s_path_stats_fn fn, void *ctx);

/* Removes pins whose owner process is gone, and route MTUs no pin needs.
 * n_removed, if not NULL, receives the number of pins removed. */
int srv6s_gc(srv6s_handle *h, size_t *n_removed);

#ifdef __cplusplus
}
#endif

#endif /* SRV6STEER_H */

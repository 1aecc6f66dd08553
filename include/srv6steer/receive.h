/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libsrv6steer C ABI, receive side: decapsulate SRv6 traffic to the host's
 * own SIDs in XDP (or TC ingress) and count it by reason and by sender path.
 * A thin layer over srv6steer::Receive (srv6steer.hpp; docs/design.md §13-14):
 * same state, same rules, same messages. Included by srv6steer.h, whose
 * conventions hold here too (0 or a negative errno, srv6s_last_error(),
 * sized options declared with SRV6S_OPTS, callbacks, text in).
 *
 *   srv6s_rx_handle *rx;
 *   SRV6S_OPTS(srv6s_rx_attach_opts, ro, .mode = SRV6S_RX_MODE_AUTO);
 *   if (srv6s_rx_attach("eth0", &ro, &rx) < 0)
 *       fprintf(stderr, "%s\n", srv6s_last_error());
 *   srv6s_rx_add_sid(rx, "fcbb:0:e002:fe06::/64", "udt6", NULL);
 *   srv6s_rx_close(rx);   // decapsulation stays; srv6s_rx_detach("eth0", NULL) ends it
 *
 * The receive state is one per network namespace (every interface attached
 * shares the SIDs, the config and the counters); a handle refers to it, not
 * to one interface.
 */
#ifndef SRV6STEER_RECEIVE_H
#define SRV6STEER_RECEIVE_H

#include <stddef.h>
#include <stdint.h>

#include "srv6steer/decap_abi.h" /* enum srv6s_rx_reason, enum srv6s_sid_behavior */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv6s_rx_handle srv6s_rx_handle;

/* Where the receive program runs (srv6steer::RxMode). AUTO: generic XDP on a
 * veth, else native XDP where the driver has it, else generic. */
enum srv6s_rx_mode {
	SRV6S_RX_MODE_AUTO = 0,
	SRV6S_RX_MODE_NATIVE = 1,
	SRV6S_RX_MODE_GENERIC = 2,
	SRV6S_RX_MODE_TC = 3,
};

struct srv6s_rx_attach_opts {
	size_t sz;          /* SRV6S_OPTS sets it */
	const char *bpffs;  /* NULL: /sys/fs/bpf */
	uint32_t mode;      /* enum srv6s_rx_mode */
	uint32_t reserved;
};

/* Attaches the receive program to `ifname`, first loading it and pinning its
 * state if this network namespace has none. out: a handle to close with
 * srv6s_rx_close, or NULL. -EEXIST if it is attached there already. */
int srv6s_rx_attach(const char *ifname, const struct srv6s_rx_attach_opts *opts, srv6s_rx_handle **out);

/* Opens this network namespace's receive state. -ENOENT when there is none. */
int srv6s_rx_open(const char *bpffs, srv6s_rx_handle **out);

/* Detaches from `ifname`; the last interface takes the whole state with it
 * (SIDs, config, counters). -ENOENT if it was not attached there. */
int srv6s_rx_detach(const char *ifname, const char *bpffs);

/* Frees a handle (NULL: nothing). Decapsulation stays. */
void srv6s_rx_close(srv6s_rx_handle *h);

/* Calls fn with the name of every interface the receive program is attached
 * to in this network namespace (none: no state). */
int srv6s_rx_interfaces(const char *bpffs, srv6s_text_fn fn, void *ctx);

/* ---- local SIDs --------------------------------------------------------- */

struct srv6s_sid_opts {
	size_t sz;
	uint32_t replace;        /* non-zero: replace a SID there with another behaviour or flags */
	uint32_t no_path_stats;  /* non-zero: do not count its packets per sender path */
};

/* Adds a local SID: an IPv6 prefix of outer destinations (e.g.
 * "fcbb:0:e002:fe06::/64") and a behaviour ("udt6", "udt4", "udt46", or
 * "End.DT6", "End.DT4", "End.DT46"). The same SID with the same behaviour and
 * flags is a no-op; another one is -EEXIST unless opts->replace. -E2BIG when
 * the SID table is full. added (if not NULL): 1 if the SID is new, else 0. */
int srv6s_rx_add_sid(srv6s_rx_handle *h, const char *prefix, const char *behavior,
		     const struct srv6s_sid_opts *opts, int *added);

/* Removes a local SID (its exact prefix). -ENOENT if there is none. */
int srv6s_rx_remove_sid(srv6s_rx_handle *h, const char *prefix);

struct srv6s_rx_sid {
	char prefix[SRV6S_PREFIXSTRLEN];
	uint32_t behavior;    /* enum srv6s_sid_behavior */
	uint32_t path_stats;  /* 1: counted per sender path */
};
typedef int (*srv6s_rx_sid_fn)(const struct srv6s_rx_sid *sid, void *ctx);

/* Calls fn for every local SID, by prefix. */
int srv6s_rx_sids(srv6s_rx_handle *h, srv6s_rx_sid_fn fn, void *ctx);

/* The name of a behaviour ("udt6", "udt4", "udt46"), "unknown" when out of
 * range. Never NULL. */
const char *srv6s_sid_behavior_name(uint32_t behavior);

/* ---- configuration ------------------------------------------------------ */

/* The receive side's settings. Every toggle is an enum srv6s_toggle whose
 * SRV6S_DEFAULT means the library's default (given with each); srv6s_rx_config
 * fills them with SRV6S_ON / SRV6S_OFF. */
struct srv6s_rx_settings {
	size_t sz;
	uint32_t decap;       /* default on: off passes every frame untouched (reason disabled) */
	uint32_t ecn_drop;    /* default on: RFC 6040, drop an outer CE over an inner Not-ECT packet */
	uint32_t path_stats;  /* default on: count per sender path */
	uint32_t reserved;
};

/* Reads the settings into *out (out->sz set by the caller). */
int srv6s_rx_config(srv6s_rx_handle *h, struct srv6s_rx_settings *out);

/* Replaces these settings (NULL: every default); the probe responder's
 * (`srv6steer receive config --probes ...`, not in this struct) stay as they
 * are. On failure everything stays as it was. */
int srv6s_rx_set_config(srv6s_rx_handle *h, const struct srv6s_rx_settings *settings);

/* ---- counters ----------------------------------------------------------- */

/* How many receive reasons this library counts (enum srv6s_rx_reason; a
 * newer library may count more), and their names ("decapsulated",
 * "not_ours", ...; "unknown" when out of range, never NULL). */
uint32_t srv6s_rx_reason_count(void);
const char *srv6s_rx_reason_name(uint32_t reason);

/* Frames by reason, summed over CPUs: fills out[0 .. n-1] (reasons past n are
 * left out); n_reasons (if not NULL) receives srv6s_rx_reason_count(). */
int srv6s_rx_stats_reasons(srv6s_rx_handle *h, struct srv6s_counter *out, size_t n, size_t *n_reasons);

/* What arrived on one sender's path: its outer source and the path id in the
 * low 12 bits of the outer flow label. */
struct srv6s_rx_path {
	char source[SRV6S_ADDRSTRLEN];
	uint32_t path_id;
	uint32_t pad;
	uint64_t packets;
	uint64_t bytes;       /* as the frames arrived, outer headers included */
	uint64_t ce_packets;  /* outer ECN was CE */
};
typedef int (*srv6s_rx_path_fn)(const struct srv6s_rx_path *path, void *ctx);

/* Calls fn for every sender path counted, by source, then path id. */
int srv6s_rx_stats_paths(srv6s_rx_handle *h, srv6s_rx_path_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SRV6STEER_RECEIVE_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libsrv6steer C ABI: steer sockets, cgroups, flows, RoCEv2 queue pairs and
 * prefixes onto SRv6 paths from the host, from C (C99) or any language with a C FFI (the Python
 * binding uses ctypes). A thin layer over the C++ API in srv6steer.hpp: same
 * state, same rules, same messages.
 *
 *   srv6s_handle *h;
 *   struct srv6s_flow f;
 *   SRV6S_OPTS(srv6s_attach_opts, ao, .max_flows = 4096);
 *   if (srv6s_attach("eth0", &ao, &h) < 0)
 *       fprintf(stderr, "%s\n", srv6s_last_error());
 *   srv6s_add_path_usids(h, 1, "fcbb:0::/32", "1004,1001,1006,fe06", 0);
 *   srv6s_flow_parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", &f);
 *   srv6s_pin_flow(h, &f, SRV6S_TARGET_PATH, 1, NULL);  // owned by this process
 *   srv6s_close(h);   // the steering stays; srv6s_detach("eth0", NULL) ends it
 *
 * Without privileges, through `srv6steer agent` (remote mode): the same calls
 * on a handle from srv6s_connect; a socket is pinned by passing its fd.
 *
 *   srv6s_connect(NULL, NULL, &h);      // the agent's default socket and interface
 *   srv6s_add_path_usids(h, 1, "fcbb:0::/32", "1004,1001,1006,fe06", 0);
 *   srv6s_pin_socket(h, fd, SRV6S_TARGET_PATH, 1, NULL);  // until fd's socket closes
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
 *  - Options structs (srv6s_attach_opts, srv6s_pin_opts) and srv6s_status
 *    start with `size_t sz`, the size of the struct the caller was built
 *    with, and grow only at their end (the LIBBPF_OPTS convention). Declare
 *    them with SRV6S_OPTS, which zero-fills the struct and sets sz; zero
 *    always means "the default". The library takes a smaller struct (built
 *    against an older srv6steer.h: the fields it lacks keep their defaults)
 *    and refuses, with -EINVAL, a larger one whose bytes past the fields it
 *    knows are not all zero (a newer header's option this library cannot
 *    honour). NULL options: every default.
 *  - A handle refers to the state pinned for one interface in bpffs. It may
 *    be used by one thread at a time; several handles (in one process or
 *    many) may refer to the same interface: changes are serialised by a lock
 *    on the state. Closing a handle does not stop the steering.
 *  - Strings passed to callbacks, and the structs they point at, live only
 *    until the callback returns. A callback returns 0 to go on; a non-zero
 *    value stops the walk and becomes the return value of the call.
 *  - The ABI's version is the soname's number, SRV6S_ABI_VERSION
 *    (libsrv6steer.so.SRV6S_ABI_VERSION); it changes with every change that
 *    breaks callers built against an older header.
 */
#ifndef SRV6STEER_H
#define SRV6STEER_H

#include <stddef.h>
#include <stdint.h>

#include "srv6steer/abi.h" /* enum srv6s_reason, struct srv6s_counter, limits */

#ifdef __cplusplus
extern "C" {
#endif

/* libsrv6steer.so.1: sized options, stats without a reason count in any
 * layout, status and remove_dead. (0: positional attach, struct srv6s_stats.) */
#define SRV6S_ABI_VERSION 1

/* Declares `struct TYPE NAME`, zero-filled, with sz set and the fields given
 * (designated initializers; in C++ in declaration order):
 *   SRV6S_OPTS(srv6s_pin_opts, po, .replace = 1);
 *   SRV6S_OPTS(srv6s_status, st);
 * NAME goes with the fields so that a declaration without fields is C99 too. */
#define SRV6S_OPTS(TYPE, ...) SRV6S_OPTS_(TYPE, __VA_ARGS__, )
#if defined(__cplusplus) && defined(__GNUC__)
/* g++ warns of the fields left out (-Wmissing-field-initializers): they are
 * meant to be zero. */
#define SRV6S_OPTS_(TYPE, NAME, ...)                                                  \
	_Pragma("GCC diagnostic push")                                                \
	_Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")             \
	struct TYPE NAME = {.sz = sizeof(struct TYPE), __VA_ARGS__};                  \
	_Pragma("GCC diagnostic pop")
#else
#define SRV6S_OPTS_(TYPE, NAME, ...) struct TYPE NAME = {.sz = sizeof(struct TYPE), __VA_ARGS__}
#endif

/* Opaque: one open view of an interface's steering state. */
typedef struct srv6s_handle srv6s_handle;

/* Room for any address text, NUL included (INET6_ADDRSTRLEN is 46). */
#define SRV6S_ADDRSTRLEN 48
/* Room for any prefix text ("addr/len"), NUL included. */
#define SRV6S_PREFIXSTRLEN 56
/* Room for an interface name (IFNAMSIZ), a network namespace name (a file
 * name) and a path, NUL included. */
#define SRV6S_IFNAMSIZ 16
#define SRV6S_NETNSSTRLEN 256
#define SRV6S_PATHSTRLEN 4096

/* What a pin points at: one path, or a path set (srv6s_define_set). */
enum srv6s_target_kind {
	SRV6S_TARGET_PATH = 0,
	SRV6S_TARGET_SET = 1,
};
/* srv6s_set_path_fallback's target_kind for no fallback (plain routing). */
#define SRV6S_FALLBACK_NONE 0xffffffffU

/* A yes/no option whose zero keeps the library's default. */
enum srv6s_toggle {
	SRV6S_DEFAULT = 0,
	SRV6S_ON = 1,
	SRV6S_OFF = 2,
};

/* How the TC egress program is hooked. */
enum srv6s_hook {
	SRV6S_HOOK_AUTO = 0,   /* tcx where the kernel has it (6.6+), else clsact */
	SRV6S_HOOK_TCX = 1,    /* a tcx link: pinned, coexists with other programs */
	SRV6S_HOOK_CLSACT = 2, /* a clsact egress filter (older kernels) */
};

/* Options of srv6s_attach. Every field zero: the defaults. */
struct srv6s_attach_opts {
	size_t sz;              /* sizeof(struct srv6s_attach_opts): SRV6S_OPTS sets it */
	const char *source;     /* outer IPv6 source; NULL: the interface's first
				 * global IPv6 address */
	const char *bpffs;      /* a bpf filesystem mount; NULL: /sys/fs/bpf */
	uint32_t hook;          /* enum srv6s_hook */
	uint32_t hop_limit;     /* outer hop limit 1..255; 0: 64 */
	uint32_t mtu;           /* L3 MTU to check packets against (>= 1280);
				 * 0: the interface's MTU */
	uint32_t fixed_gso;     /* enum srv6s_toggle, default on: keep full-size
				 * GSO segments (route MTUs leave room) */
	uint32_t route_mtu;     /* enum srv6s_toggle, default on: lower the route
				 * MTU towards pinned destinations */
	uint32_t drop_oversize; /* enum srv6s_toggle, default off: drop, rather
				 * than send unencapsulated, what would not fit */
	uint32_t max_flows;     /* flow pins; 0: SRV6S_DEFAULT_MAX_FLOWS */
	uint32_t max_qps;       /* queue pair pins; 0: SRV6S_DEFAULT_MAX_QPS */
	uint32_t max_prefixes;  /* prefix pins; 0: SRV6S_DEFAULT_MAX_PREFIXES */
	uint32_t reserved;      /* 0 (every byte of the struct is a field) */
	/* Added with socket and cgroup pins: a caller built against an older
	 * header passes a smaller sz and gets the defaults. */
	uint32_t max_cgroups;   /* cgroup pins; 0: SRV6S_DEFAULT_MAX_CGROUPS */
	uint32_t reserved2;     /* 0 */
};

/* Who made a pin decides when srv6s_gc may remove it. */
enum srv6s_owner {
	SRV6S_OWNER_SELF = 0, /* the calling process and its cgroup (default) */
	SRV6S_OWNER_NONE = 1, /* nobody: the pin never goes stale (configuration) */
	SRV6S_OWNER_PID = 2,  /* the process owner_pid (and cgroup owner_cgroup) */
};

/* Options of the pin calls. Every field zero: owned by the calling process,
 * no replacing. */
struct srv6s_pin_opts {
	size_t sz;             /* sizeof(struct srv6s_pin_opts): SRV6S_OPTS sets it */
	uint32_t owner;        /* enum srv6s_owner */
	uint32_t owner_pid;    /* SRV6S_OWNER_PID only: the owning process (> 0) */
	uint64_t owner_cgroup; /* SRV6S_OWNER_PID only: its cgroup v2 id; 0: none */
	uint32_t replace;      /* non-zero: re-pin a key pinned to another target
				* (else -EEXIST). The same target again is a no-op. */
	uint32_t reserved;     /* 0 */
};

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

/* srv6s_pin_info.flags */
enum srv6s_pin_info_flags {
	/* The pin follows its target's paths even while they are marked down
	 * and never falls back: a path probe's own socket (the agent's prober
	 * pins them so; this API cannot). */
	SRV6S_PIN_INFO_IGNORE_DOWN = 1U << 0,
};

/* What a pin says besides its key. */
struct srv6s_pin_info {
	uint32_t target_kind;  /* enum srv6s_target_kind */
	uint32_t target_id;
	uint32_t owner_pid;    /* 0: none */
	uint32_t flags;        /* enum srv6s_pin_info_flags (was padding, always 0) */
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

/* One element of a batch for srv6s_pin_sockets. */
struct srv6s_socket_pin {
	int32_t fd;           /* a socket of the calling process */
	uint32_t target_kind; /* enum srv6s_target_kind */
	uint32_t target_id;
};

/* A pinned socket, as listed. The addresses are the socket's now (not bound
 * or not connected: zeros of its family); flow.proto is IPPROTO_TCP or
 * IPPROTO_UDP. */
struct srv6s_socket_entry {
	uint64_t cookie;           /* SO_COOKIE: the socket's identity */
	uint32_t family;           /* AF_INET or AF_INET6 */
	uint32_t pad;
	struct srv6s_flow flow;    /* the socket's current 5-tuple */
	struct srv6s_pin_info pin; /* owner_pid: who pinned it */
};

/* A pinned cgroup, by its id (the cgroup v2 directory's inode number). */
struct srv6s_cgroup_entry {
	uint64_t id;
	struct srv6s_pin_info pin;
};

/* What srv6s_get_status fills: the caller sets sz (SRV6S_OPTS), the library
 * fills that much; fields this library does not know read as zero. */
struct srv6s_status {
	size_t sz;                        /* sizeof(struct srv6s_status) */
	char ifname[SRV6S_IFNAMSIZ];
	char netns[SRV6S_NETNSSTRLEN];    /* the network namespace's name; "" initial */
	char pin_dir[SRV6S_PATHSTRLEN];   /* where the state is pinned */
	char source[SRV6S_ADDRSTRLEN];    /* outer IPv6 source */
	uint64_t netns_cookie;            /* the network namespace's identity */
	uint64_t attached_ns;             /* CLOCK_REALTIME of the attach */
	int32_t ifindex;                  /* at attach */
	uint32_t attach_mode;             /* enum srv6s_attach_mode (abi.h) */
	uint32_t prog_id;                 /* 0: no program runs there */
	uint32_t link_id;                 /* tcx only */
	uint32_t route_mtu;               /* 1: route MTUs managed for pinned destinations */
	uint32_t config_flags;            /* enum srv6s_config_flags (abi.h) */
	uint32_t mtu;                     /* L3 MTU packets are checked against */
	uint32_t hop_limit;               /* outer hop limit */
	uint32_t n_paths, n_sets, n_flows, n_qps, n_prefixes;
	uint32_t max_flows, max_qps, max_prefixes;
	uint32_t n_owned_routes;          /* srv6s_list_owned_routes */
	uint32_t n_problems;              /* srv6s_list_problems; 0: attached and steering */
	/* Added with socket and cgroup pins: not filled for a smaller sz. */
	uint32_t n_sockets;               /* socket pins (srv6s_list_sockets) */
	uint32_t n_cgroups, max_cgroups;  /* cgroup pins */
	uint32_t reserved;                /* 0 */
};

/* What makes an attachment not (or no longer) steer. */
enum srv6s_problem_kind {
	SRV6S_PROBLEM_INTERFACE_GONE = 0,       /* no interface of that name any more */
	SRV6S_PROBLEM_IFINDEX_CHANGED = 1,      /* deleted and re-created */
	SRV6S_PROBLEM_LINK_MISSING = 2,         /* the pinned tcx link is gone */
	SRV6S_PROBLEM_PROGRAM_NOT_ATTACHED = 3, /* the link or filter runs another program */
	SRV6S_PROBLEM_NETNS_GONE = 4,           /* the network namespace is gone */
};

/* A route MTU srv6steer set towards a pinned destination, and what it puts
 * back when the last pin to that destination goes. */
struct srv6s_owned_route {
	char dst[SRV6S_PREFIXSTRLEN];
	uint32_t mtu;      /* the MTU srv6steer set */
	uint32_t old_mtu;  /* the MTU before (0: none); restored on release */
	uint32_t table;
	uint32_t priority;
	uint32_t pins;     /* pins that need it */
	uint32_t added;    /* 1: srv6steer added the route; 0: changed an existing one */
};

typedef int (*srv6s_path_stats_fn)(uint32_t path_id, const struct srv6s_counter *counter,
				   void *ctx);
typedef int (*srv6s_flow_fn)(const struct srv6s_flow_entry *entry, void *ctx);
typedef int (*srv6s_qp_fn)(const struct srv6s_qp_entry *entry, void *ctx);
typedef int (*srv6s_prefix_fn)(const struct srv6s_prefix_entry *entry, void *ctx);
typedef int (*srv6s_socket_fn)(const struct srv6s_socket_entry *entry, void *ctx);
typedef int (*srv6s_cgroup_fn)(const struct srv6s_cgroup_entry *entry, void *ctx);
typedef int (*srv6s_problem_fn)(uint32_t kind, const char *detail, void *ctx);
typedef int (*srv6s_owned_route_fn)(const struct srv6s_owned_route *route, void *ctx);
typedef int (*srv6s_text_fn)(const char *text, void *ctx);

/* ---- library ------------------------------------------------------------ */

/* The library's version, "MAJOR.MINOR.PATCH". Never fails. */
const char *srv6s_version(void);

/* The message of the last failing call in this thread; "" if none failed
 * yet. Valid until the next failing call in this thread. Never NULL. */
const char *srv6s_last_error(void);

/* How many reasons this library counts: reasons are 0 .. count-1 (enum
 * srv6s_reason; a newer library may count more). */
uint32_t srv6s_reason_count(void);

/* The name of a reason ("steered", "no_match", ...), "unknown" when out of
 * range. Never NULL. */
const char *srv6s_reason_name(uint32_t reason);

/* The name of a problem kind ("interface_gone", ...), "unknown" when out of
 * range. Never NULL. */
const char *srv6s_problem_name(uint32_t kind);

/* ---- lifecycle ---------------------------------------------------------- */

/* Loads the data plane, pins its state in bpffs and attaches it to TC egress
 * of `ifname`. opts: NULL or SRV6S_OPTS(srv6s_attach_opts, ...).
 * out: receives a handle to close with srv6s_close; may be NULL (the
 * steering stays attached either way).
 * -EEXIST if srv6steer is attached there already. Needs CAP_BPF/CAP_NET_ADMIN. */
int srv6s_attach(const char *ifname, const struct srv6s_attach_opts *opts, srv6s_handle **out);

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

/* Remote mode: connects to `srv6steer agent` on its Unix socket
 * (socket_path NULL: SRV6S_DEFAULT_AGENT_SOCKET) and works on the interface
 * it steers (ifname NULL: the agent's only one), without privileges. The
 * handle takes the same calls, with the agent's rules: path and set ids are
 * this client's own names; sockets are pinned by passing their fds;
 * flow, queue pair, prefix and cgroup pins are refused (-EPERM); a client
 * changes and removes only its own pins, within its quota; the lists show
 * this client's own paths, sets and pins. srv6s_detach is not for it.
 * -ENOENT/-ECONNREFUSED when no agent listens there. */
#define SRV6S_DEFAULT_AGENT_SOCKET "/run/srv6steer/agent.sock"
int srv6s_connect(const char *socket_path, const char *ifname, srv6s_handle **out);

/* 1 if h came from srv6s_connect (remote mode), 0 if from srv6s_attach or
 * srv6s_open; -EINVAL for NULL. */
int srv6s_is_remote(srv6s_handle *h);

/* Removes the state of attachments that can no longer steer (their network
 * namespace or interface is gone), in any network namespace, with all they
 * changed that still exists. bpffs NULL: /sys/fs/bpf. n_removed (if not
 * NULL) receives how many were removed; fn (if not NULL) is then called
 * with each removed pin directory. */
int srv6s_remove_dead(const char *bpffs, size_t *n_removed, srv6s_text_fn fn, void *ctx);

/* What the state of this handle's interface says, and whether it still
 * steers: fills *out (out->sz set by the caller). */
int srv6s_get_status(srv6s_handle *h, struct srv6s_status *out);

/* Calls fn for every problem (why the attachment does not steer), with its
 * kind (enum srv6s_problem_kind) and a description. None: healthy. */
int srv6s_list_problems(srv6s_handle *h, srv6s_problem_fn fn, void *ctx);

/* Calls fn for every route MTU srv6steer set. */
int srv6s_list_owned_routes(srv6s_handle *h, srv6s_owned_route_fn fn, void *ctx);

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

/* Where path `id`'s flows go when every path of their pin's set is down
 * and `id` is the path their hash chose first: another path or a set
 * (target_kind: enum srv6s_target_kind), one level only, or
 * SRV6S_FALLBACK_NONE (target_id ignored) for plain routing. -ENOENT if the
 * path or the target does not exist; -EINVAL for the path itself or a set
 * of it alone. A path or set that is some path's fallback cannot be removed
 * (-EBUSY). */
int srv6s_set_path_fallback(srv6s_handle *h, uint32_t id, uint32_t target_kind, uint32_t target_id);

/* Path `id`'s fallback: *target_kind and *target_id, *target_kind
 * SRV6S_FALLBACK_NONE when it has none. -ENOENT if the path does not exist. */
int srv6s_get_path_fallback(srv6s_handle *h, uint32_t id, uint32_t *target_kind, uint32_t *target_id);

/* Defines (or changes) path set `id` (0 .. SRV6S_MAX_PATHS-1) over `n`
 * existing paths (1 .. SRV6S_MAX_SET_PATHS; list a path twice to give it
 * twice the weight). Changing a set in use never tears. */
int srv6s_define_set(srv6s_handle *h, uint32_t id, const uint32_t *path_ids, size_t n);

/* Removes path set `id`. -ENOENT if it does not exist, -EBUSY while a pin
 * uses it. */
int srv6s_remove_set(srv6s_handle *h, uint32_t id);

/* ---- pins --------------------------------------------------------------- */

/* Pins one flow to a target (target_kind: enum srv6s_target_kind).
 * opts: NULL or SRV6S_OPTS(srv6s_pin_opts, ...). -ENOENT if the target does
 * not exist; -EEXIST if pinned to another target without opts->replace;
 * -E2BIG when the flow map is full.
 * Every pin call also lowers the route MTU towards the destination so that
 * the encapsulation fits (srv6s_gc undoes it once no pin needs it,
 * srv6s_detach always): the destination needs a route in this network
 * namespace, else -ENETUNREACH. */
int srv6s_pin_flow(srv6s_handle *h, const struct srv6s_flow *flow, uint32_t target_kind,
		   uint32_t target_id, const struct srv6s_pin_opts *opts);

/* Removes a flow pin. -ENOENT if the flow is not pinned. */
int srv6s_unpin_flow(srv6s_handle *h, const struct srv6s_flow *flow);

/* Pins `n` flows at once, all or nothing (one batch map update). n_added,
 * if not NULL, receives how many pins were new. */
int srv6s_pin_flows(srv6s_handle *h, const struct srv6s_flow_pin *pins, size_t n,
		    const struct srv6s_pin_opts *opts, size_t *n_added);

/* Parses "PROTO SRC SPORT DST DPORT" (e.g. "tcp fcbb:0:800:1::10 40000
 * fcbb:0:800:2::20 5201"; PROTO tcp, udp, icmp, icmpv6, sctp or 0-255) into
 * *out. Needs no handle. */
int srv6s_flow_parse(const char *text, struct srv6s_flow *out);

/* Pins RoCEv2 traffic to `dst` with destination queue pair `qp` (24 bits). */
int srv6s_pin_qp(srv6s_handle *h, const char *dst, uint32_t qp, uint32_t target_kind,
		 uint32_t target_id, const struct srv6s_pin_opts *opts);

/* Removes a queue pair pin. -ENOENT if it is not pinned. */
int srv6s_unpin_qp(srv6s_handle *h, const char *dst, uint32_t qp);

/* Pins traffic to a destination prefix ("fcbb:0:800:2::/64", "10.0.2.0/24",
 * an address alone is /128 or /32). Flow and queue pair pins win over it. */
int srv6s_pin_prefix(srv6s_handle *h, const char *prefix, uint32_t target_kind,
		     uint32_t target_id, const struct srv6s_pin_opts *opts);

/* Removes a prefix pin. -ENOENT if it is not pinned. */
int srv6s_unpin_prefix(srv6s_handle *h, const char *prefix);

/* Calls fn for every pin, in key order. */
int srv6s_list_flows(srv6s_handle *h, srv6s_flow_fn fn, void *ctx);
int srv6s_list_qps(srv6s_handle *h, srv6s_qp_fn fn, void *ctx);
int srv6s_list_prefixes(srv6s_handle *h, srv6s_prefix_fn fn, void *ctx);

/* ---- socket and cgroup pins --------------------------------------------- */

/* Pins a socket of this process (`fd`; UDP once bound, or TCP once
 * connected or listening; IPv4 or IPv6): every packet it sends follows the target,
 * whatever its addresses, before any other pin is looked at. The pin lives
 * in the socket and ends with it (nothing to unpin or collect). Same rules
 * as srv6s_pin_flow: the same target again is a no-op, another is -EEXIST
 * without opts->replace; a connected socket gets the route MTU towards its
 * peer. -EBADF if fd is not open, -ENOTSOCK if it is not a socket,
 * -EAFNOSUPPORT/-EPROTONOSUPPORT for other sockets, -ENOTCONN for a TCP
 * socket neither connected nor listening or a UDP socket not bound, -EXDEV
 * for a socket of another network namespace. */
int srv6s_pin_socket(srv6s_handle *h, int fd, uint32_t target_kind, uint32_t target_id,
		     const struct srv6s_pin_opts *opts);

/* Pins `n` sockets at once, all or nothing. n_new, if not NULL, receives
 * how many pins were new. */
int srv6s_pin_sockets(srv6s_handle *h, const struct srv6s_socket_pin *pins, size_t n,
		      const struct srv6s_pin_opts *opts, size_t *n_new);

/* Removes the pin of socket `fd`. -ENOENT if it has none. */
int srv6s_unpin_socket(srv6s_handle *h, int fd);

/* The pin of socket `fd` (of this process) into *out. -ENOENT if it has none. */
int srv6s_get_socket_pin(srv6s_handle *h, int fd, struct srv6s_socket_entry *out);

/* Calls fn for every pinned socket (of any process), by cookie. */
int srv6s_list_sockets(srv6s_handle *h, srv6s_socket_fn fn, void *ctx);

/* The id of a cgroup (v2) from its path: absolute ("/sys/fs/cgroup/kubepods/
 * pod1"), relative to the cgroup2 mount ("kubepods/pod1"), or "id:NUMBER".
 * -ENOENT if there is no such cgroup. Needs no handle. */
int srv6s_cgroup_id(const char *path, uint64_t *out);

/* Pins every socket of cgroup `cgroup_id` and of its descendants (the
 * deepest pinned ancestor of a socket's cgroup wins): after socket pins,
 * before flow pins. -ENOENT if the target does not exist; -EEXIST if pinned
 * to another target without opts->replace; -E2BIG when the cgroup map is
 * full (srv6s_attach_opts.max_cgroups). */
int srv6s_pin_cgroup(srv6s_handle *h, uint64_t cgroup_id, uint32_t target_kind, uint32_t target_id,
		     const struct srv6s_pin_opts *opts);

/* Removes a cgroup pin. -ENOENT if the cgroup is not pinned. */
int srv6s_unpin_cgroup(srv6s_handle *h, uint64_t cgroup_id);

/* Calls fn for every cgroup pin, by id. */
int srv6s_list_cgroups(srv6s_handle *h, srv6s_cgroup_fn fn, void *ctx);

/* ---- statistics and housekeeping ---------------------------------------- */

/* Packets and bytes (before encapsulation) the TC program counted for one
 * reason, summed over CPUs. -EINVAL if reason >= srv6s_reason_count(). */
int srv6s_stats_reason(srv6s_handle *h, uint32_t reason, struct srv6s_counter *out);

/* Every reason's counters at once, read together: out[r] for reasons
 * r < min(n, srv6s_reason_count()). n_reasons (if not NULL) receives
 * srv6s_reason_count(). out may be NULL when n is 0. */
int srv6s_stats_reasons(srv6s_handle *h, struct srv6s_counter *out, size_t n, size_t *n_reasons);

/* Calls fn for every existing path, by id, with what was steered onto it. */
int srv6s_stats_paths(srv6s_handle *h, srv6s_path_stats_fn fn, void *ctx);

/* Path `id`'s health as the prober (the agent) last wrote it: struct
 * srv6s_path_health of abi.h (docs/design.md §16.3), all zero (state
 * SRV6S_HEALTH_UNKNOWN) for a path nobody probes. out_size is sizeof *out
 * as the caller was built (the struct may grow at its end): exactly that
 * many bytes are written, zero past what this library knows. Through the
 * agent (srv6s_connect), the caller's own paths. -ENOENT if the path does
 * not exist; -EINVAL if out is NULL or out_size is 0. */
int srv6s_get_path_health(srv6s_handle *h, uint32_t id, struct srv6s_path_health *out, size_t out_size);

/* Flowlets (docs/design.md §17): a flow of a set of several paths changes
 * path only after gap_us microseconds without a packet (0: off; at most
 * 1,000,000); a path down moves it at once. Set on the host: through the
 * agent (srv6s_connect) -EPERM. -EINVAL for a gap out of range. */
int srv6s_set_flowlet_gap(srv6s_handle *h, uint32_t gap_us);
int srv6s_get_flowlet_gap(srv6s_handle *h, uint32_t *gap_us);

/* Removes pins whose owner process is gone, and route MTUs no pin needs.
 * n_removed, if not NULL, receives the number of pins removed. */
int srv6s_gc(srv6s_handle *h, size_t *n_removed);

/* ---- planning (docs/paths.md): no handle, nothing of the kernel --------- */

/* Plans a job on a fabric (docs/paths.md): the texts of a topology file and
 * a job file in; the per-rank-pair plan (python/srv6steer/plan.py's format)
 * out in *rank_pairs, a NUL-terminated string to free with
 * srv6s_free_string. 0 or -errno (-EINVAL for a topology or job with
 * problems, all of them in the message, or a fabric the job's paths cannot
 * be encoded on); srv6s_last_error() says why. *rank_pairs is NULL after a
 * failure. No handle needed: nothing of the kernel. */
int srv6s_plan(const char *topology_json, const char *job_json, char **rank_pairs);

/* The same with paths from a Jalapeno controller: endpoint e.g.
 * "http://127.0.0.1:30800/api/v1", collection e.g. "fabric_graph",
 * dest_function e.g. "fe06" (NULL or "": none appended, and the plan's
 * paths are Jalapeno's containers as they are); the job's ranks name
 * Jalapeno hosts (vertex keys "hosts/<name>"); one /shortest_path/load call
 * per directed host pair (which raises Jalapeno's link loads), all or
 * nothing: a failure (-ECONNREFUSED, -ETIMEDOUT, -EPROTO for an answer
 * that is not Jalapeno's, -ENOENT when Jalapeno finds no path, -EIO for an
 * HTTP error, -EINVAL for bad arguments) gives no plan. The plan's block is
 * the answers' usid_block; its decap: dest_function's IPv6 function, and
 * for IPv4 its ipv4= part ("ipv6=fe06,ipv4=fe04"), else fe04 (End.DX4).
 * timeout_ms: per request (0: the client's default). */
int srv6s_plan_jalapeno(const char *endpoint, const char *collection, const char *dest_function,
			const char *job_json, unsigned timeout_ms, char **rank_pairs);

/* Frees a string the library returned (srv6s_plan, srv6s_plan_jalapeno).
 * NULL: nothing. */
void srv6s_free_string(char *s);

#ifdef __cplusplus
}
#endif

/* The receive side: XDP decapsulation to the host's own SIDs. */
#include "srv6steer/receive.h"

#endif /* SRV6STEER_H */

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// libsrv6steer: steer individual flows, RoCEv2 queue pairs and prefixes onto
// SRv6 paths from the host.
//
//   auto s = srv6steer::Steering::attach({.ifname = "eth0"});
//   s.add_path(srv6steer::Path::from_usids(1, Block::parse("fcbb:0::/32"),
//                                          parse_usids("1004,1001,1006,fe06")));
//   s.pin(Flow::parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201"),
//         Target::path(1));
//
// State lives in BPF maps pinned under <bpffs>/srv6steer/v5/<netns cookie>/<ifname>/
// (docs/design.md §4), so steering goes on after the process that set it up
// exits, and Steering::open picks it up again. Every failure throws srv6steer::Error with a message that says
// what to do; a failed call leaves the state as it was.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "srv6steer/abi.h"
#include "srv6steer/decap_abi.h"
#include "srv6steer/probe_abi.h"
#include "srv6steer/error.hpp"
#include "srv6steer/sid.hpp"
#include "srv6steer/types.hpp"

namespace srv6steer {

inline constexpr const char* kDefaultBpffs = "/sys/fs/bpf";
// Where `srv6steer agent` serves clients (Steering::connect), docs/agent-protocol.md.
inline constexpr const char* kDefaultAgentSocket = "/run/srv6steer/agent.sock";

inline constexpr uint32_t kMaxUserSets = SRV6S_MAX_PATH_SETS / 2;

// What a pin points at: one path, or a path set.
struct Target {
    enum class Kind { Path, Set } kind = Kind::Path;
    uint32_t id = 0;

    static Target path(uint32_t id) { return {Kind::Path, id}; }
    static Target set(uint32_t id) { return {Kind::Set, id}; }
    // The path-set slot the data plane uses: user sets first, then one
    // single-path set per path.
    uint32_t slot() const { return kind == Kind::Set ? id : kMaxUserSets + id; }
    static Target from_slot(uint32_t slot);
    static Target parse(std::string_view text);  // "path:3", "set:10"
    std::string str() const;  // "path 3", "set 10"
    friend bool operator==(const Target&, const Target&) = default;
};

// A path: the SRv6 segments to push, in path order (uSID containers or full
// SIDs). One segment: reduced encapsulation, no SRH.
struct Path {
    uint32_t id = 0;  // 0 .. SRV6S_MAX_PATHS-1
    std::vector<Ipv6> segments;
    SrhMode mode = SrhMode::Reduced;
    bool down = false;
    // Where the flows of a pin whose paths are all down go, when this is the
    // path their hash chose first: another path or a set (one level: the
    // fallback's own fallbacks are not followed); none: plain routing.
    std::optional<Target> fallback;

    static Path from_usids(uint32_t id, const Block& block, std::span<const uint16_t> usids,
                           SrhMode mode = SrhMode::Reduced);
    friend bool operator==(const Path&, const Path&) = default;
};

// Paths a pin spreads its flows over, by a stable hash of the 5-tuple.
struct PathSet {
    uint32_t id = 0;  // 0 .. kMaxUserSets-1
    std::vector<uint32_t> paths;
    friend bool operator==(const PathSet&, const PathSet&) = default;
};

// A cgroup (v2) whose sockets all follow one pin: a pod, a job, a service.
// Its id is the cgroup directory's inode number (what bpf_skb_cgroup_id
// returns). A pin on a cgroup also covers its descendants; the deepest pinned
// ancestor of a socket's cgroup wins.
// Text: a path under the cgroup2 mount ("/sys/fs/cgroup/kubepods/pod1", or
// relative to it: "kubepods/pod1"), or "id:NUMBER".
struct Cgroup {
    uint64_t id = 0;

    static Cgroup parse(std::string_view text);  // resolves paths; throws if there is none
    static Cgroup of_path(const std::string& path);
    std::string str() const;                     // "id:NUMBER"
    friend auto operator<=>(const Cgroup&, const Cgroup&) = default;
};

// A socket with a pin, as listed: the pin lives in the socket's own storage
// and ends with the socket (no gc, no stale pin). The addresses are what the
// socket has now (unbound/unconnected: zeros).
struct PinnedSocket {
    uint64_t cookie = 0;   // SO_COOKIE: the socket's identity
    int family = 0;        // AF_INET or AF_INET6
    uint32_t uid = 0;      // the socket's owner: the uid that created it
    Flow flow;             // current 5-tuple (proto tcp or udp)
    Target target;
    PinInfo info;          // owner, created, packets and bytes steered
};

struct PinOptions {
    Owner owner = Owner::self();
    bool replace = false;  // re-pin a key already pinned elsewhere (else: error)
    // Follow the target's paths even while they are marked down, and never
    // fall back (SRV6S_PIN_IGNORE_DOWN): what a path's probes need
    // (srv6steer/probe.hpp). Listings show the target without it and
    // PinInfo::ignore_down set. A client of the agent cannot use it (the
    // agent sends the probes): pin_socket refuses it with EPERM.
    bool ignore_down = false;
};

template <class Key>
struct Pinned {
    Key key;
    Target target;
    PinInfo info;
};

struct Counter {
    uint64_t packets = 0;
    uint64_t bytes = 0;
};

struct Stats {
    std::array<Counter, SRV6S_R_MAX> reasons{};  // by enum srv6s_reason
    std::vector<std::pair<uint32_t, Counter>> paths;  // paths that exist
    // Their health as the prober last wrote it (docs/design.md §16), in the
    // order of `paths`; all zero (UNKNOWN) for a path nobody probes.
    std::vector<srv6s_path_health> health;
    // Of `paths`: marked down (by the prober or by hand: a path is down by
    // hand when it is marked down while its health state is not DOWN).
    std::vector<bool> down;
};
const char* reason_name(uint32_t reason);  // "steered", "no_match", ...

// How the TC egress program is hooked: a tcx link (kernel 6.6+, pinned,
// coexists with other programs) or a clsact filter (older kernels).
enum class Hook { Auto, Tcx, Clsact };

inline constexpr std::chrono::microseconds kDefaultFlowletGap{500};

struct AttachOptions {
    std::string ifname;
    Hook hook = Hook::Auto;       // Auto: tcx, else clsact
    std::optional<Ipv6> source;   // default: the interface's first global IPv6 address
    uint8_t hop_limit = 64;
    uint32_t mtu = 0;             // L3 MTU to check; 0: the interface's MTU
    bool fixed_gso = true;        // full-size GSO segments (route MTUs make room)
    bool route_mtu = true;        // set route MTUs towards steered destinations
    bool drop_oversize = false;   // drop, rather than send unencapsulated, what would not fit
    // Flowlets: a flow of a set of several paths changes path only after
    // this long idle (longer than the paths' delay skew, so nothing it sends
    // is reordered); 0: off. 0 .. 1 s (docs/design.md §17).
    // Unset: 500 µs (kDefaultFlowletGap).
    std::optional<std::chrono::microseconds> flowlet_gap;
    // Pin map sizes. Flow pins live in a table of twice as many slots,
    // rounded up to a power of two (docs/design.md §2.10); Status::max_flows
    // says how many fit.
    uint32_t max_flows = SRV6S_DEFAULT_MAX_FLOWS;
    uint32_t max_qps = SRV6S_DEFAULT_MAX_QPS;
    uint32_t max_prefixes = SRV6S_DEFAULT_MAX_PREFIXES;
    uint32_t max_cgroups = SRV6S_DEFAULT_MAX_CGROUPS;
    std::string bpffs = kDefaultBpffs;
};

// A route MTU srv6steer set towards a pinned destination, and what it will
// put back when the last pin to that destination goes.
struct OwnedRoute {
    Prefix dst;
    uint32_t mtu = 0;        // the MTU srv6steer set
    bool added = false;      // srv6steer added the route (else: changed an existing one)
    uint32_t old_mtu = 0;    // the MTU before (0: none); restored on release
    uint32_t table = 254;
    uint32_t priority = 0;
    uint32_t pins = 0;       // pins that need it
};

// Something that makes an attachment not (or no longer) steer.
struct Problem {
    enum class Kind {
        InterfaceGone,       // no interface of that name any more
        IfindexChanged,      // the interface was deleted and re-created
        LinkMissing,         // the pinned tcx link is gone
        ProgramNotAttached,  // the link or filter no longer runs our program
        NetnsGone,           // the network namespace of the state is gone (seen from
                             // another namespace: remove_dead)
    } kind;
    std::string detail;      // what was found, in words
};

// What `srv6steer status` shows.
struct Status {
    std::string ifname;
    int ifindex = 0;
    std::string pin_dir;
    std::string attach_mode;  // "tcx" or "clsact"
    uint32_t prog_id = 0;
    uint32_t link_id = 0;     // tcx only
    bool route_mtu = false;   // route MTUs managed for pinned destinations
    std::chrono::system_clock::time_point attached{};
    srv6s_config config{};
    size_t n_paths = 0, n_sets = 0, n_flows = 0, n_qps = 0, n_prefixes = 0;
    size_t n_sockets = 0, n_cgroups = 0;
    uint32_t max_flows = 0, max_qps = 0, max_prefixes = 0, max_cgroups = 0;
    std::vector<OwnedRoute> owned_routes;  // route MTUs srv6steer set
    std::string netns;                     // the network namespace's label ("" initial)
    uint64_t netns_cookie = 0;             // its identity (SO_NETNS_COOKIE)
    std::vector<Problem> problems;         // empty: attached and steering
    bool healthy() const { return problems.empty(); }
};

class Steering {
public:
    struct Impl;  // opaque: the library's own (libsrv6steer/impl.hpp)

    // Loads the data plane, pins its maps and attaches it to TC egress of
    // opts.ifname. Fails if srv6steer is already attached there.
    static Steering attach(const AttachOptions& opts);
    // Opens the state pinned for ifname (attached earlier, by any process).
    static Steering open(std::string_view ifname, const std::string& bpffs = kDefaultBpffs);
    // Detaches from ifname and removes exactly what attach and later calls
    // created: the TC attachment, the pins, the route MTUs. False if
    // srv6steer was not attached there.
    static bool detach(std::string_view ifname, const std::string& bpffs = kDefaultBpffs);
    // Interfaces (of this network namespace) with srv6steer state.
    static std::vector<std::string> attached(const std::string& bpffs = kDefaultBpffs);
    // Loads the data plane in this process only, attached nowhere and pinned
    // nowhere: for tests and for running packets through it
    // (BPF_PROG_TEST_RUN on tc_program_fd()).
    static Steering load_unattached(const AttachOptions& opts);

    // State of attachments that can no longer steer (their network namespace
    // or interface is gone), in any network namespace: removed with all they
    // changed that still exists. Returns the pin directories removed.
    static std::vector<std::string> remove_dead(const std::string& bpffs = kDefaultBpffs);

    // Remote mode: the same API through `srv6steer agent`'s Unix socket,
    // without privileges (docs/agent-protocol.md). The agent steers ifname
    // (empty: its only interface). Through the agent:
    //  - path and set ids are this client's own names: the agent stores
    //    identical paths once, under ids of its own, and removes them when
    //    their last user is gone;
    //  - socket pins are made by passing the socket's fd (holding it is the
    //    authorisation); flow, queue-pair, prefix and cgroup pins are refused
    //    (they could steer someone else's traffic);
    //  - a client changes and removes only its own pins, within its quota;
    //  - listings show this client's own paths, sets and pins.
    static Steering connect(const std::string& socket_path = kDefaultAgentSocket,
                            std::string_view ifname = {});
    bool remote() const;  // made by connect()

    // Holds this interface's state lock across several calls (read, decide,
    // change) so that no other process changes the state in between. Every
    // call on this Steering runs under it while it lives; calls on other
    // Steering objects, in this process or others, wait. Re-entrant on this
    // object only: detaching the same interface, or changing it through a
    // second object, from the thread that holds it waits for itself.
    class Lock {
    public:
        Lock(Lock&&) noexcept;
        Lock& operator=(Lock&&) noexcept;
        ~Lock();

    private:
        friend class Steering;
        explicit Lock(Impl* impl);
        Impl* impl_ = nullptr;
    };
    [[nodiscard]] Lock lock();

    Steering(Steering&&) noexcept;
    Steering& operator=(Steering&&) noexcept;
    ~Steering();

    const std::string& ifname() const;
    Status status() const;
    int tc_program_fd() const;  // -1 unless loaded by this process

    // Paths. add_path creates a path, or changes one nothing uses yet.
    void add_path(const Path& path);
    void remove_path(uint32_t id);  // refuses while a set or a pin uses it
    void set_path_down(uint32_t id, bool down);
    // Where path id's flows go when their set is all down (Path::fallback);
    // nullopt: plain routing. The target must exist and not be the path
    // itself (or a set of it alone); a path or set that is some path's
    // fallback cannot be removed.
    void set_path_fallback(uint32_t id, std::optional<Target> fallback);
    // The prober's write of a path's health (srv6steer/probe.hpp). With
    // `change`, one state transaction: the path's DOWN bit is set when
    // h.state is DOWN and cleared when it is not, unless the path was marked
    // down by hand (DOWN while its health state is not DOWN), which is left
    // alone; returns the state written (a DOWN not taken is written as the
    // state stored before). Without `change`, h's counters are written with
    // the stored state. Either way the stored congestion level stays
    // (set_path_congestion writes it). Nothing is written for a path that no
    // longer exists (returns UNKNOWN).
    srv6s_health_state record_health(uint32_t id, const srv6s_path_health& h, bool change);

    // The prober's write of a path's congestion level (0 .. 16, docs/design.md
    // §17): the path's byte and its health's `congestion`, one transaction;
    // nothing else of the path or its health changes. False when the path no
    // longer exists.
    bool set_path_congestion(uint32_t id, uint32_t level);
    // Sets every path's congestion level to 0 (a prober starting afresh, or
    // probes turned off, owns no level): how many were not.
    size_t clear_congestion();

    // Flowlets (docs/design.md §17): from now on, a flow of a set of several
    // paths changes path only after `gap` without a packet (0: off, every
    // packet takes its choice); a path down moves it at once. 0 .. 1 s.
    void set_flowlet_gap(std::chrono::microseconds gap);
    std::chrono::microseconds flowlet_gap() const;
    std::vector<Path> paths() const;

    // Path sets; changing a set in use is safe (double-buffered).
    void define_set(const PathSet& set);
    void remove_set(uint32_t id);  // refuses while a pin uses it
    std::vector<PathSet> sets() const;

    // Pins. Pinning a key that is already pinned to the same target is a
    // no-op; to another target it is an error unless opts.replace.
    void pin(const Flow& flow, Target target, const PinOptions& opts = {});
    void pin(const Qp& qp, Target target, const PinOptions& opts = {});
    void pin(const Prefix& prefix, Target target, const PinOptions& opts = {});
    // Many flows at once, all or nothing. Returns how many were new.
    size_t pin_flows(std::span<const std::pair<Flow, Target>> flows, const PinOptions& opts = {});
    bool unpin(const Flow& flow);
    bool unpin(const Qp& qp);
    bool unpin(const Prefix& prefix);
    std::vector<Pinned<Flow>> flows() const;
    std::vector<Pinned<Qp>> qps() const;
    std::vector<Pinned<Prefix>> prefixes() const;

    // Socket pins: every packet the socket sends follows target, whatever
    // its addresses, IPv4 or IPv6, TCP or UDP; checked before every other
    // pin. fd is a socket of this process; the pin ends with the socket.
    // Connected sockets get route MTUs towards their peer like flow pins.
    void pin_socket(int fd, Target target, const PinOptions& opts = {});
    // Many sockets at once, all or nothing. Returns how many were new.
    size_t pin_sockets(std::span<const std::pair<int, Target>> sockets, const PinOptions& opts = {});
    bool unpin_socket(int fd);
    // The pin of a socket this process holds, if it has one.
    std::optional<PinnedSocket> socket_pin(int fd) const;
    std::vector<PinnedSocket> sockets() const;

    // Cgroup pins: every socket of the cgroup (and its descendants) follows
    // target; checked after socket pins, before flow pins.
    void pin(const Cgroup& cgroup, Target target, const PinOptions& opts = {});
    bool unpin(const Cgroup& cgroup);
    std::vector<Pinned<Cgroup>> cgroups() const;

    Stats stats() const;
    // Removes pins whose owner process is gone (pid not running, or reused
    // by a process that started after the pin), and route MTUs no pin needs
    // (unpin already releases the route MTU of its last pin).
    // Returns the number of pins removed.
    size_t gc();

private:
    explicit Steering(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// ---- the receive side: the host's own SRv6 decapsulation ---------------------
//
// An XDP (or TC-ingress) program on the interfaces packets arrive on strips
// the SRv6 encapsulation of packets sent to one of the host's own SIDs and
// passes the inner packet to the stack (docs/design.md §13, §14):
//
//   auto r = srv6steer::Receive::attach({.ifname = "eth0"});
//   r.add_sid({Prefix::parse("fcbb:0:e002:fe06::/64"), SidBehavior::DT46});
//
// One receive state per network namespace, shared by every interface it is
// attached to (its SIDs, config and counters), pinned under
// <bpffs>/srv6steer/v5/<netns cookie>/:receive/ (§14.1): it stays after the
// process exits and goes with the last interface detached. Independent of
// the egress side (Steering): either works without the other.

// What a local SID does with what it decapsulates: pass the inner packet to
// the host's IPv6 stack (End.DT6-like), IPv4 stack (End.DT4), or either.
enum class SidBehavior : uint32_t { DT6 = SRV6S_SID_UDT6, DT4 = SRV6S_SID_UDT4, DT46 = SRV6S_SID_UDT46 };
// "udt6", "udt4", "udt46", or RFC 8986's "End.DT6", "End.DT4", "End.DT46"
// (any case); Error otherwise.
SidBehavior parse_sid_behavior(std::string_view text);
const char* sid_behavior_name(SidBehavior b);  // "udt6", "udt4", "udt46"

struct LocalSid {
    Prefix prefix;                             // IPv6 (not IPv4-mapped); the outer destinations it takes
    SidBehavior behavior = SidBehavior::DT46;
    bool path_stats = true;                    // count its packets per sender path
    friend bool operator==(const LocalSid&, const LocalSid&) = default;
};
// Throws Error unless sid can be a local SID (what Receive::add_sid checks first).
void check_local_sid(const LocalSid& sid);

// Where the receive program runs on an interface:
//  Native   XDP in the driver (fastest where the driver has it);
//  Generic  XDP on the stack's generic path (any interface);
//  Tc       TC ingress (a tcx link, else a clsact filter): the fallback;
//  Auto     generic on a veth (native XDP on a veth turns off its peer's
//           TSO: ~4 instead of 13-17 Gbit/s measured), else native where
//           the driver has it, else generic.
enum class RxMode { Auto, Native, Generic, Tc };
RxMode parse_rx_mode(std::string_view text);  // "auto", "native", "generic", "tc"

struct ReceiveAttachOptions {
    std::string ifname;
    RxMode mode = RxMode::Auto;
    std::string bpffs = kDefaultBpffs;
};

struct ReceiveConfig {
    bool enabled = true;     // off: every packet passes untouched (reason disabled)
    bool ecn_drop = true;    // RFC 6040: drop an outer CE over an inner Not-ECT packet
    bool path_stats = true;  // count per sender path
    // Path probes (include/srv6steer/probe_abi.h, docs/design.md §15):
    // answered on UDP probe_port, IPv4 or IPv6, plain or encapsulated to
    // a local SID. A request may ask for its reply to be encapsulated back
    // to a return container: only inside return_block (at most /64; none:
    // every such request is refused), from reply_source (needed with a
    // return block).
    bool probes = false;
    uint16_t probe_port = SRV6S_PROBE_PORT;
    std::optional<Ipv6> reply_source;
    std::optional<Prefix> return_block;
    friend bool operator==(const ReceiveConfig&, const ReceiveConfig&) = default;
};
// Throws Error unless set_config would take c (what it checks first).
void check_receive_config(const ReceiveConfig& c);

// One interface the receive program is attached to.
struct ReceiveAttachment {
    std::string ifname;
    int ifindex = 0;
    std::string mode;         // how it was attached: "native", "generic", "tcx" or "clsact"
    uint32_t prog_id = 0;     // the program that runs at the hook now (0: none)
    uint32_t link_id = 0;     // XDP or tcx link
    std::chrono::system_clock::time_point attached{};
    std::vector<Problem> problems;  // empty: attached and decapsulating
    bool healthy() const { return problems.empty(); }
};

struct ReceiveStatus {
    std::string dir;  // the state directory
    ReceiveConfig config;
    std::vector<ReceiveAttachment> interfaces;  // by name
    uint32_t xdp_prog_id = 0, tc_prog_id = 0;   // the programs loaded
    size_t n_sids = 0, n_paths = 0;             // local SIDs; sender paths counted
    // The prefix (up to /64) every SID lies in: destinations outside it are
    // not ours at the cost of one compare. None: no SIDs, or none in common.
    std::optional<Prefix> sid_block;
    uint32_t max_sids = 0, max_paths = 0;
    bool healthy() const;  // every interface healthy
};

// What arrived on one sender's path: its outer source and the path id it
// put in the outer flow label's low 12 bits.
struct RxPathCounter {
    Ipv6 source;
    uint32_t path_id = 0;
    uint64_t packets = 0;
    uint64_t bytes = 0;       // as the frames arrived, outer headers included
    uint64_t ce_packets = 0;  // outer ECN was CE
};

struct ReceiveStats {
    std::array<Counter, SRV6S_RX_R_MAX> reasons{};  // by enum srv6s_rx_reason, summed over CPUs
    std::vector<RxPathCounter> paths;               // by source, then path id
};
const char* rx_reason_name(uint32_t reason);  // "decapsulated", "not_ours", ...

class Receive {
public:
    struct Impl;  // opaque: the library's own (libsrv6steer/receive_impl.hpp)

    // Attaches the receive program to opts.ifname, first loading it and
    // pinning its state if this network namespace has none. Fails if it is
    // attached to ifname already.
    static Receive attach(const ReceiveAttachOptions& opts);
    // Opens this network namespace's receive state (attached earlier, by any process).
    static Receive open(const std::string& bpffs = kDefaultBpffs);
    // Detaches from ifname; the last interface takes the whole state with it
    // (SIDs, config, counters). False if the program was not attached there.
    static bool detach(std::string_view ifname, const std::string& bpffs = kDefaultBpffs);
    // The interfaces it is attached to in this network namespace (none: no state).
    static std::vector<std::string> attached(const std::string& bpffs = kDefaultBpffs);
    // Loads the programs in this process only, attached and pinned nowhere:
    // for tests (BPF_PROG_TEST_RUN on xdp_program_fd / tc_program_fd).
    static Receive load_unattached();

    // Holds the receive state's lock across several calls, as Steering::Lock.
    class Lock {
    public:
        Lock(Lock&&) noexcept;
        Lock& operator=(Lock&&) noexcept;
        ~Lock();

    private:
        friend class Receive;
        explicit Lock(Impl* impl);
        Impl* impl_ = nullptr;
    };
    [[nodiscard]] Lock lock();

    Receive(Receive&&) noexcept;
    Receive& operator=(Receive&&) noexcept;
    ~Receive();

    ReceiveStatus status() const;
    ReceiveConfig config() const;
    void set_config(const ReceiveConfig& config);

    // Local SIDs. Adding a prefix that is there with the same behaviour and
    // flags is a no-op; with others it is an error unless replace. Returns
    // whether the SID is new.
    bool add_sid(const LocalSid& sid, bool replace = false);
    bool remove_sid(const Prefix& prefix);  // false if it was not there
    std::vector<LocalSid> sids() const;     // by prefix

    ReceiveStats stats() const;

    int xdp_program_fd() const;  // -1 unless loaded by this process
    int tc_program_fd() const;

private:
    explicit Receive(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace srv6steer

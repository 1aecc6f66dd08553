// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path probes and path health (docs/design.md §16): a Prober sends a small
// UDP probe (include/srv6steer/probe_abi.h) over every path in use towards
// every remote host its pins go to, every few milliseconds, from a socket
// pinned to that path with PinOptions::ignore_down, so a probe is
// encapsulated exactly as the path's data is, also while the path is down.
// The far host's receive side answers. A path whose probes are lost on every
// target is marked down (its flows move to the other paths of their set, or
// fall back); it is marked up again after a run of replies, no sooner than a
// hold-down after it went down. A path whose far ends count CE marks on it
// gets a congestion level that moves some of its flows away (§17).
//
// The Prober owns no thread: the caller polls fds() for input, calls
// service() when one is readable or next_deadline() has passed.
//
//   srv6steer::Prober p(steering, {});
//   for (;;) { poll(p.fds() ..., until p.next_deadline()); p.service(); }
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "srv6steer/probe_abi.h"
#include "srv6steer/sid.hpp"

namespace srv6steer {

class Steering;

using ProbeClock = std::chrono::steady_clock;

// When a path counts as down, and as up again.
struct HealthPolicy {
    uint32_t misses = 3;      // down after this many consecutive losses on every target of the path
    uint32_t recoveries = 3;  // up after this many consecutive replies on one target ...
    std::chrono::milliseconds hold_down{500};  // ... and no sooner than this after it went down
    friend bool operator==(const HealthPolicy&, const HealthPolicy&) = default;
};

// When a path counts as congested (docs/design.md §17): from the CE marks
// the far ends' receive sides count on it (probe replies carry them), per
// window. The level (0 .. SRV6S_CONGESTION_LEVELS) is the share of the
// path's flows, in sixteenths, that move to less congested paths of their
// sets.
struct CongestionPolicy {
    bool enabled = true;
    std::chrono::milliseconds window{100};  // a window closes after this and ...
    uint64_t min_packets = 8;               // ... once the far ends counted this many packets
    uint32_t mark_ppm = 10'000;             // CE share (parts per million) that is congestion: level + step
    uint32_t clear_ppm = 1'000;             // at most this is clear: level - 1 ...
    std::chrono::milliseconds hold{1000};   // ... no sooner than this after the last congested window
    uint32_t step = 4;                      // levels a congested window adds, 1 .. 16
    friend bool operator==(const CongestionPolicy&, const CongestionPolicy&) = default;
};

// How the prober keeps the flowlet gap (config.flowlet_gap_us; docs/design.md
// §17.5) above the delay skew of the paths a flow may move between: from the
// RTTs its probes measure, per set and remote host, over the set's paths that
// are up. The gap is `factor_pct` percent of the largest skew, within
// [min, max]; it rises at once and falls only after the lower value has held
// for `hold`. Off: the gap stays whatever attach or `srv6steer flowlets` set.
struct FlowletPolicy {
    bool adaptive = true;
    std::chrono::microseconds min{500};     // the gap never goes below this (the floor) ...
    std::chrono::microseconds max{20'000};  // ... nor above this
    uint32_t factor_pct = 200;              // gap = factor × the largest skew, 100 .. 1000 %
    std::chrono::milliseconds hold{5000};   // a lower gap only once it held this long
    friend bool operator==(const FlowletPolicy&, const FlowletPolicy&) = default;
};

// One remote host probed over one path.
struct ProbeTarget {
    uint32_t path = 0;
    Ipv6 remote;                  // IPv4 as ::ffff:a.b.c.d (the probe's inner family)
    std::optional<Ipv6> ret;      // return container: the reply comes back encapsulated to it
    uint16_t port = SRV6S_PROBE_PORT;
    friend auto operator<=>(const ProbeTarget&, const ProbeTarget&) = default;
};

struct ProberOptions {
    std::chrono::microseconds interval{10'000};  // between probes of a target, 1 ms .. 10 s
    std::chrono::microseconds timeout{0};        // a probe is lost after this; 0: 2 × interval
    HealthPolicy policy;
    CongestionPolicy congestion;
    FlowletPolicy flowlets;
    // Probe every path in use (the paths of every pin's target) towards
    // every remote host its pins go to, found again every `refresh`.
    bool auto_targets = true;
    std::chrono::milliseconds refresh{1000};
    uint16_t port = SRV6S_PROBE_PORT;            // of the automatic targets
    std::vector<ProbeTarget> targets;            // probed as well
    std::map<uint32_t, Ipv6> returns;            // return container per path, for automatic targets
    // Mark paths down and up and write their health (srv6s_path_health);
    // false: only measure (a one-shot `probe`).
    bool mark = true;
    // Keep every reply and loss for take_events().
    bool keep_events = false;
    // Probes per target, then none (0: no end).
    uint32_t count = 0;
    friend bool operator==(const ProberOptions&, const ProberOptions&) = default;
};

// A reply (rtt set) or a loss.
struct ProbeEvent {
    ProbeTarget target;
    uint32_t seq = 0;
    std::optional<std::chrono::nanoseconds> rtt;  // none: lost
    uint64_t rx_packets = 0, rx_ce_packets = 0;   // what the far end counted (with rx_counts)
    bool rx_counts = false;                       // SRV6S_PROBE_F_RX_COUNTS
    bool returned = false;                        // SRV6S_PROBE_F_RETURNED
};

// Where the adaptive flowlet gap stands: the gap written (none before the
// first decision, or with the policy off) and the skew it follows.
struct FlowletGapState {
    std::optional<std::chrono::microseconds> gap;
    std::chrono::nanoseconds skew{0};  // the largest of the last decision (0: no set has two paths measured)
    uint32_t set = 0;                  // whose paths have that skew ...
    Ipv6 remote;                       // ... towards this host:
    uint32_t fast = 0, slow = 0;       // the paths of the least and the most RTT
    // Gaps someone else wrote (`srv6steer flowlets`), put back at a refresh: how many, the last one.
    uint64_t restored = 0;
    std::chrono::microseconds overwritten{0};
};

// Throws srv6steer::Error unless a Prober would take o (what its
// constructor checks first).
void check_probe_options(const ProberOptions& o);

class Prober {
public:
    // Checks the options (throws srv6steer::Error); opens the sockets of the
    // configured targets (and, with auto_targets, of those in use) at once.
    Prober(Steering& steering, ProberOptions opts);
    Prober(Prober&&) noexcept;
    Prober& operator=(Prober&&) noexcept;
    ~Prober();

    // The sockets to poll for input (they change when targets do).
    std::vector<int> fds() const;
    // When service() has something to do at the latest.
    ProbeClock::time_point next_deadline() const;
    // Reads the replies that arrived, gives up on late probes, sends the
    // probes due, finds the targets again when due, and marks the paths
    // whose health changed (one state transaction each).
    void service(ProbeClock::time_point now = ProbeClock::now());

    std::vector<ProbeTarget> targets() const;
    // What this prober knows of each path it probes.
    std::vector<std::pair<uint32_t, srv6s_path_health>> health() const;
    std::vector<ProbeEvent> take_events();
    FlowletGapState flowlet_gap() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace srv6steer

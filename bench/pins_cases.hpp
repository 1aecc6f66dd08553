// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The measured cases of bench_pins (bench/pins.cpp describes each), one
// repetition per call: each starts from a fresh state, times its step, then
// verifies what the kernel and the maps hold (Failure when they differ).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pins_env.hpp"
#include "srv6steer/srv6steer.hpp"

namespace pins {

// Items per second (or ms) of the timed repetitions of one figure.
struct Timing {
    std::vector<double> rates;
    double median() const;
    double min() const;
    double max() const;
};

// What one case measured over all repetitions.
struct Result {
    Timing pins;
    Timing removal;                  // the timed clean-up: routes/s deleted, or ms of detach
    Timing first_tenth, last_tenth;  // single_attached_new_dst: how the rate changes as routes grow
    std::vector<uint64_t> retries;   // route cases: ENOMEM retries per run
};

// Flows to pin, in pin order, and the same sorted as Steering::flows() lists them.
struct Batch {
    std::vector<srv6steer::Flow> flows;
    std::vector<std::pair<srv6steer::Flow, srv6steer::Target>> pins;
};

// Maps-only flows: distinct sources, one destination.
srv6steer::Flow map_flow(uint32_t i);
// Attached flows: over n_dsts destinations in kSteerNet, or (0) one each.
srv6steer::Flow steer_flow(uint32_t i, uint32_t n_dsts);
Batch make_batch(uint32_t n, const std::function<srv6steer::Flow(uint32_t)>& flow);

// The route method's messages, built once: an add and a delete per route.
struct RouteMsgs {
    std::vector<srv6steer::nl::Request> add, del;
};
RouteMsgs make_routes(uint32_t n, int oif);

// single, single_opts: Steering::pin one by one on the maps alone;
// reuse_opts: one PinOptions for all.
void run_single(const Batch& b, bool reuse_opts, const std::string& name, Result& res);
// batch: one pin_flows call on the maps alone.
void run_batch(const Batch& b, Result& res);
// batch_map_only: bpf_map_update_batch of the same keys and values alone.
void run_batch_map_only(const Batch& b, Result& res);
// route_netlink (window 1), route_netlink_pipelined (window 256).
void run_route_netlink(Env& env, RouteMsgs& m, uint32_t window, const std::string& name, Result& res);
// route_exec: fork/exec of `ip -6 route add` per route.
void run_route_exec(Env& env, uint32_t n, Result& res);
// single_attached*: pins one by one on an attached instance; want_routes:
// the route MTUs expected; tenths: time the first and last tenth too.
void run_single_attached(Env& env, const Batch& b, bool route_mtu, size_t want_routes,
                         const std::string& name, bool tenths, Result& res);
// batch_attached: pin_flows on the attached instance, route_mtu on.
void run_batch_attached(Env& env, const Batch& b, size_t want_routes, Result& res);

}  // namespace pins

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The agent's prober (docs/design.md §16): a srv6steer::Prober on DEV's
// attachment with the settings of the config's "probes" section and the
// agent's --probe-* options, served in the agent's one poll loop (Pollable).
// Made again when the attachment or the settings change; an error turns it
// off until the next round (logged), steering goes on.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "agent_server.hpp"
#include "config.hpp"
#include "srv6steer/probe.hpp"

namespace srv6steer::cli {

// The --probe-* options of `srv6steer agent`: given ones win over the file.
struct ProbeOverrides {
    bool off = false;                      // --no-probes
    std::optional<uint32_t> interval_ms;   // --probe-interval
    std::optional<uint32_t> timeout_ms;    // --probe-timeout
    std::optional<uint32_t> misses;        // --probe-misses
    std::optional<uint32_t> recoveries;    // --probe-recoveries
    std::optional<uint32_t> hold_down_ms;  // --probe-hold-down
    bool no_congestion = false;                  // --no-congestion
    std::optional<uint32_t> congestion_window_ms;  // --congestion-window
    std::optional<uint32_t> congestion_mark_ppm;   // --congestion-mark
    std::optional<uint32_t> congestion_clear_ppm;  // --congestion-clear
    std::optional<uint32_t> congestion_hold_ms;    // --congestion-hold
    bool fixed_flowlet_gap = false;                // --flowlet-gap: the gap is not adapted
    ProbesConfig apply(ProbesConfig file) const;
};

class AgentProbe : public Pollable {
public:
    using Log = std::function<void(const std::string&)>;
    AgentProbe(std::string dev, std::string bpffs, Log log) : dev_(std::move(dev)), bpffs_(std::move(bpffs)), log_(std::move(log)) {}

    // After each round: the settings in force and DEV's attachment (attached
    // at, program id). Makes the prober again when either changed, or after
    // an error.
    void update(const ProbesConfig& settings, std::pair<int64_t, uint32_t> attachment);
    bool running() const { return prober_.has_value(); }

    std::vector<int> fds() const override;
    std::chrono::steady_clock::time_point deadline() const override;
    void service() override;

    // Waits for a signal on signal_fd (a signalfd) until `until`, serving
    // the prober: the signal, or 0 at the time (the agent without a socket).
    int wait(std::chrono::steady_clock::time_point until, int signal_fd);

private:
    void stop(const std::string& why);

    std::string dev_, bpffs_;
    Log log_;
    std::optional<ProbesConfig> settings_;
    std::optional<std::pair<int64_t, uint32_t>> attachment_;
    // Declared in this order: the prober (and its pinned sockets) goes before the state it uses.
    std::optional<Steering> steering_;
    std::optional<Prober> prober_;
    std::optional<std::chrono::microseconds> logged_gap_;  // the adaptive flowlet gap last logged
    uint64_t logged_restored_ = 0;
};

}  // namespace srv6steer::cli

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6steer's counters in the Prometheus text exposition format (version
// 0.0.4): what `srv6steer metrics` prints and `srv6steer agent --metrics`
// serves. One scrape reads a snapshot (every attached interface's status,
// counters, paths and their probe health, and the receive side's), then renders it;
// the names and labels are listed in loader/README.md ("Metrics").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::metrics {

struct Egress {
    Status status;
    Stats stats;
    std::vector<Path> paths;
};

struct Snapshot {
    std::vector<Egress> egress;          // by interface
    std::optional<ReceiveStatus> rx;     // none: no receive side here
    ReceiveStats rx_stats;
};

// Reads every interface srv6steer is attached to in this network namespace
// (only `dev` when given) and the receive side. An interface detached
// meanwhile is left out.
Snapshot read(const std::string& bpffs, const std::optional<std::string>& dev = std::nullopt);

// The text format: HELP and TYPE lines, then the samples of each family.
std::string render(const Snapshot& s);

// A label value escaped as the format asks (backslash, double quote, newline).
std::string escape_label(std::string_view v);

}  // namespace srv6steer::metrics

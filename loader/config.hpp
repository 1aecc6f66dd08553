// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The file of `srv6steer apply` and `srv6steer agent` (format in
// loader/README.md) as a value: read and checked once, every problem reported
// with its JSON path ("paths[1].usids: ..."), before anything is changed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "srv6steer/probe.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

// The pins of one kind the file asks for.
template <class K>
struct Wanted {
    std::map<K, Target> target;
    std::map<K, std::string> where;  // JSON path of the entry, for messages
};

// "probes": how `srv6steer agent` probes its paths (agent_probe.hpp);
// absent: on, with the defaults of ProberOptions.
struct ProbesConfig {
    bool enabled = true;
    ProberOptions options;
    friend bool operator==(const ProbesConfig&, const ProbesConfig&) = default;
};

struct Config {
    std::string file;                      // where it came from, for messages
    std::optional<std::string> interface;  // "interface"
    std::map<uint32_t, Path> paths;
    std::map<uint32_t, std::string> path_where;  // every path id the file defines, and where
    std::map<uint32_t, PathSet> sets;
    Wanted<Flow> flows;
    Wanted<Qp> qps;
    Wanted<Prefix> prefixes;
    Wanted<Cgroup> cgroups;  // paths resolved to ids when read
    // "sids": the receive side's local SIDs, exactly (receive_apply.cpp);
    // absent: the file says nothing about them.
    std::optional<std::map<Prefix, LocalSid>> sids;
    ProbesConfig probes;
};

// Problems found before anything was changed: the file's own, or the file's
// against the live state (plan.cpp). The message lists them all.
struct Invalid : Error {
    using Error::Error;
};
[[noreturn]] void refuse(const std::string& file, const std::vector<std::string>& problems);

// The file's text as a Config; Invalid with every problem otherwise.
Config parse_config(const std::string& text, const std::string& file);
// Reads the file (Error when it cannot: missing, a directory, ...) and parses it.
Config read_config(const std::string& file);

}  // namespace srv6steer::cli

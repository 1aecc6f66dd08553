// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The table of subcommands, and attach and detach with attach's options
// (the agent takes them too).
#include <cerrno>
#include <iostream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

constexpr uint64_t kMaxMapSize = 1u << 24;

struct AttachCmd : Common {
    std::string ifname;
    AttachOptions attach;
};

int cmd_attach(const AttachCmd& c) {
    AttachOptions o = c.attach;
    o.ifname = c.ifname;
    o.bpffs = c.bpffs;
    Status st;
    try {
        st = Steering::attach(o).status();
    } catch (const Error& e) {
        if (e.code() == EEXIST)
            rethrow_with(e, "srv6steer status " + c.ifname + " shows it; srv6steer detach " + c.ifname + " removes it");
        throw;
    }
    std::cout << "attached to " << attached_text(st) << ", state in " << st.pin_dir << "\n";
    return kOk;
}

struct DetachCmd : Common {
    std::string ifname;
};

int cmd_detach(const DetachCmd& c) {
    if (!Steering::detach(c.ifname, c.bpffs))
        throw Error("srv6steer is not attached to " + c.ifname + " (srv6steer status shows where it is)");
    std::cout << "detached from " << c.ifname << "\n";
    return kOk;
}

std::vector<Command> table() {
    std::vector<Command> all{
        command<AttachCmd>("attach", "DEV", "load the data plane and attach it to TC egress of DEV", 0,
                           {text("DEV", &AttachCmd::ifname)}, within(&AttachCmd::attach, attach_options()),
                           cmd_attach),
        command<DetachCmd>("detach", "DEV", "detach from DEV and remove its pins and route MTUs", 0,
                           {text("DEV", &DetachCmd::ifname)}, {}, cmd_detach),
    };
    for (auto* part : {status_commands, pin_commands, receive_commands})
        for (auto& c : part())
            all.push_back(std::move(c));
    all.push_back(apply_command());
    all.push_back(agent_command());
    all.push_back(plan_command());
    all.push_back(simulate_command());
    all.push_back(metrics_command());
    all.push_back(probe_command());
    return all;
}

}  // namespace

std::vector<Opt<AttachOptions>> attach_options() {
    using A = AttachOptions;
    return {
        parsed("src", "ADDR", "outer IPv6 source (default: DEV's first global IPv6 address)", &A::source, Ipv6::parse),
        number("hop-limit", "N", "outer hop limit (default 64)", &A::hop_limit, 1, 255),
        number("mtu", "N", "L3 MTU to check against (default: DEV's MTU)", &A::mtu, 1280, 65535),
        flag("no-fixed-gso", "let the kernel shrink GSO segments by the encapsulation", &A::fixed_gso, false),
        flag("no-route-mtu", "do not set route MTUs towards steered destinations", &A::route_mtu, false),
        flag("drop-oversize", "drop what would not fit once encapsulated (default: send it as is)",
             &A::drop_oversize),
        number("max-flows", "N", "flow pins that fit (the table has twice as many slots, rounded up to a power of two)", &A::max_flows, 1, kMaxMapSize),
        number("max-qps", "N", "size of the queue pair pin map", &A::max_qps, 1, kMaxMapSize),
        number("max-prefixes", "N", "size of the prefix pin map", &A::max_prefixes, 1, kMaxMapSize),
        number("max-cgroups", "N", "size of the cgroup pin map", &A::max_cgroups, 1, kMaxMapSize),
        {"flowlet-gap", "US",
         "a flow of a path set changes path only after US microseconds without a packet, 0: off (default 500)",
         [](A& a, const std::string& label, const std::string& t) {
             a.flowlet_gap = std::chrono::microseconds(detail::number(label, t, 0, 1'000'000));
         }},
    };
}

const std::vector<Command>& commands() {
    static const std::vector<Command> all = table();
    return all;
}

}  // namespace srv6steer::cli

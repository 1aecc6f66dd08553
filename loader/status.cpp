// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What srv6steer is doing: `status` (and --check, for probes), `stats`, and
// `gc`, which collects what nobody needs any more.
#include <net/if.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "text.hpp"

namespace srv6steer::cli {

json counter_json(const Counter& c) { return {{"packets", c.packets}, {"bytes", c.bytes}}; }

const char* problem_name(Problem::Kind k) {
    switch (k) {
    case Problem::Kind::InterfaceGone: return "interface_gone";
    case Problem::Kind::IfindexChanged: return "ifindex_changed";
    case Problem::Kind::LinkMissing: return "link_missing";
    case Problem::Kind::ProgramNotAttached: return "program_not_attached";
    case Problem::Kind::NetnsGone: return "netns_gone";
    }
    return "?";
}

namespace {

std::string used_of(size_t used, uint32_t max) { return std::to_string(used) + "/" + std::to_string(max); }
json used_max(size_t used, uint32_t max) { return {{"used", used}, {"max", max}}; }

std::string counter_text(const Counter& c) {
    return std::to_string(c.packets) + (c.packets == 1 ? " packet, " : " packets, ") + std::to_string(c.bytes) +
           (c.bytes == 1 ? " byte" : " bytes");
}

std::vector<std::string> config_flags(const srv6s_config& cfg) {
    std::vector<std::string> out;
    const std::pair<uint32_t, const char*> names[] = {
        {SRV6S_CFG_ENABLED, "enabled"},     {SRV6S_CFG_FIXED_GSO, "fixed_gso"},
        {SRV6S_CFG_DROP_OVERSIZE, "drop_oversize"}, {SRV6S_CFG_NO_FLOWS, "no_flows"},
        {SRV6S_CFG_NO_QPS, "no_qps"},       {SRV6S_CFG_NO_PREFIXES, "no_prefixes"},
        {SRV6S_CFG_NO_SOCKETS, "no_sockets"}, {SRV6S_CFG_NO_CGROUPS, "no_cgroups"}};
    for (const auto& [bit, name] : names)
        if (cfg.flags & bit)
            out.push_back(name);
    return out;
}

Ipv6 source_of(const srv6s_config& cfg) {
    Ipv6 a;
    std::copy(std::begin(cfg.src), std::end(cfg.src), a.bytes.begin());
    return a;
}

// "fcbb:0:800:2::20/128 mtu 1460 (added), 1 pin"
std::string route_text(const OwnedRoute& r) {
    std::string out = r.dst.str() + " mtu " + std::to_string(r.mtu);
    if (r.table != 254)
        out += " table " + std::to_string(r.table);
    if (r.priority && r.priority != 1024)  // 1024: the kernel's default for IPv6 routes
        out += " metric " + std::to_string(r.priority);
    out += r.added ? " (added)" : r.old_mtu ? " (was " + std::to_string(r.old_mtu) + ")" : " (had none)";
    return out + ", " + std::to_string(r.pins) + (r.pins == 1 ? " pin" : " pins");
}

// One interface's status, or why it could not be read.
struct Seen {
    std::string dev;
    std::optional<Status> st;
    Stats stats;
    std::string error;  // set when the state could not be opened

    bool healthy() const { return st && st->healthy(); }
    std::string problems() const { return st ? problems_text(*st) : "its state cannot be opened: " + error; }
};

Seen look_at(const std::string& dev, const Common& c) {
    Seen seen{dev, std::nullopt, {}, {}};
    try {
        const auto s = Steering::open(dev, c.bpffs);
        seen.st = s.status();
        seen.stats = s.stats();
    } catch (const Error& e) {
        seen.error = e.what();
    }
    return seen;
}

json status_json(const Seen& seen, bool verbose) {
    if (!seen.st)
        return {{"interface", seen.dev}, {"healthy", false}, {"problems", {{{"kind", "unreadable"}, {"detail", seen.error}}}}};
    const Status& st = *seen.st;
    json problems = json::array();
    for (const auto& p : st.problems)
        problems.push_back({{"kind", problem_name(p.kind)}, {"detail", p.detail}});
    json j{{"interface", st.ifname},
           {"ifindex", st.ifindex},
           {"mode", st.attach_mode},
           {"prog_id", st.prog_id},
           {"link_id", st.link_id},
           {"source", source_of(st.config).str()},
           {"mtu", st.config.mtu},
           {"paths", st.n_paths},
           {"sets", st.n_sets},
           {"flows", used_max(st.n_flows, st.max_flows)},
           {"qps", used_max(st.n_qps, st.max_qps)},
           {"prefixes", used_max(st.n_prefixes, st.max_prefixes)},
           {"sockets", st.n_sockets},
           {"cgroups", used_max(st.n_cgroups, st.max_cgroups)},
           {"steered", counter_json(seen.stats.reasons[SRV6S_R_STEERED])},
           {"healthy", st.healthy()},
           {"problems", problems}};
    if (verbose) {
        j["pin_dir"] = st.pin_dir;
        j["netns"] = st.netns;
        j["netns_cookie"] = st.netns_cookie;
        j["hop_limit"] = st.config.hop_limit;
        j["flowlet_gap_us"] = st.config.flowlet_gap_us;
        j["flags"] = config_flags(st.config);
        j["routes"] = json::array();
        for (const auto& r : st.owned_routes)
            j["routes"].push_back({{"dst", r.dst.str()}, {"mtu", r.mtu}, {"added", r.added}, {"old_mtu", r.old_mtu},
                                   {"table", r.table}, {"priority", r.priority}, {"pins", r.pins}});
        j["reasons"] = json::object();
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            if (seen.stats.reasons[r].packets)
                j["reasons"][reason_name(r)] = counter_json(seen.stats.reasons[r]);
    }
    return j;
}

void status_rows(Table& t, const Seen& seen, bool verbose) {
    if (!seen.st) {
        t.add({seen.dev, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "unreadable"});
        t.child("not steering: " + seen.problems());
        return;
    }
    const Status& st = *seen.st;
    const Stats& stats = seen.stats;
    t.add({st.ifname, st.attach_mode, std::to_string(st.prog_id), st.link_id ? std::to_string(st.link_id) : "-",
           source_of(st.config).str(), std::to_string(st.config.mtu), std::to_string(st.n_paths),
           std::to_string(st.n_sets), used_of(st.n_flows, st.max_flows), used_of(st.n_qps, st.max_qps),
           used_of(st.n_prefixes, st.max_prefixes), std::to_string(st.n_sockets), used_of(st.n_cgroups, st.max_cgroups),
           std::to_string(stats.reasons[SRV6S_R_STEERED].packets),
           st.healthy() ? "steering" : "NOT STEERING"});
    for (const auto& p : st.problems)
        t.child("not steering: " + p.detail);
    if (!verbose)
        return;
    t.child("config " + join(config_flags(st.config), ",") + ", hop limit " + std::to_string(st.config.hop_limit) +
            ", flowlets " +
            (st.config.flowlet_gap_us ? text::cat({"after ", std::to_string(st.config.flowlet_gap_us), " us idle"})
                                      : std::string("off")) +
            ", state in " + st.pin_dir);
    for (const auto& r : st.owned_routes)
        t.child("route " + route_text(r));
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
        if (stats.reasons[r].packets)
            t.child(std::string(reason_name(r)) + ": " + counter_text(stats.reasons[r]));
}

struct StatusCmd : Common {
    std::optional<std::string> ifname;
    bool verbose = false;
    bool check = false;
};

int cmd_status(const StatusCmd& c) {
    const auto all = Steering::attached(c.bpffs);
    std::vector<std::string> devs = all;
    if (c.ifname) {
        devs.clear();
        if (std::find(all.begin(), all.end(), *c.ifname) != all.end())
            devs.push_back(*c.ifname);
        else if (if_nametoindex(c.ifname->c_str()) == 0)
            throw Error("no interface named " + *c.ifname);
    }
    const std::string none = c.ifname ? "srv6steer is not attached to " + *c.ifname
                                      : std::string("srv6steer is not attached to any interface");
    std::vector<Seen> seen;
    for (const auto& dev : devs)
        seen.push_back(look_at(dev, c));
    if (c.json) {
        json j = json::array();
        for (const auto& s : seen)
            j.push_back(status_json(s, c.verbose));
        print(j);
    } else {
        Table t{"srv6steer status",
                {"Interface", "Mode", "Prog", "Link", "Source", "MTU", "Paths", "Sets", "Flows", "QPs", "Prefixes",
                 "Sockets", "Cgroups", "Steered", "State"},
                {},
                none};
        for (const auto& s : seen)
            status_rows(t, s, c.verbose);
        print(t);
        if (!c.ifname)
            print_receive_status(c, c.verbose);
    }
    if (!c.check)
        return kOk;
    // Without DEV, either side attached will do (a host may only receive).
    if (seen.empty() && (c.ifname || Receive::attached(c.bpffs).empty()))
        throw Error(none);
    for (const auto& s : seen)
        if (!s.healthy())
            throw Error("srv6steer on " + s.dev + " does not steer: " + s.problems());
    if (const std::string rx = c.ifname ? "" : receive_problems(c); !rx.empty())
        throw Error("srv6steer's receive side does not decapsulate: " + rx);
    return kOk;
}

// A path's state as `stats` shows it: its health (the prober's) and its
// DOWN bit (the prober's, or set by hand: docs/design.md §16.3).
std::string path_state(const srv6s_path_health& h, bool down) {
    if (down)
        return h.state == SRV6S_HEALTH_DOWN ? "down" : "down (by hand)";
    switch (h.state) {
    case SRV6S_HEALTH_UP: return "up";
    case SRV6S_HEALTH_DOWN: return "up (by hand; probes lost)";
    default: return "up (not probed)";
    }
}

// "0.123" (milliseconds, three decimals), "-" for none.
std::string ms(uint64_t ns) {
    if (!ns)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", double(ns) / 1e6);
    return buf;
}

std::string ce_percent(uint32_t ppm) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", double(ppm) / 1e4);
    return buf;
}

json health_json(const srv6s_path_health& h, bool down) {
    return {{"state", path_state(h, down)},
            {"down", down},
            {"probed", h.state != SRV6S_HEALTH_UNKNOWN},
            {"targets", h.targets},
            {"sent", h.sent},
            {"replies", h.replies},
            {"lost", h.lost},
            {"rtt_last_ns", h.rtt_last_ns},
            {"rtt_min_ns", h.rtt_min_ns},
            {"rtt_avg_ns", h.rtt_avg_ns},
            {"transitions", h.transitions},
            {"since_ns", h.since_ns},
            {"rx_ce_packets", h.rx_ce_packets},
            {"rx_packets", h.rx_packets},
            {"ce_ppm", h.ce_ppm},
            {"congestion", h.congestion},
            {"updated_ns", h.updated_ns}};
}

int cmd_stats(const Common& c) {
    const auto s = open_state(c);
    const Stats st = s.stats();
    const auto health = [&](size_t i) { return i < st.health.size() ? st.health[i] : srv6s_path_health{}; };
    const auto down = [&](size_t i) { return i < st.down.size() && st.down[i]; };
    if (c.json) {
        json j{{"interface", s.ifname()}, {"reasons", json::object()}, {"paths", json::array()}};
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            j["reasons"][reason_name(r)] = counter_json(st.reasons[r]);
        for (size_t i = 0; i < st.paths.size(); i++) {
            json p = counter_json(st.paths[i].second);
            p["id"] = st.paths[i].first;
            p["health"] = health_json(health(i), down(i));
            j["paths"].push_back(p);
        }
        print(j);
        return kOk;
    }
    Table reasons{"Packets by reason on " + s.ifname(), {"Reason", "Packets", "Bytes"}, {}, ""};
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
        reasons.add({reason_name(r), std::to_string(st.reasons[r].packets), std::to_string(st.reasons[r].bytes)});
    print(reasons);
    std::cout << "\n";
    Table paths{"Packets and health by path on " + s.ifname() + " (RTT in ms)",
                {"Path", "Packets", "Bytes", "State", "RTT last", "min", "avg", "Sent", "Lost", "CE", "CE %",
                 "Congestion"},
                {},
                "No paths on " + s.ifname()};
    for (size_t i = 0; i < st.paths.size(); i++) {
        const auto& [id, cnt] = st.paths[i];
        const srv6s_path_health h = health(i);
        paths.add({std::to_string(id), std::to_string(cnt.packets), std::to_string(cnt.bytes), path_state(h, down(i)),
                   ms(h.rtt_last_ns), ms(h.rtt_min_ns), ms(h.rtt_avg_ns), std::to_string(h.sent),
                   std::to_string(h.lost), std::to_string(h.rx_ce_packets), ce_percent(h.ce_ppm),
                   h.congestion ? text::cat({std::to_string(h.congestion), "/16"}) : std::string("-")});
    }
    print(paths);
    return kOk;
}

// State of dead attachments (any network namespace), then stale pins on -d
// DEV or on every interface srv6steer is attached to.
int cmd_gc(const Common& c) {
    for (const auto& dir : Steering::remove_dead(c.bpffs))
        std::cout << "removed the state of a dead attachment: " << dir << "\n";
    const auto devs = c.dev ? std::vector<std::string>{*c.dev} : Steering::attached(c.bpffs);
    if (devs.empty())
        std::cout << "srv6steer is not attached to any interface: no pins to collect\n";
    for (const auto& dev : devs) {
        auto s = open_state(dev, c);
        const size_t n = s.gc();
        std::cout << "removed " << n << " stale pin" << (n == 1 ? "" : "s") << " from " << dev << "\n";
    }
    return kOk;
}

struct FlowletsCmd : Common {
    std::optional<uint32_t> gap_us;
};

// Shows, or sets, the flowlet gap (docs/design.md §17).
int cmd_flowlets(const FlowletsCmd& c) {
    auto s = open_state(c);
    if (c.gap_us)
        s.set_flowlet_gap(std::chrono::microseconds(*c.gap_us));
    const auto gap = s.flowlet_gap();
    if (c.json) {
        print(json{{"interface", s.ifname()}, {"flowlet_gap_us", gap.count()}});
        return kOk;
    }
    if (gap.count() == 0)
        std::cout << "flowlets on " << s.ifname() << ": off (a flow of a path set takes its path packet by packet)\n";
    else
        std::cout << "flowlets on " << s.ifname() << ": a flow of a path set changes path only after " << gap.count()
                  << " us without a packet\n";
    return kOk;
}

}  // namespace

std::vector<Command> status_commands() {
    return {
        command<StatusCmd>("status", "[DEV]", "what srv6steer is attached to, and whether it steers", kJson,
                           {text("[DEV]", &StatusCmd::ifname)},
                           {flag("v,verbose", "add config flags, route MTUs and non-zero reason counters",
                                 &StatusCmd::verbose),
                            flag("check",
                                 "exit 1 unless attached (to DEV) and steering, and the receive side, if attached, "
                                 "decapsulating (for probes)",
                                 &StatusCmd::check)},
                           cmd_status),
        command<Common>("stats", "", "packets by reason and by path, and each path's health (probes)", kDev | kJson, {}, {}, cmd_stats),
        command<FlowletsCmd>("flowlets", "[US]",
                             "show, or set, how long a flow of a path set must be idle before it changes path "
                             "(microseconds, 0: off)",
                             kDev | kJson, {number("[US]", &FlowletsCmd::gap_us, 0, 1'000'000)}, {}, cmd_flowlets),
        command<Common>("gc", "",
                        "remove the state of dead attachments, and pins whose owner process is gone", kDev, {},
                        {}, cmd_gc),
    };
}

}  // namespace srv6steer::cli

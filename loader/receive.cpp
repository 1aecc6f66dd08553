// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side on the command line: `receive attach|detach|status|stats|
// config` (the host's own SRv6 decapsulation) and `sid add|del|list` (its
// local SIDs); and its part of `status`.
#include <cerrno>
#include <iostream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

Receive open_receive(const Common& c) {
    try {
        return Receive::open(c.bpffs);
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            rethrow_with(e, "attach it first: srv6steer receive attach DEV");
        throw;
    }
}

std::string mode_text(const std::string& mode) {
    return mode == "native" || mode == "generic" ? mode + " XDP" : "TC ingress, " + mode;
}

// "veth0 (generic XDP, prog 12, link 3)"
std::string attachment_text(const ReceiveAttachment& a) {
    std::string out = a.ifname + " (" + mode_text(a.mode) + ", prog " + std::to_string(a.prog_id);
    if (a.link_id)
        out += ", link " + std::to_string(a.link_id);
    return out + ")";
}

// "none", or the value parse makes of t (its Error a usage error).
template <class F>
auto none_or(const std::string& t, F parse) -> std::optional<decltype(parse(t))> {
    if (t == "none")
        return std::nullopt;
    try {
        return parse(t);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

std::string config_text(const ReceiveConfig& c) {
    std::string out = c.enabled ? "enabled" : "DISABLED (every packet passes untouched)";
    out += c.ecn_drop ? ", ECN: outer CE over Not-ECT dropped (RFC 6040)" : ", ECN: outer CE over Not-ECT passed";
    out += c.path_stats ? ", path counters on" : ", path counters off";
    if (!c.probes)
        return out + ", probes not answered";
    out += ", probes answered on UDP port ";
    out += std::to_string(c.probe_port);
    if (c.return_block) {
        out += ", returned into ";
        out += c.return_block->str();
        out += " from ";
        out += c.reply_source ? c.reply_source->str() : "?";
    } else {
        out += ", no returns (no return block)";
    }
    return out;
}

json config_json(const ReceiveConfig& c) {
    return {{"enabled", c.enabled},
            {"ecn_drop", c.ecn_drop},
            {"path_stats", c.path_stats},
            {"probes", c.probes},
            {"probe_port", c.probe_port},
            {"reply_source", c.reply_source ? json(c.reply_source->str()) : json(nullptr)},
            {"return_block", c.return_block ? json(c.return_block->str()) : json(nullptr)}};
}

json sid_json(const LocalSid& s) {
    return {{"prefix", s.prefix.str()}, {"behavior", sid_behavior_name(s.behavior)}, {"path_stats", s.path_stats}};
}

json attachment_json(const ReceiveAttachment& a) {
    json problems = json::array();
    for (const auto& p : a.problems)
        problems.push_back({{"kind", problem_name(p.kind)}, {"detail", p.detail}});
    return {{"interface", a.ifname}, {"ifindex", a.ifindex},       {"mode", a.mode},
            {"prog_id", a.prog_id},  {"link_id", a.link_id},       {"attached", iso_time(a.attached)},
            {"healthy", a.healthy()}, {"problems", problems}};
}

std::string problems_of(const ReceiveStatus& st) {
    std::vector<std::string> parts;
    for (const auto& a : st.interfaces)
        for (const auto& p : a.problems)
            parts.push_back(a.ifname + ": " + p.detail);
    return join(parts, "; ");
}

// ---- receive attach / detach -----------------------------------------------------------

struct AttachCmd : Common {
    std::string ifname;
    RxMode mode = RxMode::Auto;
};

int cmd_attach(const AttachCmd& c) {
    const ReceiveAttachOptions o{c.ifname, c.mode, c.bpffs};
    ReceiveStatus st;
    try {
        st = Receive::attach(o).status();
    } catch (const Error& e) {
        if (e.code() == EEXIST)
            rethrow_with(e, "srv6steer receive status shows it; srv6steer receive detach " + o.ifname + " removes it");
        throw;
    }
    for (const auto& a : st.interfaces)
        if (a.ifname == o.ifname)
            std::cout << "receive program attached to " << attachment_text(a) << ", state in " << st.dir << "\n";
    if (st.n_sids == 0)
        std::cout << "no local SIDs yet: add the host's own with srv6steer sid add PREFIX BEHAVIOUR\n";
    return kOk;
}

struct DetachCmd : Common {
    std::string ifname;
};

int cmd_detach(const DetachCmd& c) {
    if (!Receive::detach(c.ifname, c.bpffs))
        throw Error("the receive program is not attached to " + c.ifname +
                    " (srv6steer receive status shows where it is)");
    std::cout << "detached the receive program from " << c.ifname << "\n";
    if (Receive::attached(c.bpffs).empty())
        std::cout << "it was the last interface: its local SIDs and counters are gone too\n";
    return kOk;
}

// ---- receive status / stats / config ---------------------------------------------------

void status_table(const ReceiveStatus& st, bool verbose) {
    Table t{"srv6steer receive side",
            {"Interface", "Mode", "Prog", "Link", "Attached", "State"},
            {},
            "the receive side is not attached to any interface"};
    for (const auto& a : st.interfaces) {
        t.add({a.ifname, a.mode, std::to_string(a.prog_id), a.link_id ? std::to_string(a.link_id) : "-",
               iso_time(a.attached), a.healthy() ? "decapsulating" : "NOT DECAPSULATING"});
        for (const auto& p : a.problems)
            t.child("not decapsulating: " + p.detail);
    }
    print(t);
    std::cout << "config: " << config_text(st.config) << "\n"
              << "local SIDs: " << st.n_sids << "/" << st.max_sids << ", sender paths counted: " << st.n_paths << "/"
              << st.max_paths << "\n";
    if (st.sid_block)
        std::cout << "SID block: " << st.sid_block->str() << " (other destinations are not ours at a glance)\n";
    if (verbose)
        std::cout << "programs: XDP " << st.xdp_prog_id << ", TC " << st.tc_prog_id << "; state in " << st.dir << "\n";
}

json status_json(const ReceiveStatus& st) {
    json ifs = json::array();
    for (const auto& a : st.interfaces)
        ifs.push_back(attachment_json(a));
    return {{"attached", true},
            {"healthy", st.healthy()},
            {"dir", st.dir},
            {"config", config_json(st.config)},
            {"sids", {{"used", st.n_sids}, {"max", st.max_sids}}},
            {"sid_block", st.sid_block ? json(st.sid_block->str()) : json(nullptr)},
            {"paths", {{"used", st.n_paths}, {"max", st.max_paths}}},
            {"xdp_prog_id", st.xdp_prog_id},
            {"tc_prog_id", st.tc_prog_id},
            {"interfaces", ifs}};
}

struct StatusCmd : Common {
    bool verbose = false;
};

int cmd_status(const StatusCmd& c) {
    if (Receive::attached(c.bpffs).empty()) {
        if (c.json)
            print(json{{"attached", false}, {"interfaces", json::array()}});
        else
            std::cout << "the receive side is not attached to any interface\n";
        return kOk;
    }
    const ReceiveStatus st = open_receive(c).status();
    if (c.json)
        print(status_json(st));
    else
        status_table(st, c.verbose);
    return kOk;
}

int cmd_stats(const Common& c) {
    const ReceiveStats st = open_receive(c).stats();
    if (c.json) {
        json j{{"reasons", json::object()}, {"paths", json::array()}};
        for (uint32_t r = 0; r < SRV6S_RX_R_MAX; r++)
            j["reasons"][rx_reason_name(r)] = counter_json(st.reasons[r]);
        for (const auto& p : st.paths)
            j["paths"].push_back({{"source", p.source.str()},
                                  {"path_id", p.path_id},
                                  {"packets", p.packets},
                                  {"bytes", p.bytes},
                                  {"ce_packets", p.ce_packets}});
        print(j);
        return kOk;
    }
    Table reasons{"Received frames by reason", {"Reason", "Packets", "Bytes"}, {}, ""};
    for (uint32_t r = 0; r < SRV6S_RX_R_MAX; r++)
        reasons.add({rx_reason_name(r), std::to_string(st.reasons[r].packets), std::to_string(st.reasons[r].bytes)});
    print(reasons);
    std::cout << "\n";
    Table paths{"Received by sender path", {"Source", "Path", "Packets", "Bytes", "CE"}, {}, "No sender paths counted"};
    for (const auto& p : st.paths)
        paths.add({p.source.str(), std::to_string(p.path_id), std::to_string(p.packets), std::to_string(p.bytes),
                   std::to_string(p.ce_packets)});
    print(paths);
    return kOk;
}

struct ConfigCmd : Common {
    bool enable = false, disable = false;
    bool ecn_drop = false, no_ecn_drop = false;
    bool path_stats = false, no_path_stats = false;
    std::optional<bool> probes;
    std::optional<uint16_t> probe_port;
    // Given (set), to an address or prefix, or to none (cleared).
    bool set_reply_source = false, set_return_block = false;
    std::optional<Ipv6> reply_source;
    std::optional<Prefix> return_block;

    void check() const {
        for (const auto& [a, b, what] : {std::tuple{enable, disable, "--enable and --disable"},
                                         std::tuple{ecn_drop, no_ecn_drop, "--ecn-drop and --no-ecn-drop"},
                                         std::tuple{path_stats, no_path_stats, "--path-stats and --no-path-stats"}})
            if (a && b)
                throw UsageError(std::string(what) + " contradict each other");
    }
};

int cmd_config(const ConfigCmd& c) {
    Receive r = open_receive(c);
    ReceiveConfig cfg;
    {
        auto lock = r.lock();  // read, change, write: one transaction
        cfg = r.config();
        const ReceiveConfig was = cfg;
        if (c.enable || c.disable)
            cfg.enabled = c.enable;
        if (c.ecn_drop || c.no_ecn_drop)
            cfg.ecn_drop = c.ecn_drop;
        if (c.path_stats || c.no_path_stats)
            cfg.path_stats = c.path_stats;
        if (c.probes)
            cfg.probes = *c.probes;
        if (c.probe_port)
            cfg.probe_port = *c.probe_port;
        if (c.set_reply_source)
            cfg.reply_source = c.reply_source;
        if (c.set_return_block)
            cfg.return_block = c.return_block;
        if (cfg != was)
            r.set_config(cfg);
    }
    if (c.json)
        print(config_json(cfg));
    else
        std::cout << "receive config: " << config_text(cfg) << "\n";
    return kOk;
}

// ---- sid add / del / list -------------------------------------------------------------

struct SidAddCmd : Common {
    LocalSid sid;
    bool replace = false;
};

int cmd_sid_add(const SidAddCmd& c) {
    Receive r = open_receive(c);
    try {
        const bool added = r.add_sid(c.sid, c.replace);
        std::cout << (added ? "added" : c.replace ? "set" : "already there:") << " local SID " << c.sid.prefix.str()
                  << " " << sid_behavior_name(c.sid.behavior) << (c.sid.path_stats ? "" : " (no path counters)")
                  << "\n";
    } catch (const Error& e) {
        if (e.code() == EEXIST)
            rethrow_with(e, "srv6steer sid add ... --replace changes it");
        throw;
    }
    return kOk;
}

struct SidDelCmd : Common {
    Prefix prefix;
};

int cmd_sid_del(const SidDelCmd& c) {
    if (!open_receive(c).remove_sid(c.prefix))
        throw Error("no local SID " + c.prefix.str() + " (srv6steer sid list shows them)", ENOENT);
    std::cout << "removed local SID " << c.prefix.str() << "\n";
    return kOk;
}

int cmd_sid_list(const Common& c) {
    const auto sids = open_receive(c).sids();
    if (c.json) {
        json j = json::array();
        for (const auto& s : sids)
            j.push_back(sid_json(s));
        print(j);
        return kOk;
    }
    Table t{"", {"SID", "Behaviour", "Path counters"}, {}, "No local SIDs (srv6steer sid add PREFIX BEHAVIOUR adds one)"};
    for (const auto& s : sids)
        t.add({s.prefix.str(), sid_behavior_name(s.behavior), s.path_stats ? "yes" : "no"});
    print(t);
    return kOk;
}

Prefix parse_sid_prefix(const std::string& text) {
    Prefix p = Prefix::parse(text);
    if (p.is_v4())
        throw Error("invalid SID " + text + ": a local SID is an IPv6 prefix (e.g. fcbb:0:e002:fe06::/64)");
    return p;
}

}  // namespace

// ---- in `status` ------------------------------------------------------------------------

void print_receive_status(const Common& c, bool verbose) {
    if (Receive::attached(c.bpffs).empty())
        return;
    std::cout << "\n";
    status_table(open_receive(c).status(), verbose);
}

std::string receive_problems(const Common& c) {
    if (Receive::attached(c.bpffs).empty())
        return {};
    return problems_of(open_receive(c).status());
}

std::vector<Command> receive_commands() {
    using A = AttachCmd;
    auto sid_prefix = [](SidAddCmd& s, const std::string&, const std::string& t) {
        try {
            s.sid.prefix = parse_sid_prefix(t);
        } catch (const Error& e) {
            throw UsageError(e.what());
        }
    };
    auto sid_behaviour = [](SidAddCmd& s, const std::string&, const std::string& t) {
        try {
            s.sid.behavior = parse_sid_behavior(t);
        } catch (const Error& e) {
            throw UsageError(e.what());
        }
    };
    return {
        command<A>("receive attach", "DEV", "attach the receive side (SRv6 decapsulation for local SIDs) to DEV's ingress",
                   0, {text("DEV", &A::ifname)},
                   {parsed("mode", "MODE",
                           "auto (the default: generic XDP on a veth, native XDP where the driver has it, else "
                           "generic), native, generic, or tc (TC ingress)",
                           &A::mode, parse_rx_mode)},
                   cmd_attach),
        command<DetachCmd>("receive detach", "DEV",
                           "detach the receive side from DEV (the last interface takes its SIDs and counters)", 0,
                           {text("DEV", &DetachCmd::ifname)}, {}, cmd_detach),
        command<StatusCmd>("receive status", "", "where the receive side is attached, its config and SIDs", kJson, {},
                           {flag("v,verbose", "add the program ids and the state directory", &StatusCmd::verbose)},
                           cmd_status),
        command<Common>("receive stats", "", "received frames by reason and by sender path", kJson, {}, {}, cmd_stats),
        command<ConfigCmd>(
            "receive config", "", "show or change the receive side's config", kJson, {},
            {flag("enable", "decapsulate (the default)", &ConfigCmd::enable),
             flag("disable", "pass every packet untouched", &ConfigCmd::disable),
             flag("ecn-drop", "drop outer CE over inner Not-ECT, as RFC 6040 says (the default)", &ConfigCmd::ecn_drop),
             flag("no-ecn-drop", "decapsulate outer CE over inner Not-ECT, inner unchanged", &ConfigCmd::no_ecn_drop),
             flag("path-stats", "count per sender path (the default)", &ConfigCmd::path_stats),
             flag("no-path-stats", "do not count per sender path", &ConfigCmd::no_path_stats),
             {"probes", "on|off", "answer path probes (UDP, docs/design.md §15); off by default",
              [](ConfigCmd& s, const std::string& label, const std::string& t) {
                  if (t != "on" && t != "off")
                      throw UsageError(label + ": on or off, not " + t);
                  s.probes = t == "on";
              }},
             number("probe-port", "PORT", "the UDP port probes come to (default 6635)", &ConfigCmd::probe_port, 1,
                    65535),
             {"reply-source", "ADDR|none",
              "this host's IPv6 address returned probe replies come from (needed with --return-block)",
              [](ConfigCmd& s, const std::string&, const std::string& t) {
                  s.set_reply_source = true;
                  s.reply_source = none_or(t, [](const std::string& v) { return Ipv6::parse(v); });
              }},
             {"return-block", "PREFIX|none",
              "answer requests to return the reply encapsulated only for return containers in PREFIX (at "
              "most /64; none: refuse them all, the default)",
              [](ConfigCmd& s, const std::string&, const std::string& t) {
                  s.set_return_block = true;
                  s.return_block = none_or(t, [](const std::string& v) { return Prefix::parse(v); });
              }}},
            cmd_config),
        command<SidAddCmd>(
            "sid add", "PREFIX BEHAVIOUR",
            "add a local SID: the receive side decapsulates what is sent to PREFIX (udt6, udt4, udt46)", 0,
            {{"PREFIX", nullptr, "", sid_prefix}, {"BEHAVIOUR", nullptr, "", sid_behaviour}},
            {flag("replace", "change a SID that is there with another behaviour", &SidAddCmd::replace),
             {"no-path-stats", nullptr, "do not count this SID's packets per sender path",
              [](SidAddCmd& s, const std::string&, const std::string&) { s.sid.path_stats = false; }}},
            cmd_sid_add),
        command<SidDelCmd>("sid del", "PREFIX", "remove a local SID", 0,
                           {parsed("PREFIX", &SidDelCmd::prefix, parse_sid_prefix)}, {}, cmd_sid_del),
        command<Common>("sid list", "", "list the local SIDs", kJson, {}, {}, cmd_sid_list),
    };
}

}  // namespace srv6steer::cli

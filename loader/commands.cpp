// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// One function per subcommand, and the table that names them.
#include <sys/stat.h>
#include <net/if.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iostream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

// ---- small helpers ----------------------------------------------------------------

std::string iso_time(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string used_of(size_t used, uint32_t max) { return std::to_string(used) + "/" + std::to_string(max); }

json used_max(size_t used, uint32_t max) { return {{"used", used}, {"max", max}}; }

json counter_json(const Counter& c) { return {{"packets", c.packets}, {"bytes", c.bytes}}; }

std::string counter_text(const Counter& c) {
    return std::to_string(c.packets) + (c.packets == 1 ? " packet, " : " packets, ") + std::to_string(c.bytes) +
           (c.bytes == 1 ? " byte" : " bytes");
}

void target_json(json& j, Target t) { j[t.kind == Target::Kind::Path ? "path" : "set"] = t.id; }

std::string owner_text(const Owner& o) {
    if (o.pid == 0)
        return "-";
    return "pid " + std::to_string(o.pid) + (o.cgroup ? " cgroup " + std::to_string(o.cgroup) : "");
}

// --path ID or --set ID, exactly one.
Target target(const Ctx& c) {
    auto path = c.number<uint32_t>("path");
    auto set = c.number<uint32_t>("set");
    if (bool(path) == bool(set))
        throw UsageError("give the target as --path ID or as --set ID");
    return path ? Target::path(*path) : Target::set(*set);
}

PinOptions pin_options(const Ctx& c) {
    PinOptions o;
    o.replace = c.flag("replace");
    // The CLI exits at once: pins it makes belong to nobody unless a process is named.
    o.owner = Owner::none();
    if (auto pid = c.number<uint32_t>("owner-pid")) {
        struct stat st {};
        if (stat(("/proc/" + std::to_string(*pid)).c_str(), &st) != 0)
            throw Error("no process with pid " + std::to_string(*pid) + " (--owner-pid)");
        o.owner.pid = *pid;
    }
    return o;
}

template <class K>
json pin_json(const Pinned<K>& p) {
    json j{{PinKind<K>::name, p.key.str()}};
    target_json(j, p.target);
    j["owner_pid"] = p.info.owner.pid;
    j["owner_cgroup"] = p.info.owner.cgroup;
    j["created"] = iso_time(p.info.created);
    j["packets"] = p.info.packets;
    j["bytes"] = p.info.bytes;
    return j;
}

template <class K>
int list_pins(const Ctx& c, const std::string& what, const std::string& column) {
    const auto s = c.open();
    const auto pins = PinKind<K>::list(s);
    if (c.json) {
        json j = json::array();
        for (const auto& p : pins)
            j.push_back(pin_json(p));
        print(j);
        return kOk;
    }
    std::string title = what + " pinned on " + s.ifname();
    title[0] = static_cast<char>(std::toupper(title[0]));
    Table t{title, {column, "Target", "Owner", "Created", "Packets", "Bytes"}, {}, "No " + what + " pinned on " + s.ifname()};
    for (const auto& p : pins)
        t.add({p.key.str(), p.target.str(), owner_text(p.info.owner), iso_time(p.info.created),
               std::to_string(p.info.packets), std::to_string(p.info.bytes)});
    print(t);
    return kOk;
}

template <class K>
int pin_key(const Ctx& c, const K& key) {
    const Target t = target(c);
    const PinOptions o = pin_options(c);
    auto s = c.open();
    s.pin(key, t, o);
    std::cout << "pinned " << PinKind<K>::name << " " << key.str() << " to " << t.str() << " on " << s.ifname()
              << "\n";
    return kOk;
}

template <class K>
int unpin_key(const Ctx& c, const K& key) {
    auto s = c.open();
    if (!s.unpin(key))
        throw Error(std::string(PinKind<K>::name) + " " + key.str() + " is not pinned on " + s.ifname() +
                    " (srv6steer list)");
    std::cout << "unpinned " << PinKind<K>::name << " " << key.str() << " on " << s.ifname() << "\n";
    return kOk;
}

Flow flow_arg(const Ctx& c) {
    return parse_value([&] {
        return Flow::parse(c.args[0] + " " + c.args[1] + " " + c.args[2] + " " + c.args[3] + " " + c.args[4]);
    });
}
Qp qp_arg(const Ctx& c) { return {parse_value([&] { return Ipv6::parse_any(c.args[0]); }), c.arg_number<uint32_t>(1)}; }
Prefix prefix_arg(const Ctx& c) { return parse_value([&] { return Prefix::parse(c.args[0]); }); }

// ---- attach, detach, status, stats, gc ------------------------------------------------

int cmd_attach(const Ctx& c) {
    const auto st = Steering::attach(attach_options(c, c.args[0])).status();
    std::cout << "attached to " << st.ifname << " (" << st.attach_mode << ", prog " << st.prog_id;
    if (st.link_id)
        std::cout << ", link " << st.link_id;
    std::cout << "), state in " << st.pin_dir << "\n";
    return kOk;
}

int cmd_detach(const Ctx& c) {
    if (!Steering::detach(c.args[0], c.bpffs))
        throw Error("srv6steer is not attached to " + c.args[0]);
    std::cout << "detached from " << c.args[0] << "\n";
    return kOk;
}

std::vector<std::string> config_flags(const srv6s_config& cfg) {
    std::vector<std::string> out;
    const std::pair<uint32_t, const char*> names[] = {
        {SRV6S_CFG_ENABLED, "enabled"},     {SRV6S_CFG_FIXED_GSO, "fixed_gso"},
        {SRV6S_CFG_DROP_OVERSIZE, "drop_oversize"}, {SRV6S_CFG_NO_FLOWS, "no_flows"},
        {SRV6S_CFG_NO_QPS, "no_qps"},       {SRV6S_CFG_NO_PREFIXES, "no_prefixes"}};
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

json status_json(const Status& st, const Stats& stats, bool verbose) {
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
           {"steered", counter_json(stats.reasons[SRV6S_R_STEERED])}};
    if (verbose) {
        j["pin_dir"] = st.pin_dir;
        j["hop_limit"] = st.config.hop_limit;
        j["flags"] = config_flags(st.config);
        j["routes"] = st.owned_routes;
        j["reasons"] = json::object();
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            if (stats.reasons[r].packets)
                j["reasons"][reason_name(r)] = counter_json(stats.reasons[r]);
    }
    return j;
}

void status_rows(Table& t, const Status& st, const Stats& stats, bool verbose) {
    t.add({st.ifname, st.attach_mode, std::to_string(st.prog_id), st.link_id ? std::to_string(st.link_id) : "-",
           source_of(st.config).str(), std::to_string(st.config.mtu), std::to_string(st.n_paths),
           std::to_string(st.n_sets), used_of(st.n_flows, st.max_flows), used_of(st.n_qps, st.max_qps),
           used_of(st.n_prefixes, st.max_prefixes), std::to_string(stats.reasons[SRV6S_R_STEERED].packets)});
    if (!verbose)
        return;
    std::string flags;
    for (const auto& f : config_flags(st.config))
        flags += (flags.empty() ? "" : ",") + f;
    t.child("config " + flags + ", hop limit " + std::to_string(st.config.hop_limit) + ", state in " + st.pin_dir);
    for (const auto& r : st.owned_routes)
        t.child("route " + r);
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
        if (stats.reasons[r].packets)
            t.child(std::string(reason_name(r)) + ": " + counter_text(stats.reasons[r]));
}

int cmd_status(const Ctx& c) {
    const bool verbose = c.flag("verbose");
    std::vector<std::string> devs;
    if (c.args.empty()) {
        devs = Steering::attached(c.bpffs);
    } else {
        const std::string& dev = c.args[0];
        if (if_nametoindex(dev.c_str()) == 0)
            throw Error("no interface named " + dev);
        const auto all = Steering::attached(c.bpffs);
        if (std::find(all.begin(), all.end(), dev) != all.end())
            devs.push_back(dev);
    }
    json j = json::array();
    Table t{"srv6steer status",
            {"Interface", "Mode", "Prog", "Link", "Source", "MTU", "Paths", "Sets", "Flows", "QPs", "Prefixes",
             "Steered"},
            {},
            c.args.empty() ? "srv6steer is not attached to any interface"
                           : "srv6steer is not attached to " + c.args[0]};
    for (const auto& dev : devs) {
        const auto s = Steering::open(dev, c.bpffs);
        const auto st = s.status();
        const auto stats = s.stats();
        if (c.json)
            j.push_back(status_json(st, stats, verbose));
        else
            status_rows(t, st, stats, verbose);
    }
    if (c.json)
        print(j);
    else
        print(t);
    return kOk;
}

int cmd_stats(const Ctx& c) {
    const auto s = c.open();
    const Stats st = s.stats();
    if (c.json) {
        json j{{"interface", s.ifname()}, {"reasons", json::object()}, {"paths", json::array()}};
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            j["reasons"][reason_name(r)] = counter_json(st.reasons[r]);
        for (const auto& [id, cnt] : st.paths) {
            json p = counter_json(cnt);
            p["id"] = id;
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
    Table paths{"Packets by path on " + s.ifname(), {"Path", "Packets", "Bytes"}, {}, "No paths on " + s.ifname()};
    for (const auto& [id, cnt] : st.paths)
        paths.add({std::to_string(id), std::to_string(cnt.packets), std::to_string(cnt.bytes)});
    print(paths);
    return kOk;
}

int cmd_gc(const Ctx& c) {
    auto s = c.open();
    const size_t n = s.gc();
    std::cout << "removed " << n << " stale pin" << (n == 1 ? "" : "s") << " from " << s.ifname() << "\n";
    return kOk;
}

// ---- paths and sets ---------------------------------------------------------------------

int cmd_path_add(const Ctx& c) {
    const auto usids = c.text("usids"), segs = c.text("segs"), block = c.text("block");
    if (bool(usids) == bool(segs))
        throw UsageError("give the path as --usids LIST --block PREFIX or as --segs ADDR[,ADDR...]");
    if (usids && !block)
        throw UsageError("--usids needs --block PREFIX (the uSID block, e.g. fcbb:0::/32)");
    if (segs && block)
        throw UsageError("--block goes with --usids, not with --segs");
    const SrhMode mode = c.flag("full-srh") ? SrhMode::Full : SrhMode::Reduced;
    const uint32_t id = c.arg_number<uint32_t>(0);
    Path p;
    if (usids) {
        const Block b = parse_value([&] { return Block::parse(*block); });
        const auto list = parse_value([&] { return parse_usids(*usids); });
        p = Path::from_usids(id, b, list, mode);  // too many uSIDs: a library Error
    } else {
        p.id = id;
        p.mode = mode;
        std::string_view rest = *segs;
        while (true) {
            const auto comma = rest.find(',');
            const auto one = rest.substr(0, comma);
            p.segments.push_back(parse_value([&] { return Ipv6::parse(one); }));
            if (comma == std::string_view::npos)
                break;
            rest.remove_prefix(comma + 1);
        }
    }
    p.down = c.flag("down");
    auto s = c.open();
    s.add_path(p);
    std::cout << "path " << id << " on " << s.ifname() << ": " << path_text(p) << "\n";
    return kOk;
}

int cmd_path_del(const Ctx& c) {
    auto s = c.open();
    s.remove_path(c.arg_number<uint32_t>(0));
    std::cout << "removed path " << c.args[0] << " from " << s.ifname() << "\n";
    return kOk;
}

int path_state(const Ctx& c, bool down) {
    auto s = c.open();
    s.set_path_down(c.arg_number<uint32_t>(0), down);
    std::cout << "path " << c.args[0] << " on " << s.ifname() << " is " << (down ? "down" : "up") << "\n";
    return kOk;
}
int cmd_path_up(const Ctx& c) { return path_state(c, false); }
int cmd_path_down(const Ctx& c) { return path_state(c, true); }

int cmd_path_list(const Ctx& c) {
    const auto s = c.open();
    const auto paths = s.paths();
    if (c.json) {
        json j = json::array();
        for (const auto& p : paths) {
            json segs = json::array();
            for (const auto& a : p.segments)
                segs.push_back(a.str());
            j.push_back({{"id", p.id},
                         {"segments", segs},
                         {"srh", p.mode == SrhMode::Full ? "full" : "reduced"},
                         {"down", p.down}});
        }
        print(j);
        return kOk;
    }
    Table t{"Paths on " + s.ifname(), {"Path", "State", "SRH", "Segments"}, {}, "No paths on " + s.ifname()};
    for (const auto& p : paths) {
        std::string segs;
        for (const auto& a : p.segments)
            segs += (segs.empty() ? "" : ",") + a.str();
        t.add({std::to_string(p.id), p.down ? "down" : "up", p.mode == SrhMode::Full ? "full" : "reduced", segs});
    }
    print(t);
    return kOk;
}

int cmd_set_add(const Ctx& c) {
    PathSet set{c.arg_number<uint32_t>(0), {}};
    for (size_t i = 1; i < c.args.size(); i++)
        set.paths.push_back(c.arg_number<uint32_t>(i));
    auto s = c.open();
    s.define_set(set);
    std::cout << "set " << set.id << " on " << s.ifname() << ": paths " << join_ids(set.paths) << "\n";
    return kOk;
}

int cmd_set_del(const Ctx& c) {
    auto s = c.open();
    s.remove_set(c.arg_number<uint32_t>(0));
    std::cout << "removed set " << c.args[0] << " from " << s.ifname() << "\n";
    return kOk;
}

int cmd_set_list(const Ctx& c) {
    const auto s = c.open();
    const auto sets = s.sets();
    if (c.json) {
        json j = json::array();
        for (const auto& set : sets)
            j.push_back({{"id", set.id}, {"paths", set.paths}});
        print(j);
        return kOk;
    }
    Table t{"Path sets on " + s.ifname(), {"Set", "Paths"}, {}, "No path sets on " + s.ifname()};
    for (const auto& set : sets)
        t.add({std::to_string(set.id), join_ids(set.paths)});
    print(t);
    return kOk;
}

// ---- pins ---------------------------------------------------------------------------

int cmd_pin_flow(const Ctx& c) { return pin_key(c, flow_arg(c)); }
int cmd_pin_qp(const Ctx& c) { return pin_key(c, qp_arg(c)); }
int cmd_pin_prefix(const Ctx& c) { return pin_key(c, prefix_arg(c)); }
int cmd_unpin_flow(const Ctx& c) { return unpin_key(c, flow_arg(c)); }
int cmd_unpin_qp(const Ctx& c) { return unpin_key(c, qp_arg(c)); }
int cmd_unpin_prefix(const Ctx& c) { return unpin_key(c, prefix_arg(c)); }
int cmd_list_flows(const Ctx& c) { return list_pins<Flow>(c, "flows", "Flow"); }
int cmd_list_qps(const Ctx& c) { return list_pins<Qp>(c, "queue pairs", "QP"); }
int cmd_list_prefixes(const Ctx& c) { return list_pins<Prefix>(c, "prefixes", "Prefix"); }

int cmd_apply(const Ctx& c) {
    const auto file = c.text("file");
    if (!file)
        throw UsageError("missing -f FILE");
    const auto dev = c.text("dev") ? c.text("dev") : config_interface(*file);  // -d, else the file's "interface"
    auto s = dev ? Steering::open(*dev, c.bpffs) : c.open();
    apply_file(s, *file, c.flag("dry-run"));
    return kOk;
}

// ---- the table -------------------------------------------------------------------------

constexpr uint64_t kMaxPathId = SRV6S_MAX_PATHS - 1;
constexpr uint64_t kMaxSetId = kMaxUserSets - 1;
constexpr uint64_t kMaxPid = 4194304;  // PID_MAX_LIMIT
constexpr uint64_t kMaxMapSize = 1u << 24;

const Opt kPathId{"ID", nullptr, "", 0, kMaxPathId};
const Opt kSetId{"ID", nullptr, "", 0, kMaxSetId};
const std::vector<Opt> kFlowArgs{{"PROTO", nullptr, ""}, {"SRC", nullptr, ""}, {"SPORT", nullptr, "", 0, 65535},
                                 {"DST", nullptr, ""},   {"DPORT", nullptr, "", 0, 65535}};
const std::vector<Opt> kQpArgs{{"DST", nullptr, ""}, {"QP", nullptr, "", 0, SRV6S_QP_MASK}};
const std::vector<Opt> kPrefixArgs{{"PREFIX", nullptr, ""}};
// attach's options; agent takes them too, for when it attaches.
const std::vector<Opt> kAttachOpts{
    {"src", "ADDR", "outer IPv6 source (default: DEV's first global IPv6 address)"},
    {"hop-limit", "N", "outer hop limit (default 64)", 1, 255},
    {"mtu", "N", "L3 MTU to check against (default: DEV's MTU)", 1280, 65535},
    {"no-fixed-gso", nullptr, "let the kernel shrink GSO segments by the encapsulation"},
    {"no-route-mtu", nullptr, "do not set route MTUs towards steered destinations"},
    {"drop-oversize", nullptr, "drop what would not fit once encapsulated (default: send it as is)"},
    {"max-flows", "N", "size of the flow pin map", 1, kMaxMapSize},
    {"max-qps", "N", "size of the queue pair pin map", 1, kMaxMapSize},
    {"max-prefixes", "N", "size of the prefix pin map", 1, kMaxMapSize}};

std::vector<Opt> agent_opts() {
    std::vector<Opt> o{
        {"c,config", "FILE", "the apply file to keep applied"},
        {"d,dev", "DEV", "the interface (default: the file's \"interface\")"},
        {"interval", "SECONDS", "re-read FILE and collect stale pins every SECONDS (default 10)", 1, 86400},
        {"detach-on-exit", nullptr, "detach from DEV on SIGTERM/SIGINT (default: steering stays)"},
        {"once", nullptr, "attach if needed, apply FILE, collect stale pins, and exit"},
        {"check", nullptr, "only validate FILE (on an unattached data plane), change nothing, and exit"}};
    o.insert(o.end(), kAttachOpts.begin(), kAttachOpts.end());
    return o;
}

const std::vector<Opt> kPinOpts{
    {"path", "ID", "pin to this path", 0, kMaxPathId},
    {"set", "ID", "pin to this path set", 0, kMaxSetId},
    {"replace", nullptr, "re-pin a key already pinned to another target"},
    {"owner-pid", "PID", "the pin belongs to this process: gc removes it when the process is gone (default: nobody)",
     1, kMaxPid}};

}  // namespace

AttachOptions attach_options(const Ctx& c, const std::string& ifname) {
    AttachOptions o;
    o.ifname = ifname;
    o.bpffs = c.bpffs;
    if (auto src = c.text("src"))
        o.source = parse_value([&] { return Ipv6::parse(*src); });
    o.hop_limit = c.number<uint8_t>("hop-limit").value_or(o.hop_limit);
    o.mtu = c.number<uint32_t>("mtu").value_or(o.mtu);
    o.fixed_gso = !c.flag("no-fixed-gso");
    o.route_mtu = !c.flag("no-route-mtu");
    o.drop_oversize = c.flag("drop-oversize");
    o.max_flows = c.number<uint32_t>("max-flows").value_or(o.max_flows);
    o.max_qps = c.number<uint32_t>("max-qps").value_or(o.max_qps);
    o.max_prefixes = c.number<uint32_t>("max-prefixes").value_or(o.max_prefixes);
    return o;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table{
        {"attach", "DEV", "load the data plane and attach it to TC egress of DEV",
         {{"DEV", nullptr, ""}}, kAttachOpts, 0, cmd_attach},
        {"detach", "DEV", "detach from DEV and remove its pins and route MTUs", {{"DEV", nullptr, ""}}, {}, 0,
         cmd_detach},
        {"status", "[DEV]", "what srv6steer is attached to, at a glance", {{"[DEV]", nullptr, ""}}, {{"v,verbose", nullptr,
         "add config flags, route MTUs and non-zero reason counters"}}, kJson, cmd_status},
        {"stats", "", "packets by reason and by path", {}, {}, kDev | kJson, cmd_stats},
        {"gc", "", "remove pins whose owner process is gone", {}, {}, kDev, cmd_gc},
        {"path add", "ID (--usids LIST --block PREFIX | --segs ADDR[,ADDR...])", "add a path",
         {kPathId},
         {{"usids", "LIST", "uSIDs in path order, e.g. 1004,1001,1006,fe06"},
          {"block", "PREFIX", "uSID block of --usids, e.g. fcbb:0::/32"},
          {"segs", "ADDR[,ADDR...]", "segments (SIDs or uSID containers) in path order"},
          {"full-srh", nullptr, "every segment in the SRH (H.Encaps), not only the rest (H.Encaps.Red)"},
          {"down", nullptr, "add it marked down"}},
         kDev, cmd_path_add},
        {"path del", "ID", "remove a path nothing uses", {kPathId}, {}, kDev, cmd_path_del},
        {"path up", "ID", "mark a path up", {kPathId}, {}, kDev, cmd_path_up},
        {"path down", "ID", "mark a path down (path sets skip it)", {kPathId}, {}, kDev, cmd_path_down},
        {"path list", "", "list paths", {}, {}, kDev | kJson, cmd_path_list},
        {"set add", "ID PATH_ID...", "define (or change) a path set", {kSetId, {"PATH_ID...", nullptr, "", 0,
         kMaxPathId}}, {}, kDev, cmd_set_add},
        {"set del", "ID", "remove a path set no pin uses", {kSetId}, {}, kDev, cmd_set_del},
        {"set list", "", "list path sets", {}, {}, kDev | kJson, cmd_set_list},
        {"pin flow", "PROTO SRC SPORT DST DPORT (--path ID | --set ID)", "pin a flow (5-tuple)", kFlowArgs,
         kPinOpts, kDev, cmd_pin_flow},
        {"pin qp", "DST QP (--path ID | --set ID)", "pin a RoCEv2 destination queue pair", kQpArgs, kPinOpts,
         kDev, cmd_pin_qp},
        {"pin prefix", "PREFIX (--path ID | --set ID)", "pin a destination prefix", kPrefixArgs, kPinOpts, kDev,
         cmd_pin_prefix},
        {"unpin flow", "PROTO SRC SPORT DST DPORT", "remove a flow pin", kFlowArgs, {}, kDev, cmd_unpin_flow},
        {"unpin qp", "DST QP", "remove a queue pair pin", kQpArgs, {}, kDev, cmd_unpin_qp},
        {"unpin prefix", "PREFIX", "remove a prefix pin", kPrefixArgs, {}, kDev, cmd_unpin_prefix},
        {"list flows", "", "list flow pins", {}, {}, kDev | kJson, cmd_list_flows},
        {"list qps", "", "list queue pair pins", {}, {}, kDev | kJson, cmd_list_qps},
        {"list prefixes", "", "list prefix pins", {}, {}, kDev | kJson, cmd_list_prefixes},
        {"apply", "-f FILE", "make DEV's paths, sets and pins what FILE says (see loader/README.md)", {},
         {{"f,file", "FILE", "the JSON file"}, {"dry-run", nullptr, "print the changes, make none"}}, kDev,
         cmd_apply},
        {"agent", "--config FILE", "keep DEV attached and steered as FILE says: re-apply on change, gc (DaemonSet)",
         {}, agent_opts(), 0, cmd_agent},
    };
    return table;
}

std::string path_text(const Path& p) {
    std::string out;
    for (const auto& a : p.segments)
        out += (out.empty() ? "" : ",") + a.str();
    if (p.mode == SrhMode::Full)
        out += " full-srh";
    if (p.down)
        out += " down";
    return out;
}

std::string join_ids(const std::vector<uint32_t>& ids) {
    std::string out;
    for (uint32_t id : ids)
        out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
}

}  // namespace srv6steer::cli

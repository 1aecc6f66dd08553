// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Paths, path sets and pins (flows, queue pairs, prefixes, cgroups), one
// command each, and the lists of them; and how every list shows a pin.
// Socket pins are sockets.cpp.
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cgroupfs.hpp"
#include "cli.hpp"

namespace srv6steer::cli {

// ---- how a pin is shown, and what a pin command takes (cli.hpp) ---------------------------

std::string iso_time(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {
std::string owner_text(const Owner& o) {
    if (o.pid == 0)
        return "-";
    return "pid " + std::to_string(o.pid) + (o.cgroup ? " cgroup " + std::to_string(o.cgroup) : "");
}
}  // namespace

std::vector<std::string> pin_cells(std::vector<std::string> key, Target t, const PinInfo& i) {
    // A probe's pin follows its path while down: say so beside the target.
    for (std::string cell : {i.ignore_down ? t.str() + " ignore-down" : t.str(), owner_text(i.owner),
                             iso_time(i.created), std::to_string(i.packets), std::to_string(i.bytes)})
        key.push_back(std::move(cell));
    return key;
}

json pin_fields(json j, Target t, const PinInfo& i) {
    j[t.kind == Target::Kind::Path ? "path" : "set"] = t.id;
    j["owner_pid"] = i.owner.pid;
    j["owner_cgroup"] = i.owner.cgroup;
    j["created"] = iso_time(i.created);
    j["packets"] = i.packets;
    j["bytes"] = i.bytes;
    if (i.ignore_down)
        j["ignore_down"] = true;
    return j;
}

namespace {

// ---- cgroups ------------------------------------------------------------------------------

// Where a cgroup is (its directory under the cgroup2 mount), "" if it is gone.
std::string cgroup_path(const Cgroup& c) {
    namespace fs = std::filesystem;
    const std::string root = cgroupfs::mount_point().value_or("");
    std::error_code ec;
    struct stat st {};
    if (root.empty() || stat(root.c_str(), &st) != 0)
        return {};
    if (st.st_ino == c.id)
        return root;
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec) && stat(it->path().c_str(), &st) == 0 && st.st_ino == c.id)
            return it->path();
    return {};
}

// A key as a list shows it: a cgroup by its path when it still has one.
template <class K>
std::string shown(const K& key) {
    return key.str();
}
std::string shown(const Cgroup& c) {
    const std::string path = cgroup_path(c);
    return path.empty() ? c.str() + " (gone)" : path;
}

// "ADDR,ADDR,..."
std::vector<Ipv6> segment_list(std::string_view text) {
    std::vector<Ipv6> out;
    while (true) {
        const auto comma = text.find(',');
        out.push_back(Ipv6::parse(text.substr(0, comma)));
        if (comma == std::string_view::npos)
            return out;
        text.remove_prefix(comma + 1);
    }
}

// ---- paths --------------------------------------------------------------------------------

struct PathAddCmd : Common {
    uint32_t id = 0;
    std::optional<std::vector<uint16_t>> usids;
    std::optional<Block> block;
    std::optional<std::vector<Ipv6>> segs;
    bool full_srh = false;
    bool down = false;
    std::optional<Target> fallback;

    void check() const {
        if (bool(usids) == bool(segs))
            throw UsageError("give the path as --usids LIST --block PREFIX or as --segs ADDR[,ADDR...]");
        if (usids && !block)
            throw UsageError("--usids needs --block PREFIX (the uSID block, e.g. fcbb:0::/32)");
        if (segs && block)
            throw UsageError("--block goes with --usids, not with --segs");
    }
};

int cmd_path_add(const PathAddCmd& c) {
    const SrhMode mode = c.full_srh ? SrhMode::Full : SrhMode::Reduced;
    Path p;
    if (c.usids) {
        p = Path::from_usids(c.id, *c.block, *c.usids, mode);  // too many uSIDs: a library Error
    } else {
        p.id = c.id;
        p.mode = mode;
        p.segments = *c.segs;
    }
    p.down = c.down;
    p.fallback = c.fallback;
    auto s = open_state(c);
    s.add_path(p);
    std::cout << "path " << c.id << " on " << s.ifname() << ": " << path_text(p) << "\n";
    return kOk;
}

struct IdCmd : Common {
    uint32_t id = 0;
};

// What uses a path or a set, when the library says something does.
[[noreturn]] void remove_in_use(const Error& e, bool path) {
    if (e.code() == EBUSY)
        rethrow_with(e, path ? "srv6steer set list and srv6steer list flows|qps|prefixes show what uses it"
                             : "srv6steer list flows|qps|prefixes shows them");
    throw;
}

int cmd_path_del(const IdCmd& c) {
    auto s = open_state(c);
    try {
        s.remove_path(c.id);
    } catch (const Error& e) {
        remove_in_use(e, true);
    }
    std::cout << "removed path " << c.id << " from " << s.ifname() << "\n";
    return kOk;
}

int path_state(const IdCmd& c, bool down) {
    auto s = open_state(c);
    s.set_path_down(c.id, down);
    std::cout << "path " << c.id << " on " << s.ifname() << " is " << (down ? "down" : "up") << "\n";
    return kOk;
}
int cmd_path_up(const IdCmd& c) { return path_state(c, false); }
int cmd_path_down(const IdCmd& c) { return path_state(c, true); }

struct FallbackCmd : Common {
    uint32_t id = 0;
    std::optional<Target> fallback;  // none: plain routing
};

std::optional<Target> fallback_arg(const std::string& text) {
    if (text == "none")
        return std::nullopt;
    return Target::parse(text);
}

int cmd_path_fallback(const FallbackCmd& c) {
    auto s = open_state(c);
    try {
        s.set_path_fallback(c.id, c.fallback);
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            rethrow_with(e, "srv6steer path list and srv6steer set list show what exists");
        throw;
    }
    std::cout << "path " << c.id << " on " << s.ifname() << " falls back to "
              << (c.fallback ? target_text(*c.fallback) : "plain routing") << "\n";
    return kOk;
}

int cmd_path_list(const Common& c) {
    const auto s = open_state(c);
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
                         {"down", p.down},
                         {"fallback", p.fallback ? json(target_text(*p.fallback)) : json(nullptr)}});
        }
        print(j);
        return kOk;
    }
    Table t{"Paths on " + s.ifname(), {"Path", "State", "SRH", "Fallback", "Segments"}, {},
            "No paths on " + s.ifname()};
    for (const auto& p : paths)
        t.add({std::to_string(p.id), p.down ? "down" : "up", p.mode == SrhMode::Full ? "full" : "reduced",
               p.fallback ? target_text(*p.fallback) : "-", segments_text(p.segments)});
    print(t);
    return kOk;
}

// ---- sets ---------------------------------------------------------------------------------

struct SetAddCmd : Common {
    uint32_t id = 0;
    std::vector<uint32_t> paths;
};

int cmd_set_add(const SetAddCmd& c) {
    const PathSet set{c.id, c.paths};
    auto s = open_state(c);
    try {
        s.define_set(set);
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            rethrow_with(e, "srv6steer path add");
        throw;
    }
    std::cout << "set " << set.id << " on " << s.ifname() << ": paths " << join_ids(set.paths) << "\n";
    return kOk;
}

int cmd_set_del(const IdCmd& c) {
    auto s = open_state(c);
    try {
        s.remove_set(c.id);
    } catch (const Error& e) {
        remove_in_use(e, false);
    }
    std::cout << "removed set " << c.id << " from " << s.ifname() << "\n";
    return kOk;
}

int cmd_set_list(const Common& c) {
    const auto s = open_state(c);
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

// ---- pins ---------------------------------------------------------------------------------

}  // namespace

Target PinTarget::target() const {
    if (bool(path) == bool(set))
        throw UsageError("give the target as --path ID or as --set ID");
    return path ? Target::path(*path) : Target::set(*set);
}

PinOptions PinTarget::options() const {
    // The CLI exits at once: pins it makes belong to nobody unless a process is named.
    PinOptions o{Owner::none(), replace};
    if (owner_pid) {
        struct stat st {};
        if (stat(("/proc/" + std::to_string(*owner_pid)).c_str(), &st) != 0)
            throw Error("no process with pid " + std::to_string(*owner_pid) + " (--owner-pid)");
        o.owner.pid = *owner_pid;
    }
    return o;
}

std::vector<Opt<PinTarget>> target_options(bool owner) {
    std::vector<Opt<PinTarget>> out{number("path", "ID", "pin to this path", &PinTarget::path, 0, kMaxPathId),
                                    number("set", "ID", "pin to this path set", &PinTarget::set, 0, kMaxSetId),
                                    flag("replace", "re-pin a key already pinned to another target",
                                         &PinTarget::replace)};
    if (owner)
        out.push_back(number(
            "owner-pid", "PID",
            "the pin belongs to this process: gc removes it when the process is gone (default: nobody)",
            &PinTarget::owner_pid, 1, kMaxPid));
    return out;
}

namespace {

template <class K>
struct PinCmd : Common {
    K key{};
    PinTarget pin;
    void check() const { pin.target(); }
};

template <class K>
struct UnpinCmd : Common {
    K key{};
};

// The positionals of each kind of key, built into the key's fields.
template <class S>
std::vector<Opt<S>> key_args(Flow S::*key) {
    return within(key, std::vector<Opt<Flow>>{parsed("PROTO", &Flow::proto, parse_proto),
                                              parsed("SRC", &Flow::src, Ipv6::parse_any),
                                              number("SPORT", &Flow::sport, 0, 65535),
                                              parsed("DST", &Flow::dst, Ipv6::parse_any),
                                              number("DPORT", &Flow::dport, 0, 65535)});
}
template <class S>
std::vector<Opt<S>> key_args(Qp S::*key) {
    return within(key, std::vector<Opt<Qp>>{parsed("DST", &Qp::dst, Ipv6::parse_any),
                                            number("QP", &Qp::qp, 0, SRV6S_QP_MASK)});
}
template <class S>
std::vector<Opt<S>> key_args(Prefix S::*key) {
    return {parsed("PREFIX", key, Prefix::parse)};
}
// A cgroup path that does not exist is the system's state (exit 1); only
// text that names no cgroup at all is a usage error.
template <class S>
std::vector<Opt<S>> key_args(Cgroup S::*key) {
    return {{"CGROUP", nullptr, "", [key](S& s, const std::string&, const std::string& t) {
                 try {
                     s.*key = Cgroup::parse(t);
                 } catch (const Error& e) {
                     if (e.code() == 0)
                         throw UsageError(e.what());
                     throw;
                 }
             }}};
}

template <class K>
int cmd_pin(const PinCmd<K>& c) {
    const Target t = c.pin.target();
    const PinOptions o = c.pin.options();
    auto s = open_state(c);
    try {
        s.pin(c.key, t, o);
    } catch (const Error& e) {
        if (const std::string advice = pin_advice(e, PinKind<K>::plural, t); !advice.empty())
            rethrow_with(e, advice);
        throw;
    }
    std::cout << "pinned " << PinKind<K>::name << " " << shown(c.key) << " to " << t.str() << " on " << s.ifname()
              << "\n";
    return kOk;
}

template <class K>
int cmd_unpin(const UnpinCmd<K>& c) {
    auto s = open_state(c);
    if (!s.unpin(c.key))
        throw Error(std::string(PinKind<K>::name) + " " + c.key.str() + " is not pinned on " + s.ifname() +
                    " (srv6steer list " + PinKind<K>::plural + ")");
    std::cout << "unpinned " << PinKind<K>::name << " " << shown(c.key) << " on " << s.ifname() << "\n";
    return kOk;
}

template <class K>
json pin_json(const Pinned<K>& p) {
    json j{{PinKind<K>::name, p.key.str()}};
    if constexpr (std::is_same_v<K, Cgroup>) {  // its path while it has one: apply takes both
        if (const std::string path = cgroup_path(p.key); !path.empty())
            j[PinKind<K>::name] = path;
        j["id"] = p.key.id;
    }
    return pin_fields(j, p.target, p.info);
}

template <class K>
int list_pins(const Common& c, const std::string& what, const std::string& column) {
    const auto s = open_state(c);
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
        t.add(pin_cells({shown(p.key)}, p.target, p.info));
    print(t);
    return kOk;
}
int cmd_list_flows(const Common& c) { return list_pins<Flow>(c, "flows", "Flow"); }
int cmd_list_qps(const Common& c) { return list_pins<Qp>(c, "queue pairs", "QP"); }
int cmd_list_prefixes(const Common& c) { return list_pins<Prefix>(c, "prefixes", "Prefix"); }
int cmd_list_cgroups(const Common& c) { return list_pins<Cgroup>(c, "cgroups", "Cgroup"); }

// pin KIND and unpin KIND.
template <class K>
void add_pin_commands(std::vector<Command>& pins, std::vector<Command>& unpins, const std::string& key,
                      const std::string& what, const std::string& about) {
    using P = PinCmd<K>;
    using U = UnpinCmd<K>;
    const std::string name = PinKind<K>::name;
    pins.push_back(command<P>("pin " + name, key + " (--path ID | --set ID)", "pin " + about, kDev,
                              key_args(&P::key), within(&P::pin, target_options()), cmd_pin<K>));
    unpins.push_back(command<U>("unpin " + name, key, "remove a " + what + " pin", kDev, key_args(&U::key), {},
                                cmd_unpin<K>));
}

}  // namespace

std::vector<Command> pin_commands() {
    const Opt<IdCmd> path_id = number("ID", &IdCmd::id, 0, kMaxPathId);
    const Opt<IdCmd> set_id = number("ID", &IdCmd::id, 0, kMaxSetId);
    std::vector<Command> all{
        command<PathAddCmd>(
            "path add", "ID (--usids LIST --block PREFIX | --segs ADDR[,ADDR...])", "add a path", kDev,
            {number("ID", &PathAddCmd::id, 0, kMaxPathId)},
            {parsed("usids", "LIST", "uSIDs in path order, e.g. 1004,1001,1006,fe06", &PathAddCmd::usids, parse_usids),
             parsed("block", "PREFIX", "uSID block of --usids, e.g. fcbb:0::/32", &PathAddCmd::block, Block::parse),
             parsed("segs", "ADDR[,ADDR...]", "segments (SIDs or uSID containers) in path order", &PathAddCmd::segs,
                    segment_list),
             flag("full-srh", "every segment in the SRH (H.Encaps), not only the rest (H.Encaps.Red)",
                  &PathAddCmd::full_srh),
             flag("down", "add it marked down", &PathAddCmd::down),
             parsed("fallback", "path:ID|set:ID",
                    "where its flows go when their whole set is down (default: plain routing)",
                    &PathAddCmd::fallback, Target::parse)},
            cmd_path_add),
        command<IdCmd>("path del", "ID", "remove a path nothing uses", kDev, {path_id}, {}, cmd_path_del),
        command<IdCmd>("path up", "ID", "mark a path up", kDev, {path_id}, {}, cmd_path_up),
        command<IdCmd>("path down", "ID", "mark a path down (path sets skip it)", kDev, {path_id}, {}, cmd_path_down),
        command<FallbackCmd>("path fallback", "ID (path:ID | set:ID | none)",
                             "where a path's flows go when their whole set is down", kDev,
                             {number("ID", &FallbackCmd::id, 0, kMaxPathId),
                              parsed("TARGET", &FallbackCmd::fallback, fallback_arg)},
                             {}, cmd_path_fallback),
        command<Common>("path list", "", "list paths", kDev | kJson, {}, {}, cmd_path_list),
        command<SetAddCmd>("set add", "ID PATH_ID...", "define (or change) a path set", kDev,
                           {number("ID", &SetAddCmd::id, 0, kMaxSetId),
                            number("PATH_ID...", &SetAddCmd::paths, 0, kMaxPathId)},
                           {}, cmd_set_add),
        command<IdCmd>("set del", "ID", "remove a path set no pin uses", kDev, {set_id}, {}, cmd_set_del),
        command<Common>("set list", "", "list path sets", kDev | kJson, {}, {}, cmd_set_list),
    };
    std::vector<Command> unpins;
    add_pin_commands<Flow>(all, unpins, "PROTO SRC SPORT DST DPORT", "flow", "a flow (tcp or udp 5-tuple)");
    add_pin_commands<Qp>(all, unpins, "DST QP", "queue pair", "a RoCEv2 destination queue pair");
    add_pin_commands<Prefix>(all, unpins, "PREFIX", "prefix", "a destination prefix");
    add_pin_commands<Cgroup>(all, unpins, "CGROUP", "cgroup",
                             "every socket of a cgroup v2 (a path, or id:NUMBER) and of its descendants");
    SocketCommands sockets = socket_commands();
    all.push_back(std::move(sockets.pin));
    unpins.push_back(std::move(sockets.unpin));
    for (auto& u : unpins)
        all.push_back(std::move(u));
    all.push_back(command<Common>("list flows", "", "list flow pins", kDev | kJson, {}, {}, cmd_list_flows));
    all.push_back(command<Common>("list qps", "", "list queue pair pins", kDev | kJson, {}, {}, cmd_list_qps));
    all.push_back(
        command<Common>("list prefixes", "", "list prefix pins", kDev | kJson, {}, {}, cmd_list_prefixes));
    all.push_back(command<Common>("list cgroups", "", "list cgroup pins", kDev | kJson, {}, {}, cmd_list_cgroups));
    all.push_back(std::move(sockets.list));
    return all;
}

}  // namespace srv6steer::cli

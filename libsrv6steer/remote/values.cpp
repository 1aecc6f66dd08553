// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The library's values in the agent protocol's JSON (values.hpp).
#include "remote/values.hpp"

#include <chrono>

#include <sys/socket.h>

namespace srv6steer::remote {

using text::quote;

json put(const Target& t) { return {{t.kind == Target::Kind::Path ? "path" : "set", t.id}}; }
Target get_target(const In& in) {
    if (!in.j.is_object() || in.j.size() != 1 || !(in.j.contains("path") || in.j.contains("set")))
        in.fail("expected an object like {\"path\": 1} or {\"set\": 2}, got " + in.shown());
    if (auto p = in.opt("path"))
        return Target::path(p->u32(SRV6S_MAX_PATHS - 1));
    return Target::set(in.at("set").u32(kMaxUserSets - 1));
}

namespace {
const char* mode_name(SrhMode m) { return m == SrhMode::Full ? "full" : "reduced"; }
}  // namespace

json put(const Path& p) {
    json segs = json::array();
    for (const Ipv6& a : p.segments)
        segs.push_back(a.str());
    return {{"id", p.id}, {"segments", segs}, {"srh", mode_name(p.mode)}, {"down", p.down}};
}
Path get_path(const In& in) {
    in.keys({"id", "segments", "srh", "down"});
    Path p;
    p.id = in.at("id").u32(SRV6S_MAX_PATHS - 1);
    const In segs = in.at("segments");
    for (size_t i = 0, n = segs.array(2 * kMaxContainers); i < n; i++)
        p.segments.push_back(segs.at(i).parsed([](const std::string& s) { return Ipv6::parse(s); }));
    if (auto m = in.opt("srh")) {
        const std::string s = m->str();
        if (s != "reduced" && s != "full")
            m->fail("expected \"reduced\" or \"full\", got " + quote(s));
        p.mode = s == "full" ? SrhMode::Full : SrhMode::Reduced;
    }
    if (auto d = in.opt("down"))
        p.down = d->boolean();
    return p;
}

json put(const PathSet& s) { return {{"id", s.id}, {"paths", s.paths}}; }
PathSet get_set(const In& in) {
    in.keys({"id", "paths"});
    PathSet s;
    s.id = in.at("id").u32(kMaxUserSets - 1);
    const In ids = in.at("paths");
    for (size_t i = 0, n = ids.array(4 * SRV6S_MAX_SET_PATHS); i < n; i++)
        s.paths.push_back(ids.at(i).u32(SRV6S_MAX_PATHS - 1));
    return s;
}

namespace {
uint64_t ns_of(std::chrono::system_clock::time_point t) {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}
std::chrono::system_clock::time_point time_of(uint64_t ns) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
}
}  // namespace

json put(const PinnedSocket& p) {
    return {{"cookie", p.cookie},
            {"family", p.family},
            {"uid", p.uid},
            {"flow",
             {{"proto", p.flow.proto},
              {"src", p.flow.src.str()},
              {"sport", p.flow.sport},
              {"dst", p.flow.dst.str()},
              {"dport", p.flow.dport}}},
            {"target", put(p.target)},
            {"owner_pid", p.info.owner.pid},
            {"owner_cgroup", p.info.owner.cgroup},
            {"created_ns", ns_of(p.info.created)},
            {"packets", p.info.packets},
            {"bytes", p.info.bytes}};
}
PinnedSocket get_socket(const In& in) {
    in.keys({"cookie", "family", "uid", "flow", "target", "owner_pid", "owner_cgroup", "created_ns", "packets", "bytes"});
    PinnedSocket p;
    p.cookie = in.at("cookie").uint();
    const In fam = in.at("family");
    p.family = static_cast<int>(fam.u32(UINT16_MAX));
    if (auto u = in.opt("uid"))  // since 0.1: older agents leave it out
        p.uid = u->u32();
    if (p.family != AF_INET && p.family != AF_INET6)
        fam.fail("expected " + std::to_string(AF_INET) + " (AF_INET) or " + std::to_string(AF_INET6) +
                 " (AF_INET6), got " + std::to_string(p.family));
    const In flow = in.at("flow");
    flow.keys({"proto", "src", "sport", "dst", "dport"});
    auto addr = [](const std::string& s) { return Ipv6::parse_any(s); };
    p.flow.proto = static_cast<uint8_t>(flow.at("proto").u32(255));
    p.flow.src = flow.at("src").parsed(addr);
    p.flow.sport = static_cast<uint16_t>(flow.at("sport").u32(UINT16_MAX));
    p.flow.dst = flow.at("dst").parsed(addr);
    p.flow.dport = static_cast<uint16_t>(flow.at("dport").u32(UINT16_MAX));
    p.target = get_target(in.at("target"));
    p.info.path_set = p.target.slot();
    p.info.owner.pid = in.at("owner_pid").u32();
    p.info.owner.cgroup = in.at("owner_cgroup").uint();
    p.info.created = time_of(in.at("created_ns").uint());
    p.info.packets = in.at("packets").uint();
    p.info.bytes = in.at("bytes").uint();
    return p;
}

namespace {
constexpr std::pair<Problem::Kind, const char*> kProblemKinds[] = {
    {Problem::Kind::InterfaceGone, "interface_gone"},
    {Problem::Kind::IfindexChanged, "ifindex_changed"},
    {Problem::Kind::LinkMissing, "link_missing"},
    {Problem::Kind::ProgramNotAttached, "program_not_attached"},
    {Problem::Kind::NetnsGone, "netns_gone"}};
}  // namespace

json put(const Status& s) {
    json problems = json::array();
    for (const auto& p : s.problems)
        for (const auto& [kind, name] : kProblemKinds)
            if (kind == p.kind)
                problems.push_back({{"kind", name}, {"detail", p.detail}});
    Ipv6 src;
    std::copy(std::begin(s.config.src), std::end(s.config.src), src.bytes.begin());
    return {{"ifname", s.ifname},
            {"ifindex", s.ifindex},
            {"attach_mode", s.attach_mode},
            {"prog_id", s.prog_id},
            {"link_id", s.link_id},
            {"route_mtu", s.route_mtu},
            {"attached_ns", ns_of(s.attached)},
            {"config",
             {{"src", src.str()},
              {"flags", s.config.flags},
              {"mtu", s.config.mtu},
              {"hop_limit", s.config.hop_limit},
              {"flowlet_gap_us", s.config.flowlet_gap_us}}},
            {"n_paths", s.n_paths},
            {"n_sets", s.n_sets},
            {"n_flows", s.n_flows},
            {"n_qps", s.n_qps},
            {"n_prefixes", s.n_prefixes},
            {"n_sockets", s.n_sockets},
            {"n_cgroups", s.n_cgroups},
            {"max_flows", s.max_flows},
            {"max_qps", s.max_qps},
            {"max_prefixes", s.max_prefixes},
            {"max_cgroups", s.max_cgroups},
            {"netns", s.netns},
            {"netns_cookie", s.netns_cookie},
            {"problems", problems}};
}
Status get_status(const In& in) {
    in.keys({});
    Status s;
    s.ifname = in.at("ifname").str();
    s.ifindex = static_cast<int>(in.at("ifindex").u32(INT32_MAX));
    s.attach_mode = in.at("attach_mode").str();
    s.prog_id = in.at("prog_id").u32();
    s.link_id = in.at("link_id").u32();
    s.route_mtu = in.at("route_mtu").boolean();
    s.attached = time_of(in.at("attached_ns").uint());
    const In c = in.at("config");
    c.keys({});
    const Ipv6 src = c.at("src").parsed([](const std::string& t) { return Ipv6::parse(t); });
    std::copy(src.bytes.begin(), src.bytes.end(), std::begin(s.config.src));
    s.config.flags = c.at("flags").u32();
    s.config.mtu = c.at("mtu").u32();
    s.config.hop_limit = static_cast<uint8_t>(c.at("hop_limit").u32(255));
    if (auto gap = c.opt("flowlet_gap_us"))  // absent from agents before flowlets
        s.config.flowlet_gap_us = gap->u32(1'000'000);
    for (auto [field, key] : {std::pair{&Status::n_paths, "n_paths"}, {&Status::n_sets, "n_sets"},
                              {&Status::n_flows, "n_flows"}, {&Status::n_qps, "n_qps"},
                              {&Status::n_prefixes, "n_prefixes"}, {&Status::n_sockets, "n_sockets"},
                              {&Status::n_cgroups, "n_cgroups"}})
        s.*field = static_cast<size_t>(in.at(key).uint(SIZE_MAX));
    for (auto [field, key] : {std::pair{&Status::max_flows, "max_flows"}, {&Status::max_qps, "max_qps"},
                              {&Status::max_prefixes, "max_prefixes"}, {&Status::max_cgroups, "max_cgroups"}})
        s.*field = in.at(key).u32();
    s.netns = in.at("netns").str();
    s.netns_cookie = in.at("netns_cookie").uint();
    const In problems = in.at("problems");
    for (size_t i = 0, n = problems.array(64); i < n; i++) {
        const In p = problems.at(i);
        p.keys({});
        const std::string kind = p.at("kind").str();
        const auto it = std::find_if(std::begin(kProblemKinds), std::end(kProblemKinds),
                                     [&](const auto& k) { return kind == k.second; });
        if (it == std::end(kProblemKinds))
            p.at("kind").fail("unknown problem " + quote(kind));
        s.problems.push_back({it->first, p.at("detail").str()});
    }
    return s;
}

json put(const Counter& c) { return {{"packets", c.packets}, {"bytes", c.bytes}}; }
Counter get_counter(const In& in) {
    in.keys({"packets", "bytes"});
    return {in.at("packets").uint(), in.at("bytes").uint()};
}

namespace {

// The fields of struct srv6s_path_health by name, in the agent's stats.
constexpr std::pair<const char*, __u64 srv6s_path_health::*> kHealthCounters[] = {
    {"sent", &srv6s_path_health::sent},
    {"replies", &srv6s_path_health::replies},
    {"lost", &srv6s_path_health::lost},
    {"rtt_last_ns", &srv6s_path_health::rtt_last_ns},
    {"rtt_min_ns", &srv6s_path_health::rtt_min_ns},
    {"rtt_avg_ns", &srv6s_path_health::rtt_avg_ns},
    {"since_ns", &srv6s_path_health::since_ns},
    {"transitions", &srv6s_path_health::transitions},
    {"rx_ce_packets", &srv6s_path_health::rx_ce_packets},
    {"updated_ns", &srv6s_path_health::updated_ns},
};
// Congestion (docs/design.md §17): absent from agents before it.
constexpr std::pair<const char*, __u64 srv6s_path_health::*> kCongestionCounters[] = {
    {"rx_packets", &srv6s_path_health::rx_packets},
};

json put_health(const srv6s_path_health& h) {
    json j{{"state", h.state}, {"targets", h.targets}};
    for (const auto& [name, field] : kHealthCounters)
        j[name] = h.*field;
    for (const auto& [name, field] : kCongestionCounters)
        j[name] = h.*field;
    j["ce_ppm"] = h.ce_ppm;
    j["congestion"] = h.congestion;
    return j;
}

srv6s_path_health get_health(const In& in) {
    srv6s_path_health h{};
    if (!in.j.is_object())
        in.fail("expected an object");
    h.state = in.at("state").u32(SRV6S_HEALTH_DOWN);
    h.targets = in.at("targets").u32();
    for (const auto& [name, field] : kHealthCounters)
        h.*field = in.at(name).uint();
    for (const auto& [name, field] : kCongestionCounters)
        if (auto v = in.opt(name))
            h.*field = v->uint();
    if (auto v = in.opt("ce_ppm"))
        h.ce_ppm = v->u32(1'000'000);
    if (auto v = in.opt("congestion"))
        h.congestion = v->u32(SRV6S_CONGESTION_LEVELS);
    return h;
}

}  // namespace

json put(const Stats& s) {
    json reasons = json::object();
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
        reasons[reason_name(r)] = put(s.reasons[r]);
    json paths = json::array();
    for (size_t i = 0; i < s.paths.size(); i++) {
        const auto& [id, c] = s.paths[i];
        json p{{"id", id}, {"packets", c.packets}, {"bytes", c.bytes}};
        if (i < s.health.size())
            p["health"] = put_health(s.health[i]);
        if (i < s.down.size())
            p["down"] = bool(s.down[i]);
        paths.push_back(p);
    }
    return {{"reasons", reasons}, {"paths", paths}};
}
Stats get_stats(const In& in) {
    in.keys({"reasons", "paths"});
    Stats s;
    const In reasons = in.at("reasons");
    reasons.keys({});
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)  // reasons this build does not know: ignored
        if (auto c = reasons.opt(reason_name(r)))
            s.reasons[r] = get_counter(*c);
    const In paths = in.at("paths");
    for (size_t i = 0, n = paths.array(SRV6S_MAX_PATHS); i < n; i++) {
        const In p = paths.at(i);
        p.keys({"id", "packets", "bytes", "health", "down"});
        s.paths.push_back({p.at("id").u32(SRV6S_MAX_PATHS - 1), {p.at("packets").uint(), p.at("bytes").uint()}});
        // An agent of before path health sends neither: unknown health, up.
        s.health.push_back(p.has("health") ? get_health(p.at("health")) : srv6s_path_health{});
        s.down.push_back(p.has("down") && p.at("down").boolean());
    }
    return s;
}

}  // namespace srv6steer::remote

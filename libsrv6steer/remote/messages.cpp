// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// JSON payloads of the agent protocol (docs/agent-protocol.md "Messages").
// Reading goes through In, a JSON value with its place in the message, so
// every refusal names the field: "pin_sockets: targets[3]: expected an
// object like {"path": 1} or {"set": 2}, got 5".
#include "remote/messages.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <set>

#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "remote/wire.hpp"
#include "text.hpp"

namespace srv6steer::remote {

namespace {

using json = nlohmann::json;
using text::quote;

constexpr int kMaxDepth = 8;
constexpr size_t kMaxString = 4096;

// A JSON value, where it is in the message, and whether keys the protocol
// does not name are refused (requests) or ignored (replies).
struct In {
    const json& j;
    std::string where;
    bool strict;

    [[noreturn]] void fail(const std::string& what) const {
        throw BadMessage(where.empty() ? what : where + ": " + what);
    }
    std::string place(const std::string& key) const { return where.empty() ? key : where + "." + key; }

    // An object with these keys (others: refused when strict).
    const In& keys(std::initializer_list<const char*> known) const {
        if (!j.is_object())
            fail(std::string("expected an object, got ") + shown());
        if (strict)
            for (const auto& [k, v] : j.items())
                if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; }))
                    fail("unknown key " + quote(k));
        return *this;
    }
    bool has(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }
    In at(const char* key) const {
        if (!j.contains(key))
            fail(std::string("missing key ") + quote(key));
        return {j.at(key), place(key), strict};
    }
    std::optional<In> opt(const char* key) const {
        if (!j.contains(key))
            return std::nullopt;
        return In{j.at(key), place(key), strict};
    }
    In at(size_t i) const { return {j.at(i), where + "[" + std::to_string(i) + "]", strict}; }

    // The value as a message shows it: short, and only the type for big ones.
    std::string shown() const {
        if (j.is_object() || j.is_array())
            return std::string(j.type_name());
        std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
        return s.size() > 40 ? s.substr(0, 40) + "..." : s;
    }

    uint64_t uint(uint64_t max = UINT64_MAX) const {
        if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
            fail("expected a whole number from 0 to " + std::to_string(max) + ", got " + shown());
        return j.get<uint64_t>();
    }
    uint32_t u32(uint64_t max = UINT32_MAX) const { return static_cast<uint32_t>(uint(max)); }
    bool boolean() const {
        if (!j.is_boolean())
            fail("expected true or false, got " + shown());
        return j.get<bool>();
    }
    std::string str() const {
        if (!j.is_string())
            fail("expected a string, got " + shown());
        const auto& s = j.get_ref<const std::string&>();
        if (s.size() > kMaxString || s.find('\0') != std::string::npos)
            fail("expected a string of at most " + std::to_string(kMaxString) + " characters without NUL");
        return s;
    }
    size_t array(size_t max) const {
        if (!j.is_array())
            fail(std::string("expected an array, got ") + shown());
        if (j.size() > max)
            fail("expected at most " + std::to_string(max) + " elements, got " + std::to_string(j.size()));
        return j.size();
    }
    // A library parser on the string: its Error names the value.
    template <class F>
    auto parsed(F&& parse) const {
        const std::string s = str();
        try {
            return parse(s);
        } catch (const Error& e) {
            fail(e.what());
        }
    }
};

// Parses JSON text: at most kMaxDepth levels, no key twice in one object
// (nlohmann keeps the last silently).
json parse(std::string_view payload, std::string_view what) {
    if (payload.empty())
        return json::object();
    std::vector<std::set<std::string>> objects;
    try {
        using E = json::parse_event_t;
        return json::parse(payload, [&](int depth, E event, json& parsed) {
            if (depth > kMaxDepth)
                throw BadMessage(std::string(what) + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
            if (event == E::object_start)
                objects.emplace_back();
            else if (event == E::object_end && !objects.empty())
                objects.pop_back();
            else if (event == E::key && !objects.empty() && !objects.back().insert(parsed.get<std::string>()).second)
                throw BadMessage(std::string(what) + ": key " + quote(parsed.get<std::string>()) +
                                 " given twice in one object");
            return true;
        });
    } catch (const json::exception& e) {
        std::string m = e.what();
        if (const auto close = m.find("] "); m.starts_with("[json.exception") && close != std::string::npos)
            m = m.substr(close + 2);
        // nlohmann quotes what it read: the bytes of whoever sent them.
        std::string shown;
        for (unsigned char c : m) {
            if (c >= 0x20 && c < 0x7f) {
                shown += char(c);
            } else {
                char hex[8];
                std::snprintf(hex, sizeof hex, "<%02X>", c);
                shown += hex;
            }
        }
        throw BadMessage(std::string(what) + ": the payload is not JSON: " + shown);
    }
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// ---- values ---------------------------------------------------------------------------

json put(const Target& t) { return {{t.kind == Target::Kind::Path ? "path" : "set", t.id}}; }
Target get_target(const In& in) {
    if (!in.j.is_object() || in.j.size() != 1 || !(in.j.contains("path") || in.j.contains("set")))
        in.fail("expected an object like {\"path\": 1} or {\"set\": 2}, got " + in.shown());
    if (auto p = in.opt("path"))
        return Target::path(p->u32(SRV6S_MAX_PATHS - 1));
    return Target::set(in.at("set").u32(kMaxUserSets - 1));
}

const char* mode_name(SrhMode m) { return m == SrhMode::Full ? "full" : "reduced"; }

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

uint64_t ns_of(std::chrono::system_clock::time_point t) {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}
std::chrono::system_clock::time_point time_of(uint64_t ns) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
}

json put(const PinnedSocket& p) {
    return {{"cookie", p.cookie},
            {"family", p.family},
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
    in.keys({"cookie", "family", "flow", "target", "owner_pid", "owner_cgroup", "created_ns", "packets", "bytes"});
    PinnedSocket p;
    p.cookie = in.at("cookie").uint();
    const In fam = in.at("family");
    p.family = static_cast<int>(fam.u32(UINT16_MAX));
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

constexpr std::pair<Problem::Kind, const char*> kProblemKinds[] = {
    {Problem::Kind::InterfaceGone, "interface_gone"},
    {Problem::Kind::IfindexChanged, "ifindex_changed"},
    {Problem::Kind::LinkMissing, "link_missing"},
    {Problem::Kind::ProgramNotAttached, "program_not_attached"},
    {Problem::Kind::NetnsGone, "netns_gone"}};

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
             {{"src", src.str()}, {"flags", s.config.flags}, {"mtu", s.config.mtu}, {"hop_limit", s.config.hop_limit}}},
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

json put(const Stats& s) {
    json reasons = json::object();
    for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
        reasons[reason_name(r)] = put(s.reasons[r]);
    json paths = json::array();
    for (const auto& [id, c] : s.paths)
        paths.push_back({{"id", id}, {"packets", c.packets}, {"bytes", c.bytes}});
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
        p.keys({"id", "packets", "bytes"});
        s.paths.push_back({p.at("id").u32(SRV6S_MAX_PATHS - 1), {p.at("packets").uint(), p.at("bytes").uint()}});
    }
    return s;
}

// ---- messages -----------------------------------------------------------------------------

template <class T>
struct Codec;

template <>
struct Codec<HelloRequest> {
    static constexpr bool strict = true;
    static json put(const HelloRequest& m) { return {{"ifname", m.ifname}, {"client", m.client}}; }
    static HelloRequest get(const In& in) {
        in.keys({"ifname", "client"});
        HelloRequest m;
        if (auto f = in.opt("ifname"))
            m.ifname = f->str();
        if (auto f = in.opt("client"))
            m.client = f->str();
        return m;
    }
};
template <>
struct Codec<Empty> {
    static constexpr bool strict = true;
    static json put(const Empty&) { return json::object(); }
    static Empty get(const In& in) {
        in.keys({});
        return {};
    }
};
template <>
struct Codec<AddPathRequest> {
    static constexpr bool strict = true;
    static json put(const AddPathRequest& m) { return {{"path", remote::put(m.path)}}; }
    static AddPathRequest get(const In& in) {
        in.keys({"path"});
        return {get_path(in.at("path"))};
    }
};
template <>
struct Codec<IdRequest> {
    static constexpr bool strict = true;
    static json put(const IdRequest& m) { return {{"id", m.id}}; }
    static IdRequest get(const In& in) {
        in.keys({"id"});
        return {in.at("id").u32()};
    }
};
template <>
struct Codec<DefineSetRequest> {
    static constexpr bool strict = true;
    static json put(const DefineSetRequest& m) { return {{"set", remote::put(m.set)}}; }
    static DefineSetRequest get(const In& in) {
        in.keys({"set"});
        return {get_set(in.at("set"))};
    }
};
template <>
struct Codec<PinSocketsRequest> {
    static constexpr bool strict = true;
    static json put(const PinSocketsRequest& m) {
        json targets = json::array();
        for (const Target& t : m.targets)
            targets.push_back(remote::put(t));
        return {{"targets", targets}, {"replace", m.replace}};
    }
    static PinSocketsRequest get(const In& in) {
        in.keys({"targets", "replace"});
        PinSocketsRequest m;
        const In targets = in.at("targets");
        for (size_t i = 0, n = targets.array(kMaxRequestFds); i < n; i++)
            m.targets.push_back(get_target(targets.at(i)));
        if (auto r = in.opt("replace"))
            m.replace = r->boolean();
        return m;
    }
};

template <>
struct Codec<OkReply> {
    static constexpr bool strict = false;
    static json put(const OkReply&) { return json::object(); }
    static OkReply get(const In& in) {
        in.keys({});
        return {};
    }
};
template <>
struct Codec<ErrorReply> {
    static constexpr bool strict = false;
    static json put(const ErrorReply& m) { return {{"error", m.message}, {"code", m.code}}; }
    static ErrorReply get(const In& in) {
        in.keys({});
        return {in.at("error").str(), static_cast<int>(in.at("code").u32(4095))};
    }
};
template <>
struct Codec<HelloReply> {
    static constexpr bool strict = false;
    static json put(const HelloReply& m) {
        return {{"agent", m.agent},   {"ifname", m.ifname}, {"pid", m.pid},
                {"uid", m.uid},       {"gid", m.gid},       {"cgroup", m.cgroup},
                {"quota", {{"sockets", m.quota_sockets}, {"paths", m.quota_paths}}}};
    }
    static HelloReply get(const In& in) {
        in.keys({});
        HelloReply m;
        m.agent = in.at("agent").str();
        m.ifname = in.at("ifname").str();
        m.pid = in.at("pid").u32();
        m.uid = in.at("uid").u32();
        m.gid = in.at("gid").u32();
        m.cgroup = in.at("cgroup").uint();
        const In q = in.at("quota");
        q.keys({});
        m.quota_sockets = q.at("sockets").u32();
        m.quota_paths = q.at("paths").u32();
        return m;
    }
};
// A reply that is one list: {"paths": [...]}, {"sets": [...]}, {"sockets": [...]}.
template <class T, class V, std::vector<V> T::*field, const char* key, size_t max, V (*get_one)(const In&)>
struct ListCodec {
    static constexpr bool strict = false;
    static json put(const T& m) {
        json a = json::array();
        for (const auto& v : m.*field)
            a.push_back(remote::put(v));
        return {{key, a}};
    }
    static T get(const In& in) {
        in.keys({});
        T m;
        const In a = in.at(key);
        for (size_t i = 0, n = a.array(max); i < n; i++)
            (m.*field).push_back(get_one(a.at(i)));
        return m;
    }
};
constexpr char kPaths[] = "paths", kSets[] = "sets", kSockets[] = "sockets";
template <>
struct Codec<PathsReply> : ListCodec<PathsReply, Path, &PathsReply::paths, kPaths, SRV6S_MAX_PATHS, get_path> {};
template <>
struct Codec<SetsReply> : ListCodec<SetsReply, PathSet, &SetsReply::sets, kSets, kMaxUserSets, get_set> {};
template <>
struct Codec<SocketsReply>
    : ListCodec<SocketsReply, PinnedSocket, &SocketsReply::sockets, kSockets, kMaxReplyPayload, get_socket> {};
template <>
struct Codec<CountReply> {
    static constexpr bool strict = false;
    static json put(const CountReply& m) { return {{"count", m.count}}; }
    static CountReply get(const In& in) {
        in.keys({});
        return {in.at("count").uint()};
    }
};
template <>
struct Codec<RemovedReply> {
    static constexpr bool strict = false;
    static json put(const RemovedReply& m) { return {{"removed", m.removed}}; }
    static RemovedReply get(const In& in) {
        in.keys({});
        return {in.at("removed").boolean()};
    }
};
template <>
struct Codec<SocketPinReply> {
    static constexpr bool strict = false;
    static json put(const SocketPinReply& m) { return {{"pin", m.pin ? remote::put(*m.pin) : json(nullptr)}}; }
    static SocketPinReply get(const In& in) {
        in.keys({});
        SocketPinReply m;
        if (in.has("pin"))
            m.pin = get_socket(in.at("pin"));
        else
            in.at("pin");  // present, as null
        return m;
    }
};
template <>
struct Codec<StatusReply> {
    static constexpr bool strict = false;
    static json put(const StatusReply& m) { return remote::put(m.status); }
    static StatusReply get(const In& in) { return {get_status(in)}; }
};
template <>
struct Codec<StatsReply> {
    static constexpr bool strict = false;
    static json put(const StatsReply& m) { return remote::put(m.stats); }
    static StatsReply get(const In& in) { return {get_stats(in)}; }
};

}  // namespace

const char* type_name(Type t) {
    static constexpr const char* names[] = {"hello",      "status",     "add_path",     "remove_path", "paths",
                                            "define_set", "remove_set", "sets",         "pin_sockets",
                                            "unpin_socket", "socket_pin", "sockets",    "stats"};
    static_assert(std::size(names) == kLastType);
    const auto i = static_cast<uint8_t>(t);
    return i >= 1 && i <= kLastType ? names[i - 1] : "unknown";
}

std::optional<Type> type_of(uint8_t byte) {
    if (byte < 1 || byte > kLastType)
        return std::nullopt;
    return static_cast<Type>(byte);
}

template <class T>
std::string encode(const T& m) {
    return dump(Codec<T>::put(m));
}

template <class T>
T decode(std::string_view payload, std::string_view what) {
    const json j = parse(payload, what);
    const In in{j, std::string(what), Codec<T>::strict};
    if (!j.is_object())
        in.fail(std::string("expected a JSON object, got ") + in.shown());
    return Codec<T>::get(in);
}

#define SRV6S_MESSAGE(T)                     \
    template std::string encode<T>(const T&); \
    template T decode<T>(std::string_view, std::string_view);
SRV6S_MESSAGE(HelloRequest)
SRV6S_MESSAGE(Empty)
SRV6S_MESSAGE(AddPathRequest)
SRV6S_MESSAGE(IdRequest)
SRV6S_MESSAGE(DefineSetRequest)
SRV6S_MESSAGE(PinSocketsRequest)
SRV6S_MESSAGE(OkReply)
SRV6S_MESSAGE(ErrorReply)
SRV6S_MESSAGE(HelloReply)
SRV6S_MESSAGE(PathsReply)
SRV6S_MESSAGE(SetsReply)
SRV6S_MESSAGE(CountReply)
SRV6S_MESSAGE(RemovedReply)
SRV6S_MESSAGE(SocketPinReply)
SRV6S_MESSAGE(SocketsReply)
SRV6S_MESSAGE(StatusReply)
SRV6S_MESSAGE(StatsReply)
#undef SRV6S_MESSAGE

}  // namespace srv6steer::remote

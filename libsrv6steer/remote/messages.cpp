// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// JSON payloads of the agent protocol (docs/agent-protocol.md "Messages"):
// one Codec per message, built from the values of values.hpp and read
// through In (json_in.hpp), so every refusal names the field.
#include "remote/messages.hpp"

#include <algorithm>
#include <iterator>

#include <sys/socket.h>

#include "remote/json_in.hpp"
#include "remote/values.hpp"
#include "remote/wire.hpp"

namespace srv6steer::remote {

namespace {

using text::quote;

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
    // dump(put(m)), byte for byte, without a tree of up to 4,096 objects.
    static std::string text(const PinSocketsRequest& m) {
        std::string s = m.replace ? R"({"replace":true,"targets":[)" : R"({"replace":false,"targets":[)";
        s.reserve(s.size() + 12 * m.targets.size() + 2);
        for (size_t i = 0; i < m.targets.size(); i++) {
            const Target& t = m.targets[i];
            if (i)
                s += ',';
            s += t.kind == Target::Kind::Path ? R"({"path":)" : R"({"set":)";
            s += std::to_string(t.id);
            s += '}';
        }
        s += "]}";
        return s;
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
    if constexpr (requires { Codec<T>::text(m); })
        return Codec<T>::text(m);
    else
        return dump(Codec<T>::put(m));
}

template <class T>
T decode(std::string_view payload, std::string_view what) {
    const json j = parse(payload, what);
    const In in{j, what, Codec<T>::strict};
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

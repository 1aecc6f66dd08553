// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "stack_cases.hpp"

#include "flow_table.hpp"

#include <bpf/bpf.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>

namespace stack {

// How a case is set up (Setup::add_case).
enum class Kind {
    Plain, KernelRoute, KernelRouteAutoSrc, Floor, SocketPin, FlowPin, PrefixPin, Miss,  // side by side
    Socket1, SocketsOne, SocketsRotate, FloorSocket1, FloorSockets,  // live sockets
    Flow1, FlowsOne, FlowsRotate, FloorFlow1, FloorFlows,              // live flows
};

struct Def {
    Spec spec;
    Kind kind;
    bool v4;  // IPv4 inner packets (an AF_INET socket)
};

using benchutil::Failure;
using srv6steer::Flow;
using srv6steer::Steering;
using srv6steer::Target;

namespace {

constexpr uint16_t kDport = 9;           // discard: every connected case's peer port
constexpr uint16_t kFirstPort = 40000;   // the cases' own source ports, one each
constexpr uint16_t kPoolPort = 20000;    // the socket pools' ports, kPerAddress per address
constexpr uint32_t kPerAddress = 16384;
constexpr uint16_t kFlowPort = 10000;    // the flow tables' destination ports, kPerDst per address
constexpr uint32_t kPerDst = 4096;
constexpr uint32_t kDstHost = 0x20;      // a case network's destination
constexpr uint32_t kFlowHost = 0x1000;   // first destination of a flow table

const std::vector<Def>& defs() {
    static const std::vector<Def> d = {
        {{"plain_v6", Group::V6, "plain routing, nothing attached"}, Kind::Plain, false},
        {{"floor_v6", Group::V6, "floor: fixed TC encap, no lookup"}, Kind::Floor, false},
        {{"kernel_route_v6", Group::V6, "kernel route, seg6 encap.red"}, Kind::KernelRoute, false},
        {{"kernel_route_nosrc_v6", Group::V6, "the same, no `ip sr tunsrc`: source per packet"},
         Kind::KernelRouteAutoSrc, false},
        {{"socket_pin_v6", Group::V6, "srv6steer socket pin"}, Kind::SocketPin, false},
        {{"flow_pin_v6", Group::V6, "srv6steer flow pin"}, Kind::FlowPin, false},
        {{"prefix_pin_v6", Group::V6, "srv6steer prefix pin"}, Kind::PrefixPin, false},
        {{"miss_v6", Group::V6, "srv6steer attached, no pin matches"}, Kind::Miss, false},
        {{"plain_v4", Group::V4, "plain routing, nothing attached"}, Kind::Plain, true},
        {{"floor_v4", Group::V4, "floor: fixed TC encap, no lookup"}, Kind::Floor, true},
        {{"kernel_route_v4", Group::V4, "kernel route, seg6 encap.red"}, Kind::KernelRoute, true},
        {{"kernel_route_nosrc_v4", Group::V4, "the same, no `ip sr tunsrc`: source per packet"},
         Kind::KernelRouteAutoSrc, true},
        {{"socket_pin_v4", Group::V4, "srv6steer socket pin"}, Kind::SocketPin, true},
        {{"flow_pin_v4", Group::V4, "srv6steer flow pin"}, Kind::FlowPin, true},
        {{"prefix_pin_v4", Group::V4, "srv6steer prefix pin"}, Kind::PrefixPin, true},
        {{"miss_v4", Group::V4, "srv6steer attached, no pin matches"}, Kind::Miss, true},
        {{"socket_1", Group::Sockets, "1 pinned socket"}, Kind::Socket1, false},
        {{"socket_many_one", Group::Sockets, "%u pinned sockets, sending from one"}, Kind::SocketsOne, false},
        {{"socket_many_rotate", Group::Sockets, "%u pinned sockets, each call the next of %u"},
         Kind::SocketsRotate, false},
        {{"floor_socket_1", Group::Sockets, "floor, 1 socket"}, Kind::FloorSocket1, false},
        {{"floor_many_rotate", Group::Sockets, "floor, unpinned sockets, each call the next"},
         Kind::FloorSockets, false},
        {{"flow_1", Group::Flows, "1 flow pin"}, Kind::Flow1, false},
        {{"flow_many_one", Group::Flows, "%u flow pins, sending to one"}, Kind::FlowsOne, false},
        {{"flow_many_rotate", Group::Flows, "%u flow pins, each datagram the next"}, Kind::FlowsRotate, false},
        {{"floor_flow_1", Group::Flows, "floor, 1 destination"}, Kind::FloorFlow1, false},
        {{"floor_flows_rotate", Group::Flows, "floor, no pins, each datagram the next of %u destinations"},
         Kind::FloorFlows, false},
    };
    return d;
}

Role role_of(Kind k) {
    switch (k) {
    case Kind::Plain:
    case Kind::KernelRoute:
    case Kind::KernelRouteAutoSrc:
        return Role::Plain;
    case Kind::Floor:
    case Kind::FloorSocket1:
    case Kind::FloorSockets:
    case Kind::FloorFlow1:
    case Kind::FloorFlows:
        return Role::Floor;
    case Kind::SocketPin:
    case Kind::FlowPin:
    case Kind::PrefixPin:
    case Kind::Miss:
        return Role::Steer;
    case Kind::Socket1:
    case Kind::Flow1:
        return Role::One;
    default:
        return Role::Many;
    }
}

bool encapsulates(Kind k) { return k != Kind::Plain && k != Kind::Miss; }

}  // namespace

uint32_t fd_budget(const Options& o) {
    const rlim_t want = rlim_t(o.many) * 2 + 4096;
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_max < want) {
        rlimit more{want, want};
        if (setrlimit(RLIMIT_NOFILE, &more) == 0)
            return o.many;
    }
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur >= want)
        return o.many;
    uint32_t n = 1;  // the largest power of two with 2n + 2048 fds to spare
    while (rlim_t(n) * 4 + 2048 <= r.rlim_cur)
        n *= 2;
    return std::min(n, o.many);
}

const char* group_title(Group g, const Options& o) {
    static std::string many;
    switch (g) {
    case Group::V6:
        return "IPv6 inner, one connected socket per case";
    case Group::V4:
        return "IPv4 inner, one connected socket per case";
    case Group::Sockets:
        many = std::to_string(o.many) + " live pinned sockets vs 1, " + std::to_string(o.rotate_batch) +
               " datagram(s) per call";
        if (o.rotate < o.many)
            many += "; the sender holds " + std::to_string(o.rotate) + " of them (RLIMIT_NOFILE), child "
                    "processes the rest";
        return many.c_str();
    case Group::Flows:
        many = std::to_string(o.many) + " live flow pins vs 1, unconnected socket, flow table of " +
               std::to_string(srv6steer::flow_table_slots(o.max_flows)) + " slots";
        return many.c_str();
    }
    return "";
}

const std::vector<Spec>& specs() {
    static const std::vector<Spec> s = [] {
        std::vector<Spec> v;
        for (const Def& d : defs())
            v.push_back(d.spec);
        return v;
    }();
    return s;
}

std::string describe(const Spec& s, const Options& o) {
    char buf[160];
    std::snprintf(buf, sizeof buf, s.what, o.many, o.rotate);
    return buf;
}

Setup::Setup(const Options& o, const std::vector<const Spec*>& selected) : o_(o) {
    // `selected` points into specs(); the definitions are matched by name.
    std::vector<const Def*> want;
    for (const Spec* s : selected)
        for (const Def& d : defs())
            if (std::string(d.spec.name) == s->name)
                want.push_back(&d);
    auto has = [&](std::initializer_list<Kind> ks) {
        return std::any_of(want.begin(), want.end(),
                           [&](const Def* d) { return std::find(ks.begin(), ks.end(), d->kind) != ks.end(); });
    };
    for (const Def* d : want)
        attachment(role_of(d->kind));
    if (has({Kind::SocketsOne, Kind::SocketsRotate}))
        many_socks_ = socket_pool(env_.dev(Role::Many), o.many, attachment(Role::Many));
    if (has({Kind::FloorSockets}))
        floor_socks_ = socket_pool(env_.dev(Role::Floor), o.rotate, nullptr);
    if (has({Kind::FlowsOne, Kind::FlowsRotate}))
        flow_table(env_.dev(Role::Many));
    uint16_t port = kFirstPort + 1;
    for (const Def* d : want)
        add_case(*d, port++);
}

Setup::~Setup() = default;

Steering* Setup::attachment(Role r) {
    std::optional<Steering>* s = r == Role::Steer ? &steer_ : r == Role::One ? &one_ : r == Role::Many ? &many_ : nullptr;
    if (!s)
        return nullptr;
    if (!*s)  // the side-by-side cases get the default flow table, the scaling ones --max-flows
        s->emplace(env_.attach(env_.dev(r), r == Role::Steer ? SRV6S_DEFAULT_MAX_FLOWS : o_.max_flows));
    return &**s;
}

int Setup::program(Steering* s) {
    if (!s)
        return -1;
    if (auto it = prog_of_.find(s); it != prog_of_.end())
        return it->second;
    int fd = s->tc_program_fd();
    if (fd < 0) {  // attached by the library, which keeps only the link: by its id
        progs_.emplace_back(bpf_prog_get_fd_by_id(s->status().prog_id));
        fd = progs_.back().get();
    }
    return prog_of_[s] = fd;
}

std::vector<int> Setup::socket_pool(const Device& d, uint32_t total, Steering* pin_on) {
    const Endpoint peer{env_.route(d, false).host(kDstHost), kDport};
    env_.add_addresses(d, (total + kPerAddress - 1) / kPerAddress);
    auto pin = [&](const std::vector<int>& fds) {
        std::vector<std::pair<int, Target>> pins;
        for (int fd : fds)
            pins.emplace_back(fd, Target::path(kPath));
        if (pin_on)
            pin_on->pin_sockets(pins);
    };
    std::vector<int> mine, chunk_fds;
    std::vector<UniqueFd> chunk;
    for (uint32_t i = 0; i < total; i++) {
        const Endpoint local{d.extra(i / kPerAddress), static_cast<uint16_t>(kPoolPort + i % kPerAddress)};
        UniqueFd fd = udp_socket(local, &peer);
        if (i < o_.rotate) {
            mine.push_back(fd.get());
            socks_.push_back(std::move(fd));
            continue;
        }
        chunk_fds.push_back(fd.get());
        chunk.push_back(std::move(fd));
        if (chunk.size() == 4096 || i + 1 == total) {  // pinned, handed to a holder, closed here
            pin(chunk_fds);
            if (holders_.empty() || holders_.back()->held() + chunk.size() > benchfd::Holder::capacity())
                holders_.push_back(std::make_unique<benchfd::Holder>());
            holders_.back()->give(chunk_fds);
            chunk.clear();
            chunk_fds.clear();
        }
    }
    pin(mine);
    if (pin_on) {
        const size_t listed = pin_on->sockets().size();
        if (listed != total)
            throw Failure(d.name + ": " + std::to_string(total) + " sockets pinned, but the data plane lists " +
                          std::to_string(listed));
    }
    return mine;
}

// The destinations of a flow table: --many of them, kPerDst ports each, in a
// network of their own routed out of d.
std::vector<Endpoint> Setup::flow_destinations(const Device& d) {
    const Net net = env_.route(d, false);
    std::vector<Endpoint> dsts;
    for (uint32_t i = 0; i < o_.many; i++)
        dsts.push_back({net.host(kFlowHost + i / kPerDst), static_cast<uint16_t>(kFlowPort + i % kPerDst)});
    return dsts;
}

// Every datagram to the next destination of a fixed random order, so that
// consecutive lookups share nothing but the table.
std::vector<Endpoint> Setup::shuffled(std::vector<Endpoint> dsts) {
    std::shuffle(dsts.begin(), dsts.end(), std::mt19937(1));
    return dsts;
}

void Setup::flow_table(const Device& d) {
    const Endpoint local{d.addr6, kFirstPort};
    socks_.push_back(udp_socket(local, nullptr));
    flow_sock_ = socks_.back().get();
    flow_dsts_ = flow_destinations(d);
    std::vector<std::pair<Flow, Target>> pins;
    for (const Endpoint& dst : flow_dsts_)
        pins.emplace_back(udp_flow(local, dst), Target::path(kPath));
    Steering* s = attachment(Role::Many);
    s->pin_flows(pins);
    if (const size_t n = s->status().n_flows; n != o_.many)
        throw Failure(d.name + ": " + std::to_string(o_.many) + " flows pinned, but the flow table holds " +
                      std::to_string(n));
}

void Setup::add_case(const Def& d, uint16_t port) {
    const Role role = role_of(d.kind);
    const Device& dev = env_.dev(role);
    Steering* steering = attachment(role);
    const Target target = Target::path(kPath);
    const unsigned shape = encapsulates(d.kind) ? (d.v4 ? BENCH_SHAPE_ENCAP4 : BENCH_SHAPE_ENCAP6)
                                                : (d.v4 ? BENCH_SHAPE_UDP4 : BENCH_SHAPE_UDP6);
    const uint32_t reason = d.kind == Kind::Miss ? SRV6S_R_NO_MATCH : SRV6S_R_STEERED;
    const int prog = steering ? program(steering) : role == Role::Floor ? env_.floor_fd() : -1;
    const Endpoint local{d.v4 ? dev.addr4 : dev.addr6, port};
    auto add = [&](std::vector<int> fds, const std::vector<Endpoint>& dsts, uint32_t batch) {
        cases_.push_back({&d.spec, Sender(std::move(fds), dsts, batch, o_.payload), shape, steering, reason, prog,
                          d.kind == Kind::KernelRouteAutoSrc, {}});
    };
    // One connected socket to a network of the case's own, and that network.
    auto connected = [&](bool kernel_encap) {
        const Net net = env_.route(dev, d.v4, kernel_encap);
        const Endpoint peer{net.host(kDstHost), kDport};
        socks_.push_back(udp_socket(local, &peer));
        return std::pair{socks_.back().get(), net};
    };
    switch (d.kind) {
    case Kind::Plain:
    case Kind::Floor:
    case Kind::Miss:
        add({connected(false).first}, {}, o_.batch);
        break;
    case Kind::KernelRoute:
    case Kind::KernelRouteAutoSrc:
        add({connected(true).first}, {}, o_.batch);
        break;
    case Kind::SocketPin:
    case Kind::Socket1: {
        const int fd = connected(false).first;
        steering->pin_socket(fd, target);
        add({fd}, {}, d.kind == Kind::SocketPin ? o_.batch : o_.rotate_batch);
        break;
    }
    case Kind::FlowPin: {
        const auto [fd, net] = connected(false);
        steering->pin(udp_flow(local, {net.host(kDstHost), kDport}), target);
        add({fd}, {}, o_.batch);
        break;
    }
    case Kind::PrefixPin: {
        const auto [fd, net] = connected(false);
        steering->pin(net.prefix, target);
        add({fd}, {}, o_.batch);
        break;
    }
    case Kind::FloorSocket1:
        add({connected(false).first}, {}, o_.rotate_batch);
        break;
    case Kind::SocketsOne:
        add({many_socks_.front()}, {}, o_.rotate_batch);
        break;
    case Kind::SocketsRotate:
        add(many_socks_, {}, o_.rotate_batch);
        break;
    case Kind::FloorSockets:
        add(floor_socks_, {}, o_.rotate_batch);
        break;
    case Kind::Flow1: {
        const Endpoint dst{env_.route(dev, false).host(kFlowHost), kFlowPort};
        socks_.push_back(udp_socket(local, nullptr));
        steering->pin(udp_flow(local, dst), target);
        add({socks_.back().get()}, {dst}, o_.batch);
        break;
    }
    case Kind::FlowsOne:
        add({flow_sock_}, {flow_dsts_.front()}, o_.batch);
        break;
    case Kind::FlowsRotate:
        add({flow_sock_}, shuffled(flow_dsts_), o_.batch);
        break;
    // The control of the flow scaling: the same sending through the floor,
    // to one destination and to as many as there are flow pins in the same
    // order. What the kernel and the sender pay for changing destination
    // every datagram (a sockaddr array of megabytes, a route lookup each)
    // is in both; the pins' own share is the ratio of the two ratios.
    case Kind::FloorFlow1: {
        const Endpoint dst{env_.route(dev, false).host(kFlowHost), kFlowPort};
        socks_.push_back(udp_socket(local, nullptr));
        add({socks_.back().get()}, {dst}, o_.batch);
        break;
    }
    case Kind::FloorFlows:
        socks_.push_back(udp_socket(local, nullptr));
        add({socks_.back().get()}, shuffled(flow_destinations(dev)), o_.batch);
        break;
    }
}

}  // namespace stack

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "stack_env.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "bench_floor_encap.skel.h"
#include "bench_sink.skel.h"
#include "common.hpp"
#include "text.hpp"

namespace stack {

using benchns::ip;
using benchutil::Failure;
using srv6steer::Prefix;
using srv6steer::UniqueFd;

namespace {

constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS (kernel BTF; not in libbpf 1.1's uapi)
constexpr uint32_t kTcxEgress = 47;   // BPF_TCX_EGRESS

struct RoleName {
    Role role;
    const char* name;
};
constexpr RoleName kRoles[] = {
    {Role::Plain, "plain"}, {Role::Floor, "floor"}, {Role::Steer, "steer"}, {Role::One, "one"}, {Role::Many, "many"}};

Ipv6 with_byte(Ipv6 a, size_t at, uint8_t v) {
    a.bytes[at] = v;
    return a;
}

// fcbb:0:80N:1::LOW
Ipv6 dev6(unsigned n, uint16_t low) {
    Ipv6 a = Ipv6::parse("fcbb:0:800:1::");
    a.bytes[5] = static_cast<uint8_t>(n);
    a.bytes[14] = static_cast<uint8_t>(low >> 8);
    a.bytes[15] = static_cast<uint8_t>(low);
    return a;
}

std::string mac(unsigned n, unsigned side) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "02:00:00:00:%02x:%02x", n, side);
    return buf;
}

UniqueFd tcx(int prog_fd, int ifindex, uint32_t where, const std::string& what) {
    UniqueFd link(bpf_link_create(prog_fd, ifindex, static_cast<bpf_attach_type>(where), nullptr));
    if (!link)
        throw Failure("attaching " + what + " (tcx): " + std::strerror(errno) + " (needs Linux 6.6 or later)");
    return link;
}

template <class Skel>
void check_loaded(Skel* s, const char* what) {
    if (!s)
        throw Failure(std::string("loading ") + what + ": " + std::strerror(errno));
}

}  // namespace

Ipv6 Device::extra(unsigned i) const { return dev6(n, static_cast<uint16_t>(0x100 + i)); }

Ipv6 Net::host(uint32_t i) const {
    Ipv6 a = prefix.addr;
    a.bytes[14] = static_cast<uint8_t>(i >> 8);
    a.bytes[15] = static_cast<uint8_t>(i);
    return a;
}

Env::Env() : ns_("stack"), sink_(nullptr, bench_sink__destroy), floor_(nullptr, bench_floor_encap__destroy) {
    ip({"link", "set", "lo", "up"});

    sink_.reset(bench_sink__open());
    check_loaded(sink_.get(), "the sink program");
    std::memcpy(const_cast<uint8_t*>(sink_->rodata->segment), kSegment.bytes.data(), 16);
    if (bench_sink__load(sink_.get()))
        throw Failure(std::string("loading the sink program: ") + std::strerror(errno));

    unsigned n = 1;
    for (const RoleName& r : kRoles) {
        Device d;
        d.role = r.role;
        d.n = n++;
        d.name = std::string("sb-") + r.name;
        d.peer = d.name + "-p";
        d.addr6 = dev6(d.n, 1);
        d.gw6 = dev6(d.n, 2);
        d.addr4 = Ipv6::from_ipv4((10u << 24) | (20u << 16) | (d.n << 8) | 1);
        d.gw4 = Ipv6::from_ipv4((10u << 24) | (20u << 16) | (d.n << 8) | 2);
        ip({"link", "add", d.name, "address", mac(d.n, 1), "type", "veth", "peer", "name", d.peer, "address",
            mac(d.n, 2)});
        ip({"link", "set", d.name, "up"});
        ip({"link", "set", d.peer, "up"});
        ip({"-6", "addr", "add", d.addr6.str() + "/64", "dev", d.name, "nodad"});
        ip({"addr", "add", srv6steer::text::address(d.addr4) + "/24", "dev", d.name});
        ip({"-6", "neigh", "add", d.gw6.str(), "lladdr", mac(d.n, 2), "dev", d.name, "nud", "permanent"});
        ip({"neigh", "add", srv6steer::text::address(d.gw4), "lladdr", mac(d.n, 2), "dev", d.name, "nud", "permanent"});
        d.ifindex = static_cast<int>(if_nametoindex(d.name.c_str()));
        const int peer = static_cast<int>(if_nametoindex(d.peer.c_str()));
        if (!d.ifindex || !peer)
            throw Failure("no interface " + d.name + " after creating it: " + std::strerror(errno));
        links_.push_back(tcx(bpf_program__fd(sink_->progs.bench_sink), peer, kTcxIngress, "the sink to " + d.peer));
        devs_.push_back(d);
    }

    // The kernel's seg6 routes send the outer packet to kSegment: out of
    // plain, from plain's address. Without `ip sr tunsrc` the kernel picks
    // the outer source per packet (ipv6_dev_get_saddr, through every address
    // of the namespace); srv6steer's source is fixed at attach.
    ip({"-6", "route", "add", "fcbb:0:1000::/36", "via", dev(Role::Plain).gw6.str(), "dev", dev(Role::Plain).name});
    tunsrc(true);

    floor_.reset(bench_floor_encap__open());
    check_loaded(floor_.get(), "the floor program");
    const Ipv6 src = dev(Role::Floor).addr6;
    std::memcpy(const_cast<uint32_t*>(floor_->rodata->outer_src), src.bytes.data(), 16);
    std::memcpy(const_cast<uint32_t*>(floor_->rodata->outer_dst), kSegment.bytes.data(), 16);
    if (bench_floor_encap__load(floor_.get()))
        throw Failure(std::string("loading the floor program: ") + std::strerror(errno));
    links_.push_back(tcx(bpf_program__fd(floor_->progs.bench_floor_encap), dev(Role::Floor).ifindex, kTcxEgress,
                         "the floor program to " + dev(Role::Floor).name));
}

Env::~Env() = default;

const Device& Env::dev(Role r) const {
    for (const Device& d : devs_)
        if (d.role == r)
            return d;
    throw Failure("no such device");
}

Net Env::route(const Device& d, bool v4, bool kernel_encap) {
    const unsigned c = ++nets_;
    if (c > 99)
        throw Failure("more than 99 case networks");
    Net net;
    if (v4) {
        net.prefix.addr = Ipv6::from_ipv4((10u << 24) | ((100u + c) << 16));
        net.prefix.len = 96 + 16;
    } else {
        net.prefix.addr = with_byte(Ipv6::parse("fcbb:0:900::"), 5, static_cast<uint8_t>(c));
        net.prefix.len = 64;
    }
    std::vector<std::string> args = {v4 ? "-4" : "-6", "route", "add", net.prefix.str()};
    if (kernel_encap)
        args.insert(args.end(), {"encap", "seg6", "mode", "encap.red", "segs", kSegment.str()});
    args.insert(args.end(), {"via", srv6steer::text::address(v4 ? d.gw4 : d.gw6), "dev", d.name});
    ip(args);
    return net;
}

void Env::add_addresses(const Device& d, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        ip({"-6", "addr", "add", d.extra(i).str() + "/128", "dev", d.name, "nodad"});
}

srv6steer::Steering Env::attach(const Device& d, uint32_t max_flows) {
    srv6steer::AttachOptions o;
    o.ifname = d.name;
    o.bpffs = bpffs();
    o.max_flows = max_flows;
    srv6steer::Steering s = srv6steer::Steering::attach(o);
    srv6steer::Path p;
    p.id = kPath;
    p.segments = {kSegment};
    s.add_path(p);
    return s;
}

Shapes Env::shapes() const {
    const int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0)
        throw Failure("libbpf_num_possible_cpus failed");
    std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
    const int fd = bpf_map__fd(sink_->maps.sink_shapes);
    Shapes s{};
    for (uint32_t i = 0; i < BENCH_SHAPE_MAX; i++) {
        if (bpf_map_lookup_elem(fd, &i, per_cpu.data()))
            throw Failure(std::string("reading the sink's counters: ") + std::strerror(errno));
        for (uint64_t v : per_cpu)
            s[i] += v;
    }
    return s;
}

void Env::tunsrc(bool fixed) { ip({"sr", "tunsrc", "set", fixed ? dev(Role::Plain).addr6.str() : "::"}); }

size_t Env::ipv6_addresses() const {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list))
        return 0;
    size_t n = 0;
    for (const ifaddrs* a = list; a; a = a->ifa_next)
        n += a->ifa_addr && a->ifa_addr->sa_family == AF_INET6;
    freeifaddrs(list);
    return n;
}

int Env::floor_fd() const { return bpf_program__fd(floor_->progs.bench_floor_encap); }

const char* shape_name(unsigned shape) {
    static const char* const names[] = {"IPv6 UDP", "IPv4 UDP", "IPv6 UDP in IPv6 to the segment",
                                        "IPv4 UDP in IPv6 to the segment", "other"};
    return shape < BENCH_SHAPE_MAX ? names[shape] : "?";
}

}  // namespace stack

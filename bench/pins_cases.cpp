// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "pins_cases.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common.hpp"
#include "pins_routes.hpp"

namespace pins {

using namespace srv6steer;
using benchutil::Failure;
using benchutil::now_ns;
using benchutil::rate;

namespace {

const Target kTarget = Target::path(1);

Path the_path() {
    Path p;
    p.id = 1;
    p.segments = {kSeg};
    p.mode = SrhMode::Reduced;
    return p;
}

uint32_t room_for(size_t n) { return static_cast<uint32_t>(n + n / 16 + 1024); }

// The flow map must hold exactly `want` (sorted), each to kTarget.
void verify_flows(const Steering& s, const std::vector<Flow>& want, const std::string& what) {
    const auto got = s.flows();
    if (got.size() != want.size())
        throw Failure(what + ": the flow map holds " + std::to_string(got.size()) + " pins, expected " +
                      std::to_string(want.size()));
    for (size_t i = 0; i < got.size(); i++)
        if (!(got[i].key == want[i]) || !(got[i].target == kTarget))
            throw Failure(what + ": pin " + std::to_string(i) + " is " + got[i].key.str() + " -> " +
                          got[i].target.str() + ", expected " + want[i].str() + " -> " + kTarget.str());
}

// pin_flows must report every pin as new.
void verify_fresh(size_t fresh, size_t want, const std::string& what) {
    if (fresh != want)
        throw Failure(what + ": pin_flows reported " + std::to_string(fresh) + " new pins, expected " +
                      std::to_string(want));
}

Steering unattached(uint32_t max_flows) {
    AttachOptions o;
    o.ifname = kDev;
    o.source = kHost;
    o.max_flows = max_flows;
    Steering s = Steering::load_unattached(o);
    s.add_path(the_path());
    return s;
}

// An instance attached to kDev with state in the private bpffs; detached at
// the end of scope whatever happened.
struct Attached {
    std::string bpffs;
    std::string pin_dir;  // its state directory, gone after detach
    std::optional<Steering> s;
    Attached(const Env& env, bool route_mtu, uint32_t max_flows) : bpffs(env.bpffs()) {
        AttachOptions a;
        a.ifname = kDev;
        a.bpffs = bpffs;
        a.route_mtu = route_mtu;
        a.max_flows = max_flows;
        s.emplace(Steering::attach(a));
        s->add_path(the_path());
        pin_dir = s->status().pin_dir;
    }
    // Timed detach (TC link, route MTUs and pins removed); returns ns.
    uint64_t detach() {
        s.reset();
        const uint64_t t0 = now_ns();
        if (!Steering::detach(kDev, bpffs))
            throw Failure("detach: srv6steer was not attached to " + std::string(kDev));
        const uint64_t ns = now_ns() - t0;
        bpffs.clear();
        return ns;
    }
    ~Attached() {
        if (bpffs.empty())
            return;
        s.reset();
        try {
            Steering::detach(kDev, bpffs);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_pins: detach while unwinding: %s\n", e.what());
        }
    }
};

// What detach left in the private bpffs: the instance's state directory,
// and any pin (bpf_preload's own maps.debug and progs.debug aside; the
// directories srv6steer keeps for every instance may stay).
std::vector<std::string> left_after_detach(const std::string& bpffs, const std::string& pin_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    if (std::filesystem::exists(pin_dir, ec))
        out.push_back(pin_dir);
    for (auto it = std::filesystem::recursive_directory_iterator(bpffs, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto name = it->path().filename();
        if (it->is_directory(ec) || (it.depth() == 0 && (name == "maps.debug" || name == "progs.debug")))
            continue;
        out.push_back(it->path().string());
    }
    return out;
}

void verify_clean(Env& env, const std::string& pin_dir, const std::string& what) {
    const RouteCount c = count_routes(env.nl(), kSteerNet, 5, seg6_encap(kSeg));
    if (c.ours || c.seg6_ok || c.seg6_other)
        throw Failure(what + ": " + std::to_string(c.ours + c.seg6_ok + c.seg6_other) + " /128 routes left in " +
                      kSteerNet.str() + "/40 after detach");
    if (const auto left = left_after_detach(env.bpffs(), pin_dir); !left.empty()) {
        std::string msg = what + ": left in the private bpffs after detach:";
        for (const auto& p : left)
            msg += " " + p;
        throw Failure(msg);
    }
}

void verify_routes(Env& env, Steering& s, size_t want, const std::string& what) {
    const RouteCount c = count_routes(env.nl(), kSteerNet, 5, seg6_encap(kSeg));
    const size_t owned = s.status().owned_routes.size();
    if (c.ours != want || owned != want)
        throw Failure(what + ": " + std::to_string(c.ours) + " srv6steer routes in the kernel and " +
                      std::to_string(owned) + " in its journal, expected " + std::to_string(want));
}

// The kernel must hold exactly n seg6 encap.red /128 routes in net.
void verify_seg6(Env& env, const Ipv6& net, size_t n, const std::string& what) {
    const RouteCount c = count_routes(env.nl(), net, 6, seg6_encap(kSeg));
    if (c.seg6_ok != n || c.seg6_other)
        throw Failure(what + ": the kernel has " + std::to_string(c.seg6_ok) + " seg6 encap.red routes (+" +
                      std::to_string(c.seg6_other) + " others), expected " + std::to_string(n));
}

}  // namespace

double Timing::median() const { return benchutil::median(rates); }
double Timing::min() const { return rates.empty() ? 0 : *std::min_element(rates.begin(), rates.end()); }
double Timing::max() const { return rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end()); }

Flow map_flow(uint32_t i) {
    Flow f;
    f.src = host(kSrc, 0x10000u + i);
    f.dst = kDst;
    f.proto = 6;
    f.sport = static_cast<uint16_t>(1024 + i % 60000);
    f.dport = 5201;
    return f;
}

Flow steer_flow(uint32_t i, uint32_t n_dsts) {
    Flow f = map_flow(i);
    f.dst = host(kSteerNet, 1 + (n_dsts ? i % n_dsts : i));
    return f;
}

Batch make_batch(uint32_t n, const std::function<Flow(uint32_t)>& flow) {
    Batch b;
    b.flows.reserve(n);
    b.pins.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        b.flows.push_back(flow(i));
        b.pins.emplace_back(b.flows.back(), kTarget);
    }
    std::sort(b.flows.begin(), b.flows.end());  // as Steering::flows() lists them
    return b;
}

RouteMsgs make_routes(uint32_t n, int oif) {
    RouteMsgs r;
    const auto encap = seg6_encap(kSeg);
    for (uint32_t i = 0; i < n; i++) {
        r.add.push_back(seg6_route(true, host(kRouteNet, i + 1), oif, encap));
        r.del.push_back(seg6_route(false, host(kRouteNet, i + 1), oif, encap));
    }
    return r;
}

void run_single(const Batch& b, bool reuse_opts, const std::string& name, Result& res) {
    Steering s = unattached(room_for(b.pins.size()));
    const PinOptions opts;
    const uint64_t t0 = now_ns();
    if (reuse_opts)
        for (const auto& [f, t] : b.pins)
            s.pin(f, t, opts);
    else
        for (const auto& [f, t] : b.pins)
            s.pin(f, t);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    verify_flows(s, b.flows, name);
}

void run_batch(const Batch& b, Result& res) {
    Steering s = unattached(room_for(b.pins.size()));
    const uint64_t t0 = now_ns();
    const size_t fresh = s.pin_flows(b.pins);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    verify_fresh(fresh, b.pins.size(), "batch");
    verify_flows(s, b.flows, "batch");
}

// The kernel's part of a batch alone, into a hash map of the flow map's shape
// (key 40 B, value 40 B, preallocated), no user-space work.
void run_batch_map_only(const Batch& b, Result& res) {
    std::vector<srv6s_flow_key> keys;
    std::vector<srv6s_pin> values;
    keys.reserve(b.pins.size());
    values.reserve(b.pins.size());
    for (const auto& [f, t] : b.pins) {
        keys.push_back(f.key());
        srv6s_pin v{};
        v.path_set = t.slot();
        values.push_back(v);
    }
    const uint32_t n = static_cast<uint32_t>(keys.size());
    const int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_flows", sizeof(srv6s_flow_key), sizeof(srv6s_pin),
                                  room_for(n), nullptr);
    if (fd < 0)
        throw Failure("batch_map_only: creating the hash map: " + std::string(std::strerror(errno)));
    struct Close {
        int fd;
        ~Close() { close(fd); }
    } guard{fd};
    uint32_t count = n;
    const uint64_t t0 = now_ns();
    if (bpf_map_update_batch(fd, keys.data(), values.data(), &count, nullptr))
        throw Failure("batch_map_only: bpf_map_update_batch: " + std::string(std::strerror(errno)));
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    srv6s_flow_key k{}, next{};
    uint32_t seen = 0;
    for (const srv6s_flow_key* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &k) {
        k = next;
        seen++;
    }
    if (count != n || seen != n)
        throw Failure("batch_map_only: " + std::to_string(seen) + " entries, expected " + std::to_string(n));
}

void run_route_netlink(Env& env, RouteMsgs& m, uint32_t window, const std::string& name, Result& res) {
    const size_t n = m.add.size();
    uint64_t t0 = now_ns();
    res.retries.push_back(send_all(env.nl(), m.add, window, "adding"));
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    verify_seg6(env, kRouteNet, n, name);
    t0 = now_ns();
    send_all(env.nl(), m.del, window, "deleting");
    res.removal.rates.push_back(rate(n, now_ns() - t0));
    verify_seg6(env, kRouteNet, 0, name + " (after deleting them)");
}

void run_route_exec(Env& env, uint32_t n, Result& res) {
    const uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < n; i++)
        ip_route(true, host(kExecNet, i + 1), kSeg);
    res.pins.rates.push_back(rate(n, now_ns() - t0));
    verify_seg6(env, kExecNet, n, "route_exec");
    const auto encap = seg6_encap(kSeg);
    std::vector<srv6steer::nl::Request> del;
    for (uint32_t i = 0; i < n; i++)
        del.push_back(seg6_route(false, host(kExecNet, i + 1), env.oif(), encap));
    send_all(env.nl(), del, 1, "deleting an exec");
    verify_seg6(env, kExecNet, 0, "route_exec (after deleting them)");
}

void run_single_attached(Env& env, const Batch& b, bool route_mtu, size_t want_routes,
                         const std::string& name, bool tenths, Result& res) {
    const size_t n = b.pins.size();
    Attached a(env, route_mtu, room_for(n));
    const size_t tenth = std::max<size_t>(1, n / 10);
    uint64_t t_first = 0, t_last = 0;
    const uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        if (i == n - tenth)
            t_last = now_ns();
        a.s->pin(b.pins[i].first, b.pins[i].second);
        if (i + 1 == tenth)
            t_first = now_ns();
    }
    const uint64_t t1 = now_ns();
    res.pins.rates.push_back(rate(n, t1 - t0));
    if (tenths) {
        res.first_tenth.rates.push_back(rate(tenth, t_first - t0));
        res.last_tenth.rates.push_back(rate(tenth, t1 - t_last));
    }
    verify_flows(*a.s, b.flows, name);
    verify_routes(env, *a.s, want_routes, name);
    res.removal.rates.push_back(static_cast<double>(a.detach()) / 1e6);
    verify_clean(env, a.pin_dir, name);
}

void run_batch_attached(Env& env, const Batch& b, size_t want_routes, Result& res) {
    Attached a(env, true, room_for(b.pins.size()));
    const uint64_t t0 = now_ns();
    const size_t fresh = a.s->pin_flows(b.pins);
    res.pins.rates.push_back(rate(b.pins.size(), now_ns() - t0));
    verify_fresh(fresh, b.pins.size(), "batch_attached");
    verify_flows(*a.s, b.flows, "batch_attached");
    verify_routes(env, *a.s, want_routes, "batch_attached");
    res.removal.rates.push_back(static_cast<double>(a.detach()) / 1e6);
    verify_clean(env, a.pin_dir, "batch_attached");
}

}  // namespace pins

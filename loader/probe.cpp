// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer probe PATH --to ADDR`: a one-shot ping over one path
// (docs/design.md §16): a Prober with that one target, measuring only (it
// marks nothing down, writes no health), printing each reply's RTT or the
// loss, then a summary. Needs the state (root), not the agent.
#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "srv6steer/probe.hpp"
#include "text.hpp"

namespace srv6steer::cli {

namespace {

struct ProbeCmd : Common {
    uint32_t path = 0;
    std::optional<Ipv6> to;
    std::optional<Ipv6> ret;
    uint32_t count = 5;
    uint32_t interval_ms = 1000;
    std::optional<uint32_t> timeout_ms;
    uint32_t port = SRV6S_PROBE_PORT;

    void check() const {
        if (!to)
            throw UsageError("missing --to ADDR (the remote host to probe)");
    }
};

std::string rtt_ms(std::chrono::nanoseconds ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f ms", double(ns.count()) / 1e6);
    return buf;
}

int cmd_probe(const ProbeCmd& c) {
    auto s = open_state(c);
    ProberOptions o;
    o.auto_targets = false;
    o.mark = false;
    o.keep_events = true;
    o.count = c.count;
    o.interval = std::chrono::milliseconds(c.interval_ms);
    o.timeout = std::chrono::milliseconds(c.timeout_ms.value_or(std::max<uint32_t>(1000, 2 * c.interval_ms)));
    ProbeTarget t;
    t.path = c.path;
    t.remote = *c.to;
    t.ret = c.ret;
    t.port = static_cast<uint16_t>(c.port);
    o.targets = {t};
    Prober p(s, o);
    const std::string where = text::address(t.remote);
    std::cout << "probing " << where << " port " << t.port << " over path " << t.path
              << (t.ret ? ", replies encapsulated to " + t.ret->str() : std::string()) << "\n"
              << std::flush;
    uint32_t seen = 0, answered = 0;
    std::chrono::nanoseconds min{0}, max{0}, sum{0};
    while (seen < c.count) {
        const auto now = ProbeClock::now();
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(p.next_deadline() - now).count();
        std::vector<pollfd> fds;
        for (int fd : p.fds())
            fds.push_back({fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), int(std::clamp<int64_t>(wait, 0, 60000))) < 0 && errno != EINTR)
            throw_errno("waiting for probe replies", errno);
        p.service();
        for (const ProbeEvent& e : p.take_events()) {
            seen++;
            if (!e.rtt) {
                std::cout << "seq=" << e.seq << " lost\n";
                continue;
            }
            answered++;
            min = answered == 1 ? *e.rtt : std::min(min, *e.rtt);
            max = std::max(max, *e.rtt);
            sum += *e.rtt;
            std::cout << "reply from " << where << ": seq=" << e.seq << " rtt=" << rtt_ms(*e.rtt);
            if (e.rx_counts)
                std::cout << " rx=" << e.rx_packets << " ce=" << e.rx_ce_packets;
            if (e.returned)
                std::cout << " (returned encapsulated)";
            std::cout << "\n" << std::flush;
        }
    }
    std::cout << c.count << " sent, " << answered << " answered, " << (c.count - answered) << " lost";
    if (answered)
        std::cout << "; rtt min/avg/max " << rtt_ms(min) << " / " << rtt_ms(sum / answered) << " / " << rtt_ms(max);
    std::cout << "\n";
    return answered ? kOk : kFailure;
}

Ipv6 parse_address(const std::string& t) { return Ipv6::parse_any(t); }
Ipv6 parse_container(const std::string& t) { return Ipv6::parse(t); }

}  // namespace

Command probe_command() {
    using P = ProbeCmd;
    return command<P>(
        "probe", "PATH --to ADDR",
        "send probes over path PATH to ADDR and print their round-trip times (the far host's receive side answers)",
        kDev, {number("PATH", &P::path, 0, SRV6S_MAX_PATHS - 1)},
        {parsed("to", "ADDR", "the remote host (IPv6 or IPv4)", &P::to, parse_address),
         parsed("return", "C", "ask for the reply encapsulated to return container C", &P::ret, parse_container),
         number("c,count", "N", "send N probes (default 5)", &P::count, 1, 1000000),
         number("i,interval", "MS", "one probe every MS milliseconds (default 1000)", &P::interval_ms, 1, 10000),
         number("W,timeout", "MS", "a probe is lost after MS milliseconds (default max(1000, 2 x interval))",
                &P::timeout_ms, 1, 60000),
         number("p,port", "PORT", "the remote probe port (default 6635)", &P::port, 1, 65535)},
        cmd_probe);
}

}  // namespace srv6steer::cli

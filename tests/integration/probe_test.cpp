// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The prober (libsrv6steer/probe.cpp, docs/design.md §16) on real sockets:
// host (srv6steer on veth0) -- router (ends the paths) -- sink
// (steered_net.hpp). The far end's answer is a responder written here, a
// UDP socket in the sink's namespace that answers each request as
// include/srv6steer/probe_abi.h says (an implementation independent of the
// data plane's); losses are injected by having it not answer. Every wait is
// bounded and ends on an event (a reply, a state written), never on a sleep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <endian.h>
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include <cstring>

#include <deque>
#include <set>

#include "skip.hpp"
#include "srv6steer/probe.hpp"
#include "steered_net.hpp"

using namespace srv6steer;
using namespace steernet;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

// Answers probe requests on the sink's probe port.
class Responder {
public:
    Responder(Network& net, int family) : fd_(net.sink_socket(family, SOCK_DGRAM, SRV6S_PROBE_PORT)) {
        const int on = 1;
        if (family == AF_INET6)
            setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);
        else
            setsockopt(fd_.get(), IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    }
    int fd() const { return fd_.get(); }

    bool answer = true;              // false: read requests, answer none (the replies are "lost")
    std::optional<uint64_t> rx_ce;   // report these CE packets (SRV6S_PROBE_F_RX_COUNTS)
    bool all_ce = false;             // with rx_ce: every packet counted is CE (rx_ce follows the requests)
    std::set<int> ecn;               // the ECN bits the requests arrived with
    size_t requests = 0, answered = 0;
    std::set<uint32_t> paths;        // path ids the requests carried
    // Replies on these paths are held back this long (a slower path).
    std::map<uint32_t, std::chrono::microseconds> delay;

    // When a held reply is due (max: none held).
    ProbeClock::time_point next_due() const {
        return held_.empty() ? ProbeClock::time_point::max() : held_.front().due;
    }

    void serve() {
        const auto now = ProbeClock::now();
        while (!held_.empty() && held_.front().due <= now) {
            send(held_.front().p, held_.front().to, held_.front().len);
            held_.pop_front();
        }
        for (;;) {
            srv6s_probe p{};
            sockaddr_storage from{};
            iovec iov{&p, sizeof p};
            alignas(cmsghdr) char control[64];
            msghdr mh{};
            mh.msg_name = &from;
            mh.msg_namelen = sizeof from;
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            mh.msg_control = control;
            mh.msg_controllen = sizeof control;
            const ssize_t n = recvmsg(fd_.get(), &mh, MSG_DONTWAIT);
            if (n < 0)
                return;
            const socklen_t len = mh.msg_namelen;
            for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
                    int tc = 0;
                    std::memcpy(&tc, CMSG_DATA(c), sizeof tc);
                    ecn.insert(tc & 3);
                } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
                    ecn.insert(*CMSG_DATA(c) & 3);
                }
            }
            // A request: magic, version, type (byte order of the wire).
            if (n != ssize_t(sizeof p) || p.magic != htonl(0x53365052U) || p.version != 1 || p.type != 1)
                continue;
            requests++;
            paths.insert(ntohl(p.path_id));
            if (!answer)
                continue;
            p.type = 2;  // REPLY; path id, seq and sent_ns echoed as they came
            if (all_ce)
                rx_ce = requests;
            if (rx_ce) {
                p.flags = htons(ntohs(p.flags) | 2);  // RX_COUNTS
                p.rx_packets = htobe64(requests);
                p.rx_ce_packets = htobe64(*rx_ce);
            }
            if (auto d = delay.find(ntohl(p.path_id)); d != delay.end()) {
                // Held in arrival order: one delay per path keeps them due in order.
                held_.push_back({ProbeClock::now() + d->second, p, from, len});
                std::stable_sort(held_.begin(), held_.end(),
                                 [](const Held& a, const Held& b) { return a.due < b.due; });
                continue;
            }
            send(p, from, len);
        }
    }

private:
    struct Held {
        ProbeClock::time_point due;
        srv6s_probe p;
        sockaddr_storage to;
        socklen_t len;
    };
    void send(const srv6s_probe& p, const sockaddr_storage& to, socklen_t len) {
        if (sendto(fd_.get(), &p, sizeof p, 0, reinterpret_cast<const sockaddr*>(&to), len) == ssize_t(sizeof p))
            answered++;
    }

    UniqueFd fd_;
    std::deque<Held> held_;
};

// Serves the prober and the responder until done() or `limit` passed;
// false when done() never came.
template <class Done>
bool run(Prober& p, Responder& r, Done&& done, std::chrono::milliseconds limit = 10s) {
    const auto end = ProbeClock::now() + limit;
    while (!done()) {
        const auto now = ProbeClock::now();
        if (now >= end)
            return false;
        std::vector<pollfd> fds{{r.fd(), POLLIN, 0}};
        for (int fd : p.fds())
            fds.push_back({fd, POLLIN, 0});
        const auto wake = std::min({end, p.next_deadline(), r.next_due()});
        // To the microsecond (a held reply is due then), at most a second.
        const auto us = std::clamp<int64_t>(std::chrono::ceil<std::chrono::microseconds>(wake - now).count(), 0,
                                            1'000'000);
        const timespec ts{us / 1'000'000, (us % 1'000'000) * 1000};
        ppoll(fds.data(), fds.size(), &ts, nullptr);
        r.serve();
        p.service();
    }
    return true;
}

class Probes : public ::testing::Test {
protected:
    Network net;
    std::optional<Steering> s;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(net.build("probe"));
        s.emplace(Steering::attach(net.options()));
        add_paths(*s);
    }

    static ProbeTarget to_sink(uint32_t path, int family = AF_INET6) {
        ProbeTarget t;
        t.path = path;
        t.remote = Ipv6::parse_any(sink_addr(family));
        return t;
    }

    // Only the configured target, fast: 2 ms probes, lost after 20 ms.
    static ProberOptions fast(std::vector<ProbeTarget> targets, HealthPolicy policy = {3, 3, 0ms}) {
        ProberOptions o;
        o.interval = 2ms;
        o.timeout = 20ms;
        o.policy = policy;
        o.auto_targets = false;
        o.targets = std::move(targets);
        return o;
    }

    srv6s_path_health stored(uint32_t id) {
        const Stats st = s->stats();
        for (size_t i = 0; i < st.paths.size(); i++)
            if (st.paths[i].first == id)
                return st.health.at(i);
        ADD_FAILURE() << "no path " << id;
        return {};
    }

    // The path's congestion byte as the data plane reads it (the pinned
    // paths map, not the library's view).
    uint32_t congestion(uint32_t id) {
        const std::string pin = s->status().pin_dir + "/paths";
        UniqueFd fd(bpf_obj_get(pin.c_str()));
        srv6s_path p{};
        if (!fd || bpf_map_lookup_elem(fd.get(), &id, &p)) {
            ADD_FAILURE() << "cannot read path " << id << " from " << pin;
            return ~0u;
        }
        return p.congestion;
    }

    // The flowlet tests' set: 10, of paths 1 and 2 towards the sink, both
    // probed every 2 ms, the sets read again every 20 ms; r holds path 2's
    // replies back 3 ms (its skew).
    ProberOptions skewed_set(Responder& r) {
        s->define_set({10, {kV6.plain, kV6.srh}});
        r.delay[kV6.srh] = 3ms;
        ProberOptions o = fast({to_sink(kV6.plain), to_sink(kV6.srh)});
        o.refresh = 20ms;
        return o;
    }

    // The flowlet gap as the data plane reads it (the pinned config map,
    // opened once: a wait's condition must not slow the loop that serves the
    // probes, or their RTTs grow).
    UniqueFd config_;
    uint32_t gap_us() {
        if (!config_)
            config_ = UniqueFd(bpf_obj_get((s->status().pin_dir + "/config").c_str()));
        const uint32_t key = 0;
        srv6s_config c{};
        if (!config_ || bpf_map_lookup_elem(config_.get(), &key, &c)) {
            ADD_FAILURE() << "cannot read the config map";
            return ~0u;
        }
        return c.flowlet_gap_us;
    }

    bool down(uint32_t id) {
        for (const Path& p : s->paths())
            if (p.id == id)
                return p.down;
        ADD_FAILURE() << "no path " << id;
        return false;
    }
};

TEST_F(Probes, RepliesGiveRttAndThePathIsUp) {
    Responder r(net, AF_INET6);
    r.rx_ce = 7;
    Prober p(*s, fast({to_sink(kV6.plain)}));
    ASSERT_TRUE(run(p, r, [&] { return r.answered >= 20 && stored(kV6.plain).replies >= 20; }))
        << r.requests << " requests, " << r.answered << " answered";
    const srv6s_path_health h = stored(kV6.plain);
    EXPECT_EQ(h.state, SRV6S_HEALTH_UP);
    EXPECT_EQ(h.targets, 1u);
    EXPECT_GE(h.sent, h.replies);
    EXPECT_EQ(h.lost, 0u);
    EXPECT_GT(h.rtt_min_ns, 0u);
    EXPECT_LE(h.rtt_min_ns, h.rtt_last_ns);
    EXPECT_LE(h.rtt_min_ns, h.rtt_avg_ns);
    EXPECT_EQ(h.rx_ce_packets, 7u) << "the far end's CE count, from replies with RX_COUNTS";
    EXPECT_EQ(h.transitions, 1u) << "UNKNOWN -> UP";
    EXPECT_FALSE(down(kV6.plain));
    EXPECT_EQ(r.paths, std::set<uint32_t>{kV6.plain}) << "requests carry the path id";
    EXPECT_EQ(stored(kV6.srh).state, SRV6S_HEALTH_UNKNOWN) << "a path not probed";
}

TEST_F(Probes, LostRepliesMarkThePathDownAndRepliesBringItBack) {
    Responder r(net, AF_INET6);
    Prober p(*s, fast({to_sink(kV6.plain)}, {3, 3, 50ms}));
    ASSERT_TRUE(run(p, r, [&] { return stored(kV6.plain).state == SRV6S_HEALTH_UP; }));
    r.answer = false;
    ASSERT_TRUE(run(p, r, [&] { return down(kV6.plain); })) << "three lost probes mark it down";
    srv6s_path_health h = stored(kV6.plain);
    EXPECT_EQ(h.state, SRV6S_HEALTH_DOWN) << "written in the same transaction";
    EXPECT_GE(h.lost, 3u);
    EXPECT_EQ(h.transitions, 2u);
    const uint64_t down_since = h.since_ns;
    r.answer = true;
    ASSERT_TRUE(run(p, r, [&] { return !down(kV6.plain); })) << "three replies (after 50 ms) mark it up";
    h = stored(kV6.plain);
    EXPECT_EQ(h.state, SRV6S_HEALTH_UP);
    EXPECT_EQ(h.transitions, 3u);
    EXPECT_GE(h.since_ns - down_since, 50'000'000u) << "no sooner than the hold-down";
    EXPECT_FALSE(down(kV6.srh)) << "other paths untouched";
}

TEST_F(Probes, AProberStartedAfreshTakesOverTheDownItsPredecessorLeft) {
    // An agent restarted while its path was down: the new prober starts
    // UNKNOWN, its counter writes keep the stored DOWN (so the bit is still
    // the prober's), and its first replies bring the path back.
    Responder r(net, AF_INET6);
    {
        Prober first(*s, fast({to_sink(kV6.plain)}));
        ASSERT_TRUE(run(first, r, [&] { return stored(kV6.plain).state == SRV6S_HEALTH_UP; }));
        r.answer = false;
        ASSERT_TRUE(run(first, r, [&] { return down(kV6.plain); }));
    }
    Prober second(*s, fast({to_sink(kV6.plain)}));
    ASSERT_TRUE(run(second, r, [&] { return stored(kV6.plain).sent >= 10; }));
    EXPECT_TRUE(down(kV6.plain)) << "nothing answers yet: still down";
    EXPECT_EQ(stored(kV6.plain).state, SRV6S_HEALTH_DOWN) << "and still the prober's";
    r.answer = true;
    ASSERT_TRUE(run(second, r, [&] { return !down(kV6.plain); }));
    EXPECT_EQ(stored(kV6.plain).state, SRV6S_HEALTH_UP);
}

// Congestion (docs/design.md §17): a far end that counts every packet of
// the path CE-marked raises its level, 4 a window, to 16 in the data plane;
// when the marks stop, the level comes down one a window (after the hold);
// a prober that stops takes its levels back to 0. Probes go ECN-capable.
TEST_F(Probes, CongestionMarksRaiseThePathsLevelAndItComesBackDown) {
    Responder r(net, AF_INET6);
    r.rx_ce = 0;
    r.all_ce = true;
    ProberOptions o = fast({to_sink(kV6.plain)});
    o.congestion.window = 20ms;
    o.congestion.min_packets = 4;
    o.congestion.hold = 100ms;
    std::optional<Prober> p(std::in_place, *s, o);
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) == 16; })) << "level " << congestion(kV6.plain);
    srv6s_path_health h = stored(kV6.plain);
    EXPECT_EQ(h.congestion, 16u);
    EXPECT_EQ(h.ce_ppm, 1'000'000u);
    EXPECT_GE(h.rx_packets, 4u);
    EXPECT_EQ(h.rx_packets, h.rx_ce_packets);
    EXPECT_FALSE(down(kV6.plain)) << "congested is not down";
    EXPECT_EQ(congestion(kV6.srh), 0u) << "other paths untouched";
    EXPECT_EQ(r.ecn, std::set<int>{2}) << "probes are ECT(0)";
    for (const Path& path : s->paths()) {
        if (path.id == kV6.plain) {
            EXPECT_NO_THROW(s->add_path(path)) << "the same path again: the level is not part of it";
        }
    }
    EXPECT_EQ(congestion(kV6.plain), 16u);

    r.all_ce = false;  // rx_ce stays where it is: no more marks
    // (The hold itself is checked on an injected clock: tests/unit/congestion_test.cpp.)
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) < 16; }));
    EXPECT_EQ(congestion(kV6.plain), 15u) << "one level at a time";
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) == 0; }));
    EXPECT_EQ(stored(kV6.plain).ce_ppm, 0u);

    r.all_ce = true;
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) > 0; }));
    p.reset();
    EXPECT_EQ(congestion(kV6.plain), 0u) << "a prober that stops leaves no level behind";
}

// Levels are the running prober's: a new one clears what a predecessor left
// (here written by hand, as a crashed agent would have left it); a far end
// that stops reporting counts takes its reports with it; level writes never
// touch the DOWN bit (a path the prober marked down and an operator brought
// up stays up when the prober goes).
TEST_F(Probes, LevelsBelongToTheRunningProberAndLeaveTheDownBitAlone) {
    ASSERT_TRUE(s->set_path_congestion(kV6.srh, 9));
    EXPECT_EQ(congestion(kV6.srh), 9u);
    Responder r(net, AF_INET6);
    r.rx_ce = 0;
    r.all_ce = true;
    ProberOptions o = fast({to_sink(kV6.plain)}, {3, 3, 0ms});
    o.congestion.window = 20ms;
    o.congestion.min_packets = 4;
    std::optional<Prober> p(std::in_place, *s, o);
    EXPECT_EQ(congestion(kV6.srh), 0u) << "a level left behind is cleared";
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) == 16; }));

    // Replies without counts: nothing is known of the path's congestion.
    r.all_ce = false;
    r.rx_ce.reset();
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) == 0; }));

    // Back to 16, then down (no answers), up by hand, the prober gone: up, level 0.
    r.rx_ce = 0;
    r.all_ce = true;
    ASSERT_TRUE(run(*p, r, [&] { return congestion(kV6.plain) == 16; }));
    r.answer = false;
    ASSERT_TRUE(run(*p, r, [&] { return down(kV6.plain); }));
    s->set_path_down(kV6.plain, false);
    p.reset();
    EXPECT_FALSE(down(kV6.plain)) << "the operator's up stays";
    EXPECT_EQ(congestion(kV6.plain), 0u);
}

TEST_F(Probes, CongestionCanBeTurnedOff) {
    Responder r(net, AF_INET6);
    r.rx_ce = 0;
    r.all_ce = true;
    ProberOptions o = fast({to_sink(kV6.plain)});
    o.congestion.enabled = false;
    o.congestion.window = 5ms;
    o.congestion.min_packets = 1;
    Prober p(*s, o);
    ASSERT_TRUE(run(p, r, [&] { return stored(kV6.plain).replies >= 30; }));
    EXPECT_EQ(congestion(kV6.plain), 0u);
    EXPECT_EQ(stored(kV6.plain).congestion, 0u);
}

TEST_F(Probes, APathIsUpWhileAnyOfItsTargetsAnswers) {
    // IPv6 and IPv4 targets over one path: only the IPv6 responder answers.
    Responder r6(net, AF_INET6);
    Prober p(*s, fast({to_sink(kV6.plain), to_sink(kV6.plain, AF_INET)}, {2, 2, 0ms}));
    ASSERT_TRUE(run(p, r6, [&] { return stored(kV6.plain).lost >= 10 && stored(kV6.plain).replies >= 10; }));
    EXPECT_EQ(stored(kV6.plain).state, SRV6S_HEALTH_UP);
    EXPECT_EQ(stored(kV6.plain).targets, 2u);
    EXPECT_FALSE(down(kV6.plain));
    r6.answer = false;
    ASSERT_TRUE(run(p, r6, [&] { return down(kV6.plain); })) << "now neither answers";
}

TEST_F(Probes, APathDownByHandIsLeftAlone) {
    Responder r(net, AF_INET6);
    Prober p(*s, fast({to_sink(kV6.plain)}, {1, 1, 0ms}));
    ASSERT_TRUE(run(p, r, [&] { return stored(kV6.plain).state == SRV6S_HEALTH_UP; }));
    s->set_path_down(kV6.plain, true);  // by hand
    const uint64_t before = stored(kV6.plain).replies;
    ASSERT_TRUE(run(p, r, [&] { return stored(kV6.plain).replies >= before + 20; }));
    EXPECT_TRUE(down(kV6.plain)) << "answered probes do not bring up a path marked down by hand";
    // The link goes bad meanwhile: the prober's DOWN is not written as its own.
    r.answer = false;
    ASSERT_TRUE(run(p, r, [&] { return stored(kV6.plain).lost >= 5; }));
    r.answer = true;
    // Answered again, the prober's own state comes back up. With one miss
    // for down, a reply later than the 20 ms timeout (a loaded machine)
    // counts as a loss: wait for the state, not for a number of replies.
    const uint64_t again = stored(kV6.plain).replies;
    ASSERT_TRUE(run(p, r, [&] {
        const srv6s_path_health h = stored(kV6.plain);
        return h.replies >= again + 5 && h.state == SRV6S_HEALTH_UP;
    }));
    EXPECT_TRUE(down(kV6.plain)) << "nor does the recovery after a loss: a DOWN bit with health UP is by hand";
    s->set_path_down(kV6.plain, false);  // by hand again
    const uint64_t after = stored(kV6.plain).replies;
    ASSERT_TRUE(run(p, r, [&] {
        const srv6s_path_health h = stored(kV6.plain);
        return h.replies >= after + 5 && h.state == SRV6S_HEALTH_UP;
    }));
    EXPECT_FALSE(down(kV6.plain)) << "the prober owns the path again: up and answered, no DOWN bit";
}

TEST_F(Probes, HandsAndTheProberAtOnceNeverLeaveThePathStuck) {
    // A process sets the path down and up by hand 300 times while the
    // prober, whose responder answers in bursts, flaps it (1 miss, 1
    // recovery): each change is one transaction under the state lock, so
    // none writes a stale copy of the path. At the end (hands off, answered)
    // the prober must own the path again and have it up, segments intact.
    Responder r(net, AF_INET6);
    Prober p(*s, fast({to_sink(kV6.plain)}, {1, 1, 0ms}));
    const Path before = s->paths().at(0);
    const pid_t child = fork();
    if (child == 0) {
        int rc = 0;
        try {
            auto mine = Steering::open("veth0", net.ns.bpffs());
            for (int i = 0; i < 300; i++)
                mine.set_path_down(kV6.plain, i % 2 == 0);  // ends with up (i = 299)
        } catch (...) {
            rc = 1;
        }
        _exit(rc);
    }
    int status = -1;
    size_t round = 0;
    ASSERT_TRUE(run(p, r, [&] {
        r.answer = (++round / 8) % 2 == 0;  // bursts of answered and lost probes
        return waitpid(child, &status, WNOHANG) == child;
    }, 60s));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    r.answer = true;
    ASSERT_TRUE(run(p, r, [&] { return !down(kV6.plain) && stored(kV6.plain).state == SRV6S_HEALTH_UP; }))
        << "down " << down(kV6.plain) << ", health state " << stored(kV6.plain).state;
    Path now = s->paths().at(0);
    now.down = before.down;
    EXPECT_EQ(now, before) << "the path's segments are as they were";
}

TEST_F(Probes, TargetsAreThePathsInUseTowardsTheirHosts) {
    // A flow pinned to a set of paths 1 and 2, a host prefix to path 5, a
    // wider prefix (no host) to path 3, a connected UDP socket to path 4.
    s->define_set({10, {kV6.plain, kV6.srh}});
    s->pin(Flow::parse(std::string("udp ") + kHost6 + " 4000 " + kSink6 + " 5000"), Target::set(10));
    s->pin(Prefix::parse(std::string(kSink6) + "/128"), Target::path(kV6.other));
    s->pin(Prefix::parse("fcbb:0:800:2::/64"), Target::path(kV4.plain));
    UniqueFd sock = open_socket(AF_INET, SOCK_DGRAM, kHost4, 0, kSink4, 9000);
    s->pin_socket(sock.get(), Target::path(kV4.srh));
    ProberOptions o;
    o.refresh = 10ms;
    Prober p(*s, o);
    const auto want = std::set<std::pair<uint32_t, std::string>>{{kV6.plain, kSink6},
                                                                 {kV6.srh, kSink6},
                                                                 {kV6.other, kSink6},
                                                                 {kV4.srh, "::ffff:10.0.2.20"}};
    const auto got = [&] {
        std::set<std::pair<uint32_t, std::string>> out;
        for (const auto& t : p.targets())
            out.emplace(t.path, t.remote.str());
        return out;
    };
    EXPECT_EQ(got(), want);
    // Later refreshes do not count the prober's own (pinned) sockets.
    Responder r(net, AF_INET6);
    ASSERT_TRUE(run(p, r, [&] { return r.requests >= 30; }));
    EXPECT_EQ(got(), want);
    // A target whose last pin goes is dropped at the next refresh.
    ASSERT_TRUE(s->unpin(Prefix::parse(std::string(kSink6) + "/128")));
    ASSERT_TRUE(run(p, r, [&] { return got().size() == 3; }));
    EXPECT_EQ(got().count({kV6.other, kSink6}), 0u);
}

TEST_F(Probes, ProbeSocketsArePinnedIgnoringDownAndListedPlainly) {
    Prober p(*s, fast({to_sink(kV6.plain)}));
    const auto pins = s->sockets();
    ASSERT_EQ(pins.size(), 1u);
    EXPECT_EQ(pins[0].target, Target::path(kV6.plain)) << "the listing shows the target without the flag";
    EXPECT_EQ(pins[0].info.path_set, Target::path(kV6.plain).slot());
    EXPECT_TRUE(pins[0].info.ignore_down) << "the flag is in PinInfo (srv6steer list shows it)";
    // A probe's pin does not hold its path (the prober follows the pins):
    // the path can go, and the prober goes on without writing for it.
    EXPECT_NO_THROW(s->remove_path(kV6.plain));
    Responder r(net, AF_INET6);
    const size_t seen = r.requests;
    EXPECT_TRUE(run(p, r, [&] { return r.requests >= seen + 5; }));
    for (const Path& path : s->paths())
        EXPECT_NE(path.id, kV6.plain);
    // A flow pin does hold its path.
    const Flow flow = Flow::parse(std::string("udp ") + kHost6 + " 4000 " + kSink6 + " 5000");
    s->pin(flow, Target::path(kV6.srh));
    EXPECT_THROW(s->remove_path(kV6.srh), Error);
    ASSERT_EQ(s->flows().size(), 1u);
    EXPECT_FALSE(s->flows()[0].info.ignore_down);
}

TEST_F(Probes, ProbesAreEncapsulatedOnTheirPathAlsoWhileItIsDown) {
    // Needs the egress program to honour SRV6S_PIN_IGNORE_DOWN (bpf/).
    Responder r(net, AF_INET6);
    Prober p(*s, fast({to_sink(kV6.srh)}, {1000, 1, 0ms}));
    s->set_path_down(kV6.srh, true);
    Capture cap(net.router.pid());
    ASSERT_TRUE(run(p, r, [&] { return r.requests >= 3; }));
    const auto probes = [&](const std::vector<Frame>& a) {
        std::vector<Frame> out;
        for (const Frame& f : a)
            if (f.dport == SRV6S_PROBE_PORT && f.dst == testpkt::a6(kSink6))
                out.push_back(f);
        return out;
    };
    const auto seen = probes(cap.until([&](const auto& a) { return probes(a).size() >= 3; }));
    ASSERT_GE(seen.size(), 3u);
    for (const Frame& f : seen)
        expect_on(f, kV6, kV6.srh);
}

TEST_F(Probes, BadOptionsAreRefused) {
    const auto refused = [&](ProberOptions o, const char* words) {
        try {
            Prober p(*s, o);
            ADD_FAILURE() << "accepted: " << words;
        } catch (const Error& e) {
            EXPECT_THAT(e.what(), HasSubstr(words));
            EXPECT_EQ(e.code(), EINVAL);
        }
    };
    ProberOptions o = fast({});
    o.interval = 500us;
    refused(o, "interval");
    o = fast({});
    o.policy.misses = 0;
    refused(o, "misses");
    o = fast({ProbeTarget{}});
    refused(o, "remote address");
    o = fast({});
    o.congestion.step = 17;
    refused(o, "steps 1 .. 16");
    o = fast({});
    o.congestion.clear_ppm = o.congestion.mark_ppm;
    refused(o, "clear level below it");
    o = fast({});
    o.congestion.window = 0ms;
    refused(o, "congestion windows");
    EXPECT_TRUE(s->sockets().empty()) << "nothing was pinned";
}

}  // namespace

// The adaptive flowlet gap (docs/design.md §17.5): the responder holds the
// replies of path 2 back by 3 ms, so the set of paths 1 and 2 skews by about
// 3 ms and the gap becomes about twice that; the bounds leave room for the
// prober's own wake-ups (a median of 16 samples each).
TEST_F(Probes, TheFlowletGapFollowsTheDelaySkewOfASetsPaths) {
    ASSERT_NO_THROW(s->set_flowlet_gap(1234us));
    Responder r(net, AF_INET6);
    ProberOptions o = skewed_set(r);
    o.flowlets.hold = 300ms;
    std::optional<Prober> p(std::in_place, *s, o);
    EXPECT_EQ(gap_us(), 1234u) << "the gap in force, within the bounds, is where it starts";
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() >= 5000; }, 2s)) << "gap " << gap_us();
    const FlowletGapState st = p->flowlet_gap();
    EXPECT_EQ(st.gap, std::chrono::microseconds(gap_us()));
    EXPECT_EQ(st.set, 10u);
    EXPECT_EQ(st.fast, kV6.plain);
    EXPECT_EQ(st.slow, kV6.srh);
    EXPECT_EQ(st.remote, Ipv6::parse(kSink6));
    // The responder holds replies at least 3 ms (more when this loop wakes
    // late: no upper bound on a loaded machine).
    EXPECT_GE(st.skew, 2500us);
    EXPECT_LT(st.skew, 20ms);
    EXPECT_GE(*st.gap, std::chrono::ceil<std::chrono::microseconds>(2 * st.skew)) << "twice the skew at least";

    // A gap someone changes by hand is put back at the next refresh (the
    // prober's gap may rise meanwhile: a new sample of more skew), and the
    // count of it stays.
    s->set_flowlet_gap(100us);
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() >= 5000; })) << "gap " << gap_us();
    const size_t seen = r.requests;
    ASSERT_TRUE(run(*p, r, [&] { return r.requests >= seen + 80; })) << "decisions after the put-back";
    EXPECT_EQ(std::chrono::microseconds(gap_us()), p->flowlet_gap().gap);
    EXPECT_EQ(p->flowlet_gap().restored, 1u);
    EXPECT_EQ(p->flowlet_gap().overwritten, 100us);

    // The skew goes: the gap falls back to the floor, but only after the hold.
    r.delay.clear();
    const auto cleared = ProbeClock::now();
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() < 5000; })) << "gap " << gap_us();
    EXPECT_GE(ProbeClock::now() - cleared, o.flowlets.hold);
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() == 500; })) << "gap " << gap_us();

    // A skew comes back: up at once. The prober is made again (new
    // settings): its successor starts where it stood and lowers the gap
    // only through the hold, once the skew is gone.
    r.delay[kV6.srh] = 3ms;
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() >= 5000; })) << "gap " << gap_us();
    p.reset();
    const uint32_t left = gap_us();
    EXPECT_GE(left, 5000u) << "a prober that stops leaves the gap";
    r.delay.clear();
    const auto again = ProbeClock::now();  // before: the hold may begin in the constructor
    p.emplace(*s, o);
    EXPECT_EQ(gap_us(), left);
    ASSERT_TRUE(run(*p, r, [&] { return gap_us() == 500; })) << "gap " << gap_us();
    EXPECT_GE(ProbeClock::now() - again, o.flowlets.hold);
}

TEST_F(Probes, APathDownByHandDoesNotSkewTheGap) {
    Responder r(net, AF_INET6);
    ProberOptions o = skewed_set(r);
    o.flowlets.hold = 0ms;
    Prober p(*s, o);
    ASSERT_TRUE(run(p, r, [&] { return gap_us() >= 5000; })) << "gap " << gap_us();
    // Still probed (and answered 3 ms late), but its flows have left it.
    s->set_path_down(kV6.srh, true);
    ASSERT_TRUE(run(p, r, [&] { return gap_us() == 500; })) << "gap " << gap_us();
    EXPECT_EQ(p.flowlet_gap().skew, 0ns);
    s->set_path_down(kV6.srh, false);
    ASSERT_TRUE(run(p, r, [&] { return gap_us() >= 5000; })) << "gap " << gap_us();
}

TEST_F(Probes, AOneShotProberLeavesTheGapAlone) {
    ASSERT_NO_THROW(s->set_flowlet_gap(100us));
    Responder r(net, AF_INET6);
    ProberOptions o = skewed_set(r);
    o.mark = false;  // `srv6steer probe`
    Prober p(*s, o);
    ASSERT_TRUE(run(p, r, [&] { return r.answered >= 40; }));
    EXPECT_EQ(gap_us(), 100u) << "below the floor, yet not its to change";
    EXPECT_FALSE(p.flowlet_gap().gap);
}

TEST_F(Probes, OnlyPathsOfOneSetThatAreUpSkewTheGap) {
    // Paths 1 and 2 in sets of their own: no flow moves between them.
    s->define_set({10, {kV6.plain}});
    s->define_set({11, {kV6.srh, kV6.other}});
    Responder r(net, AF_INET6);
    r.delay[kV6.srh] = 3ms;
    ProberOptions o = fast({to_sink(kV6.plain), to_sink(kV6.srh), to_sink(kV6.other)}, {3, 3, 0ms});
    o.refresh = 20ms;
    o.flowlets.hold = 0ms;
    Prober p(*s, o);
    ASSERT_TRUE(run(p, r, [&] { return gap_us() >= 5000; })) << "srh and other share set 11";
    EXPECT_EQ(p.flowlet_gap().set, 11u);
    EXPECT_EQ(p.flowlet_gap().fast, kV6.other);
    // Path 2's replies come too late (lost): it goes down, its flows leave
    // it at once, and nothing skews any more.
    r.delay[kV6.srh] = 100ms;
    ASSERT_TRUE(run(p, r, [&] { return down(kV6.srh); }));
    ASSERT_TRUE(run(p, r, [&] { return gap_us() == 500; })) << "gap " << gap_us();
    EXPECT_FALSE(down(kV6.other));
    EXPECT_EQ(p.flowlet_gap().skew, 0ns);
}

TEST_F(Probes, AFixedFlowletGapIsLeftAlone) {
    ASSERT_NO_THROW(s->set_flowlet_gap(1234us));
    Responder r(net, AF_INET6);
    ProberOptions o = skewed_set(r);
    o.flowlets.adaptive = false;
    std::optional<Prober> p(std::in_place, *s, o);
    ASSERT_TRUE(run(*p, r, [&] { return stored(kV6.srh).replies >= 40 && stored(kV6.plain).replies >= 40; }));
    EXPECT_EQ(gap_us(), 1234u);
    EXPECT_FALSE(p->flowlet_gap().gap);
    p.reset();
    EXPECT_EQ(gap_us(), 1234u);
}

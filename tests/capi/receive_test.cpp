// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's C ABI (srv6steer/receive.h) through the shared library,
// on the receive test network (tests/integration/receive_net.hpp): what the
// kernel runs at veth0 is read with iproute2, frames are built by the test and
// sent from the peer, the counters are checked against what was sent, and
// every refusal leaves the state as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "receive_net.hpp"
#include "srv6steer/srv6steer.h"

using namespace rxnet;
using ::testing::HasSubstr;

namespace {

struct RxCloser {
    void operator()(srv6s_rx_handle* h) const { srv6s_rx_close(h); }
};
using RxHandle = std::unique_ptr<srv6s_rx_handle, RxCloser>;

std::string last_error() { return srv6s_last_error(); }

struct SidSeen {
    std::string prefix;
    uint32_t behavior;
    uint32_t path_stats;
    friend bool operator==(const SidSeen&, const SidSeen&) = default;
};
void PrintTo(const SidSeen& s, std::ostream* os) { *os << s.prefix << " " << s.behavior << " " << s.path_stats; }

std::vector<SidSeen> sids(srv6s_rx_handle* h) {
    std::vector<SidSeen> out;
    EXPECT_EQ(srv6s_rx_sids(
                  h,
                  [](const srv6s_rx_sid* s, void* ctx) {
                      static_cast<std::vector<SidSeen>*>(ctx)->push_back({s->prefix, s->behavior, s->path_stats});
                      return 0;
                  },
                  &out),
              0)
        << last_error();
    return out;
}

std::vector<srv6s_rx_path> paths(srv6s_rx_handle* h) {
    std::vector<srv6s_rx_path> out;
    EXPECT_EQ(srv6s_rx_stats_paths(
                  h,
                  [](const srv6s_rx_path* p, void* ctx) {
                      static_cast<std::vector<srv6s_rx_path>*>(ctx)->push_back(*p);
                      return 0;
                  },
                  &out),
              0)
        << last_error();
    return out;
}

class CApiReceive : public ::testing::Test {
protected:
    Net net;
    std::string bpffs;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(net.up());
        bpffs = net.ns.bpffs();
    }

    RxHandle attach(uint32_t mode) {
        SRV6S_OPTS(srv6s_rx_attach_opts, ro, .bpffs = bpffs.c_str(), .mode = mode);
        srv6s_rx_handle* h = nullptr;
        EXPECT_EQ(srv6s_rx_attach("veth0", &ro, &h), 0) << last_error();
        return RxHandle(h);
    }
};

// Attach in each XDP mode and in TC: the kernel runs our program there
// (iproute2 / BPF_PROG_QUERY); detach takes it away, and a second detach says so.
TEST_F(CApiReceive, AttachesWhereAskedAndDetaches) {
    {
        RxHandle h = attach(SRV6S_RX_MODE_GENERIC);
        ASSERT_TRUE(h);
        EXPECT_EQ(xdp_seen("veth0").mode, 2) << "generic XDP";
        std::vector<std::string> names;
        ASSERT_EQ(srv6s_rx_interfaces(
                      bpffs.c_str(),
                      [](const char* n, void* ctx) {
                          static_cast<std::vector<std::string>*>(ctx)->push_back(n);
                          return 0;
                      },
                      &names),
                  0)
            << last_error();
        EXPECT_EQ(names, std::vector<std::string>{"veth0"});
        SRV6S_OPTS(srv6s_rx_attach_opts, again, .bpffs = bpffs.c_str());
        EXPECT_EQ(srv6s_rx_attach("veth0", &again, nullptr), -EEXIST);
        EXPECT_THAT(last_error(), HasSubstr("veth0"));
    }
    ASSERT_EQ(srv6s_rx_detach("veth0", bpffs.c_str()), 0) << last_error();
    EXPECT_EQ(xdp_seen("veth0").mode, 0);
    EXPECT_EQ(srv6s_rx_detach("veth0", bpffs.c_str()), -ENOENT);
    srv6s_rx_handle* none = nullptr;
    EXPECT_EQ(srv6s_rx_open(bpffs.c_str(), &none), -ENOENT) << "no state left after the last detach";
    EXPECT_EQ(none, nullptr);

    RxHandle tc = attach(SRV6S_RX_MODE_TC);
    ASSERT_TRUE(tc);
    EXPECT_EQ(xdp_seen("veth0").mode, 0);
    EXPECT_EQ(tcx_ingress("veth0").size(), 1u);

    SRV6S_OPTS(srv6s_rx_attach_opts, bad, .bpffs = bpffs.c_str(), .mode = 7);
    EXPECT_EQ(srv6s_rx_attach("lo", &bad, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("enum srv6s_rx_mode"));
}

// SIDs: added, listed back as given, a no-op when the same, refused when
// different unless replaced; bad input refused with the table unchanged.
TEST_F(CApiReceive, LocalSids) {
    RxHandle h = attach(SRV6S_RX_MODE_AUTO);
    ASSERT_TRUE(h);
    int added = -1;
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt6", nullptr, &added), 0) << last_error();
    EXPECT_EQ(added, 1);
    SRV6S_OPTS(srv6s_sid_opts, quiet, .no_path_stats = 1);
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), "fcbb:0:e002:fe04::/64", "End.DT4", &quiet, &added), 0) << last_error();
    EXPECT_EQ(added, 1);
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt6", nullptr, &added), 0) << last_error();
    EXPECT_EQ(added, 0) << "the same SID again is a no-op";

    const std::vector<SidSeen> want = {{"fcbb:0:e002:fe04::/64", SRV6S_SID_UDT4, 0},
                                       {"fcbb:0:e002:fe06::/64", SRV6S_SID_UDT6, 1}};
    EXPECT_EQ(sids(h.get()), want);

    EXPECT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt46", nullptr, &added), -EEXIST);
    EXPECT_EQ(sids(h.get()), want) << "a refused change leaves the table";
    EXPECT_EQ(srv6s_rx_add_sid(h.get(), "fcbb:0:e003::/48", "End.X", nullptr, &added), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("End.X"));
    EXPECT_EQ(srv6s_rx_add_sid(h.get(), "10.0.0.0/8", "udt4", nullptr, &added), -EINVAL);
    EXPECT_EQ(srv6s_rx_add_sid(h.get(), nullptr, "udt4", nullptr, &added), -EINVAL);
    EXPECT_EQ(sids(h.get()), want);

    SRV6S_OPTS(srv6s_sid_opts, replace, .replace = 1);
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt46", &replace, &added), 0) << last_error();
    EXPECT_EQ(added, 0);
    EXPECT_EQ(sids(h.get())[1], (SidSeen{kSid, SRV6S_SID_UDT46, 1}));

    ASSERT_EQ(srv6s_rx_remove_sid(h.get(), "fcbb:0:e002:fe04::/64"), 0) << last_error();
    EXPECT_EQ(srv6s_rx_remove_sid(h.get(), "fcbb:0:e002:fe04::/64"), -ENOENT);
    EXPECT_EQ(sids(h.get()).size(), 1u);
    EXPECT_STREQ(srv6s_sid_behavior_name(SRV6S_SID_UDT4), "udt4");
    EXPECT_STREQ(srv6s_sid_behavior_name(99), "unknown");
}

// What arrives is counted by reason and by sender path exactly as sent, and
// the inner datagrams reach a socket here.
TEST_F(CApiReceive, CountsWhatArrives) {
    RxHandle h = attach(SRV6S_RX_MODE_GENERIC);
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt46", nullptr, nullptr), 0) << last_error();
    UdpSink six(AF_INET6, 5555), four(AF_INET, 5556);
    // (sender, path id) -> packets, bytes, CE packets
    std::map<std::pair<std::string, uint32_t>, std::array<uint64_t, 3>> want;
    uint64_t decap_bytes = 0;
    const struct {
        const char* src;
        uint32_t path;
        bool v4;
        uint8_t outer_ecn;
    } sent[] = {{kPeer6, 3, false, 0}, {kPeer6, 3, true, 0}, {kOther6, 4095, false, 3}, {kPeer6, 12, false, 0}};
    for (const auto& s : sent) {
        Outer o;
        o.src = s.src;
        o.flow_label = label(s.path);
        o.tclass = s.outer_ecn;
        const std::string payload = "to path " + std::to_string(s.path);
        // Inner ECT(0) under an outer CE: decapsulated and marked, not dropped.
        const auto f = encap(o, s.v4 ? inner4(5556, payload, s.outer_ecn ? 2 : 0)
                                     : inner6(5555, payload, s.outer_ecn ? 2 : 0));
        net.send(f);
        EXPECT_EQ((s.v4 ? four : six).next(), payload);
        auto& w = want[{s.src, s.path}];
        w[0]++;
        w[1] += f.size();
        w[2] += s.outer_ecn == 3;
        decap_bytes += f.size();
    }
    Outer stranger;
    stranger.dst = kNotOurs;
    net.send(encap(stranger, inner6(5555, "not ours")));
    net.send(plain(inner6(5555, "marker")));
    EXPECT_EQ(six.next(), "marker");

    ASSERT_EQ(srv6s_rx_reason_count(), uint32_t(SRV6S_RX_R_MAX));
    std::vector<srv6s_counter> reasons(srv6s_rx_reason_count());
    size_t n = 0;
    ASSERT_EQ(srv6s_rx_stats_reasons(h.get(), reasons.data(), reasons.size(), &n), 0) << last_error();
    EXPECT_EQ(n, size_t(SRV6S_RX_R_MAX));
    EXPECT_EQ(reasons[SRV6S_RX_DECAPSULATED].packets, 4u);
    EXPECT_EQ(reasons[SRV6S_RX_DECAPSULATED].bytes, decap_bytes);
    EXPECT_GE(reasons[SRV6S_RX_NOT_OURS].packets, 2u) << "the stranger and the marker";
    EXPECT_STREQ(srv6s_rx_reason_name(SRV6S_RX_NOT_OURS), "not_ours");
    EXPECT_STREQ(srv6s_rx_reason_name(SRV6S_RX_R_MAX), "unknown");

    const auto got = paths(h.get());
    ASSERT_EQ(got.size(), want.size());
    for (const srv6s_rx_path& p : got) {
        SCOPED_TRACE(std::string(p.source) + " path " + std::to_string(p.path_id));
        const auto it = want.find({p.source, p.path_id});
        ASSERT_NE(it, want.end()) << "a sender path nobody sent on";
        EXPECT_EQ(p.packets, it->second[0]);
        EXPECT_EQ(p.bytes, it->second[1]);
        EXPECT_EQ(p.ce_packets, it->second[2]);
    }
}

// Settings read back as set; SRV6S_DEFAULT means the library's default; a
// bad toggle is refused and the settings stay; decap off passes our frames untouched.
TEST_F(CApiReceive, Settings) {
    RxHandle h = attach(SRV6S_RX_MODE_GENERIC);
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_rx_add_sid(h.get(), kSid, "udt46", nullptr, nullptr), 0) << last_error();
    SRV6S_OPTS(srv6s_rx_settings, st);
    ASSERT_EQ(srv6s_rx_config(h.get(), &st), 0) << last_error();
    EXPECT_EQ(st.decap, uint32_t(SRV6S_ON));
    EXPECT_EQ(st.ecn_drop, uint32_t(SRV6S_ON));
    EXPECT_EQ(st.path_stats, uint32_t(SRV6S_ON));

    SRV6S_OPTS(srv6s_rx_settings, off, .decap = SRV6S_OFF, .path_stats = SRV6S_OFF);
    ASSERT_EQ(srv6s_rx_set_config(h.get(), &off), 0) << last_error();
    SRV6S_OPTS(srv6s_rx_settings, bad, .ecn_drop = 9);
    EXPECT_EQ(srv6s_rx_set_config(h.get(), &bad), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("srv6s_rx_settings.ecn_drop"));
    SRV6S_OPTS(srv6s_rx_settings, now);
    ASSERT_EQ(srv6s_rx_config(h.get(), &now), 0) << last_error();
    EXPECT_EQ(now.decap, uint32_t(SRV6S_OFF));
    EXPECT_EQ(now.ecn_drop, uint32_t(SRV6S_ON));
    EXPECT_EQ(now.path_stats, uint32_t(SRV6S_OFF));

    UdpSink six(AF_INET6, 5555);
    net.send(encap(Outer{}, inner6(5555, "while off")));
    net.send(plain(inner6(5555, "marker")));
    EXPECT_EQ(six.next(), "marker") << "decap off: the encapsulated datagram is not delivered";
    std::vector<srv6s_counter> reasons(SRV6S_RX_R_MAX);
    ASSERT_EQ(srv6s_rx_stats_reasons(h.get(), reasons.data(), reasons.size(), nullptr), 0) << last_error();
    EXPECT_GE(reasons[SRV6S_RX_DISABLED].packets, 2u) << "ours and the marker (and what the peer's stack sends)";
    EXPECT_EQ(reasons[SRV6S_RX_DECAPSULATED].packets, 0u);

    // The probe responder's settings are not in the struct: setting the rest keeps them.
    {
        srv6steer::Receive cxx = srv6steer::Receive::open(bpffs);
        srv6steer::ReceiveConfig rc = cxx.config();
        rc.probes = true;
        rc.probe_port = 7000;
        cxx.set_config(rc);
    }
    ASSERT_EQ(srv6s_rx_set_config(h.get(), &off), 0) << last_error();
    EXPECT_TRUE(srv6steer::Receive::open(bpffs).config().probes) << "srv6s_rx_set_config turned probes off";
    EXPECT_EQ(srv6steer::Receive::open(bpffs).config().probe_port, 7000);
    ASSERT_EQ(srv6s_rx_set_config(h.get(), nullptr), 0) << last_error();
    ASSERT_EQ(srv6s_rx_config(h.get(), &now), 0) << last_error();
    EXPECT_EQ(now.decap, uint32_t(SRV6S_ON)) << "NULL: every default";
    EXPECT_EQ(now.path_stats, uint32_t(SRV6S_ON));
}

// No handle, no callback: refused with a message, nothing crashes.
TEST(CApiReceiveNoKernel, RefusesNulls) {
    EXPECT_EQ(srv6s_rx_add_sid(nullptr, kSid, "udt6", nullptr, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("srv6s_rx_open"));
    EXPECT_EQ(srv6s_rx_sids(nullptr, nullptr, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_rx_stats_paths(nullptr, nullptr, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_rx_detach(nullptr, nullptr), -EINVAL);
    srv6s_rx_close(nullptr);
}

}  // namespace

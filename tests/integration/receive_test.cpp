// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side attached for real (receive_net.hpp): in every mode,
// SRv6-encapsulated UDP from the peer to a SID of ours comes out of a UDP
// socket here (reduced and with an SRH, IPv6 and IPv4 inside); what is not
// ours passes untouched; the counters read back what was sent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "receive_net.hpp"

using namespace srv6steer;
using namespace rxnet;
using ::testing::HasSubstr;

namespace {

struct ModeCase {
    const char* name;
    RxMode mode;
    const char* expect;  // the mode the library must have chosen
};

void PrintTo(const ModeCase& c, std::ostream* os) { *os << c.name; }

class ReceiveModes : public ::testing::TestWithParam<ModeCase> {
protected:
    Net net;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(net.up());
    }

    Receive attach() {
        Receive r = Receive::attach({"veth0", GetParam().mode, net.ns.bpffs()});
        r.add_sid({Prefix::parse(kSid), SidBehavior::DT46});
        return r;
    }
};

// What runs at veth0 is what the mode asks, as the kernel says (iproute2 for
// XDP, BPF_PROG_QUERY for tcx), and what status reports.
TEST_P(ReceiveModes, AttachesInTheModeAsked) {
    Receive r = attach();
    const ReceiveStatus st = r.status();
    ASSERT_EQ(st.interfaces.size(), 1u);
    const ReceiveAttachment& a = st.interfaces[0];
    EXPECT_EQ(a.mode, GetParam().expect);
    EXPECT_TRUE(a.healthy()) << (a.problems.empty() ? "" : a.problems[0].detail);
    const XdpSeen xdp = xdp_seen("veth0");
    const auto tcx = tcx_ingress("veth0");
    if (a.mode == std::string("tcx")) {
        EXPECT_EQ(xdp.mode, 0);
        ASSERT_EQ(tcx.size(), 1u);
        EXPECT_EQ(tcx[0], st.tc_prog_id);
        EXPECT_EQ(a.prog_id, st.tc_prog_id);
    } else {
        EXPECT_EQ(xdp.mode, a.mode == std::string("native") ? 1 : 2) << "IFLA_XDP_ATTACHED";
        EXPECT_EQ(xdp.prog_id, st.xdp_prog_id);
        EXPECT_EQ(a.prog_id, st.xdp_prog_id);
        EXPECT_TRUE(tcx.empty());
    }
}

// Every encapsulation and inner family, one datagram each, arrives with its payload.
TEST_P(ReceiveModes, DecapsulatesToALocalSocket) {
    Receive r = attach();
    UdpSink six(AF_INET6, 5555), four(AF_INET, 5556);
    struct Case {
        const char* what;
        bool srh;
        bool v4;
    } cases[] = {{"reduced, IPv6 inside", false, false},
                 {"SRH, IPv6 inside", true, false},
                 {"reduced, IPv4 inside", false, true},
                 {"SRH, IPv4 inside", true, true}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        const std::string payload = std::string("hello ") + c.what;
        Outer o;
        o.srh = c.srh;
        net.send(encap(o, c.v4 ? inner4(5556, payload) : inner6(5555, payload)));
        EXPECT_EQ((c.v4 ? four : six).next(), payload);
    }
    const ReceiveStats s = r.stats();
    EXPECT_EQ(s.reasons[SRV6S_RX_DECAPSULATED].packets, 4u);
}

// A plain datagram to our address and an SRv6 packet to no SID of ours are
// not ours: the first arrives as sent, the second is not decapsulated.
TEST_P(ReceiveModes, LeavesWhatIsNotOurs) {
    Receive r = attach();
    UdpSink six(AF_INET6, 5555);
    Outer o;
    o.dst = kNotOurs;
    net.send(encap(o, inner6(5555, "not for us")));
    net.send(plain(inner6(5555, "plain")));
    EXPECT_EQ(six.next(), "plain");
    EXPECT_FALSE(six.pending()) << "an SRv6 packet to no SID of ours was decapsulated";
    const ReceiveStats s = r.stats();
    EXPECT_EQ(s.reasons[SRV6S_RX_DECAPSULATED].packets, 0u);
    EXPECT_GE(s.reasons[SRV6S_RX_NOT_OURS].packets, 2u);
    // Removing the SID makes our own traffic not ours too.
    ASSERT_TRUE(r.remove_sid(Prefix::parse(kSid)));
    net.send(encap(Outer{}, inner6(5555, "sid gone")));
    net.send(plain(inner6(5555, "after")));
    EXPECT_EQ(six.next(), "after");
    EXPECT_FALSE(six.pending());
}

// Per reason and per sender path, the counters are exactly what was sent:
// two senders, three paths, one CE-marked packet.
TEST_P(ReceiveModes, CountsPerReasonAndPerPath) {
    Receive r = attach();
    UdpSink six(AF_INET6, 5555);
    struct Sent {
        const char* src;
        uint32_t path;
        int n;
        uint8_t tclass;  // outer ECN in the low 2 bits
    } sent[] = {{kPeer6, 7, 5, 0}, {kPeer6, 9, 3, 0}, {kOther6, 7, 2, 0}, {kOther6, 4095, 1, 0x03}};
    std::map<std::pair<std::string, uint32_t>, RxPathCounter> want;
    uint64_t packets = 0, bytes = 0;
    int seq = 0;
    for (const Sent& s : sent) {
        for (int i = 0; i < s.n; i++) {
            Outer o;
            o.src = s.src;
            o.flow_label = label(s.path, 0x11 + uint32_t(i));
            o.tclass = s.tclass;
            o.srh = i % 2 == 1;
            // Inner ECT(0): an outer CE over it is decapsulated (and the inner marked CE).
            const testpkt::Bytes f = encap(o, inner6(5555, "n" + std::to_string(seq++), s.tclass ? 0x02 : 0));
            net.send(f);
            auto& w = want[{Ipv6::parse(s.src).str(), s.path}];
            w.packets++;
            w.bytes += f.size();
            w.ce_packets += (s.tclass & 3) == 3;
            packets++;
            bytes += f.size();
        }
    }
    for (int i = 0; i < seq; i++)
        ASSERT_TRUE(six.next()) << "datagram " << i << " did not arrive";
    const ReceiveStats st = r.stats();
    EXPECT_EQ(st.reasons[SRV6S_RX_DECAPSULATED].packets, packets);
    EXPECT_EQ(st.reasons[SRV6S_RX_DECAPSULATED].bytes, bytes);
    ASSERT_EQ(st.paths.size(), want.size());
    for (const RxPathCounter& p : st.paths) {
        SCOPED_TRACE(p.source.str() + " path " + std::to_string(p.path_id));
        const auto it = want.find({p.source.str(), p.path_id});
        ASSERT_NE(it, want.end());
        EXPECT_EQ(p.packets, it->second.packets);
        EXPECT_EQ(p.bytes, it->second.bytes);
        EXPECT_EQ(p.ce_packets, it->second.ce_packets);
    }
}

// RFC 6040: outer CE over inner Not-ECT is dropped by default, and counted;
// with the drop off it is decapsulated.
TEST_P(ReceiveModes, EcnDropIsConfigured) {
    Receive r = attach();
    UdpSink six(AF_INET6, 5555);
    Outer ce;
    ce.tclass = 0x03;
    net.send(encap(ce, inner6(5555, "dropped")));
    net.send(encap(Outer{}, inner6(5555, "marker")));
    EXPECT_EQ(six.next(), "marker");
    EXPECT_FALSE(six.pending());
    EXPECT_EQ(r.stats().reasons[SRV6S_RX_ECN_DROP].packets, 1u);
    ReceiveConfig cfg = r.config();
    EXPECT_TRUE(cfg.ecn_drop);
    cfg.ecn_drop = false;
    r.set_config(cfg);
    net.send(encap(ce, inner6(5555, "passed")));
    EXPECT_EQ(six.next(), "passed");
    // Disabled: nothing is decapsulated.
    cfg.enabled = false;
    r.set_config(cfg);
    net.send(encap(Outer{}, inner6(5555, "disabled")));
    net.send(plain(inner6(5555, "plain")));
    EXPECT_EQ(six.next(), "plain");
    EXPECT_GE(r.stats().reasons[SRV6S_RX_DISABLED].packets, 2u);
}

INSTANTIATE_TEST_SUITE_P(Modes, ReceiveModes,
                         ::testing::Values(ModeCase{"auto", RxMode::Auto, "tcx"}  /* a veth: docs/design.md §14.2 */,
                                           ModeCase{"native", RxMode::Native, "native"},
                                           ModeCase{"generic", RxMode::Generic, "generic"},
                                           ModeCase{"tc", RxMode::Tc, "tcx"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

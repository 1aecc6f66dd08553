// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Statistics (by reason, by path: no reason count in any layout), path
// health (filled to the caller's size), status
// (a sized struct filled to the caller's size), problems and remove_dead,
// checked against what the test itself sent and saw on the wire, and what
// the kernel says through if_nametoindex, SO_NETNS_COOKIE, bpftool and ip.
#include <net/if.h>

#include <cstring>

#include "capi_fixture.hpp"

using ::testing::HasSubstr;
using namespace capitest;

namespace {

// The names of srv6steer.h's reasons, by their enum constant.
const std::pair<uint32_t, const char*> kReasons[] = {
    {SRV6S_R_STEERED, "steered"},
    {SRV6S_R_NO_MATCH, "no_match"},
    {SRV6S_R_DISABLED, "disabled"},
    {SRV6S_R_NOT_IP, "not_ip"},
    {SRV6S_R_TRUNCATED, "truncated"},
    {SRV6S_R_BAD_HEADER, "bad_header"},
    {SRV6S_R_EXT_HDR_LIMIT, "ext_hdr_limit"},
    {SRV6S_R_ALREADY_ENCAP, "already_encap"},
    {SRV6S_R_FRAGMENT, "fragment"},
    {SRV6S_R_NO_PATH_SET, "no_path_set"},
    {SRV6S_R_NO_PATH, "no_path"},
    {SRV6S_R_ALL_PATHS_DOWN, "all_paths_down"},
    {SRV6S_R_BAD_PATH, "bad_path"},
    {SRV6S_R_MTU_PASSED, "mtu_passed"},
    {SRV6S_R_MTU_DROPPED, "mtu_dropped"},
    {SRV6S_R_ADJUST_ROOM_FAILED, "adjust_room_failed"},
    {SRV6S_R_WRITE_FAILED, "write_failed"},
    {SRV6S_R_FELL_BACK, "fell_back"},
};

uint64_t netns_cookie() {
    int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    EXPECT_EQ(getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len), 0) << strerror(errno);
    close(s);
    return cookie;
}

}  // namespace

TEST(CApiNoKernel, ReasonsAreCountedAndNamedByFunctions) {
    ASSERT_EQ(srv6s_reason_count(), std::size(kReasons));
    for (const auto& [reason, name] : kReasons)
        EXPECT_STREQ(srv6s_reason_name(reason), name);
    EXPECT_STREQ(srv6s_reason_name(srv6s_reason_count()), "unknown");
    EXPECT_STREQ(srv6s_problem_name(SRV6S_PROBLEM_INTERFACE_GONE), "interface_gone");
    EXPECT_STREQ(srv6s_problem_name(SRV6S_PROBLEM_IFINDEX_CHANGED), "ifindex_changed");
    EXPECT_STREQ(srv6s_problem_name(SRV6S_PROBLEM_LINK_MISSING), "link_missing");
    EXPECT_STREQ(srv6s_problem_name(SRV6S_PROBLEM_PROGRAM_NOT_ATTACHED), "program_not_attached");
    EXPECT_STREQ(srv6s_problem_name(SRV6S_PROBLEM_NETNS_GONE), "netns_gone");
    EXPECT_STREQ(srv6s_problem_name(99), "unknown");
}

TEST_F(CApi, StatsByReasonAndByPathMatchTheWire) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, kUsids2, 0), 0) << last_error();
    ASSERT_EQ(pin_flow(h.get(), udp_flow(40000, 9000), SRV6S_TARGET_PATH, 1), 0) << last_error();
    ASSERT_EQ(pin_flow(h.get(), udp_flow(40001, 9000), SRV6S_TARGET_PATH, 2), 0) << last_error();

    Capture cap("veth1");
    for (int i = 0; i < 3; i++)
        send_udp(40000, 9000);
    for (int i = 0; i < 2; i++)
        send_udp(40001, 9000);
    send_udp(40002, 9000);  // no pin
    const auto on1 = cap.wait_for(kOuter1, 3);
    const auto on2 = cap.wait_for(kOuter2, 2);
    ASSERT_EQ(on1.size(), 3u);
    ASSERT_EQ(on2.size(), 2u);
    uint64_t wire_bytes = 0;  // before encapsulation, as the counters count
    for (const auto* frames : {&on1, &on2})
        for (const Frame& f : *frames) {
            EXPECT_EQ(f.next_header, IPPROTO_IPV6) << "reduced, one container: IPv6 in IPv6, no SRH";
            EXPECT_EQ(f.len, kFrameLen + kEncapOneContainer);
            wire_bytes += f.len - kEncapOneContainer;
        }
    EXPECT_EQ(wire_bytes, 5 * kFrameLen);

    // By reason, one at a time and all together.
    srv6s_counter steered{}, no_match{};
    ASSERT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_STEERED, &steered), 0) << last_error();
    ASSERT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_NO_MATCH, &no_match), 0) << last_error();
    EXPECT_EQ(steered.packets, on1.size() + on2.size());
    EXPECT_EQ(steered.bytes, wire_bytes);
    EXPECT_GE(no_match.packets, 1u) << "the unpinned datagram (and whatever else the stack sent)";
    std::vector<srv6s_counter> all(srv6s_reason_count());
    size_t n_reasons = 0;
    ASSERT_EQ(srv6s_stats_reasons(h.get(), all.data(), all.size(), &n_reasons), 0) << last_error();
    EXPECT_EQ(n_reasons, std::size(kReasons));
    EXPECT_EQ(all[SRV6S_R_STEERED].packets, 5u);
    EXPECT_EQ(all[SRV6S_R_STEERED].bytes, wire_bytes);
    EXPECT_EQ(all[SRV6S_R_MTU_PASSED].packets, 0u);

    // A short array: only what fits is written.
    srv6s_counter two[3];
    std::memset(two, 0xab, sizeof two);
    ASSERT_EQ(srv6s_stats_reasons(h.get(), two, 2, &n_reasons), 0) << last_error();
    EXPECT_EQ(n_reasons, std::size(kReasons));
    EXPECT_EQ(two[SRV6S_R_STEERED].packets, 5u);
    EXPECT_EQ(two[2].packets, 0xababababababababu) << "written past n";
    EXPECT_EQ(srv6s_stats_reasons(h.get(), nullptr, 0, &n_reasons), 0) << "just the count";
    EXPECT_EQ(srv6s_stats_reasons(h.get(), nullptr, 1, nullptr), -EINVAL);

    // Out of range, by the count the library gives.
    srv6s_counter c{};
    EXPECT_EQ(srv6s_stats_reason(h.get(), srv6s_reason_count(), &c), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("srv6s_reason_count()"));
    EXPECT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_STEERED, nullptr), -EINVAL);

    // By path: what went out towards each path's container.
    auto paths = path_stats(h.get());
    ASSERT_EQ(paths.size(), 2u);
    EXPECT_EQ(paths[1].packets, on1.size());
    EXPECT_EQ(paths[1].bytes, on1.size() * kFrameLen);
    EXPECT_EQ(paths[2].packets, on2.size());
    EXPECT_EQ(paths[2].bytes, on2.size() * kFrameLen);
    EXPECT_EQ(srv6s_stats_paths(h.get(), nullptr, nullptr), -EINVAL);
}

TEST_F(CApi, StatusSaysWhatTheKernelSays) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(pin_flow(h.get(), udp_flow(40000, 9000), SRV6S_TARGET_PATH, 1), 0) << last_error();

    const srv6s_status st = status_of(h.get());
    EXPECT_EQ(st.sz, sizeof st) << "sz is the caller's";
    EXPECT_STREQ(st.ifname, "veth0");
    EXPECT_EQ(st.ifindex, int32_t(if_nametoindex("veth0")));
    EXPECT_EQ(st.netns_cookie, netns_cookie());
    EXPECT_STREQ(st.source, kHostAddr) << "the interface's first global IPv6 address";
    EXPECT_EQ(st.n_paths, 1u);
    EXPECT_EQ(st.n_flows, 1u);
    EXPECT_EQ(st.max_flows, 1024u);
    EXPECT_EQ(st.route_mtu, 1u);
    EXPECT_GT(st.attached_ns, 0u);
    EXPECT_EQ(st.n_problems, 0u);
    // The program runs, as bpftool knows it.
    ASSERT_NE(st.prog_id, 0u);
    EXPECT_THAT(sh("bpftool -j prog show id " + std::to_string(st.prog_id)),
                HasSubstr("\"name\":\"srv6s_tc_egress\""));
    if (st.attach_mode == SRV6S_ATTACH_TCX)
        EXPECT_THAT(sh("bpftool -j link show id " + std::to_string(st.link_id)),
                    HasSubstr("\"prog_id\":" + std::to_string(st.prog_id)));
    else
        EXPECT_EQ(st.attach_mode, uint32_t(SRV6S_ATTACH_CLSACT));

    int problems = 0;
    ASSERT_EQ(srv6s_list_problems(
                  h.get(), [](uint32_t, const char*, void* ctx) { return ++*static_cast<int*>(ctx), 0; },
                  &problems),
              0)
        << last_error();
    EXPECT_EQ(problems, 0) << "healthy";

    // The route MTU the pin set: 1500 minus one outer IPv6 header, as ip shows it.
    std::vector<srv6s_owned_route> routes;
    ASSERT_EQ(srv6s_list_owned_routes(
                  h.get(),
                  [](const srv6s_owned_route* r, void* ctx) {
                      static_cast<std::vector<srv6s_owned_route>*>(ctx)->push_back(*r);
                      return 0;
                  },
                  &routes),
              0)
        << last_error();
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(st.n_owned_routes, 1u);
    EXPECT_STREQ(routes[0].dst, (std::string(kDest) + "/128").c_str());
    EXPECT_EQ(routes[0].mtu, 1460u);
    EXPECT_EQ(routes[0].added, 1u) << "no /128 existed: srv6steer added it";
    EXPECT_EQ(routes[0].pins, 1u);
    EXPECT_THAT(sh("ip -6 route show table all exact " + std::string(kDest) + "/128"), HasSubstr(" mtu 1460"));
}

TEST_F(CApi, StatusFillsTheCallersSize) {
    Handle h = attach();
    ASSERT_TRUE(h);
    // An older, smaller struct: filled up to its sz, not a byte further.
    struct {
        srv6s_status st;
        unsigned char canary[8];
    } older;
    std::memset(&older, 0xab, sizeof older);
    older.st.sz = offsetof(srv6s_status, netns_cookie);
    ASSERT_EQ(srv6s_get_status(h.get(), &older.st), 0) << last_error();
    EXPECT_STREQ(older.st.ifname, "veth0");
    EXPECT_EQ(older.st.sz, offsetof(srv6s_status, netns_cookie));
    const auto* past = reinterpret_cast<const unsigned char*>(&older.st) + older.st.sz;
    for (size_t i = 0; i < sizeof older.st - older.st.sz; i++)
        ASSERT_EQ(past[i], 0xab) << "byte " << older.st.sz + i << " past sz was written";

    // A newer, larger struct: what this library does not know reads as zero.
    struct {
        srv6s_status st;
        uint64_t future[2];
    } newer;
    std::memset(&newer, 0xab, sizeof newer);
    newer.st.sz = sizeof newer;
    ASSERT_EQ(srv6s_get_status(h.get(), &newer.st), 0) << last_error();
    EXPECT_STREQ(newer.st.ifname, "veth0");
    EXPECT_EQ(newer.st.n_problems, 0u);
    EXPECT_EQ(newer.future[0], 0u);
    EXPECT_EQ(newer.future[1], 0u);

    srv6s_status bad{};
    EXPECT_EQ(srv6s_get_status(h.get(), &bad), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("struct srv6s_status has sz 0"));
    EXPECT_EQ(srv6s_get_status(h.get(), nullptr), -EINVAL);
}

// srv6s_get_path_health reads the health map (srv6s_path_health), here
// written with bpftool as the prober would have written it: every field
// read back, an unprobed path all zero, a caller's smaller struct filled to
// its size and a larger one zeroed past ours, refusals with their errno.
TEST_F(CApi, PathHealthIsReadToTheCallersSize) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, kUsids2, 0), 0) << last_error();
    srv6s_path_health w{};
    w.state = SRV6S_HEALTH_DOWN;
    w.targets = 3;
    w.sent = 1001;
    w.replies = 990;
    w.lost = 11;
    w.rtt_last_ns = 61234;
    w.rtt_min_ns = 40111;
    w.rtt_avg_ns = 58888;
    w.since_ns = 1796000000123456789ULL;
    w.transitions = 5;
    w.rx_ce_packets = 77;
    w.updated_ns = 1796000000987654321ULL;
    w.rx_packets = 123456;
    w.ce_ppm = 25000;
    w.congestion = 12;
    std::string hex;
    for (size_t i = 0; i < sizeof w; i++) {
        char b[4];
        std::snprintf(b, sizeof b, " %02x", reinterpret_cast<const unsigned char*>(&w)[i]);
        hex += b;
    }
    sh("bpftool map update pinned " + std::string(status_of(h.get()).pin_dir) +
       "/path_health key hex 02 00 00 00 value hex" + hex);

    srv6s_path_health r;
    std::memset(&r, 0xab, sizeof r);
    ASSERT_EQ(srv6s_get_path_health(h.get(), 2, &r, sizeof r), 0) << last_error();
    EXPECT_EQ(r.state, uint32_t(SRV6S_HEALTH_DOWN));
    EXPECT_EQ(r.targets, 3u);
    EXPECT_EQ(r.sent, 1001u);
    EXPECT_EQ(r.replies, 990u);
    EXPECT_EQ(r.lost, 11u);
    EXPECT_EQ(r.rtt_last_ns, 61234u);
    EXPECT_EQ(r.rtt_min_ns, 40111u);
    EXPECT_EQ(r.rtt_avg_ns, 58888u);
    EXPECT_EQ(r.since_ns, 1796000000123456789ULL);
    EXPECT_EQ(r.transitions, 5u);
    EXPECT_EQ(r.rx_ce_packets, 77u);
    EXPECT_EQ(r.updated_ns, 1796000000987654321ULL);
    EXPECT_EQ(r.rx_packets, 123456u);
    EXPECT_EQ(r.ce_ppm, 25000u);
    EXPECT_EQ(r.congestion, 12u);
    std::memset(&r, 0xab, sizeof r);
    ASSERT_EQ(srv6s_get_path_health(h.get(), 1, &r, sizeof r), 0) << last_error();
    const srv6s_path_health zero{};
    EXPECT_EQ(std::memcmp(&r, &zero, sizeof r), 0) << "nobody probes path 1: all zero (unknown)";

    // A caller built when the struct ended at rtt_last_ns: that much, not a byte further.
    struct {
        srv6s_path_health h;
        unsigned char canary[8];
    } older;
    std::memset(&older, 0xab, sizeof older);
    const size_t small = offsetof(srv6s_path_health, rtt_last_ns);
    ASSERT_EQ(srv6s_get_path_health(h.get(), 2, &older.h, small), 0) << last_error();
    EXPECT_EQ(older.h.lost, 11u);
    const auto* past = reinterpret_cast<const unsigned char*>(&older.h) + small;
    for (size_t i = 0; i < sizeof older - small; i++)
        ASSERT_EQ(past[i], 0xab) << "byte " << small + i << " past out_size was written";
    // A caller with a larger struct: what this library does not know reads as zero.
    struct {
        srv6s_path_health h;
        uint64_t future[2];
    } newer;
    std::memset(&newer, 0xab, sizeof newer);
    ASSERT_EQ(srv6s_get_path_health(h.get(), 2, &newer.h, sizeof newer), 0) << last_error();
    EXPECT_EQ(newer.h.updated_ns, 1796000000987654321ULL);
    EXPECT_EQ(newer.future[0], 0u);
    EXPECT_EQ(newer.future[1], 0u);

    EXPECT_EQ(srv6s_get_path_health(h.get(), 9, &r, sizeof r), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("path 9 does not exist"));
    EXPECT_EQ(srv6s_get_path_health(h.get(), 2, nullptr, sizeof r), -EINVAL);
    EXPECT_EQ(srv6s_get_path_health(h.get(), 2, &r, 0), -EINVAL);
    EXPECT_EQ(srv6s_get_path_health(nullptr, 2, &r, sizeof r), -EINVAL);
}

// The flowlet gap lands in the data plane's config (read back from the
// pinned config map by bpftool, not through the library).
TEST_F(CApi, FlowletGapIsSetInTheConfig) {
    Handle h = attach();
    ASSERT_TRUE(h);
    uint32_t gap = 0;
    ASSERT_EQ(srv6s_get_flowlet_gap(h.get(), &gap), 0) << last_error();
    EXPECT_EQ(gap, 500u) << "the default";
    ASSERT_EQ(srv6s_set_flowlet_gap(h.get(), 250), 0) << last_error();
    const std::string dump = sh("bpftool -j map lookup pinned " + std::string(status_of(h.get()).pin_dir) +
                                "/config key hex 00 00 00 00");
    EXPECT_THAT(dump, HasSubstr("\"flowlet_gap_us\":250"));
    EXPECT_EQ(srv6s_set_flowlet_gap(h.get(), 1000001), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("flowlet gap must be 0 (off) .. 1 s"));
    ASSERT_EQ(srv6s_get_flowlet_gap(h.get(), &gap), 0);
    EXPECT_EQ(gap, 250u) << "a refused gap changes nothing";
    EXPECT_EQ(srv6s_get_flowlet_gap(h.get(), nullptr), -EINVAL);
}

TEST_F(CApi, DeadAttachmentIsReportedAndRemoved) {
    Handle h = attach();
    ASSERT_TRUE(h);
    const std::string pin_dir = status_of(h.get()).pin_dir;
    sh("ip link del veth0");

    const srv6s_status st = status_of(h.get());
    EXPECT_GE(st.n_problems, 1u);
    std::vector<std::pair<uint32_t, std::string>> problems;
    ASSERT_EQ(srv6s_list_problems(
                  h.get(),
                  [](uint32_t kind, const char* detail, void* ctx) {
                      static_cast<std::vector<std::pair<uint32_t, std::string>>*>(ctx)->emplace_back(kind, detail);
                      return 0;
                  },
                  &problems),
              0)
        << last_error();
    ASSERT_FALSE(problems.empty());
    EXPECT_EQ(problems[0].first, uint32_t(SRV6S_PROBLEM_INTERFACE_GONE));
    EXPECT_THAT(problems[0].second, HasSubstr("veth0"));
    h.reset();

    size_t removed = 0;
    std::vector<std::string> dirs;
    ASSERT_EQ(srv6s_remove_dead(
                  bpffs.c_str(), &removed,
                  [](const char* dir, void* ctx) {
                      static_cast<std::vector<std::string>*>(ctx)->push_back(dir);
                      return 0;
                  },
                  &dirs),
              0)
        << last_error();
    EXPECT_EQ(removed, 1u);
    EXPECT_THAT(dirs, ::testing::ElementsAre(pin_dir));
    EXPECT_FALSE(std::filesystem::exists(pin_dir));
    srv6s_handle* raw = nullptr;
    EXPECT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), -ENOENT);
    ASSERT_EQ(srv6s_remove_dead(bpffs.c_str(), &removed, nullptr, nullptr), 0) << last_error();
    EXPECT_EQ(removed, 0u) << "nothing dead left";
}

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Cgroup pins in the TC program (bpf/lib/classify.h), run with
// BPF_PROG_TEST_RUN: the kernel hands the test packet a socket of the calling
// process's cgroup, so this test moves itself into a cgroup a/b made for it
// and pins a, b or their neighbours. Rows: the deepest pinned ancestor wins,
// only the levels config names are asked, cgroup pins beat flow pins and
// apply to fragments. (Socket pins need a real socket: tests/integration.)
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "cgroup.hpp"
#include "skip.hpp"
#include "tc_rows.hpp"

using namespace tcrows;
using testcg::TempCgroup;

namespace {

class CgroupLookup : public ::testing::Test {
protected:
    std::string mount, home;
    std::optional<TempCgroup> a, b, c;  // a, a/b, and c beside a
    uint32_t la = 0, lb = 0;           // their levels below the root

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        const auto m = testcg::mount_point();
        if (!m)
            SRV6S_SKIP_OR_FAIL("no cgroup2 file system is mounted");
        struct stat st {};
        if (::stat("/proc/self/ns/cgroup", &st) != 0 || st.st_ino != 0xEFFFFFFBu)
            SRV6S_SKIP_OR_FAIL("not in the initial cgroup namespace: the paths do not tell the levels");
        mount = *m;
        home = mount + testcg::own_path();
        const std::string base = mount + "/srv6s-bpf-" + std::to_string(getpid());
        a.emplace(base + "-a");
        b.emplace(base + "-a/b");
        c.emplace(base + "-c");
        ASSERT_TRUE(*a && *b && *c);
        la = level(*a);
        lb = level(*b);
        ASSERT_TRUE(testcg::move_into(b->path())) << strerror(errno);
    }

    void TearDown() override {
        if (!home.empty())
            testcg::move_into(home);
        b.reset();
    }

    uint32_t level(const TempCgroup& cg) const {
        const std::string rel = cg.path().substr(mount.size());
        return static_cast<uint32_t>(std::count(rel.begin(), rel.end(), '/'));
    }

    // Config with the cgroup levels given (bit n: level n), nothing skipped.
    static void levels(TcHarness& h, uint64_t mask, uint32_t flags = SRV6S_CFG_ENABLED) {
        h.config(kSrc, flags);
        auto c = h.dp.config().lookup(0).value();
        c.cgroup_levels = mask;
        c.cgroup_depth = static_cast<uint8_t>(mask ? 64 - __builtin_clzll(mask) : 0);
        h.dp.config().update(0, c);
    }
    static void pin_cgroup(TcHarness& h, uint64_t id, uint32_t set) { h.dp.cgroups().update(id, TcHarness::pin(set)); }
};

TEST_F(CgroupLookup, DeepestPinnedAncestorOfTheSocketsCgroup) {
    const Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    const auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    const uint64_t ia = a->id(), ib = b->id(), ic = c->id();
    const uint64_t bits = (1ull << la) | (1ull << lb);
    const Bytes on1 = encapsulated(t6, kSrc, kViaSpine1, 0, expected_label(k6, 1));
    const Bytes on2 = encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k6, 2));
    run_rows({
        {"its own cgroup b pinned", [&](TcHarness& h) { base(h); levels(h, bits); pin_cgroup(h, ib, 1); }, t6,
         kContinue, on1, SRV6S_R_STEERED},
        {"only its parent a pinned: covers b", [&](TcHarness& h) { base(h); levels(h, bits); pin_cgroup(h, ia, 2); },
         t6, kContinue, on2, SRV6S_R_STEERED},
        {"a and b pinned: b, the deeper, wins",
         [&](TcHarness& h) { base(h); levels(h, bits); pin_cgroup(h, ia, 2); pin_cgroup(h, ib, 1); }, t6, kContinue,
         on1, SRV6S_R_STEERED},
        {"the root pinned (level 0): covers everything",
         [&](TcHarness& h) { base(h); levels(h, 1); pin_cgroup(h, testcg::inode(mount), 2); }, t6, kContinue, on2,
         SRV6S_R_STEERED},
        {"a sibling c pinned: not ours", [&](TcHarness& h) { base(h); levels(h, 1ull << la); pin_cgroup(h, ic, 1); },
         t6, kContinue, {}, SRV6S_R_NO_MATCH},
        {"b pinned but its level not in config: not asked",
         [&](TcHarness& h) { base(h); levels(h, 1ull << la); pin_cgroup(h, ib, 1); }, t6, kContinue, {},
         SRV6S_R_NO_MATCH},
        {"b pinned, NO_CGROUPS set: skipped",
         [&](TcHarness& h) {
             base(h);
             levels(h, bits, SRV6S_CFG_ENABLED | SRV6S_CFG_NO_CGROUPS);
             pin_cgroup(h, ib, 1);
         },
         t6, kContinue, {}, SRV6S_R_NO_MATCH},
        {"levels deeper than the socket's cgroup are passed over",
         [&](TcHarness& h) { base(h); levels(h, bits | (1ull << (lb + 1)) | (1ull << 63)); pin_cgroup(h, ia, 2); },
         t6, kContinue, on2, SRV6S_R_STEERED},
    });
}

TEST_F(CgroupLookup, CgroupPinsBeatFlowPinsAndTakeFragments) {
    const Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    const auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    const Bytes frag = tcp4("10.0.1.10", "10.0.2.20", 40002, 5201, 0, 0x2000);  // MF: the first fragment
    const auto kf = flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 0, 0);  // no ports in fragments
    const uint64_t bits = (1ull << la) | (1ull << lb);
    run_rows({
        {"flow pin alone", [&](TcHarness& h) { base(h); levels(h, bits); h.pin_flow(k6, 1); }, t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0, expected_label(k6, 1)), SRV6S_R_STEERED},
        {"flow pin and cgroup pin: the cgroup's",
         [&](TcHarness& h) { base(h); levels(h, bits); h.pin_flow(k6, 1); pin_cgroup(h, b->id(), 2); }, t6,
         kContinue, encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k6, 2)), SRV6S_R_STEERED},
        {"a fragment follows the cgroup pin", [&](TcHarness& h) { base(h); levels(h, bits); pin_cgroup(h, a->id(), 2); },
         frag, kContinue, encapsulated(frag, kSrc, kViaSpine2, 0, expected_label(kf, 2)), SRV6S_R_STEERED},
        {"a fragment with only a flow pin: untouched",
         [&](TcHarness& h) {
             base(h);
             levels(h, bits);
             h.pin_flow(flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 40002, 5201), 1);
         },
         frag, kContinue, {}, SRV6S_R_FRAGMENT},
    });
}

}  // namespace

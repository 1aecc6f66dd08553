// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The flow pin table (libsrv6steer/flow_table.hpp) as the data plane sees it
// (bpf/lib/classify.h walks it in BPF, BPF_PROG_TEST_RUN): two
// implementations of one layout (include/srv6steer/abi.h), checked against a
// model (a std::map) and against the layout's formula computed here from the
// reference hash. Small tables, so that walks collide, wrap and pass
// deleted slots, and sweeps run often.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <atomic>
#include <bit>
#include <map>
#include <thread>

#include "flow_table.hpp"
#include "flowhash_reference.hpp"
#include "tc_rows.hpp"

using namespace tcrows;

namespace {

constexpr uint32_t kSets = 3;  // set s (1..3) is path s alone

srv6steer::LoadOptions table_of(uint32_t max_flows) {
    srv6steer::LoadOptions o = small_maps();
    o.max_flows = max_flows;
    return o;
}

struct Fixture {
    TcHarness h;
    explicit Fixture(uint32_t max_flows) : h(table_of(max_flows)) {
        h.config(kSrc);
        const auto via = spines(kSets);
        for (uint32_t s = 1; s <= kSets; s++) {
            h.path(s, {via[s - 1]});
            h.set(s, {s});
        }
    }
};

srv6s_flow_key key_of(uint16_t sport) { return flow_key(kH1, kH2, kTcp, sport, 5201); }

// The set the data plane steered the flow's packet to (its path's id, the
// label's low bits), 0 when it left it alone.
uint32_t steered(const TcHarness& h, uint16_t sport) {
    const Bytes in = tcp6(kH1, kH2, sport, 5201);
    const RunResult r = h.run(in);
    if (r.out.size() == in.size())
        return 0;
    return label_of(r.out) & 0xfff;
}

// The slot the layout puts step i of a walk of hash h at, computed here.
uint32_t ref_slot(uint32_t h, uint32_t i, uint32_t slots) {
    const uint32_t step = testref::fmix32(h ^ 0x9e3779b9u) | 1u;
    return (h + i * step) & (slots - 1);
}

srv6s_flow_slot slot_at(const TcHarness& h, uint32_t i) {
    srv6s_flow_slot s{};
    const int fd = bpf_map__fd(bpf_object__find_map_by_name(h.dp.object(), "srv6s_flows"));
    EXPECT_EQ(bpf_map_lookup_elem(fd, &i, &s), 0);
    return s;
}

}  // namespace

TEST(FlowTable, SizedTwiceThePinsAPowerOfTwo) {
    EXPECT_EQ(srv6steer::flow_table_slots(1), 2u);
    EXPECT_EQ(srv6steer::flow_table_slots(4), 8u);
    EXPECT_EQ(srv6steer::flow_table_slots(5), 16u);
    EXPECT_EQ(srv6steer::flow_table_slots(SRV6S_DEFAULT_MAX_FLOWS), 2 * SRV6S_DEFAULT_MAX_FLOWS);
    EXPECT_THROW(srv6steer::flow_table_slots(0), srv6steer::Error);
    EXPECT_THROW(srv6steer::flow_table_slots(0x80000001u), srv6steer::Error);
    Fixture f(5);
    auto t = f.h.dp.flows();
    EXPECT_EQ(t.slots(), 16u);
    EXPECT_EQ(t.max_pins(), 8u);
}

// The layout of abi.h, read back from the map with the reference hash: a
// flow's key sits in the first slot of its walk that was free; a second flow
// starting at the same slot sits one stride on.
TEST(FlowTable, PinsSitWhereTheLayoutSays) {
    Fixture f(8);  // 16 slots
    auto t = f.h.dp.flows();
    const uint16_t a = 1000;
    const uint32_t ha = testref::flow_hash(key_of(a));
    uint16_t b = a + 1;
    while ((testref::flow_hash(key_of(b)) & 15) != (ha & 15))
        b++;
    t.put(key_of(a), TcHarness::pin(1));
    t.put(key_of(b), TcHarness::pin(2));
    const srv6s_flow_key ka = key_of(a), kb = key_of(b);
    const srv6s_flow_slot sa = slot_at(f.h, ref_slot(ha, 0, 16));
    EXPECT_EQ(std::memcmp(&sa.key, &ka, sizeof ka), 0);
    EXPECT_EQ(sa.tag & SRV6S_FLOW_STATE_MASK, SRV6S_FLOW_LIVE);
    EXPECT_EQ(sa.path_set, 1u);
    const uint32_t hb = testref::flow_hash(key_of(b));
    const srv6s_flow_slot sb = slot_at(f.h, ref_slot(hb, 1, 16));
    EXPECT_EQ(std::memcmp(&sb.key, &kb, sizeof kb), 0) << "one stride of b's own on";
    EXPECT_EQ(steered(f.h, a), 1u);
    EXPECT_EQ(steered(f.h, b), 2u);

    // a deleted: b's walk passes its slot, which stays DELETED (b needs it).
    EXPECT_TRUE(t.erase(key_of(a)));
    EXPECT_EQ(slot_at(f.h, ref_slot(ha, 0, 16)).tag & SRV6S_FLOW_STATE_MASK, SRV6S_FLOW_DELETED);
    t.sweep();
    EXPECT_EQ(slot_at(f.h, ref_slot(ha, 0, 16)).tag & SRV6S_FLOW_STATE_MASK, SRV6S_FLOW_DELETED);
    EXPECT_EQ(steered(f.h, a), 0u);
    EXPECT_EQ(steered(f.h, b), 2u);
    // b gone too: nothing needs either slot, the sweep empties both.
    EXPECT_TRUE(t.erase(key_of(b)));
    t.sweep();
    EXPECT_EQ(slot_at(f.h, ref_slot(ha, 0, 16)).tag & SRV6S_FLOW_STATE_MASK, SRV6S_FLOW_EMPTY);
    EXPECT_EQ(slot_at(f.h, ref_slot(hb, 1, 16)).tag & SRV6S_FLOW_STATE_MASK, SRV6S_FLOW_EMPTY);
    EXPECT_EQ(t.size(), 0u);
}

// A re-pin changes the path, keeps the data plane's counters and the slot.
TEST(FlowTable, RepinKeepsTheCounters) {
    Fixture f(8);
    auto t = f.h.dp.flows();
    t.put(key_of(7), TcHarness::pin(1));
    EXPECT_EQ(steered(f.h, 7), 1u);
    EXPECT_EQ(steered(f.h, 7), 1u);
    srv6s_pin p = TcHarness::pin(3);
    p.owner_pid = 42;
    t.put(key_of(7), p);
    EXPECT_EQ(steered(f.h, 7), 3u);
    const auto got = t.find(key_of(7));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->path_set, 3u);
    EXPECT_EQ(got->owner_pid, 42u);
    EXPECT_EQ(got->packets, 3u);
    EXPECT_EQ(t.size(), 1u);
}

TEST(FlowTable, FullTableRefusesAndKeepsItsPins) {
    Fixture f(4);  // 8 slots, 4 pins
    auto t = f.h.dp.flows();
    for (uint16_t p = 1; p <= 4; p++)
        t.put(key_of(p), TcHarness::pin(p % kSets + 1));
    try {
        t.put(key_of(5), TcHarness::pin(1));
        ADD_FAILURE() << "a fifth pin fitted a table of four";
    } catch (const srv6steer::Error& e) {
        EXPECT_EQ(e.code(), E2BIG);
    }
    for (uint16_t p = 1; p <= 4; p++)
        EXPECT_EQ(steered(f.h, p), p % kSets + 1u);
    EXPECT_EQ(steered(f.h, 5), 0u);
    t.put(key_of(1), TcHarness::pin(1));  // a re-pin of a full table fits
    EXPECT_EQ(t.size(), 4u);
}

// Random pins and unpins over 12 flows against a std::map: after every step
// the data plane steers exactly the model's flows to the model's sets, and
// the table lists and counts the model. Tables of 8 and 64 slots.
TEST(FlowTable, RandomPinsAndUnpinsMatchAModel) {
    for (uint32_t max_flows : {4u, 32u}) {
        Fixture f(max_flows);
        auto t = f.h.dp.flows();
        EXPECT_TRUE(rc::check("max_flows " + std::to_string(max_flows), [&] {
            t.clear();
            std::map<uint16_t, uint32_t> model;
            const auto ops = *rc::gen::container<std::vector<std::pair<uint16_t, uint32_t>>>(
                rc::gen::pair(rc::gen::inRange<uint16_t>(1, 13), rc::gen::inRange<uint32_t>(0, kSets + 1)));
            for (const auto& [port, set] : ops) {
                if (set == 0) {  // unpin
                    RC_ASSERT(t.erase(key_of(port)) == (model.erase(port) == 1));
                } else if (model.size() < max_flows || model.count(port)) {
                    t.put(key_of(port), TcHarness::pin(set));
                    model[port] = set;
                } else {
                    try {
                        t.put(key_of(port), TcHarness::pin(set));
                        RC_FAIL("a pin past max_flows fitted");
                    } catch (const srv6steer::Error& e) {
                        RC_ASSERT(e.code() == E2BIG);
                    }
                }
                const auto it = model.find(port);
                RC_ASSERT(steered(f.h, port) == (it == model.end() ? 0u : it->second));
            }
            for (uint16_t p = 1; p <= 12; p++) {
                const auto it = model.find(p);
                RC_ASSERT(steered(f.h, p) == (it == model.end() ? 0u : it->second));
                const auto got = t.find(key_of(p));
                RC_ASSERT(bool(got) == (it != model.end()));
            }
            RC_ASSERT(t.size() == model.size());
            std::map<uint16_t, uint32_t> listed;
            for (const auto& [k, v] : t.entries())
                listed[k.sport] = v.path_set;
            RC_ASSERT(listed == model);
        }));
    }
}

// While another thread pins, unpins and sweeps other flows of the same small
// table as fast as it can, a pinned flow is steered on every packet and a
// churned flow's packets go on its own path or unsteered, never on another
// churned flow's (they take turns in the same slots: sets 2 and 3 by port).
TEST(FlowTable, ChurnNeverMissesOrMisSteersAPin) {
    Fixture f(8);  // 16 slots
    auto t = f.h.dp.flows();
    t.put(key_of(1), TcHarness::pin(1));
    t.put(key_of(2), TcHarness::pin(1));
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> rounds{0};
    std::thread churn([&] {
        auto w = f.h.dp.flows();  // a mapping of its own, as another process has
        while (!stop.load()) {
            for (uint16_t p = 10; p < 16; p++)
                w.put(key_of(p), TcHarness::pin(2 + p % 2));
            for (uint16_t p = 10; p < 16; p++)
                w.erase(key_of(p));
            w.sweep();
            rounds++;
        }
    });
    uint64_t runs = 0, bad = 0, churned_steered = 0;
    while (runs < 20000 || rounds.load() < 100) {
        bad += steered(f.h, 1) != 1u;
        bad += steered(f.h, 2) != 1u;
        const uint16_t port = uint16_t(10 + runs % 6);
        const uint32_t c = steered(f.h, port);
        bad += c != 0 && c != 2u + port % 2;
        churned_steered += c != 0;
        runs++;
        if (runs > 2000000)
            break;
    }
    stop = true;
    churn.join();
    EXPECT_EQ(bad, 0u) << runs << " runs against " << rounds.load() << " churn rounds";
    EXPECT_GE(rounds.load(), 100u);
    RecordProperty("churned_steered", std::to_string(churned_steered));
}

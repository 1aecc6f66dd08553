// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Jalapeno's srv6_usid text into a srv6steer::Path (planner/jalapeno/usid.cpp),
// against a reference decoder of the containers written here.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "jalapeno/client.hpp"

namespace srv6steer::jalapeno {
namespace {

// The uSIDs of containers as a reader of the wire sees them: the block's
// bytes, then 16-bit uSIDs up to a 0 or the end; every container but the last full.
std::vector<uint16_t> reference_decode(const std::vector<uint8_t>& block_bytes,
                                       const std::vector<Ipv6>& segments) {
    std::vector<uint16_t> out;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto& b = segments[s].bytes;
        RC_ASSERT(std::equal(block_bytes.begin(), block_bytes.end(), b.begin()));
        bool ended = false;
        for (std::size_t at = block_bytes.size(); at < 16; at += 2) {
            const uint16_t u = static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
            if (u == 0)
                ended = true;
            else {
                RC_ASSERT(!ended);
                out.push_back(u);
            }
        }
        RC_ASSERT(!ended || s + 1 == segments.size());
    }
    return out;
}

RC_GTEST_PROP(JalapenoUsid, JalapenosTextBecomesTheSameUsidsInContainers, ()) {
    // A block of g groups as Jalapeno writes it ("fcbb:0:"), uSIDs as
    // process_path_data joins them, then DEST_FUNCTION.
    const auto g = *rc::gen::inRange<std::size_t>(1, 8);
    // First group 2000..fdff: global unicast or ULA, so no container is an
    // address packets cannot be sent to (that error has its own test).
    auto groups = *rc::gen::container<std::vector<uint16_t>>(g, rc::gen::arbitrary<uint16_t>());
    groups[0] = *rc::gen::inRange<uint16_t>(0x2000, 0xfe00);
    const auto per = 8 - g;
    const auto n = *rc::gen::inRange<std::size_t>(1, per * kMaxContainers + 3);
    const auto usids = *rc::gen::container<std::vector<uint16_t>>(n, rc::gen::inRange<uint16_t>(1, 0xffff));
    const auto fn = *rc::gen::inRange<uint16_t>(1, 0xffff);
    const bool upper = *rc::gen::arbitrary<bool>();

    const auto hex = [&](uint16_t v) {
        char b[8];
        std::snprintf(b, sizeof b, upper ? "%X" : "%x", v);
        return std::string(b);
    };
    std::string block_text, usid_text;
    std::vector<uint8_t> block_bytes;
    for (uint16_t x : groups) {
        block_text += hex(x) + ":";
        block_bytes.push_back(static_cast<uint8_t>(x >> 8));
        block_bytes.push_back(static_cast<uint8_t>(x));
    }
    usid_text = block_text;
    for (std::size_t i = 0; i < n; ++i)
        usid_text += (i ? ":" : "") + hex(usids[i]);
    usid_text += "::";

    Block block;
    const auto got = usids_of(usid_text, block_text, &block);
    RC_ASSERT(got == usids);
    std::vector<uint16_t> all = usids;
    all.push_back(fn);
    const std::size_t containers = (all.size() + per - 1) / per;
    if (containers > kMaxContainers) {
        RC_ASSERT_THROWS_AS(path_of(block, all), Error);
        return;
    }
    const Path p = path_of(block, all);
    RC_ASSERT(p.segments.size() == containers);
    RC_ASSERT(p.mode == SrhMode::Reduced);
    RC_ASSERT(reference_decode(block_bytes, p.segments) == all);
}

TEST(JalapenoUsid, ABlockPacketsCannotGoToIsAnError) {
    Block block;
    const auto u = usids_of("ff02:0:1004::", "ff02:0:", &block);
    EXPECT_EQ(u, std::vector<uint16_t>{0x1004});
    EXPECT_THROW(path_of(block, u), Error);
}

}  // namespace
}  // namespace srv6steer::jalapeno

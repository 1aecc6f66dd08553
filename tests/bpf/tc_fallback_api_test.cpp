// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path fallbacks through the library (libsrv6steer/paths.cpp) over a data
// plane loaded in this process only: what Steering::set_path_fallback and
// add_path write is what the program then does (BPF_PROG_TEST_RUN), paths()
// lists it, and every refusal leaves the state as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bpf/bpf.h>

#include "packet.hpp"
#include "srv6steer/srv6steer.hpp"

using namespace srv6steer;
using testpkt::Builder;
using testpkt::Bytes;
using ::testing::HasSubstr;

namespace {

const Block kBlock = Block::parse("fcbb:0::/32");

AttachOptions small() {
    AttachOptions o;
    o.ifname = "test";
    o.source = Ipv6::parse("fcbb:0:800:1::1");
    o.max_flows = 8;
    o.max_qps = 8;
    o.max_prefixes = 8;
    return o;
}

Path via(uint32_t id, const char* usids, std::optional<Target> fallback = std::nullopt) {
    auto u = parse_usids(usids);
    Path p = Path::from_usids(id, kBlock, u);
    p.fallback = fallback;
    return p;
}

// The outer destination of what the program made of a TCP packet, or
// nullopt when it left the packet as it was.
std::optional<Ipv6> sent_via(const Steering& s, uint16_t sport) {
    const Bytes in =
        Builder().eth(0x86dd).ipv6("fcbb:0:800:1::10", "fcbb:0:800:2::20", 6).tcp(sport, 80).payload(20).build();
    Bytes out(in.size() + 256);
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = uint32_t(in.size()), .data_size_out = uint32_t(out.size()), .repeat = 1);
    EXPECT_EQ(bpf_prog_test_run_opts(s.tc_program_fd(), &o), 0);
    if (o.data_size_out == in.size())
        return std::nullopt;
    Ipv6 a;
    std::memcpy(a.bytes.data(), out.data() + 14 + 24, 16);
    return a;
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

const Ipv6 kVia1 = Ipv6::parse("fcbb:0:1004:1001:1006:fe06::");
const Ipv6 kVia2 = Ipv6::parse("fcbb:0:1004:1002:1006:fe06::");
const Ipv6 kVia3 = Ipv6::parse("fcbb:0:1004:1003:1006:fe06::");

struct Fallbacks : ::testing::Test {
    Steering s = Steering::load_unattached(small());
    void SetUp() override {
        s.add_path(via(1, "1004,1001,1006,fe06"));
        s.add_path(via(2, "1004,1002,1006,fe06"));
        s.add_path(via(3, "1004,1003,1006,fe06"));
        s.define_set({10, {1, 2}});
        s.pin(Prefix::parse("fcbb:0:800:2::/64"), Target::set(10));
    }
    std::optional<Target> fallback_of(uint32_t id) {
        for (const Path& p : s.paths())
            if (p.id == id)
                return p.fallback;
        ADD_FAILURE() << "no path " << id;
        return std::nullopt;
    }
};

}  // namespace

TEST_F(Fallbacks, ASetAllDownGoesToItsPathsFallbackAndBack) {
    s.set_path_fallback(1, Target::path(3));
    s.set_path_fallback(2, Target::path(3));
    EXPECT_EQ(fallback_of(1), Target::path(3));
    s.set_path_down(1, true);
    s.set_path_down(2, true);
    for (uint16_t port = 1000; port < 1016; port++)
        EXPECT_EQ(sent_via(s, port), kVia3) << "port " << port;
    EXPECT_EQ(s.stats().reasons[SRV6S_R_FELL_BACK].packets, 16u);
    s.set_path_down(2, false);
    for (uint16_t port = 1000; port < 1016; port++)
        EXPECT_EQ(sent_via(s, port), kVia2) << "one path of the set up again: the set, not the fallback";
    s.set_path_down(2, true);
    s.set_path_fallback(1, std::nullopt);
    s.set_path_fallback(2, std::nullopt);
    EXPECT_EQ(fallback_of(1), std::nullopt);
    EXPECT_EQ(sent_via(s, 1000), std::nullopt) << "no fallback: plain routing";
}

TEST_F(Fallbacks, AFallbackSetIsFollowedAsItChanges) {
    s.define_set({11, {3}});
    s.set_path_fallback(1, Target::set(11));
    s.set_path_fallback(2, Target::set(11));
    s.set_path_down(1, true);
    s.set_path_down(2, true);
    EXPECT_EQ(sent_via(s, 1000), kVia3);
    s.add_path(via(4, "1004,1005,1006,fe06"));
    s.define_set({11, {4}});
    EXPECT_EQ(sent_via(s, 1000), Ipv6::parse("fcbb:0:1004:1005:1006:fe06::"));
}

TEST_F(Fallbacks, AddPathTakesAFallbackAndIsDeclarative) {
    s.add_path(via(4, "1004,1005,1006,fe06", Target::set(10)));
    EXPECT_EQ(fallback_of(4), Target::set(10));
    EXPECT_NO_THROW(s.add_path(via(4, "1004,1005,1006,fe06", Target::set(10)))) << "same path: no-op";
    s.add_path(via(4, "1004,1005,1006,fe06", Target::path(3)));
    EXPECT_EQ(fallback_of(4), Target::path(3)) << "the same path with another fallback changes it";
    s.add_path(via(4, "1004,1005,1006,fe06"));
    EXPECT_EQ(fallback_of(4), std::nullopt);
    EXPECT_THAT(error_of([&] { s.add_path(via(5, "1004,1007,1006,fe06", Target::set(12))); }),
                HasSubstr("set 12 does not exist"));
    EXPECT_EQ(s.paths().size(), 4u) << "a refused path is not added";
    EXPECT_THAT(error_of([&] { s.add_path(via(5, "1004,1007,1006,fe06", Target::path(5))); }),
                HasSubstr("path 5 cannot fall back to itself"));
    EXPECT_EQ(s.paths().size(), 4u);
}

TEST_F(Fallbacks, BadFallbacksAreRefusedAndStateStays) {
    s.add_path(via(4, "1004,1005,1006,fe06"));
    s.define_set({11, {4}});
    s.define_set({12, {1, 1}});
    s.set_path_fallback(1, Target::path(3));
    s.set_path_fallback(2, Target::set(11));
    const auto paths = s.paths();
    const auto sets = s.sets();
    EXPECT_THAT(error_of([&] { s.set_path_fallback(1, Target::path(7)); }), HasSubstr("path 7 does not exist"));
    EXPECT_THAT(error_of([&] { s.set_path_fallback(1, Target::set(13)); }), HasSubstr("set 13 does not exist"));
    EXPECT_THAT(error_of([&] { s.set_path_fallback(9, Target::path(3)); }), HasSubstr("path 9 does not exist"));
    EXPECT_THAT(error_of([&] { s.set_path_fallback(1, Target::path(1)); }),
                HasSubstr("path 1 cannot fall back to itself"));
    EXPECT_THAT(error_of([&] { s.set_path_fallback(1, Target::set(12)); }),
                HasSubstr("set 12, which holds only path 1"));
    EXPECT_THAT(error_of([&] { s.remove_path(3); }), HasSubstr("path 3 is the fallback of path 1"));
    EXPECT_THAT(error_of([&] { s.remove_set(11); }), HasSubstr("path set 11 is the fallback of path 2"));
    EXPECT_THAT(error_of([&] { s.define_set({11, {2}}); }), HasSubstr("cannot hold only that path"));
    EXPECT_EQ(s.paths(), paths);
    EXPECT_EQ(s.sets(), sets);
    s.set_path_fallback(2, std::nullopt);
    EXPECT_NO_THROW(s.remove_set(11)) << "once nothing falls back to it";
}

TEST(TargetText, ParsesWhatItNames) {
    EXPECT_EQ(Target::parse("path:3"), Target::path(3));
    EXPECT_EQ(Target::parse("set:10"), Target::set(10));
    for (const char* bad : {"path", "path:", "path:x", "set:4096", "path:4096", "3", "flow:1", "path:-1"})
        EXPECT_THAT(error_of([&] { Target::parse(bad); }), HasSubstr("expected path:ID")) << bad;
}

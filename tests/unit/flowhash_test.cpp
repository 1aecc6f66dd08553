// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Known answers for the flow hash, the outer flow label and the path choice
// (include/srv6steer/flowhash.h, shared by the data plane and user space).
// Expectations come from outside the code under test: the published
// MurmurHash3_x86_32 vectors check the reference of testing/flowhash_reference.hpp,
// and a table of literal numbers (computed once with that reference and with a
// separate Python implementation) pins hash, label and draws of real flows.
// A changed seed or mixing in flowhash.h turns these red.
#include <arpa/inet.h>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "flowhash_reference.hpp"
#include "srv6steer/flowhash.h"
#include "srv6steer/types.hpp"

namespace {

// ---- the reference against MurmurHash3's published vectors -----------------------

struct Vector {
    std::string data;
    uint32_t seed;
    uint32_t hash;
};

// MurmurHash3_x86_32 test vectors as published with the algorithm's ports
// (SMHasher's verification inputs and the widely reproduced table of short
// inputs); they exercise every tail length and the seed.
const Vector kPublished[] = {
    {"", 0, 0},
    {"", 1, 0x514e28b7},
    {"", 0xffffffff, 0x81f16f39},
    {std::string("\0\0\0\0", 4), 0, 0x2362f9de},
    {"\xff\xff\xff\xff", 0, 0x76293b50},
    {"\x21\x43\x65\x87", 0, 0xf55b516b},
    {"\x21\x43\x65\x87", 0x5082edee, 0x2362f9de},
    {"\x21\x43\x65", 0, 0x7e4a8634},
    {"\x21\x43", 0, 0xa0f7b07a},
    {"\x21", 0, 0x72661cf4},
    {std::string("\0\0\0", 3), 0, 0x85f0b427},
    {std::string("\0\0", 2), 0, 0x30f4c306},
    {std::string("\0", 1), 0, 0x514e28b7},
    {"aaaa", 0x9747b28c, 0x5a97808a},
    {"aaa", 0x9747b28c, 0x283e0130},
    {"aa", 0x9747b28c, 0x5d211726},
    {"a", 0x9747b28c, 0x7fa09ea6},
    {"abcd", 0x9747b28c, 0xf0478627},
    {"abc", 0x9747b28c, 0xc84a62dd},
    {"ab", 0x9747b28c, 0x74875592},
    {"abc", 0, 0xb3dd93fa},
    {"Hello, world!", 0x9747b28c, 0x24884cba},
    {"\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80", 0x9747b28c, 0xd58063c1},
    {std::string(256, 'a'), 0x9747b28c, 0x37405bdc},
    {"The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd},
};

TEST(FlowHashReference, IsMurmurHash3ByItsPublishedVectors) {
    for (const Vector& v : kPublished)
        EXPECT_EQ(testref::murmur3_32(v.data.data(), v.data.size(), v.seed), v.hash)
            << "input of " << v.data.size() << " bytes, seed 0x" << std::hex << v.seed;
}

// ---- the data plane's functions against literal numbers ------------------------------

// IPv6 text, or IPv4 text as ::ffff:a.b.c.d.
void addr(uint8_t out[16], const char* text) {
    std::memset(out, 0, 16);
    if (inet_pton(AF_INET6, text, out) == 1)
        return;
    out[10] = out[11] = 0xff;
    if (inet_pton(AF_INET, text, out + 12) != 1)
        throw std::invalid_argument(std::string("bad address in the table: ") + text);
}

srv6s_flow_key key(uint8_t proto, const char* src, uint16_t sport, const char* dst, uint16_t dport) {
    srv6s_flow_key k{};
    addr(k.src, src);
    addr(k.dst, dst);
    k.sport = sport;
    k.dport = dport;
    k.proto = proto;
    return k;
}

struct Known {
    const char* flow;  // as Flow::parse reads it (TCP and UDP)
    srv6s_flow_key key;
    uint32_t hash, label;    // label: on path 7
    uint32_t draws_of_4[4];  // draws 0..3 in a set of 4 paths
    uint32_t home_of_2, home_of_3;
};

// Little-endian hosts (ports are hashed in host order): see flowhash_reference.hpp.
const Known kKnown[] = {
    {"tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201",
     key(6, "fcbb:0:800:1::10", 40000, "fcbb:0:800:2::20", 5201), 0xecd4aa05, 0x05007, {3, 1, 1, 3}, 1, 0},
    {"udp fcbb:0:800:1::10 40001 fcbb:0:800:2::20 9000",
     key(17, "fcbb:0:800:1::10", 40001, "fcbb:0:800:2::20", 9000), 0x616095cc, 0xcc007, {1, 3, 0, 0}, 1, 2},
    {"tcp 10.0.1.10 40002 10.0.2.20 5201", key(6, "10.0.1.10", 40002, "10.0.2.20", 5201), 0xf1f15684,
     0x84007, {0, 3, 1, 2}, 0, 1},
    {"udp 10.0.1.10 40003 10.0.2.20 9000", key(17, "10.0.1.10", 40003, "10.0.2.20", 9000), 0x1bfd9b7a,
     0x7a007, {0, 2, 3, 0}, 0, 1},
    {"udp fcbb:0:800:1::10 50000 fcbb:0:800:2::20 4791",
     key(17, "fcbb:0:800:1::10", 50000, "fcbb:0:800:2::20", 4791), 0x110e31b1, 0xb1007, {1, 3, 0, 1}, 1, 1},
    {"tcp fcbb:0:800:1::10 0 fcbb:0:800:3::30 0", key(6, "fcbb:0:800:1::10", 0, "fcbb:0:800:3::30", 0),
     0x72272cd2, 0xd2007, {1, 2, 3, 2}, 1, 2},
    {"icmpv6 fcbb::1 0 fcbb::2 0", key(58, "fcbb::1", 0, "fcbb::2", 0), 0x116d3e0a, 0x0a007, {3, 1, 3, 3}, 1, 0},
    {"47 fcbb::1 0 fcbb::2 0", key(47, "fcbb::1", 0, "fcbb::2", 0), 0x25e4d5a5, 0xa5007, {1, 1, 2, 0}, 1, 1},
};

TEST(FlowHash, KnownFlowsHaveTheirKnownHashLabelAndDraws) {
    for (const Known& k : kKnown) {
        SCOPED_TRACE(k.flow);
        EXPECT_EQ(srv6s_flow_hash(&k.key), k.hash);
        EXPECT_EQ(srv6s_flow_label(srv6s_flow_hash(&k.key), 7), k.label);
        for (uint32_t a = 0; a < 4; a++)
            EXPECT_EQ(srv6s_path_choice(k.hash, a, 4), k.draws_of_4[a]) << "draw " << a << " of 4";
        EXPECT_EQ(srv6s_path_choice(k.hash, 0, 2), k.home_of_2);
        EXPECT_EQ(srv6s_path_choice(k.hash, 0, 3), k.home_of_3);
        EXPECT_EQ(srv6s_path_choice(k.hash, 0, 1), 0u);
    }
}

TEST(FlowHash, ReferenceAgreesWithTheLiteralTable) {
    for (const Known& k : kKnown) {
        SCOPED_TRACE(k.flow);
        EXPECT_EQ(testref::flow_hash(k.key), k.hash);
        EXPECT_EQ(testref::flow_label(k.hash, 7), k.label);
        for (uint32_t a = 0; a < 4; a++)
            EXPECT_EQ(testref::path_draw(k.hash, a, 4), k.draws_of_4[a]);
    }
}

TEST(FlowHash, FlowTextGivesTheKeyThatIsHashed) {
    for (const Known& k : kKnown) {
        if (k.key.proto != 6 && k.key.proto != 17)
            continue;  // flow pins are TCP or UDP; prefix pins hash other protocols too
        const srv6s_flow_key parsed = srv6steer::Flow::parse(k.flow).key();
        EXPECT_EQ(std::memcmp(&parsed, &k.key, sizeof parsed), 0) << k.flow;
    }
}

// Layout: bits 0..11 the path id, bits 12..19 the low 8 bits of the hash
// (1 where those are 0), so never 0 and the receiver reads the path back.
TEST(FlowHash, LabelIsPathIdUnderHashBitsAndNeverZero) {
    EXPECT_EQ(srv6s_flow_label(0, 0), 0x01000u) << "hash bits 0 -> 1";
    EXPECT_EQ(srv6s_flow_label(0xffffff00, 0), 0x01000u) << "low 8 bits of the hash 0";
    EXPECT_EQ(srv6s_flow_label(0xffffff00, 0xfff), 0x01fffu);
    EXPECT_EQ(srv6s_flow_label(0xffffffff, 0xfff), 0xfffffu);
    EXPECT_EQ(srv6s_flow_label(0xabcde123, 5), 0x23005u);
    EXPECT_EQ(srv6s_flow_label(0x00000001, 0x1234), 0x01234u) << "path id masked to 12 bits";
    for (uint32_t id : {0u, 1u, 7u, 4095u}) {
        for (uint32_t h : {0u, 1u, 0x100u, 0xdeadbeefu}) {
            EXPECT_NE(srv6s_flow_label(h, id), 0u);
            EXPECT_EQ(srv6s_flow_label(h, id) & 0xfff, id) << "the receiver's path id";
            EXPECT_LE(srv6s_flow_label(h, id), 0xfffffu);
        }
    }
}

// ---- the data plane's functions equal the reference on any key ----------------------

RC_GTEST_PROP(FlowHashProperties, EqualsTheReferenceOnAnyKey, ()) {
    srv6s_flow_key k{};
    const auto bytes = *rc::gen::container<std::vector<uint8_t>>(37, rc::gen::arbitrary<uint8_t>());
    std::memcpy(k.src, bytes.data(), 16);
    std::memcpy(k.dst, bytes.data() + 16, 16);
    std::memcpy(&k.sport, bytes.data() + 32, 2);
    std::memcpy(&k.dport, bytes.data() + 34, 2);
    k.proto = bytes[36];
    const uint32_t h = srv6s_flow_hash(&k);
    RC_ASSERT(h == testref::flow_hash(k));
    const auto path_id = *rc::gen::inRange<uint32_t>(0, SRV6S_MAX_PATHS);
    RC_ASSERT(srv6s_flow_label(h, path_id) == testref::flow_label(h, path_id));
    const auto n = *rc::gen::inRange<uint32_t>(1, SRV6S_MAX_SET_PATHS + 1);
    const auto attempt = *rc::gen::inRange<uint32_t>(0, 2 * SRV6S_MAX_SET_PATHS);
    RC_ASSERT(srv6s_path_choice(h, attempt, n) == testref::path_draw(h, attempt, n));
}

}  // namespace

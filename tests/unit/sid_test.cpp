// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "srv6steer/sid.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <ostream>

#include "srv6steer/error.hpp"

namespace srv6steer {
// Readable values in gtest and rapidcheck failure messages.
std::ostream& operator<<(std::ostream& os, const Ipv6& a) { return os << a.str(); }
std::ostream& operator<<(std::ostream& os, SrhMode m) {
    return os << (m == SrhMode::Reduced ? "Reduced" : "Full");
}
}  // namespace srv6steer

namespace rc {
template <>
struct Arbitrary<srv6steer::Ipv6> {
    static Gen<srv6steer::Ipv6> arbitrary() {
        return gen::map(gen::container<std::vector<uint8_t>>(16, gen::arbitrary<uint8_t>()),
                        [](const std::vector<uint8_t>& v) {
                            srv6steer::Ipv6 a;
                            std::copy(v.begin(), v.end(), a.bytes.begin());
                            return a;
                        });
    }
};
}  // namespace rc

namespace srv6steer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The message of the Error f throws (a validation error: code 0), or a test failure.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), 0) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no srv6steer::Error thrown";
    return {};
}
#define EXPECT_ERROR(expr, text) EXPECT_THAT(error_of([&] { (void)(expr); }), HasSubstr(text))

Ipv6 ip(std::string_view s) { return Ipv6::parse(s); }

const Block kLab = Block::parse("fcbb:0::/32");

std::vector<uint8_t> bytes_of(const Ipv6& a) { return {a.bytes.begin(), a.bytes.end()}; }

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

bool all_zero(const uint8_t* p, std::size_t n) {
    return std::all_of(p, p + n, [](uint8_t x) { return x == 0; });
}

// ---- Ipv6 ----------------------------------------------------------------------

TEST(Ipv6, ParsesAndPrintsCanonically) {
    const Ipv6 a = ip("FCBB:0000:1004:1001:1006:FE06:0:0");
    EXPECT_EQ(a.str(), "fcbb:0:1004:1001:1006:fe06::");
    EXPECT_EQ(a.bytes[0], 0xfc);
    EXPECT_EQ(a.bytes[11], 0x06);
    EXPECT_EQ(ip("::").str(), "::");
    EXPECT_FALSE(a.is_v4_mapped());
}

TEST(Ipv6, OrdersByBytes) {
    EXPECT_LT(ip("fcbb:0:1001::"), ip("fcbb:0:1004::"));
    EXPECT_EQ(ip("fcbb::1"), ip("fcbb:0::0:1"));
}

TEST(Ipv6, RejectsInvalidText) {
    EXPECT_ERROR(Ipv6::parse("xyz"), "invalid IPv6 address \"xyz\"");
    EXPECT_ERROR(Ipv6::parse(""), "invalid IPv6 address \"\"");
    EXPECT_ERROR(Ipv6::parse("10.0.0.1"), "invalid IPv6 address \"10.0.0.1\"");
    EXPECT_ERROR(Ipv6::parse("fcbb::1::2"), "invalid IPv6 address");
    EXPECT_ERROR(Ipv6::parse("fcbb::/32"), "invalid IPv6 address");
    EXPECT_ERROR(Ipv6::parse(std::string_view("fcbb::1\0junk", 12)), "invalid IPv6 address");
}

TEST(Ipv6, MapsIpv4) {
    const Ipv6 a = Ipv6::from_ipv4(0x0a000001);
    EXPECT_EQ(a.str(), "::ffff:10.0.0.1");
    EXPECT_TRUE(a.is_v4_mapped());
    EXPECT_EQ(Ipv6::parse_any("10.0.0.1"), a);
    EXPECT_EQ(Ipv6::parse_any("::ffff:10.0.0.1"), a);
    EXPECT_EQ(Ipv6::parse_any("fcbb:0:800:1::1"), ip("fcbb:0:800:1::1"));
    EXPECT_FALSE(ip("::10.0.0.1").is_v4_mapped());
}

TEST(Ipv6, ParseAnyRejectsInvalidText) {
    EXPECT_ERROR(Ipv6::parse_any("10.0.0.256"), "invalid IP address \"10.0.0.256\"");
    EXPECT_ERROR(Ipv6::parse_any("10.1"), "invalid IP address \"10.1\"");
    EXPECT_ERROR(Ipv6::parse_any("host"), "expected IPv4 a.b.c.d or IPv6");
}

// ---- Block ---------------------------------------------------------------------

TEST(Block, ParsesLab) {
    EXPECT_EQ(kLab.prefix, ip("fcbb::"));
    EXPECT_EQ(kLab.len, 32u);
    EXPECT_EQ(kLab.usids_per_container(), 6u);
    EXPECT_EQ(kLab.str(), "fcbb::/32");
    EXPECT_EQ(Block::parse("fcbb::/16").usids_per_container(), 7u);
    EXPECT_EQ(Block::parse("fcbb:0:1::/48").usids_per_container(), 5u);
    EXPECT_EQ(Block::parse("fcbb:0:1:2:3:4:5::/112").usids_per_container(), 1u);
}

TEST(Block, RejectsInvalid) {
    EXPECT_ERROR(Block::parse("fcbb:0::"), "uSID block \"fcbb:0::\" has no /length");
    EXPECT_ERROR(Block::parse("fcbb:0::/"), "length \"\" is not a number");
    EXPECT_ERROR(Block::parse("fcbb:0::/x"), "length \"x\" is not a number");
    EXPECT_ERROR(Block::parse("fcbb:0::/+32"), "length \"+32\" is not a number");
    EXPECT_ERROR(Block::parse("fcbb:0::/32/4"), "length \"32/4\" is not a number");
    EXPECT_ERROR(Block::parse("fcbb:0::/ 32"), "length \" 32\" is not a number");
    EXPECT_ERROR(Block::parse("fcbb:0::/99999999999"), "is not a number");
    EXPECT_ERROR(Block::parse("zz::/32"),
                 "uSID block \"zz::/32\": \"zz::\" is not an IPv6 address");
    EXPECT_ERROR(Block::parse("/32"), "\"\" is not an IPv6 address");
    EXPECT_ERROR(Block::parse("fcbb::/33"),
                 "length /33 not allowed; use a multiple of 16 from 16 to 112");
    EXPECT_ERROR(Block::parse("fcbb::/0"), "length /0 not allowed");
    EXPECT_ERROR(Block::parse("fcbb::/8"), "length /8 not allowed");
    EXPECT_ERROR(Block::parse("fcbb::/128"), "length /128 not allowed");
    EXPECT_ERROR(Block::parse("fcbb:0:1::/32"), "block fcbb:0:1::/32 has bits set past /32");
    EXPECT_ERROR(Block::parse("fcbb::1/112"), "has bits set past /112");
}

// ---- uSID lists ----------------------------------------------------------------

TEST(ParseUsids, AcceptsCommasSpacesAndPrefix) {
    EXPECT_THAT(parse_usids("1004,1001,1006,fe06"), ElementsAre(0x1004, 0x1001, 0x1006, 0xfe06));
    EXPECT_THAT(parse_usids("1004 1001\tFE06"), ElementsAre(0x1004, 0x1001, 0xfe06));
    EXPECT_THAT(parse_usids(" 1004, 1001 ,0x1006,0XfE06 "),
                ElementsAre(0x1004, 0x1001, 0x1006, 0xfe06));
    EXPECT_THAT(parse_usids("1,ffff,0001"), ElementsAre(1, 0xffff, 1));
}

TEST(ParseUsids, RejectsInvalid) {
    EXPECT_ERROR(parse_usids(""), "empty uSID list \"\"");
    EXPECT_ERROR(parse_usids(" , "), "empty uSID list");
    EXPECT_ERROR(parse_usids("1004,,1001"), "uSID list \"1004,,1001\" has an empty entry");
    EXPECT_ERROR(parse_usids("1004,"), "has an empty entry");
    EXPECT_ERROR(parse_usids(",1004"), "has an empty entry");
    EXPECT_ERROR(parse_usids("1004,xyz"),
                 "invalid uSID \"xyz\" in \"1004,xyz\": expected 1 to 4 hex digits");
    EXPECT_ERROR(parse_usids("0x"), "invalid uSID \"0x\"");
    EXPECT_ERROR(parse_usids("-1"), "invalid uSID \"-1\"");
    EXPECT_ERROR(parse_usids("10g4"), "invalid uSID \"10g4\"");
    EXPECT_ERROR(parse_usids("1004;1001"), "invalid uSID \"1004;1001\"");
    EXPECT_ERROR(parse_usids("12345"), "uSID \"12345\" in \"12345\" has more than 4 hex digits");
    EXPECT_ERROR(parse_usids("0x10040"), "has more than 4 hex digits");
    EXPECT_ERROR(parse_usids("1004,0"), "uSID \"0\" in \"1004,0\" is 0, which marks the end");
    EXPECT_ERROR(parse_usids("0000"), "uSID \"0000\" in \"0000\" is 0");
}

// ---- containers ------------------------------------------------------------------

TEST(Containers, LabPathFitsOneContainer) {
    // leaf00, spine01, leaf02, leaf02's uDT6
    const std::vector<uint16_t> usids{0x1004, 0x1001, 0x1006, 0xfe06};
    const auto c = usid_containers(kLab, usids);
    EXPECT_THAT(c, ElementsAre(ip("fcbb:0:1004:1001:1006:fe06::")));
    EXPECT_EQ(container_usids(kLab, c[0]), usids);
}

TEST(Containers, SixFillOneSevenSpillIntoTwo) {
    EXPECT_THAT(usid_containers(kLab, parse_usids("1004,1001,1006,e003,fe06,1")),
                ElementsAre(ip("fcbb:0:1004:1001:1006:e003:fe06:1")));
    EXPECT_THAT(usid_containers(kLab, parse_usids("1004,1001,1005,1002,1006,1001,1004")),
                ElementsAre(ip("fcbb:0:1004:1001:1005:1002:1006:1001"), ip("fcbb:0:1004::")));
    EXPECT_THAT(
        usid_containers(kLab, parse_usids("1004,1001,1005,1002,1006,1001,1004,1002,1005,1001,"
                                          "1006,1002")),
        ElementsAre(ip("fcbb:0:1004:1001:1005:1002:1006:1001"),
                    ip("fcbb:0:1004:1002:1005:1001:1006:1002")));
}

TEST(Containers, OtherBlockLengths) {
    const auto b16 = Block::parse("fcbb::/16");
    EXPECT_THAT(usid_containers(b16, parse_usids("1,2,3,4,5,6,7,8")),
                ElementsAre(ip("fcbb:1:2:3:4:5:6:7"), ip("fcbb:8::")));
    const auto b48 = Block::parse("fcbb:0:1::/48");
    EXPECT_THAT(usid_containers(b48, parse_usids("a,b")), ElementsAre(ip("fcbb:0:1:a:b::")));
}

TEST(Containers, RejectsInvalid) {
    const std::vector<uint16_t> none;
    EXPECT_ERROR(usid_containers(kLab, none), "empty uSID list");
    const std::vector<uint16_t> zero{0x1004, 0, 0x1006};
    EXPECT_ERROR(usid_containers(kLab, zero), "uSID 2 of the list is 0");
    const std::vector<uint16_t> too_many(6 * 9 + 1, 0x1001);
    EXPECT_ERROR(usid_containers(kLab, too_many),
                 "55 uSIDs need 10 containers in block fcbb::/32 (6 uSIDs each); at most 9 "
                 "containers (the destination + 8 in the SRH), i.e. 54 uSIDs");
    const std::vector<uint16_t> max(6 * 9, 0x1001);
    EXPECT_EQ(decode_path(encode_path(usid_containers(kLab, max))).size(), 9u)
        << "the longest uSID list fits a reduced SRH";
    EXPECT_EQ(usid_containers(kLab, max).size(), kMaxContainers);
    const std::vector<uint16_t> one{1};
    EXPECT_ERROR(usid_containers(Block{ip("fcbb::"), 128}, one), "length /128 not allowed");
    EXPECT_ERROR(usid_containers(Block{ip("fcbb::"), 0}, one), "length /0 not allowed");
    EXPECT_ERROR(usid_containers(Block{ip("fcbb::1"), 32}, one), "has bits set past /32");
}

TEST(Containers, DecodeRejectsInvalid) {
    EXPECT_THAT(container_usids(kLab, ip("fcbb::")), ElementsAre());
    EXPECT_ERROR(container_usids(kLab, ip("fcbc:0:1004::")),
                 "container fcbc:0:1004:: is not inside uSID block fcbb::/32");
    EXPECT_ERROR(container_usids(kLab, ip("fcbb:0:1004:0:1006::")),
                 "container fcbb:0:1004:0:1006:: has uSID 1006 after the end-of-container 0");
    EXPECT_ERROR(container_usids(Block{ip("fcbb::"), 20}, ip("fcbb::")), "length /20 not allowed");
}

// ---- paths -----------------------------------------------------------------------

const Ipv6 kC1 = ip("fcbb:0:1004:1001:1005:1002:1006:1001");
const Ipv6 kC2 = ip("fcbb:0:1004:1002:1005:1001:1006:1002");
const Ipv6 kC3 = ip("fcbb:0:fe06::");

TEST(EncodePath, OneContainerHasNoSrh) {
    const std::vector<Ipv6> segs{ip("fcbb:0:1004:1001:1006:fe06::")};
    const srv6s_path p = encode_path(segs);
    EXPECT_EQ(0, std::memcmp(p.dst, segs[0].bytes.data(), 16));
    EXPECT_EQ(p.n_segs, 0);
    EXPECT_EQ(p.segments_left, 0);
    EXPECT_EQ(p.flags, uint8_t{SRV6S_PATH_PRESENT});
    EXPECT_TRUE(all_zero(&p.n_segs, sizeof p - offsetof(srv6s_path, n_segs)));
    EXPECT_EQ(encap_len(p), 40u);
    EXPECT_TRUE(srh_bytes(p, 41).empty());
    EXPECT_EQ(path_mode(p), SrhMode::Reduced);
    EXPECT_EQ(decode_path(p), segs);
}

TEST(EncodePath, ReducedAndFullLayouts) {
    const std::vector<Ipv6> segs{kC1, kC2, kC3};

    const srv6s_path red = encode_path(segs, SrhMode::Reduced, true);
    EXPECT_EQ(0, std::memcmp(red.dst, kC1.bytes.data(), 16));
    EXPECT_EQ(red.flags, uint8_t{SRV6S_PATH_PRESENT | SRV6S_PATH_DOWN});
    EXPECT_EQ(red.n_segs, 2);
    EXPECT_EQ(red.segments_left, 2);
    EXPECT_EQ(0, std::memcmp(red.segs[0], kC3.bytes.data(), 16));
    EXPECT_EQ(0, std::memcmp(red.segs[1], kC2.bytes.data(), 16));
    EXPECT_EQ(red.congestion, 0);
    EXPECT_EQ(red.fallback, 0u) << "no fallback unless asked";
    EXPECT_TRUE(all_zero(red.segs[2], 16 * (SRV6S_MAX_SRH_SEGS - 2)));
    EXPECT_EQ(encap_len(red), 40u + 8 + 32);

    const srv6s_path full = encode_path(segs, SrhMode::Full);
    EXPECT_EQ(0, std::memcmp(full.dst, kC1.bytes.data(), 16));
    EXPECT_EQ(full.flags, uint8_t{SRV6S_PATH_PRESENT});
    EXPECT_EQ(full.n_segs, 3);
    EXPECT_EQ(full.segments_left, 2);
    EXPECT_EQ(0, std::memcmp(full.segs[0], kC3.bytes.data(), 16));
    EXPECT_EQ(0, std::memcmp(full.segs[1], kC2.bytes.data(), 16));
    EXPECT_EQ(0, std::memcmp(full.segs[2], kC1.bytes.data(), 16));
    EXPECT_TRUE(all_zero(full.segs[3], 16 * (SRV6S_MAX_SRH_SEGS - 3)));
    EXPECT_EQ(encap_len(full), 40u + 8 + 48);

    EXPECT_EQ(path_mode(red), SrhMode::Reduced);
    EXPECT_EQ(path_mode(full), SrhMode::Full);
    EXPECT_EQ(decode_path(red), segs);
    EXPECT_EQ(decode_path(full), segs);
}

TEST(EncodePath, FullWithOneSegmentHasSrh) {
    const std::vector<Ipv6> segs{kC1};
    const srv6s_path p = encode_path(segs, SrhMode::Full);
    EXPECT_EQ(p.n_segs, 1);
    EXPECT_EQ(p.segments_left, 0);
    EXPECT_EQ(path_mode(p), SrhMode::Full);
    EXPECT_EQ(decode_path(p), segs);
}

// The MTU arithmetic of DESIGN 4b: 1460 reduced, 1436 one SRH segment, 1420 two.
TEST(EncodePath, EncapLenMatchesRouteMtus) {
    EXPECT_EQ(1500 - encap_len(encode_path(std::vector{kC1})), 1460u);
    EXPECT_EQ(1500 - encap_len(encode_path(std::vector{kC1, kC2})), 1436u);
    EXPECT_EQ(1500 - encap_len(encode_path(std::vector{kC1, kC2, kC3})), 1420u);
}

TEST(EncodePath, RejectsInvalid) {
    EXPECT_ERROR(encode_path(std::vector<Ipv6>{}), "a path needs at least one segment");
    EXPECT_EQ(encode_path(std::vector<Ipv6>(9, kC1)).n_segs, 8);
    EXPECT_ERROR(encode_path(std::vector<Ipv6>(10, kC1)),
                 "10 segments do not fit a reduced SRH: at most 9 segments (8 SRH entries)");
    EXPECT_EQ(encode_path(std::vector<Ipv6>(8, kC1), SrhMode::Full).n_segs, 8);
    EXPECT_ERROR(encode_path(std::vector<Ipv6>(9, kC1), SrhMode::Full),
                 "9 segments do not fit a full SRH: at most 8 segments");
}

TEST(DecodePath, RejectsInvalid) {
    srv6s_path p = encode_path(std::vector{kC1, kC2});
    p.n_segs = SRV6S_MAX_SRH_SEGS + 1;
    p.segments_left = p.n_segs;
    EXPECT_ERROR(decode_path(p), "path has n_segs 9; at most 8, the most an SRH of srv6steer holds");
    EXPECT_ERROR(srh_bytes(p, 41), "path has n_segs 9");

    p = encode_path(std::vector{kC1, kC2, kC3});
    p.segments_left = 0;
    EXPECT_ERROR(decode_path(p),
                 "path with n_segs 2 has segments_left 0; expected 2 (reduced SRH) or 1 (full "
                 "SRH)");
    EXPECT_ERROR(path_mode(p), "has segments_left 0");
    EXPECT_ERROR(srh_bytes(p, 41), "has segments_left 0");

    p = encode_path(std::vector{kC1});
    p.segments_left = 1;
    EXPECT_ERROR(decode_path(p), "path with n_segs 0 has segments_left 1; expected 0 (no SRH)");

    p = encode_path(std::vector{kC1, kC2}, SrhMode::Full);
    std::memcpy(p.dst, kC3.bytes.data(), 16);
    EXPECT_ERROR(decode_path(p),
                 "full-SRH path goes to fcbb:0:fe06:: but its first segment is "
                 "fcbb:0:1004:1001:1005:1002:1006:1001");
}

// ---- SRH wire format (expected bytes written out, not produced by the encoder) -----

const std::vector<uint8_t> kC1Bytes{0xfc, 0xbb, 0x00, 0x00, 0x10, 0x04, 0x10, 0x01,
                                    0x10, 0x05, 0x10, 0x02, 0x10, 0x06, 0x10, 0x01};
const std::vector<uint8_t> kC2Bytes{0xfc, 0xbb, 0x00, 0x00, 0x10, 0x04, 0x10, 0x02,
                                    0x10, 0x05, 0x10, 0x01, 0x10, 0x06, 0x10, 0x02};
const std::vector<uint8_t> kC3Bytes{0xfc, 0xbb, 0x00, 0x00, 0xfe, 0x06, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

TEST(SrhBytes, ContainerBytesAreWhatTheTestsSay) {
    EXPECT_EQ(bytes_of(kC1), kC1Bytes);
    EXPECT_EQ(bytes_of(kC2), kC2Bytes);
    EXPECT_EQ(bytes_of(kC3), kC3Bytes);
}

TEST(SrhBytes, TwoContainersReduced) {
    // next header 41 (IPv6), hdr_ext_len 2, type 4, segments left 1, last entry 0,
    // flags 0, tag 0; then container 2.
    const std::vector<uint8_t> want = concat({{41, 2, 4, 1, 0, 0, 0, 0}, kC2Bytes});
    const srv6s_path p = encode_path(std::vector{kC1, kC2});
    EXPECT_EQ(srh_bytes(p, 41), want);
    EXPECT_EQ(encap_len(p), 40 + want.size());

    const Srh srh = parse_srh(want);
    EXPECT_EQ(srh.next_header, 41);
    EXPECT_EQ(srh.segments_left, 1);
    EXPECT_EQ(srh.last_entry, 0);
    EXPECT_EQ(srh.flags, 0);
    EXPECT_EQ(srh.tag, 0);
    EXPECT_THAT(srh.segs, ElementsAre(kC2));
}

TEST(SrhBytes, TwoContainersFull) {
    const std::vector<uint8_t> want = concat({{41, 4, 4, 1, 1, 0, 0, 0}, kC2Bytes, kC1Bytes});
    EXPECT_EQ(srh_bytes(encode_path(std::vector{kC1, kC2}, SrhMode::Full), 41), want);
}

TEST(SrhBytes, ThreeContainersReduced) {
    // next header 4 (IPv4 inner), hdr_ext_len 4, segments left 2, last entry 1; C3, C2.
    const std::vector<uint8_t> want = concat({{4, 4, 4, 2, 1, 0, 0, 0}, kC3Bytes, kC2Bytes});
    EXPECT_EQ(want.size(), 8u + 32);
    EXPECT_EQ(srh_bytes(encode_path(std::vector{kC1, kC2, kC3}), 4), want);
}

TEST(SrhBytes, ThreeContainersFull) {
    const std::vector<uint8_t> want =
        concat({{41, 6, 4, 2, 2, 0, 0, 0}, kC3Bytes, kC2Bytes, kC1Bytes});
    EXPECT_EQ(srh_bytes(encode_path(std::vector{kC1, kC2, kC3}, SrhMode::Full), 41), want);
    EXPECT_THAT(parse_srh(want).segs, ElementsAre(kC3, kC2, kC1));
}

TEST(SrhBytes, KeepsFlagsAndTag) {
    const Srh srh{17, 1, 0, 0x80, 0xbeef, {kC2}};
    const auto bytes = srh_bytes(srh);
    EXPECT_EQ(bytes, concat({{17, 2, 4, 1, 0, 0x80, 0xbe, 0xef}, kC2Bytes}));
    EXPECT_EQ(parse_srh(bytes), srh);
}

TEST(SrhBytes, RejectsInvalidSrh) {
    EXPECT_ERROR(srh_bytes(Srh{}), "an SRH carries 1 to 127 segments, not 0");
    EXPECT_ERROR(srh_bytes(Srh{41, 0, 0, 0, 0, std::vector<Ipv6>(128, kC1)}),
                 "an SRH carries 1 to 127 segments, not 128");
    EXPECT_EQ(srh_bytes(Srh{41, 0, 126, 0, 0, std::vector<Ipv6>(127, kC1)}).size(), 8u + 127 * 16);
    EXPECT_ERROR(srh_bytes(Srh{41, 0, 1, 0, 0, {kC1}}),
                 "SRH last_entry 1 does not match its 1 segments (expected 0)");
    EXPECT_ERROR(srh_bytes(Srh{41, 2, 0, 0, 0, {kC1}}),
                 "SRH segments_left 2 is past its 1 segments");
}

TEST(ParseSrh, RejectsInvalid) {
    const std::vector<uint8_t> good = concat({{41, 2, 4, 1, 0, 0, 0, 0}, kC2Bytes});
    auto with = [&](std::size_t i, uint8_t v) {
        auto b = good;
        b[i] = v;
        return b;
    };
    EXPECT_ERROR(parse_srh(std::vector<uint8_t>{}), "SRH of 0 bytes is shorter than its 8-byte");
    EXPECT_ERROR(parse_srh(std::vector<uint8_t>(good.begin(), good.begin() + 7)),
                 "SRH of 7 bytes is shorter");
    EXPECT_ERROR(parse_srh(with(2, 0)), "routing header type 0 is not an SRH (type 4)");
    EXPECT_ERROR(parse_srh(with(1, 3)), "SRH hdr_ext_len 3 is odd");
    EXPECT_ERROR(parse_srh(with(1, 4)),
                 "SRH hdr_ext_len 4 means 40 bytes, but 24 were given (TLVs are not supported)");
    EXPECT_ERROR(parse_srh(std::vector<uint8_t>(good.begin(), good.end() - 1)),
                 "SRH hdr_ext_len 2 means 24 bytes, but 23 were given");
    EXPECT_ERROR(parse_srh(with(4, 1)),
                 "SRH last_entry 1 does not match hdr_ext_len 2 (1 segments");
    EXPECT_ERROR(parse_srh(std::vector<uint8_t>{41, 0, 4, 0, 0, 0, 0, 0}),
                 "SRH last_entry 0 does not match hdr_ext_len 0 (0 segments");
    EXPECT_ERROR(parse_srh(with(3, 2)), "SRH segments_left 2 is past last_entry 0 + 1");
}

// ---- properties --------------------------------------------------------------------

rc::Gen<SrhMode> gen_mode() { return rc::gen::element(SrhMode::Reduced, SrhMode::Full); }

RC_GTEST_PROP(Properties, Ipv6TextRoundTrips, (const Ipv6& a)) {
    RC_ASSERT(Ipv6::parse(a.str()) == a);
    RC_ASSERT(Ipv6::parse_any(a.str()) == a);
}

RC_GTEST_PROP(Properties, Ipv4TextRoundTrips, (uint32_t v4)) {
    const Ipv6 a = Ipv6::from_ipv4(v4);
    RC_ASSERT(a.is_v4_mapped());
    const std::string dotted = std::to_string(v4 >> 24) + "." + std::to_string((v4 >> 16) & 0xff) +
                               "." + std::to_string((v4 >> 8) & 0xff) + "." +
                               std::to_string(v4 & 0xff);
    RC_ASSERT(Ipv6::parse_any(dotted) == a);
    RC_ASSERT(Ipv6::parse(a.str()) == a);
}

Block gen_block() {
    Block b{*rc::gen::arbitrary<Ipv6>(), *rc::gen::element(16u, 32u, 48u, 64u, 80u, 96u, 112u)};
    std::fill(b.prefix.bytes.begin() + b.len / 8, b.prefix.bytes.end(), 0);
    return b;
}

RC_GTEST_PROP(Properties, BlockTextRoundTrips, ()) {
    const Block b = gen_block();
    RC_ASSERT(Block::parse(b.str()) == b);
}

RC_GTEST_PROP(Properties, ContainersRoundTrip, ()) {
    const Block b = gen_block();
    const std::size_t per = b.usids_per_container();
    const auto n = *rc::gen::inRange<std::size_t>(1, per * kMaxContainers + 1);
    const auto usids = *rc::gen::container<std::vector<uint16_t>>(n, rc::gen::nonZero<uint16_t>());

    const auto containers = usid_containers(b, usids);
    RC_ASSERT(containers.size() == (n + per - 1) / per);
    std::vector<uint16_t> back;
    for (const Ipv6& c : containers) {
        RC_ASSERT(std::equal(b.prefix.bytes.begin(), b.prefix.bytes.begin() + b.len / 8,
                             c.bytes.begin()));
        const auto part = container_usids(b, c);
        RC_ASSERT(part.size() == (&c == &containers.back() ? n - per * (containers.size() - 1)
                                                            : per));
        back.insert(back.end(), part.begin(), part.end());
    }
    RC_ASSERT(back == usids);

    // The text form parses back to the same list, whatever the separators.
    std::string text;
    for (uint16_t u : usids) {
        char hex[4];
        const auto end = std::to_chars(hex, hex + sizeof hex, u, 16).ptr;
        if (!text.empty())
            text += *rc::gen::element<std::string>(",", " ", ", ", "\t");
        text += *rc::gen::element<std::string>("", "0x") + std::string(hex, end);
    }
    RC_ASSERT(parse_usids(text) == usids);
}

RC_GTEST_PROP(Properties, TooManyUsidsThrow, ()) {
    const Block b = gen_block();
    const std::size_t max = b.usids_per_container() * kMaxContainers;
    const auto n = *rc::gen::inRange<std::size_t>(max + 1, max + 64);
    const std::vector<uint16_t> usids(n, 0x1001);
    RC_ASSERT_THROWS_AS(usid_containers(b, usids), Error);
}

std::vector<Ipv6> gen_segments(std::size_t lo, std::size_t hi) {
    const auto n = *rc::gen::inRange<std::size_t>(lo, hi + 1);
    return *rc::gen::container<std::vector<Ipv6>>(n, rc::gen::arbitrary<Ipv6>());
}

RC_GTEST_PROP(Properties, PathsRoundTrip, (bool down)) {
    const SrhMode mode = *gen_mode();
    const auto segs = gen_segments(1, max_segments(mode));
    const srv6s_path p = encode_path(segs, mode, down);

    RC_ASSERT(decode_path(p) == segs);
    RC_ASSERT(path_mode(p) == mode);
    RC_ASSERT(p.flags == uint8_t(SRV6S_PATH_PRESENT | (down ? SRV6S_PATH_DOWN : 0)));
    RC_ASSERT(p.congestion == 0 && p.fallback == 0u);
    RC_ASSERT(all_zero(p.segs[p.n_segs], 16 * (SRV6S_MAX_SRH_SEGS - p.n_segs)));
}

RC_GTEST_PROP(Properties, SrhBytesAgreeWithPath, (uint8_t next_header)) {
    const SrhMode mode = *gen_mode();
    const srv6s_path p = encode_path(gen_segments(1, max_segments(mode)), mode);
    const auto bytes = srh_bytes(p, next_header);

    RC_ASSERT(encap_len(p) == SRV6S_IPV6_HLEN + bytes.size());
    if (p.n_segs == 0) {
        RC_ASSERT(bytes.empty());
        return;
    }
    const Srh srh = parse_srh(bytes);
    RC_ASSERT(srh.next_header == next_header);
    RC_ASSERT(srh.segments_left == p.segments_left);
    RC_ASSERT(srh.last_entry + 1 == p.n_segs);
    RC_ASSERT(srh.flags == 0);
    RC_ASSERT(srh.tag == 0);
    RC_ASSERT(srh.segs.size() == p.n_segs);
    for (std::size_t i = 0; i < srh.segs.size(); ++i)
        RC_ASSERT(std::memcmp(srh.segs[i].bytes.data(), p.segs[i], 16) == 0);
}

RC_GTEST_PROP(Properties, TooManySegmentsThrow, ()) {
    const SrhMode mode = *gen_mode();
    const auto segs = gen_segments(max_segments(mode) + 1, max_segments(mode) + 32);
    RC_ASSERT_THROWS_AS(encode_path(segs, mode), Error);
}

// Parses to an SRH that re-encodes to the same bytes, or throws Error; nothing else.
void check_parse_srh(const std::vector<uint8_t>& bytes) {
    try {
        const Srh srh = parse_srh(bytes);
        RC_TAG("parsed");
        RC_ASSERT(srh_bytes(srh) == bytes);
    } catch (const Error&) {
        RC_TAG("rejected");
    }
}

RC_GTEST_PROP(Properties, ParseSrhOnRandomBytes, (const std::vector<uint8_t>& bytes)) {
    check_parse_srh(bytes);
}

// Mostly well-formed headers with small mutations, so both outcomes are common.
RC_GTEST_PROP(Properties, ParseSrhOnNearlyValidHeaders, ()) {
    const auto n = *rc::gen::inRange<std::size_t>(1, 10);
    auto bytes =
        *rc::gen::container<std::vector<uint8_t>>(8 + 16 * n, rc::gen::arbitrary<uint8_t>());
    bytes[1] = static_cast<uint8_t>(2 * n);
    bytes[2] = SRV6S_SRH_TYPE;
    bytes[3] = *rc::gen::inRange<uint8_t>(0, static_cast<uint8_t>(n + 1));
    bytes[4] = static_cast<uint8_t>(n - 1);
    switch (*rc::gen::weightedElement<int>({{4, -1}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}})) {
    case 0: bytes[1] = *rc::gen::arbitrary<uint8_t>(); break;
    case 1: bytes[2] = *rc::gen::arbitrary<uint8_t>(); break;
    case 2: bytes[3] = *rc::gen::arbitrary<uint8_t>(); break;
    case 3: bytes[4] = *rc::gen::arbitrary<uint8_t>(); break;
    case 4: bytes.resize(*rc::gen::inRange<std::size_t>(0, bytes.size() + 16)); break;
    default: break;
    }
    check_parse_srh(bytes);
}

}  // namespace
}  // namespace srv6steer

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6steer-pktdemo: the shipped TC egress program, run on one packet per case
// with BPF_PROG_TEST_RUN, in the lab numbering (tools/README.md: block
// fcbb:0::/32, spines 1001/1002, leaves 1004/1005/1006). For each case it
// shows the input, the verdict, the decoded output and a hex dump, then the
// counters the program keeps. Every output is also checked against what the
// configuration predicts (exit status 1 if one differs): the path and the flow
// label from testing/flowhash_reference.hpp, not from the program's own hash.
//   --json       one object per case, with that prediction, for other decoders
//   --pcap FILE  the output frames, for tshark/wireshark
#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flowhash_reference.hpp"
#include "srv6steer/srv6steer.hpp"
#include "tc_harness.hpp"

using namespace testpkt;
using srv6steer::Ipv6;
using srv6steer::Srh;

namespace {

constexpr uint8_t kTcp = 6, kUdp = 17;

// ---- the lab ---------------------------------------------------------------------------

const char* const kBlock = "fcbb:0::/32";
const char* const kSource = "fcbb:0:800:1::1";  // this host's SRv6 source
const Addr6 kH1 = a6("fcbb:0:800:1::10");       // an application on host 1 ...
const Addr6 kH2 = a6("fcbb:0:800:2::20");       // ... talking to hosts 2 and 3
const Addr6 kH3 = a6("fcbb:0:800:3::30");

struct PathDef {
    uint32_t id;
    const char* name;
    const char* usids;
};
// A /32 block leaves room for six uSIDs per container, so leaf-spine-leaf-
// spine-leaf plus host e003's uSID and its uDT6 takes two containers: an SRH.
const PathDef kPaths[] = {
    {1, "via spine 1", "1004,1001,1006,fe06"},
    {2, "via spine 2", "1004,1002,1006,fe06"},
    {3, "long, to host e003", "1004,1001,1005,1002,1006,e003,fe06"},
};
struct SetDef {
    uint32_t id;
    std::vector<uint32_t> paths;
};
const SetDef kSets[] = {{1, {1}}, {2, {2}}, {3, {3}}, {4, {1, 2}}};

const char* path_name(uint32_t id) {
    for (const PathDef& p : kPaths)
        if (p.id == id)
            return p.name;
    return "?";
}

void setup(TcHarness& h) {
    h.config(a6(kSource));
    const auto block = srv6steer::Block::parse(kBlock);
    for (const PathDef& p : kPaths) {
        const auto containers = srv6steer::usid_containers(block, srv6steer::parse_usids(p.usids));
        h.dp.paths().update(p.id, srv6steer::encode_path(containers));
    }
    for (const SetDef& s : kSets)
        h.set(s.id, s.paths);
    h.pin_flow(flow_key(kH1, kH2, kTcp, 40001, 5201), 1);
    h.pin_flow(flow_key(kH1, kH2, kTcp, 40002, 5201), 2);
    h.pin_qp(kH2, 0x123, 2);
    h.pin_flow(flow_key(mapped("10.0.1.10"), mapped("10.0.3.30"), kTcp, 40003, 5201), 3);
    h.pin_prefix(a6("fcbb:0:800:3::"), 64, 4);
}

// ---- decoding ----------------------------------------------------------------------------

using View = std::span<const uint8_t>;

std::string hex(uint32_t v, int digits, const char* prefix = "0x") {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, v);
    return buf;
}

Ipv6 addr16(const uint8_t (&raw)[16]) {
    Ipv6 a;
    std::copy(std::begin(raw), std::end(raw), a.bytes.begin());
    return a;
}

std::string addr(const Ipv6& a) {
    if (!a.is_v4_mapped())
        return a.str();
    return std::to_string(a.bytes[12]) + "." + std::to_string(a.bytes[13]) + "." +
           std::to_string(a.bytes[14]) + "." + std::to_string(a.bytes[15]);
}

void need(View b, size_t len, const char* what) {
    if (len > b.size())
        throw std::runtime_error(std::string("frame too short for the ") + what);
}
uint16_t be16(View b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

struct Ip {
    int version = 0;
    Ipv6 src, dst;  // IPv4: mapped
    uint8_t tclass = 0, proto = 0, hop_limit = 0;
    uint32_t flow_label = 0;
    size_t hdr_len = 0, payload_len = 0;
};

Ip parse_ip(View b) {
    Ip ip;
    need(b, 1, "IP header");
    ip.version = b[0] >> 4;
    if (ip.version == 6) {
        need(b, 40, "IPv6 header");
        ip.tclass = static_cast<uint8_t>(b[0] << 4 | b[1] >> 4);
        ip.flow_label = uint32_t(b[1] & 0xf) << 16 | be16(b, 2);
        ip.payload_len = be16(b, 4);
        ip.proto = b[6];
        ip.hop_limit = b[7];
        std::copy(b.begin() + 8, b.begin() + 24, ip.src.bytes.begin());
        std::copy(b.begin() + 24, b.begin() + 40, ip.dst.bytes.begin());
        ip.hdr_len = 40;
    } else if (ip.version == 4) {
        need(b, 20, "IPv4 header");
        ip.hdr_len = (b[0] & 0xfu) * 4;
        need(b, ip.hdr_len, "IPv4 options");
        ip.tclass = b[1];
        ip.payload_len = be16(b, 2) - ip.hdr_len;
        ip.hop_limit = b[8];
        ip.proto = b[9];
        ip.src = Ipv6::from_ipv4(uint32_t(be16(b, 12)) << 16 | be16(b, 14));
        ip.dst = Ipv6::from_ipv4(uint32_t(be16(b, 16)) << 16 | be16(b, 18));
    } else {
        throw std::runtime_error("not an IP header (version " + std::to_string(ip.version) + ")");
    }
    return ip;
}

struct Flow {
    srv6s_flow_key key{};
    std::string text;  // "IPv6 TCP [a]:1 → [b]:2"
};

Flow flow(const Ip& ip, View l4) {
    Flow f;
    std::copy(ip.src.bytes.begin(), ip.src.bytes.end(), f.key.src);
    std::copy(ip.dst.bytes.begin(), ip.dst.bytes.end(), f.key.dst);
    f.key.proto = ip.proto;
    const bool v6 = ip.version == 6;
    f.text = v6 ? "IPv6 " : "IPv4 ";
    if (ip.proto != kTcp && ip.proto != kUdp) {
        f.text += "proto " + std::to_string(ip.proto) + " " + addr(ip.src) + " → " + addr(ip.dst);
        return f;
    }
    need(l4, 8, "ports");
    f.key.sport = be16(l4, 0);
    f.key.dport = be16(l4, 2);
    auto end = [v6](const Ipv6& a, uint16_t port) {
        return (v6 ? "[" + a.str() + "]" : addr(a)) + ":" + std::to_string(port);
    };
    f.text += (ip.proto == kTcp ? "TCP " : "UDP ") + end(ip.src, f.key.sport) + " → " +
              end(ip.dst, f.key.dport);
    if (ip.proto == kUdp && f.key.dport == SRV6S_ROCEV2_PORT && l4.size() >= 8 + SRV6S_BTH_LEN)
        f.text += "  RoCEv2 QP " + hex(uint32_t(l4[13]) << 16 | be16(l4, 14), 6);
    return f;
}

// A frame as the program leaves it: the first IP header, the SRH if any, and
// the inner packet when the first header encapsulates one.
struct Frame {
    uint16_t ethertype = 0;
    Ip outer;
    std::optional<Srh> srh;
    std::optional<Ip> inner;
    size_t inner_off = 0;  // where the inner packet starts
    Flow flow;             // of the innermost packet
};

Frame decode(const Bytes& frame) {
    const View b(frame);
    Frame f;
    need(b, 14, "Ethernet header");
    f.ethertype = be16(b, 12);
    f.outer = parse_ip(b.subspan(14));
    size_t off = 14 + f.outer.hdr_len;
    uint8_t nh = f.outer.proto;
    if (f.outer.version == 6 && nh == 43) {
        need(b, off + 8, "routing header");
        const size_t len = 8 + 8u * b[off + 1];
        need(b, off + len, "SRH");
        f.srh = srv6steer::parse_srh(b.subspan(off, len));
        nh = f.srh->next_header;
        off += len;
    }
    if (f.outer.version == 6 && (nh == 41 || nh == 4)) {
        f.inner_off = off;
        f.inner = parse_ip(b.subspan(off));
        f.flow = flow(*f.inner, b.subspan(off + f.inner->hdr_len));
    } else {
        f.flow = flow(f.outer, b.subspan(off));
    }
    return f;
}

// ---- the cases ---------------------------------------------------------------------------

// The builder leaves TCP/UDP checksums 0; fill them in so that Wireshark shows
// clean packets (the program itself does not look at them).
Bytes with_checksum(Bytes f) {
    const Ip ip = parse_ip(View(f).subspan(14));
    const size_t l4 = 14 + ip.hdr_len, at = l4 + (ip.proto == kTcp ? 16 : 6);
    uint32_t sum = ip.proto + static_cast<uint32_t>(f.size() - l4);
    auto add = [&sum](View b) {
        for (size_t i = 0; i < b.size(); i += 2)
            sum += uint32_t(b[i]) << 8 | (i + 1 < b.size() ? b[i + 1] : 0);
    };
    const size_t skip = ip.version == 6 ? 0 : 12;  // IPv4: the last 4 bytes of the mapped form
    add(View(ip.src.bytes).subspan(skip));
    add(View(ip.dst.bytes).subspan(skip));
    add(View(f).subspan(l4));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = static_cast<uint16_t>(~sum);
    if (c == 0 && ip.proto == kUdp)
        c = 0xffff;  // 0 means "no checksum" in UDP
    f[at] = static_cast<uint8_t>(c >> 8);
    f[at + 1] = static_cast<uint8_t>(c);
    return f;
}

struct Case {
    const char* name;
    const char* why;              // the pin it should hit
    Bytes in;
    std::optional<uint32_t> set;  // the set that steers it; none: untouched
};

std::vector<Case> make_cases() {
    auto tcp6 = [](uint16_t sport, uint16_t dport, uint8_t tclass) {
        return Builder().eth().ipv6(kH1, kH2, kTcp, tclass).tcp(sport, dport).payload(16).build();
    };
    const Bytes icrc(4, 0);  // RoCEv2 trailer (not computed)
    std::vector<Case> cases = {
        {"tcp6-spine1", "flow pin → set 1", tcp6(40001, 5201, 0x8a), 1},
        {"tcp6-spine2", "flow pin → set 2 (same hosts, other port)", tcp6(40002, 5201, 0), 2},
        {"rocev2-qp", "QP pin (host 2, QP 0x000123) → set 2",
         Builder().eth().ipv6(kH1, kH2, kUdp, 0x6a).udp(49152, SRV6S_ROCEV2_PORT).bth(0x123)
             .payload(16, 0x40).raw(icrc).build(),
         2},
        {"tcp4-srh", "flow pin → set 3",
         Builder().eth(0x0800).ipv4("10.0.1.10", "10.0.3.30", kTcp, 0xb8).tcp(40003, 5201)
             .payload(16).build(),
         3},
        {"udp6-prefix", "prefix pin fcbb:0:800:3::/64 → set 4",
         Builder().eth().ipv6(kH1, kH3, kUdp, 0x01).udp(50000, 9000).payload(16).build(), 4},
        {"tcp6-unpinned", "no pin (same hosts, port 22)", tcp6(40004, 22, 0), std::nullopt},
    };
    for (Case& c : cases)
        c.in = with_checksum(c.in);
    return cases;
}

// ---- what the configuration says the output must be --------------------------------------

struct Expect {
    bool steered = false;
    uint32_t path = 0;
    srv6s_path enc{};
    uint8_t tclass = 0;
    uint32_t flow_label = 0;
};

Expect expect(const TcHarness& h, const Case& c, const Frame& in) {
    Expect e;
    if (!c.set)
        return e;
    const auto set = h.dp.path_sets().lookup(*c.set).value();
    const uint32_t hash = testref::flow_hash(in.flow.key);
    e.steered = true;
    const srv6s_path_set_gen& g = set.gen[set.active & 1];
    e.path = g.paths[*testref::chosen_index(hash, std::vector<bool>(g.n_paths, true))];  // every path is up
    e.enc = h.dp.paths().lookup(e.path).value();
    e.tclass = in.outer.tclass;
    e.flow_label = testref::flow_label(hash, e.path);
    return e;
}

// One case, run.
struct Outcome {
    const Case& c;
    RunResult r;
    Frame in, out;
    std::string reason;             // from the reason counters
    std::optional<uint32_t> path;   // from the path counters
    Expect e;
    std::vector<std::string> bad;   // differences from e
};

std::vector<std::string> check(const Outcome& o, const Ipv6& source) {
    std::vector<std::string> bad;
    auto want = [&bad](bool ok, const std::string& what) {
        if (!ok)
            bad.push_back(what);
    };
    const Bytes& in = o.c.in;
    const Bytes& out = o.r.out;
    if (!o.e.steered) {
        want(out == in, "the output differs from the input");
        return bad;
    }
    const Ip& f = o.out.outer;
    const Ipv6 dst = addr16(o.e.enc.dst);
    want(o.path == o.e.path, "counted on another path than path " + std::to_string(o.e.path));
    want(o.out.ethertype == 0x86dd, "ethertype " + hex(o.out.ethertype, 4));
    want(f.version == 6, "the outer header is not IPv6");
    want(f.src == source, "outer source " + f.src.str());
    want(f.dst == dst, "outer destination " + f.dst.str() + ", expected " + dst.str());
    want(f.tclass == o.e.tclass, "traffic class " + hex(f.tclass, 2));
    want(f.flow_label == o.e.flow_label,
         "flow label " + hex(f.flow_label, 5) + ", expected " + hex(o.e.flow_label, 5));
    want(f.payload_len == out.size() - 54, "outer payload length " + std::to_string(f.payload_len));
    want(o.out.srh.has_value() == (o.e.enc.n_segs > 0), "SRH present or missing");
    if (o.out.srh && o.e.enc.n_segs) {
        const Srh& s = *o.out.srh;
        want(s.segments_left == o.e.enc.segments_left, "SRH segments left");
        want(s.segs.size() == o.e.enc.n_segs, "SRH segment count");
        for (size_t i = 0; i < s.segs.size() && i < o.e.enc.n_segs; i++)
            want(s.segs[i] == addr16(o.e.enc.segs[i]), "SRH segment " + std::to_string(i));
    }
    want(o.out.inner && Bytes(out.begin() + o.out.inner_off, out.end()) == Bytes(in.begin() + 14, in.end()),
         "the inner packet differs from the input");
    return bad;
}

// ---- human output ------------------------------------------------------------------------

std::string verdict_name(int v) {
    switch (v) {
    case SRV6S_TC_CONTINUE: return "TC_ACT_UNSPEC (continue)";
    case 0: return "TC_ACT_OK";
    case SRV6S_TC_DROP: return "TC_ACT_SHOT (drop)";
    default: return std::to_string(v);
    }
}

std::string nh_name(uint8_t p) {
    switch (p) {
    case 4: return "4 (IPv4)";
    case 41: return "41 (IPv6)";
    case 43: return "43 (routing)";
    default: return std::to_string(p);
    }
}

std::string pad(std::string s, size_t width) {
    size_t cols = 0;
    for (unsigned char c : s)
        cols += (c & 0xc0) != 0x80;  // UTF-8: count characters, not bytes
    if (cols < width)
        s.append(width - cols, ' ');
    return s;
}

std::string rpad(const std::string& s, size_t width) {
    return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
}

void line(const std::string& label, const std::string& text) {
    std::cout << "  " << pad(label, 10) << text << "\n";
}

// tcpdump -xx style rows of b[0, to): offset, then eight groups of two bytes.
void dump(const std::string& label, const Bytes& b, size_t to) {
    for (size_t row = 0; row < to; row += 16) {
        std::string s = hex(static_cast<uint32_t>(row), 4, "") + " ";
        for (size_t i = row; i < std::min(row + 16, to); i++)
        {
            if ((i - row) % 2 == 0)
                s += ' ';
            s += hex(b[i], 2, "");
        }
        line(row ? "" : label, s);
    }
}

std::string counter(const srv6s_counter& c) {
    return rpad(std::to_string(c.packets), 3) + (c.packets == 1 ? " packet " : " packets") +
           rpad(std::to_string(c.bytes), 6) + " bytes";
}

void print_lab(const TcHarness& h) {
    std::cout << "srv6steer packet demo: the TC egress program, run with BPF_PROG_TEST_RUN\n\n";
    line("source", std::string(kSource) + "    uSID block " + kBlock + "    hop limit 64");
    for (const PathDef& p : kPaths) {
        const srv6s_path enc = h.dp.paths().lookup(p.id).value();
        std::string usids, containers;
        for (uint16_t u : srv6steer::parse_usids(p.usids))
        {
            if (!usids.empty())
                usids += ' ';
            usids += hex(u, 4, "");
        }
        for (const Ipv6& s : srv6steer::decode_path(enc))
            containers += (containers.empty() ? "" : "  ") + s.str();
        line(&p == kPaths ? "paths" : "",
             std::to_string(p.id) + "  " + pad(p.name, 20) + pad(usids, 36) +
                 (enc.n_segs ? "SRH" : "no SRH") + ", +" + std::to_string(srv6steer::encap_len(enc)) + " B");
        line("", "   " + containers);
    }
    std::string sets;
    for (const SetDef& s : kSets) {
        std::string ids;
        for (uint32_t p : s.paths)
            ids += (ids.empty() ? "" : ", ") + std::to_string(p);
        sets += (sets.empty() ? "" : "    ") + std::to_string(s.id) + " → {" + ids + "}";
    }
    line("sets", sets);
}

std::string tos(const Ip& ip) { return (ip.version == 6 ? "  tc " : "  tos ") + hex(ip.tclass, 2); }

void print_case(size_t n, const Outcome& o) {
    const Bytes& in = o.c.in;
    std::cout << "\n" << n << ". " << o.c.name << ": " << o.c.why << "\n";
    line("in", o.in.flow.text + tos(o.in.outer) + "  (" + std::to_string(in.size()) + " B)");
    std::string v = pad(verdict_name(o.r.verdict), 28) + "reason " + o.reason;
    if (o.path)
        v += "    path " + std::to_string(*o.path) + ", " + path_name(*o.path);
    line("verdict", v);
    if (!o.out.inner) {
        line("out", o.r.out == in ? "untouched, byte for byte" : "CHANGED, not encapsulated");
        dump("hex", in, in.size());
    } else {
        const Ip& f = o.out.outer;
        line("outer", f.src.str() + " → " + f.dst.str());
        line("", "nh " + nh_name(f.proto) + "   plen " + std::to_string(f.payload_len) + "   tc " +
                     hex(f.tclass, 2) + "   flow label " + hex(f.flow_label, 5) + "   hlim " +
                     std::to_string(f.hop_limit));
        if (const auto& s = o.out.srh) {
            line("srh", "nh " + nh_name(s->next_header) + "   segments left " +
                            std::to_string(s->segments_left) + "   last entry " +
                            std::to_string(s->last_entry));
            for (size_t i = 0; i < s->segs.size(); i++)
                line("", "[" + std::to_string(i) + "] " + s->segs[i].str());
        } else {
            line("srh", "none (one container: reduced encapsulation)");
        }
        line("inner", o.out.flow.text + tos(*o.out.inner));
        dump("hex in", in, in.size());
        const size_t off = o.out.inner_off;
        const bool same = Bytes(o.r.out.begin() + off, o.r.out.end()) == Bytes(in.begin() + 14, in.end());
        dump("hex out", o.r.out, same ? off : o.r.out.size());
        if (same)
            line("", hex(static_cast<uint32_t>(off), 4, "") + "  … the input from byte 0x000e on, unchanged (" +
                         std::to_string(in.size() - 14) + " B)");
    }
    for (const std::string& b : o.bad)
        line("MISMATCH", b);
}

void print_counters(const TcHarness& h) {
    std::cout << "\ncounters (bytes as the packets came in, before encapsulation)\n";
    const auto reasons = h.reasons();
    std::string label = "reasons";
    for (uint32_t i = 0; i < SRV6S_R_MAX; i++) {
        if (reasons[i].packets) {
            line(label, pad(srv6steer::reason_name(i), 24) + counter(reasons[i]));
            label.clear();
        }
    }
    line("", "(every other reason 0)");
    for (const PathDef& p : kPaths)
        line(&p == kPaths ? "paths" : "", pad(std::to_string(p.id) + "  " + p.name, 24) +
                                              counter(h.dp.path_stats().sum(p.id)));
}

// ---- machine output ------------------------------------------------------------------------

void write_pcap(const std::string& path, const std::vector<Bytes>& frames) {
    std::ofstream f(path, std::ios::binary);
    auto put = [&f](uint32_t v, int size) { f.write(reinterpret_cast<const char*>(&v), size); };
    put(0xa1b2c3d4, 4);  // native byte order, microsecond timestamps
    put(2, 2), put(4, 2), put(0, 4), put(0, 4), put(65535, 4), put(1 /* Ethernet */, 4);
    for (size_t i = 0; i < frames.size(); i++) {
        const auto len = static_cast<uint32_t>(frames[i].size());
        put(static_cast<uint32_t>(i), 4), put(0, 4), put(len, 4), put(len, 4);
        f.write(reinterpret_cast<const char*>(frames[i].data()), len);
    }
    if (!f.flush())
        throw std::runtime_error("cannot write the pcap file " + path);
}

std::string hexstr(const Bytes& b) {
    std::string s;
    for (uint8_t x : b)
        s += hex(x, 2, "");
    return s;
}

nlohmann::json to_json(const Outcome& o, const Ipv6& source) {
    nlohmann::json x = {{"steered", o.e.steered}, {"inner", o.in.outer.version == 6 ? "ipv6" : "ipv4"}};
    if (o.e.steered) {
        auto segs = nlohmann::json::array();
        for (size_t i = 0; i < o.e.enc.n_segs; i++)
            segs.push_back(addr16(o.e.enc.segs[i]).str());
        x["outer_src"] = source.str();
        x["outer_dst"] = addr16(o.e.enc.dst).str();
        x["srh_segments"] = segs;
        x["segments_left"] = o.e.enc.n_segs ? o.e.enc.segments_left : 0;
        x["tclass"] = o.e.tclass;
        x["flow_label"] = o.e.flow_label;
        x["path"] = o.e.path;
    }
    return {{"case", o.c.name}, {"in_hex", hexstr(o.c.in)},  {"out_hex", hexstr(o.r.out)},
            {"verdict", o.r.verdict}, {"reason", o.reason}, {"expect", x}};
}

// ---- main ----------------------------------------------------------------------------------

int run(bool json, const std::string& pcap) {
    TcHarness h;
    setup(h);
    const Ipv6 source = Ipv6::parse(kSource);
    if (!json)
        print_lab(h);

    const std::vector<Case> cases = make_cases();
    std::vector<Bytes> outs;
    size_t failed = 0;
    for (const Case& c : cases) {
        const auto reasons = h.reasons();
        std::vector<uint64_t> paths;
        for (const PathDef& p : kPaths)
            paths.push_back(h.dp.path_stats().sum(p.id).packets);

        Outcome o{c, h.run(c.in), decode(c.in), {}, "?", std::nullopt, {}, {}};
        o.out = decode(o.r.out);
        const auto now = h.reasons();
        for (uint32_t i = 0; i < SRV6S_R_MAX; i++)
            if (now[i].packets != reasons[i].packets)
                o.reason = srv6steer::reason_name(i);
        for (size_t i = 0; i < std::size(kPaths); i++)
            if (h.dp.path_stats().sum(kPaths[i].id).packets != paths[i])
                o.path = kPaths[i].id;
        o.e = expect(h, c, o.in);
        o.bad = check(o, source);

        failed += !o.bad.empty();
        outs.push_back(o.r.out);
        if (json)
            std::cout << to_json(o, source).dump() << "\n";
        else
            print_case(outs.size(), o);
    }
    if (!pcap.empty())
        write_pcap(pcap, outs);
    if (!json) {
        print_counters(h);
        std::cout << "\n" << cases.size() - failed << " of " << cases.size()
                  << " outputs as the configuration predicts"
                  << (pcap.empty() ? "" : "; output frames written to " + pcap) << "\n";
    }
    if (failed)
        std::cerr << "srv6steer-pktdemo: " << failed << " case(s) differ from the prediction\n";
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    cxxopts::Options opts("srv6steer-pktdemo",
                          "Runs the srv6steer TC egress program on sample packets (needs root)");
    opts.add_options()
        ("json", "one JSON object per case on stdout instead of the report")
        ("pcap", "write the output frames to FILE (Ethernet)", cxxopts::value<std::string>(), "FILE")
        ("h,help", "this help");
    try {
        const auto args = opts.parse(argc, argv);
        if (args.count("help")) {
            std::cout << opts.help() << "\n";
            return 0;
        }
        return run(args.count("json") > 0, args.count("pcap") ? args["pcap"].as<std::string>() : "");
    } catch (const std::exception& e) {
        std::cerr << "srv6steer-pktdemo: " << e.what() << "\n";
        return 2;
    }
}

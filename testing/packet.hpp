// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A small packet builder for data-plane tests: Ethernet, IPv4 (options,
// fragments), IPv6 (+ extension headers, SRH), TCP, UDP, InfiniBand BTH.
// Length fields and the IPv4 header checksum are filled in by build(); every
// field can be overridden afterwards by writing the bytes.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "srv6steer/abi.h"

namespace testpkt {

using Bytes = std::vector<uint8_t>;
using Addr6 = std::array<uint8_t, 16>;

inline Addr6 a6(const char* text) {
    Addr6 a{};
    if (inet_pton(AF_INET6, text, a.data()) != 1)
        throw std::runtime_error(std::string("bad IPv6 literal in test: ") + text);
    return a;
}

inline uint32_t a4(const char* text) {  // network order
    in_addr a{};
    if (inet_pton(AF_INET, text, &a) != 1)
        throw std::runtime_error(std::string("bad IPv4 literal in test: ") + text);
    return a.s_addr;
}

inline Addr6 mapped(const char* v4) {
    Addr6 a{};
    a[10] = a[11] = 0xff;
    uint32_t v = a4(v4);
    std::memcpy(&a[12], &v, 4);
    return a;
}

class Builder {
public:
    Builder& eth(uint16_t ethertype = 0x86dd) {
        static constexpr uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02};
        static constexpr uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};
        raw(dst, 6);
        raw(src, 6);
        u16(ethertype);
        return *this;
    }

    Builder& ipv4(const char* src, const char* dst, uint8_t proto, uint8_t tos = 0,
                  uint16_t frag = 0, const Bytes& options = {}) {
        size_t start = b_.size();
        u8(static_cast<uint8_t>(0x40 | ((20 + options.size()) / 4)));
        u8(tos);
        u16(0);  // total length, in build()
        u16(0x1234);
        u16(frag);
        u8(64);
        u8(proto);
        u16(0);  // checksum, in build()
        uint32_t s = a4(src), d = a4(dst);
        raw(&s, 4);
        raw(&d, 4);
        raw(options.data(), options.size());
        fix_.push_back({Fix::Ipv4, start});
        return *this;
    }

    Builder& ipv6(const Addr6& src, const Addr6& dst, uint8_t nexthdr, uint8_t tclass = 0,
                  uint32_t flow_label = 0, uint8_t hop_limit = 64) {
        size_t start = b_.size();
        u32((6u << 28) | (uint32_t(tclass) << 20) | (flow_label & 0xfffff));
        u16(0);  // payload length, in build()
        u8(nexthdr);
        u8(hop_limit);
        raw(src.data(), 16);
        raw(dst.data(), 16);
        fix_.push_back({Fix::Ipv6, start});
        return *this;
    }
    Builder& ipv6(const char* src, const char* dst, uint8_t nexthdr, uint8_t tclass = 0) {
        return ipv6(a6(src), a6(dst), nexthdr, tclass);
    }

    // Hop-by-hop / destination options / routing (non-SRH): 8 * (len8 + 1) bytes.
    Builder& ext(uint8_t nexthdr, uint8_t len8 = 0, uint8_t routing_type = 0) {
        u8(nexthdr);
        u8(len8);
        size_t body = 8u * (len8 + 1u) - 2;
        b_.push_back(routing_type);
        b_.insert(b_.end(), body - 1, 0);
        if (routing_type == 0 && body >= 2) {  // PadN for options headers
            b_[b_.size() - body] = 1;
            b_[b_.size() - body + 1] = static_cast<uint8_t>(body - 2);
        }
        return *this;
    }

    Builder& frag6(uint8_t nexthdr, uint16_t offset8, bool more) {
        u8(nexthdr);
        u8(0);
        u16(static_cast<uint16_t>((offset8 << 3) | (more ? 1 : 0)));
        u32(0xabcd);
        return *this;
    }

    Builder& srh(uint8_t nexthdr, uint8_t segments_left, const std::vector<Addr6>& segs) {
        u8(nexthdr);
        u8(static_cast<uint8_t>(2 * segs.size()));
        u8(4);
        u8(segments_left);
        u8(static_cast<uint8_t>(segs.size() - 1));
        u8(0);
        u16(0);
        for (const auto& s : segs)
            raw(s.data(), 16);
        return *this;
    }

    Builder& tcp(uint16_t sport, uint16_t dport, uint8_t flags = 0x10) {
        u16(sport);
        u16(dport);
        u32(1000);
        u32(2000);
        u8(5 << 4);
        u8(flags);
        u16(65535);
        u16(0);
        u16(0);
        return *this;
    }

    Builder& udp(uint16_t sport, uint16_t dport) {
        size_t start = b_.size();
        u16(sport);
        u16(dport);
        u16(0);  // length, in build()
        u16(0);
        fix_.push_back({Fix::Udp, start});
        return *this;
    }

    // InfiniBand Base Transport Header (RoCEv2), RC SEND-only by default.
    Builder& bth(uint32_t dest_qp, uint8_t opcode = 0x04, uint16_t pkey = 0xffff) {
        u8(opcode);
        u8(0x40);  // migration state
        u16(pkey);
        u8(0);
        u8(static_cast<uint8_t>(dest_qp >> 16));
        u8(static_cast<uint8_t>(dest_qp >> 8));
        u8(static_cast<uint8_t>(dest_qp));
        u32(0x80000001);  // ack request + PSN
        return *this;
    }

    Builder& payload(size_t n, uint8_t seed = 0) {
        for (size_t i = 0; i < n; i++)
            b_.push_back(static_cast<uint8_t>(seed + i));
        return *this;
    }

    Builder& raw(const void* p, size_t n) {
        auto* c = static_cast<const uint8_t*>(p);
        b_.insert(b_.end(), c, c + n);
        return *this;
    }
    Builder& raw(const Bytes& bytes) { return raw(bytes.data(), bytes.size()); }

    Bytes build() const {
        Bytes out = b_;
        for (const Fix& f : fix_) {
            size_t after = out.size() - f.at;
            switch (f.kind) {
            case Fix::Ipv4: {
                put16(out, f.at + 2, static_cast<uint16_t>(after));
                size_t ihl = (out[f.at] & 0xf) * 4u;
                put16(out, f.at + 10, 0);
                put16(out, f.at + 10, checksum(out.data() + f.at, ihl));
                break;
            }
            case Fix::Ipv6:
                put16(out, f.at + 4, static_cast<uint16_t>(after - 40));
                break;
            case Fix::Udp:
                put16(out, f.at + 4, static_cast<uint16_t>(after));
                break;
            }
        }
        return out;
    }

private:
    struct Fix {
        enum Kind { Ipv4, Ipv6, Udp } kind;
        size_t at;
    };

    void u8(uint8_t v) { b_.push_back(v); }
    void u16(uint16_t v) {
        b_.push_back(static_cast<uint8_t>(v >> 8));
        b_.push_back(static_cast<uint8_t>(v));
    }
    void u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        u16(static_cast<uint16_t>(v));
    }
    static void put16(Bytes& b, size_t at, uint16_t v) {
        b[at] = static_cast<uint8_t>(v >> 8);
        b[at + 1] = static_cast<uint8_t>(v);
    }
    static uint16_t checksum(const uint8_t* p, size_t n) {
        uint32_t sum = 0;
        for (size_t i = 0; i + 1 < n; i += 2)
            sum += (uint32_t(p[i]) << 8) | p[i + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        return static_cast<uint16_t>(~sum);
    }

    Bytes b_;
    std::vector<Fix> fix_;
};

inline std::string hex(const Bytes& b) {
    std::string s;
    char buf[4];
    for (size_t i = 0; i < b.size(); i++) {
        if (i % 16 == 0)
        {
            if (i)
                s += '\n';
            s.append(4 - std::to_string(i).size(), ' ');
            s += std::to_string(i);
            s += ": ";
        }
        std::snprintf(buf, sizeof(buf), "%02x ", b[i]);
        s += buf;
    }
    return s;
}

// Where two packets first differ, for failure messages.
inline std::string diff(const Bytes& got, const Bytes& want) {
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i])
        i++;
    return "first difference at byte " + std::to_string(i) + " (got " +
           std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
           ")\n got:\n" + hex(got) + "\n want:\n" + hex(want);
}

}  // namespace testpkt

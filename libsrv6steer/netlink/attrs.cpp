// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netlink/attrs.hpp"

#include <sys/socket.h>

#include <cstring>

namespace srv6steer::nl {

namespace {

template <class T>
std::optional<T> scalar(const std::optional<Bytes>& b) {
    if (!b || b->size() < sizeof(T))
        return std::nullopt;
    T v;
    std::memcpy(&v, b->data(), sizeof v);
    return v;
}

}  // namespace

Attrs::Attrs(const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len >= NLA_HDRLEN) {
        nlattr a;
        std::memcpy(&a, p, sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
            break;
        list_.emplace_back(static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK),
                           Bytes(p + NLA_HDRLEN, a.nla_len - NLA_HDRLEN));
        const size_t step = NLA_ALIGN(a.nla_len);
        if (step >= len)
            break;
        p += step;
        len -= step;
    }
}

Attrs Attrs::of(const nlmsghdr* h, size_t hdr_len) {
    const size_t start = NLMSG_HDRLEN + NLMSG_ALIGN(hdr_len);
    if (h->nlmsg_len <= start)
        return {};
    return Attrs(reinterpret_cast<const uint8_t*>(h) + start, h->nlmsg_len - start);
}

std::optional<Bytes> Attrs::get(uint16_t type) const {
    for (auto it = list_.rbegin(); it != list_.rend(); ++it)
        if (it->first == type)
            return it->second;
    return std::nullopt;
}

std::optional<uint8_t> Attrs::u8(uint16_t type) const { return scalar<uint8_t>(get(type)); }
std::optional<uint16_t> Attrs::u16(uint16_t type) const { return scalar<uint16_t>(get(type)); }
std::optional<uint32_t> Attrs::u32(uint16_t type) const { return scalar<uint32_t>(get(type)); }

std::optional<std::string> Attrs::str(uint16_t type) const {
    const auto b = get(type);
    if (!b)
        return std::nullopt;
    const auto* s = reinterpret_cast<const char*>(b->data());
    return std::string(s, strnlen(s, b->size()));
}

std::optional<Ipv6> Attrs::ip(uint16_t type, int family) const {
    const auto b = get(type);
    return b ? ip_from_bytes(family, *b) : std::nullopt;
}

Attrs Attrs::nested(uint16_t type) const {
    const auto b = get(type);
    return b ? Attrs(*b) : Attrs();
}

std::optional<Ipv6> ip_from_bytes(int family, Bytes b) {
    Ipv6 a;
    if (family == AF_INET6 && b.size() == 16) {
        std::memcpy(a.bytes.data(), b.data(), 16);
        return a;
    }
    if (family == AF_INET && b.size() == 4) {
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(a.bytes.data() + 12, b.data(), 4);
        return a;
    }
    return std::nullopt;
}

std::pair<int, Bytes> family_bytes(const Ipv6& a, bool v4) {
    if (v4)
        return {AF_INET, Bytes(a.bytes.data() + 12, 4)};
    return {AF_INET6, Bytes(a.bytes.data(), 16)};
}

}  // namespace srv6steer::nl

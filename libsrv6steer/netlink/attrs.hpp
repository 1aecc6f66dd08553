// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading rtnetlink attributes from a raw message, and addresses in the form
// the kernel sends and wants them (4 bytes for IPv4, 16 for IPv6; the library
// keeps IPv4 addresses IPv4-mapped).
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "srv6steer/sid.hpp"

namespace srv6steer::nl {

using Bytes = std::span<const uint8_t>;

// The attributes of one part of a message, in order. get() finds the last of
// a type (the kernel sends each once). Views into the message: valid while
// it is. A truncated attribute ends the list.
class Attrs {
public:
    Attrs() = default;
    Attrs(const void* data, size_t len);
    Attrs(Bytes b) : Attrs(b.data(), b.size()) {}
    // The attributes after a message's family header of hdr_len bytes (none
    // when the message is shorter than that).
    static Attrs of(const nlmsghdr* h, size_t hdr_len);

    std::optional<Bytes> get(uint16_t type) const;
    bool has(uint16_t type) const { return get(type).has_value(); }
    // nullopt when missing or shorter than the type.
    std::optional<uint8_t> u8(uint16_t type) const;
    std::optional<uint16_t> u16(uint16_t type) const;
    std::optional<uint32_t> u32(uint16_t type) const;
    // Up to the first NUL.
    std::optional<std::string> str(uint16_t type) const;
    // An address of `family` (AF_INET: IPv4-mapped); nullopt when the length
    // does not fit the family.
    std::optional<Ipv6> ip(uint16_t type, int family) const;
    // The attributes nested in one (empty when it is missing).
    Attrs nested(uint16_t type) const;

    const std::vector<std::pair<uint16_t, Bytes>>& all() const { return list_; }

private:
    std::vector<std::pair<uint16_t, Bytes>> list_;
};

// One message's family header T (rtmsg, ifinfomsg, ifaddrmsg, ...), copied
// out, and the attributes after it.
template <class T>
struct Message {
    T hdr;
    Attrs attrs;
};

// nullopt when the message is too short for T.
template <class T>
std::optional<Message<T>> message(const nlmsghdr* h) {
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(T)))
        return std::nullopt;
    Message<T> m;
    std::memcpy(&m.hdr, NLMSG_DATA(h), sizeof(T));
    m.attrs = Attrs::of(h, sizeof(T));
    return m;
}

// An address from the kernel's bytes of family (AF_INET: IPv4-mapped).
std::optional<Ipv6> ip_from_bytes(int family, Bytes b);

// An address as the kernel wants it: {AF_INET, its 4 bytes} when v4 (a,
// IPv4-mapped), else {AF_INET6, 16 bytes}. A view into a.
std::pair<int, Bytes> family_bytes(const Ipv6& a, bool v4);

}  // namespace srv6steer::nl

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Local SIDs as values: their check and their behaviours' names. Pure (no
// kernel), so the apply-file reader (loader/config.cpp) uses it too; the
// map of them is receive_sids.cpp's.
#include <algorithm>
#include <cctype>
#include <string>

#include "srv6steer/decap_abi.h"
#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

bool valid_behavior(uint32_t b) { return b == SRV6S_SID_UDT6 || b == SRV6S_SID_UDT4 || b == SRV6S_SID_UDT46; }

}  // namespace

void check_local_sid(const LocalSid& sid) {
    const std::string p = sid.prefix.str();
    if (sid.prefix.addr.is_v4_mapped() && sid.prefix.len >= 96)
        throw Error("invalid local SID " + p + ": a SID is an IPv6 prefix, this is IPv4");
    if (sid.prefix.len == 0)
        throw Error("invalid local SID " + p + ": a SID of length 0 would take every IPv6 destination; "
                    "give the locator and function (e.g. fcbb:0:e002:fe06::/64)");
    if (sid.prefix.addr.bytes[0] == 0xff)
        throw Error("invalid local SID " + p + ": multicast addresses are no SIDs");
    if (!valid_behavior(static_cast<uint32_t>(sid.behavior)))
        throw Error(text::cat({"invalid local SID ", p, ": unknown behaviour ",
                               std::to_string(static_cast<uint32_t>(sid.behavior))}));
}

SidBehavior parse_sid_behavior(std::string_view text) {
    const std::string t = lower(text);
    if (t == "udt6" || t == "end.dt6" || t == "dt6")
        return SidBehavior::DT6;
    if (t == "udt4" || t == "end.dt4" || t == "dt4")
        return SidBehavior::DT4;
    if (t == "udt46" || t == "end.dt46" || t == "dt46")
        return SidBehavior::DT46;
    throw Error(text::cat({"invalid SID behaviour ", text::quote(text),
                           ": expected udt6, udt4 or udt46 (or End.DT6, End.DT4, End.DT46)"}));
}

const char* sid_behavior_name(SidBehavior b) {
    switch (b) {
    case SidBehavior::DT6: return "udt6";
    case SidBehavior::DT4: return "udt4";
    case SidBehavior::DT46: return "udt46";
    }
    return "unknown";
}

}  // namespace srv6steer

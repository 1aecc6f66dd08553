// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What a pin or a fallback points at (srv6steer.hpp Target): its path-set
// slot and its text. In srv6steer_core, so that the apply-file reader links
// without the data plane.
#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer {

Target Target::from_slot(uint32_t slot) {
    slot &= SRV6S_PIN_SET_MASK;  // a pin's flag bits (SRV6S_PIN_IGNORE_DOWN) are not part of its target
    return slot >= kMaxUserSets ? path(slot - kMaxUserSets) : set(slot);
}

Target Target::parse(std::string_view text) {
    const size_t colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    const std::optional<uint64_t> id =
        colon == std::string_view::npos ? std::nullopt : text::parse_uint(text.substr(colon + 1));
    if (id && kind == "path" && *id < SRV6S_MAX_PATHS)
        return path(static_cast<uint32_t>(*id));
    if (id && kind == "set" && *id < kMaxUserSets)
        return set(static_cast<uint32_t>(*id));
    std::string msg = "invalid target ";
    msg += text::quote(text);
    msg += ": expected path:ID (0 to " + std::to_string(SRV6S_MAX_PATHS - 1) + ") or set:ID (0 to " +
           std::to_string(kMaxUserSets - 1) + ")";
    throw Error(msg);
}

std::string Target::str() const { return (kind == Kind::Path ? "path " : "set ") + std::to_string(id); }

}  // namespace srv6steer

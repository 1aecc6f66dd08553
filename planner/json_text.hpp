// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// JSON from untrusted text without recursion on its depth: parse_limited()
// refuses nesting deeper than kMaxJsonDepth (nlohmann's parser is iterative,
// but dump() and comparisons recurse), and shown() prints a value for a
// message, at most kShownDepth levels and about kShownChars characters
// ("[[[...]]]", "\"aaaa...\""). The planner's files and the Jalapeno client's
// answers both use them (docs/paths.md, docs/jalapeno.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace srv6steer::planner::jsontext {

constexpr int kMaxJsonDepth = 64;
constexpr int kShownDepth = 4;
constexpr std::size_t kShownChars = 120;

// Thrown by parse_limited() for nesting past kMaxJsonDepth.
struct TooDeep {};

// json::parse(text) that throws TooDeep once arrays/objects nest deeper than
// kMaxJsonDepth; json::parse_error for bad syntax. `on_event` (may be empty)
// sees every event as nlohmann's callback does and returns nothing.
template <class Json = nlohmann::json, class F>
Json parse_limited(std::string_view text, F&& on_event) {
    using E = typename Json::parse_event_t;
    return Json::parse(text, [&](int depth, E event, Json& parsed) {
        if ((event == E::object_start || event == E::array_start) && depth >= kMaxJsonDepth)
            throw TooDeep{};
        on_event(event, parsed);
        return true;
    });
}

template <class Json = nlohmann::json>
Json parse_limited(std::string_view text) {
    return parse_limited<Json>(text, [](auto, auto&) {});
}

namespace detail {
template <class Json>
void shown(const Json& j, int depth, std::string& out) {
    if (out.size() > kShownChars)
        return;
    if (j.is_array() || j.is_object()) {
        const bool arr = j.is_array();
        out += arr ? '[' : '{';
        if (depth >= kShownDepth) {
            if (!j.empty())
                out += "...";
        } else {
            bool first = true;
            for (auto it = j.begin(); it != j.end() && out.size() <= kShownChars; ++it) {
                if (!first)
                    out += ',';  // dump()'s compact form
                first = false;
                if (!arr) {
                    out += Json(it.key()).dump();
                    out += ':';
                }
                shown(*it, depth + 1, out);
            }
        }
        out += arr ? ']' : '}';
        return;
    }
    out += j.dump();  // a scalar: no recursion
}
}  // namespace detail

// `j` for a message: nesting past kShownDepth as "...", cut after about
// kShownChars characters with "...".
template <class Json>
std::string shown(const Json& j) {
    std::string out;
    detail::shown(j, 0, out);
    if (out.size() > kShownChars) {
        out.resize(kShownChars);
        out += "...";
    }
    return out;
}

}  // namespace srv6steer::planner::jsontext

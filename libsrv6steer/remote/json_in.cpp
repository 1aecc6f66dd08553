// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Parsing the agent protocol's JSON text (json_in.hpp).
#include "remote/json_in.hpp"

#include <cstdio>
#include <set>
#include <vector>

namespace srv6steer::remote {

using text::quote;

json parse(std::string_view payload, std::string_view what) {
    if (payload.empty())
        return json::object();
    std::vector<std::set<std::string>> objects;
    try {
        using E = json::parse_event_t;
        return json::parse(payload, [&](int depth, E event, json& parsed) {
            if (depth > kMaxDepth)
                throw BadMessage(std::string(what) + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
            if (event == E::object_start)
                objects.emplace_back();
            else if (event == E::object_end && !objects.empty())
                objects.pop_back();
            else if (event == E::key && !objects.empty() && !objects.back().insert(parsed.get<std::string>()).second)
                throw BadMessage(std::string(what) + ": key " + quote(parsed.get<std::string>()) +
                                 " given twice in one object");
            return true;
        });
    } catch (const json::exception& e) {
        std::string m = e.what();
        if (const auto close = m.find("] "); m.starts_with("[json.exception") && close != std::string::npos)
            m = m.substr(close + 2);
        // nlohmann quotes what it read: the bytes of whoever sent them.
        std::string shown;
        for (unsigned char c : m) {
            if (c >= 0x20 && c < 0x7f) {
                shown += char(c);
            } else {
                char hex[8];
                std::snprintf(hex, sizeof hex, "<%02X>", c);
                shown += hex;
            }
        }
        throw BadMessage(std::string(what) + ": the payload is not JSON: " + shown);
    }
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace srv6steer::remote

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading the agent protocol's JSON (docs/agent-protocol.md "Messages"):
// In is a JSON value with its place in the message, so every refusal names
// the field: "pin_sockets: targets[3]: expected an object like {"path": 1}
// or {"set": 2}, got 5". Internal to remote/ (messages.cpp, values.cpp).
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "remote/messages.hpp"  // BadMessage
#include "srv6steer/srv6steer.hpp"
#include "text.hpp"

namespace srv6steer::remote {

using json = nlohmann::json;

inline constexpr int kMaxDepth = 8;
inline constexpr size_t kMaxString = 4096;

// A JSON value, where it is in the message, and whether keys the protocol
// does not name are refused (requests) or ignored (replies).
struct In {
    const json& j;
    std::string where;
    bool strict;

    [[noreturn]] void fail(const std::string& what) const {
        throw BadMessage(where.empty() ? what : where + ": " + what);
    }
    std::string place(const std::string& key) const { return where.empty() ? key : where + "." + key; }

    // An object with these keys (others: refused when strict).
    const In& keys(std::initializer_list<const char*> known) const {
        if (!j.is_object())
            fail(std::string("expected an object, got ") + shown());
        if (strict)
            for (const auto& [k, v] : j.items())
                if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; }))
                    fail("unknown key " + text::quote(k));
        return *this;
    }
    bool has(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }
    In at(const char* key) const {
        if (!j.contains(key))
            fail(std::string("missing key ") + text::quote(key));
        return {j.at(key), place(key), strict};
    }
    std::optional<In> opt(const char* key) const {
        if (!j.contains(key))
            return std::nullopt;
        return In{j.at(key), place(key), strict};
    }
    In at(size_t i) const { return {j.at(i), where + "[" + std::to_string(i) + "]", strict}; }

    // The value as a message shows it: short, and only the type for big ones.
    std::string shown() const {
        if (j.is_object() || j.is_array())
            return std::string(j.type_name());
        std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
        return s.size() > 40 ? s.substr(0, 40) + "..." : s;
    }

    uint64_t uint(uint64_t max = UINT64_MAX) const {
        if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
            fail("expected a whole number from 0 to " + std::to_string(max) + ", got " + shown());
        return j.get<uint64_t>();
    }
    uint32_t u32(uint64_t max = UINT32_MAX) const { return static_cast<uint32_t>(uint(max)); }
    bool boolean() const {
        if (!j.is_boolean())
            fail("expected true or false, got " + shown());
        return j.get<bool>();
    }
    std::string str() const {
        if (!j.is_string())
            fail("expected a string, got " + shown());
        const auto& s = j.get_ref<const std::string&>();
        if (s.size() > kMaxString || s.find('\0') != std::string::npos)
            fail("expected a string of at most " + std::to_string(kMaxString) + " characters without NUL");
        return s;
    }
    size_t array(size_t max) const {
        if (!j.is_array())
            fail(std::string("expected an array, got ") + shown());
        if (j.size() > max)
            fail("expected at most " + std::to_string(max) + " elements, got " + std::to_string(j.size()));
        return j.size();
    }
    // A library parser on the string: its Error names the value.
    template <class F>
    auto parsed(F&& parse) const {
        const std::string s = str();
        try {
            return parse(s);
        } catch (const Error& e) {
            fail(e.what());
        }
    }
};

// Parses JSON text: at most kMaxDepth levels, no key twice in one object
// (nlohmann keeps the last silently). `what` starts every refusal.
json parse(std::string_view payload, std::string_view what);
// JSON text; bytes that are not UTF-8 are replaced, never thrown at.
std::string dump(const json& j);

}  // namespace srv6steer::remote

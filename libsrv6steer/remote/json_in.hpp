// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading the agent protocol's JSON (docs/agent-protocol.md "Messages"):
// In is a JSON value with its place in the message, so every refusal names
// the field: "pin_sockets: targets[3]: expected an object like {"path": 1}
// or {"set": 2}, got 5". Internal to remote/ (messages.cpp, values.cpp).
#pragma once

#include <algorithm>
#include <array>
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
// does not name are refused (requests) or ignored (replies). Where it is, is
// kept as the steps from the top (keys, which are the codec's literals, and
// indices) and spelled out only for a refusal: reading a request of 4,096
// targets makes no string per target.
struct In {
    const json& j;
    std::string_view top;  // the message's name ("pin_sockets"); "" for none
    bool strict;

    struct Step {
        const char* key = nullptr;  // a member, or else
        size_t index = 0;           // an element
    };
    static constexpr size_t kMaxSteps = 16;  // deeper than any message (kMaxDepth)
    std::array<Step, kMaxSteps> steps{};
    size_t depth = 0;

    In(const json& value, std::string_view name, bool strict_keys) : j(value), top(name), strict(strict_keys) {}

    // "pin_sockets.targets[3].path"
    std::string where() const {
        std::string w(top);
        for (size_t i = 0; i < depth; i++) {
            if (steps[i].key) {
                if (!w.empty())
                    w += '.';
                w += steps[i].key;
            } else {
                w += '[';
                w += std::to_string(steps[i].index);
                w += ']';
            }
        }
        return w;
    }
    [[noreturn]] void fail(const std::string& what) const {
        const std::string w = where();
        throw BadMessage(w.empty() ? what : w + ": " + what);
    }

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
    bool has(const char* key) const {
        const auto it = j.find(key);
        return it != j.end() && !it->is_null();
    }
    // key: a string that outlives the value (a literal).
    In at(const char* key) const {
        const auto it = j.find(key);
        if (it == j.end())
            fail(std::string("missing key ") + text::quote(key));
        return child(*it, {key, 0});
    }
    std::optional<In> opt(const char* key) const {
        const auto it = j.find(key);
        if (it == j.end())
            return std::nullopt;
        return child(*it, {key, 0});
    }
    In at(size_t i) const { return child(j.at(i), {nullptr, i}); }

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

private:
    In child(const json& value, Step step) const {
        In c(value, top, strict);
        c.steps = steps;
        c.depth = depth;
        if (c.depth < kMaxSteps)
            c.steps[c.depth++] = step;
        return c;
    }
};

// Parses JSON text: at most kMaxDepth levels, no key twice in one object
// (nlohmann keeps the last silently). `what` starts every refusal.
json parse(std::string_view payload, std::string_view what);
// JSON text; bytes that are not UTF-8 are replaced, never thrown at.
std::string dump(const json& j);

}  // namespace srv6steer::remote

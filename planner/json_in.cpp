// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "json_in.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "json_text.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner::jsonin {

std::string at(const std::string& base, size_t i) {
    std::string s = base;
    s += '[';
    s += std::to_string(i);
    s += ']';
    return s;
}

std::string at(const std::string& base, std::string_view key) {
    std::string s = base;
    if (!s.empty())
        s += '.';
    s += key;
    return s;
}

json Reader::parse(std::string_view text) {
    struct Frame {
        bool array;
        size_t index = 0;
        std::string key;
        std::set<std::string> keys;
    };
    std::vector<Frame> stack;
    auto path = [&] {
        std::string p;
        for (const auto& f : stack)
            p = f.array ? at(p, f.index - 1) : f.key.empty() ? p : at(p, f.key);
        return p;
    };
    auto element = [&] {
        if (!stack.empty() && stack.back().array)
            stack.back().index++;
    };
    using E = json::parse_event_t;
    try {
        return jsontext::parse_limited(text, [&](E event, json& parsed) {
            switch (event) {
            case E::object_start:
            case E::array_start:
                element();
                stack.push_back({event == E::array_start, 0, {}, {}});
                break;
            case E::object_end:
            case E::array_end:
                stack.pop_back();
                break;
            case E::key:
                stack.back().key = parsed.get<std::string>();
                if (!stack.back().keys.insert(stack.back().key).second)
                    problem(path(), "key given twice in one object");
                break;
            case E::value:
                element();
                break;
            }
        });
    } catch (const jsontext::TooDeep&) {
        std::string msg = source_;
        msg += ": ";
        msg += "arrays and objects nest deeper than ";
        msg += std::to_string(jsontext::kMaxJsonDepth);
        msg += " levels; no planner file needs that many";
        throw Error(msg);
    } catch (const json::parse_error& e) {
        std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 3, ..."
        if (auto close = what.find("] "); close != std::string::npos)
            what.erase(0, close + 2);
        std::string msg = source_;
        msg += ": ";
        msg += what;
        throw Error(msg);
    }
}

void Reader::problem(const std::string& where, const std::string& what) {
    problems_.push_back(where.empty() ? what : cat({where, ": ", what}));
}

void Reader::finish() const {
    if (problems_.empty())
        return;
    std::string msg = source_;
    if (problems_.size() == 1) {
        msg += ": ";
        msg += problems_.front();
    } else {
        msg += ": ";
        msg += std::to_string(problems_.size());
        msg += " problems:";
        for (const auto& p : problems_) {
            msg += "\n  ";
            msg += p;
        }
    }
    throw Error(msg);
}

bool Reader::object(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
    if (!j.is_object()) {
        problem(where, cat({"expected an object, got ", jsontext::shown(j)}));
        return false;
    }
    for (const auto& [k, v] : j.items()) {
        const std::string& key = k;
        if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return key == a; }) != keys.end())
            continue;
        std::string expected;
        for (const char* a : keys) {
            if (!expected.empty())
                expected += ", ";
            expected += a;
        }
        problem(at(where, key), cat({"unknown key (expected ", expected, ")"}));
    }
    return true;
}

std::optional<std::string> Reader::string(const json& obj, const std::string& where, const char* key, bool required) {
    if (!obj.contains(key)) {
        if (required)
            problem(at(where, key), "missing");
        return std::nullopt;
    }
    if (!obj[key].is_string()) {
        problem(at(where, key), cat({"expected a string, got ", jsontext::shown(obj[key])}));
        return std::nullopt;
    }
    return obj[key].get<std::string>();
}

std::optional<double> Reader::number(const json& obj, const std::string& where, const char* key, bool required,
                                     double min_exclusive) {
    if (!obj.contains(key)) {
        if (required)
            problem(at(where, key), "missing");
        return std::nullopt;
    }
    const json& j = obj[key];
    if (!j.is_number() || !std::isfinite(j.get<double>()) || j.get<double>() <= min_exclusive) {
        std::string msg = "expected a number above ";
        msg += std::to_string(static_cast<long long>(min_exclusive));
        msg += ", got ";
        msg += jsontext::shown(j);
        problem(at(where, key), msg);
        return std::nullopt;
    }
    return j.get<double>();
}

std::optional<uint64_t> Reader::integer(const json& j, const std::string& where, uint64_t min, uint64_t max) {
    if (j.is_number_unsigned() && j.get<uint64_t>() >= min && j.get<uint64_t>() <= max)
        return j.get<uint64_t>();
    problem(where, cat({"expected an integer from ", std::to_string(min), " to ", std::to_string(max), ", got ", jsontext::shown(j)}));
    return std::nullopt;
}

std::optional<uint64_t> Reader::integer(const json& obj, const std::string& where, const char* key, bool required,
                                        uint64_t min, uint64_t max) {
    if (!obj.contains(key)) {
        if (required)
            problem(at(where, key), "missing");
        return std::nullopt;
    }
    return integer(obj[key], at(where, key), min, max);
}

std::optional<uint16_t> Reader::usid(const json& obj, const std::string& where, const char* key, bool required) {
    auto s = string(obj, where, key, required);
    if (!s)
        return std::nullopt;
    std::string_view t = *s;
    const bool hex = !t.empty() && t.size() <= 4 && std::all_of(t.begin(), t.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    const unsigned long v = hex ? std::stoul(*s, nullptr, 16) : 0;
    if (!hex || v == 0) {
        problem(at(where, key), cat({"expected a uSID of 1 to 4 hex digits from 1 to ffff (16 bits), e.g. \"1004\", got ", text::quote(*s)}));
        return std::nullopt;
    }
    return static_cast<uint16_t>(v);
}

const json* Reader::array(const json& obj, const std::string& where, const char* key, bool required) {
    if (!obj.contains(key)) {
        if (required)
            problem(at(where, key), "missing");
        return nullptr;
    }
    if (!obj[key].is_array()) {
        problem(at(where, key), cat({"expected an array, got ", jsontext::shown(obj[key])}));
        return nullptr;
    }
    return &obj[key];
}

}  // namespace srv6steer::planner::jsonin

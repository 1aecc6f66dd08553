// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading the planner's JSON files (topology, job): every problem is
// collected with its JSON place ("links[3].b: no node \"leaf9\""), and
// finish() throws one Error naming the file and listing them all.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "text.hpp"

namespace srv6steer::planner::jsonin {

using text::cat;

using json = nlohmann::json;

// at("links", 3) = "links[3]", at("links[3]", "b") = "links[3].b".
std::string at(const std::string& base, size_t i);
std::string at(const std::string& base, std::string_view key);

class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    // Syntax errors throw at once (with line and column); keys given twice in
    // one object are problems.
    json parse(std::string_view text);
    void problem(const std::string& where, const std::string& what);
    bool ok() const { return problems_.empty(); }
    // Throws Error("SOURCE: WHERE: WHAT") or, for several, a list.
    void finish() const;

    bool object(const json& j, const std::string& where, std::initializer_list<const char*> keys);
    // obj[key] of the given type; missing: a problem only when required.
    std::optional<std::string> string(const json& obj, const std::string& where, const char* key, bool required);
    std::optional<double> number(const json& obj, const std::string& where, const char* key, bool required,
                                 double min_exclusive);
    std::optional<uint64_t> integer(const json& obj, const std::string& where, const char* key, bool required,
                                    uint64_t min, uint64_t max);
    std::optional<uint64_t> integer(const json& j, const std::string& where, uint64_t min, uint64_t max);
    // A uSID as a string of 1-4 hex digits ("1004"), 1 .. ffff.
    std::optional<uint16_t> usid(const json& obj, const std::string& where, const char* key, bool required);
    // obj[key] if it is an array; missing: a problem only when required.
    const json* array(const json& obj, const std::string& where, const char* key, bool required);

private:
    std::string source_;
    std::vector<std::string> problems_;
};

}  // namespace srv6steer::planner::jsonin

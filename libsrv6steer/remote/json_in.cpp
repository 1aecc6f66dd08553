// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Parsing the agent protocol's JSON text (json_in.hpp).
#include "remote/json_in.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

namespace srv6steer::remote {

using text::quote;

namespace {

// What the protocol asks of JSON text beyond its grammar, checked as
// nlohmann's SAX parser reads it (no tree is built): at most kMaxDepth levels
// (counted as nlohmann's parser callbacks count them: the containers around
// a value, a key, or a container that starts), and no key twice in one
// object. The tree is then read without a callback, which is four times as
// fast as with one.
class Checker : public nlohmann::json_sax<json> {
public:
    explicit Checker(std::string_view what) : what_(what) {}

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        deep(open_++);
        if (objects_ == keys_.size())
            keys_.emplace_back();
        keys_[objects_++].clear();
        return true;
    }
    bool key(string_t& k) override {
        deep(open_);
        if (objects_ && !keys_[objects_ - 1].insert(k))
            throw BadMessage(std::string(what_) + ": key " + quote(k) + " given twice in one object");
        return true;
    }
    bool end_object() override {
        open_--;
        objects_--;
        return true;
    }
    bool start_array(std::size_t) override {
        deep(open_++);
        return true;
    }
    bool end_array() override {
        open_--;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        error_ = e.what();
        return false;
    }
    const std::string& error() const { return error_; }

private:
    // The keys of one object: a few compared in turn, many in a set (an
    // object of 100,000 keys is not checked in quadratic time).
    struct Keys {
        std::vector<std::string> few;
        std::set<std::string> many;
        void clear() {
            few.clear();
            many.clear();
        }
        bool insert(const std::string& k) {
            if (!many.empty())
                return many.insert(k).second;
            if (std::find(few.begin(), few.end(), k) != few.end())
                return false;
            if (few.size() < 16) {
                few.push_back(k);
            } else {
                many.insert(few.begin(), few.end());
                many.insert(k);
            }
            return true;
        }
    };
    bool value() {
        deep(open_);
        return true;
    }
    void deep(size_t depth) const {
        if (depth > size_t(kMaxDepth))
            throw BadMessage(std::string(what_) + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }

    std::string_view what_;
    size_t open_ = 0;     // containers open around what is read
    size_t objects_ = 0;  // of which objects: keys_[0 .. objects_)
    std::vector<Keys> keys_;
    std::string error_;
};

// nlohmann's message without its prefix, and what it quotes of the sender's
// bytes made printable.
[[noreturn]] void not_json(std::string m, std::string_view what) {
    if (const auto close = m.find("] "); m.starts_with("[json.exception") && close != std::string::npos)
        m = m.substr(close + 2);
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

}  // namespace

json parse(std::string_view payload, std::string_view what) {
    if (payload.empty())
        return json::object();
    try {
        Checker check(what);
        if (!json::sax_parse(payload, &check))
            not_json(check.error(), what);
        return json::parse(payload);
    } catch (const json::exception& e) {
        not_json(e.what(), what);
    }
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace srv6steer::remote

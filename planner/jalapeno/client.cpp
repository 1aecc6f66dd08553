// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The HTTP side of the Jalapeno client: configuration, request targets, one
// GET per call with timeouts and a size cap, HTTP errors, the once-per-pair
// rule of /shortest_path/load, and all-or-nothing queries of many pairs.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <charconv>
#include <cstdlib>
#include <string>
#include <vector>

#include "jalapeno/client.hpp"
#include "json_text.hpp"
#include "text.hpp"

namespace srv6steer::jalapeno {
namespace {

using text::cat;
using text::quote;
using Clock = std::chrono::steady_clock;

std::string ms(std::chrono::milliseconds d) { return cat({std::to_string(d.count()), " ms"}); }

// Jalapeno puts names into AQL text unquoted (best-paths, next-best-path):
// only characters that need no escaping anywhere are let through.
bool safe_name(std::string_view s, std::string_view extra) {
    return !s.empty() && s.size() <= 254 && std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || extra.find(c) != std::string_view::npos;
    });
}

// The body as a person can read it in a message: printable, at most 200 bytes.
std::string snippet(std::string_view body) {
    std::string s;
    for (char c : body.substr(0, 200))
        s += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (body.size() > 200)
        s += "...";
    return s.empty() ? "an empty body" : cat({"\"", s, "\""});
}

// FastAPI's {"detail": "..."} (HTTPException) or {"detail": [{"msg": ...}]}
// (a rejected query parameter).
std::string detail_of(std::string_view body) {
    nlohmann::json j;
    try {
        j = planner::jsontext::parse_limited(body);
    } catch (const planner::jsontext::TooDeep&) {
        return cat({"not Jalapeno's {\"detail\": ...} but JSON nested deeper than ",
                    std::to_string(planner::jsontext::kMaxJsonDepth), " levels: ", snippet(body)});
    } catch (const nlohmann::json::exception&) {
        j = nullptr;
    }
    if (j.is_object() && j.contains("detail")) {
        const auto& d = j["detail"];
        if (d.is_string())
            return d.get<std::string>();
        if (d.is_array()) {
            std::string s;
            for (const auto& e : d) {
                if (!s.empty())
                    s += "; ";
                s += e.is_object() && e.contains("msg") && e["msg"].is_string()
                         ? cat({e["msg"].get<std::string>(),
                                e.contains("loc") ? cat({" at ", planner::jsontext::shown(e["loc"])}) : ""})
                         : planner::jsontext::shown(e);
            }
            return s;
        }
        return planner::jsontext::shown(d);
    }
    return cat({"not Jalapeno's {\"detail\": ...} but ", snippet(body)});
}

[[noreturn]] void raise(Failure f, const Context& ctx, const std::string& why, int status) {
    throw ApiError(f, cat({ctx.str(), ": ", why}), status);
}

// Calls cli.stop() at `deadline` and, until finish(), every 50 ms after it
// (a stop() before the request holds its socket would be lost).
class Watchdog {
public:
    Watchdog(httplib::Client& cli, Clock::time_point deadline)
        : thread_([this, &cli, deadline] {
              std::unique_lock<std::mutex> l(mu_);
              if (cv_.wait_until(l, deadline, [this] { return done_; }))
                  return;
              overtime = true;
              do {
                  l.unlock();
                  cli.stop();
                  l.lock();
              } while (!cv_.wait_for(l, std::chrono::milliseconds(50), [this] { return done_; }));
          }) {}
    ~Watchdog() { finish(); }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    // Stops the watchdog; whether the deadline passed.
    bool finish() {
        {
            std::lock_guard<std::mutex> l(mu_);
            done_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable())
            thread_.join();
        return overtime;
    }
    std::atomic<bool> overtime{false};

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

constexpr const char* kLoadNote =
    "; not retried: Jalapeno may have applied the call and added load to the path's links, "
    "so check their load before asking again";

}  // namespace

const char* endpoint_name(Metric m) {
    switch (m) {
    case Metric::Hops: return "shortest_path";
    case Metric::Load: return "shortest_path/load";
    case Metric::Latency: return "shortest_path/latency";
    case Metric::Utilization: return "shortest_path/utilization";
    }
    return "?";
}

const char* failure_name(Failure f) {
    switch (f) {
    case Failure::Connect: return "connect";
    case Failure::Timeout: return "timeout";
    case Failure::Transport: return "transport";
    case Failure::TooLarge: return "too large";
    case Failure::Http: return "http";
    case Failure::NoPath: return "no path";
    case Failure::BadAnswer: return "bad answer";
    case Failure::Encoding: return "encoding";
    case Failure::Refused: return "refused";
    }
    return "?";
}

// ---- configuration ---------------------------------------------------------------

DestFunction parse_dest_function(std::string_view text, std::string_view what) {
    DestFunction out;
    if (text.empty())
        return out;
    const auto bad = [&](std::string_view why) {
        throw Error(cat({what, "=", text, ": ", why}));
    };
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view part = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ')
            part.remove_suffix(1);
        if (part.empty())
            continue;
        std::string_view family = "ipv6", value = part;
        if (const auto eq = part.find('='); eq != std::string_view::npos) {
            family = part.substr(0, eq);
            value = part.substr(eq + 1);
        }
        std::optional<uint16_t>* slot = family == "ipv6" ? static_cast<std::optional<uint16_t>*>(&out)
                                        : family == "ipv4" ? &out.ipv4
                                                           : nullptr;
        if (!slot)
            bad(cat({quote(family), " is not ipv6 or ipv4; expected fe06 or ipv6=fe06,ipv4=fe04"}));
        std::vector<uint16_t> u;
        try {
            u = parse_usids(value);
        } catch (const Error& e) {
            bad(e.what());
        }
        if (u.size() != 1 || u[0] == 0)
            bad("expected one uSID from 1 to ffff, e.g. fe06, or ipv6=fe06,ipv4=fe04");
        *slot = u[0];
    }
    if (!out && !out.ipv4)
        bad("expected a uSID such as fe06, or ipv6=fe06,ipv4=fe04");
    if (!out)
        bad("gives IPv4's function but not IPv6's (the one appended to Jalapeno's paths); "
            "give both, e.g. ipv6=fe06,ipv4=fe04");
    return out;
}

void Config::check() const {
    if (!endpoint.starts_with("http://"))
        throw Error(cat({"Jalapeno endpoint ", quote(endpoint),
                         ": expected http://HOST:PORT/PATH, e.g. http://127.0.0.1:30800/api/v1 "
                         "(https is not supported)"}));
    if (!safe_name(collection, ""))
        throw Error(cat({"Jalapeno collection ", quote(collection),
                         ": expected a graph collection name (letters, digits, _ and -), "
                         "e.g. fabric_graph"}));
    if (!safe_name(vertex_collection, ""))
        throw Error(cat({"Jalapeno vertex collection ", quote(vertex_collection),
                         ": expected letters, digits, _ and -, e.g. hosts"}));
    if (direction != "outbound" && direction != "inbound" && direction != "any")
        throw Error(cat({"Jalapeno direction ", quote(direction),
                         ": expected outbound, inbound or any"}));
    if (connect_timeout.count() <= 0 || read_timeout.count() <= 0 || total_timeout.count() <= 0)
        throw Error("Jalapeno timeouts must be above 0 ms");
    if (max_body == 0)
        throw Error("Jalapeno max_body must be above 0 bytes");
    if (dest_function == uint16_t{0} || dest_function.ipv4 == uint16_t{0})
        throw Error("Jalapeno destination function 0 ends a container; use 1 to ffff, e.g. fe06");
    if (dest_function.ipv4 && !dest_function)
        throw Error("Jalapeno destination function for IPv4 without one for IPv6: give both, "
                    "e.g. ipv6=fe06,ipv4=fe04");
}

Config Config::from_env() {
    Config c;
    const char* ep = std::getenv("JALAPENO_API_ENDPOINT");
    if (!ep || !*ep)
        throw Error("JALAPENO_API_ENDPOINT is not set: set it to Jalapeno's API root, e.g. "
                    "http://127.0.0.1:30800/api/v1");
    c.endpoint = ep;
    const char* coll = std::getenv("TOPOLOGY_COLLECTION");
    c.collection = coll && *coll ? coll : "network_topology";
    if (const char* f = std::getenv("DEST_FUNCTION"); f && *f)
        c.dest_function = parse_dest_function(f, "DEST_FUNCTION");
    try {
        c.check();
    } catch (const Error& e) {
        throw Error(cat({"JALAPENO_API_ENDPOINT / TOPOLOGY_COLLECTION: ", e.what()}));
    }
    return c;
}

// ---- the client --------------------------------------------------------------------

Client::Client(Config config) : config_(std::move(config)) {
    config_.check();
    std::string_view rest = std::string_view(config_.endpoint).substr(7);  // after http://
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    base_ = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
    while (base_.ends_with('/'))
        base_.pop_back();
    if (base_.find_first_of("?# ") != std::string::npos)
        throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint),
                         ": the path may not hold ?, # or spaces"}));

    if (authority.find('@') != std::string_view::npos)
        throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint),
                         ": user names or passwords (user@host) are not supported; give "
                         "http://HOST:PORT/PATH"}));
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint), ": no ] after [IPv6"}));
        host_ = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':')
                throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint),
                                 ": expected :PORT after ]"}));
            port_text = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.find(':');
        host_ = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            port_text = authority.substr(colon + 1);
    }
    if (host_.empty())
        throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint), ": no host"}));
    if (!port_text.empty()) {
        const auto p = text::parse_uint(port_text, 1, 65535);
        if (!p || port_text.starts_with("0x"))
            throw Error(cat({"Jalapeno endpoint ", quote(config_.endpoint), ": port ",
                             quote(port_text), " is not 1 to 65535"}));
        port_ = static_cast<int>(*p);
    }
}

std::string Client::vertex(const std::string& host) const {
    if (!safe_name(host, ".:@"))
        throw ApiError(Failure::Refused,
                       cat({"Jalapeno ", config_.endpoint, ": host name ", quote(host),
                            " has characters Jalapeno cannot take in a query (use letters, "
                            "digits and _ - . : @)"}));
    return cat({config_.vertex_collection, "/", host});
}

std::string Client::target(std::string_view call, const std::string& src, const std::string& dst,
                           std::string_view extra) const {
    std::string t = cat({base_, "/graphs/", config_.collection, "/", call, "?source=", vertex(src),
                         "&destination=", vertex(dst), "&direction=", config_.direction});
    if (!extra.empty())
        t += cat({"&", extra});
    if (config_.algo != 0)
        t += cat({"&algo=", std::to_string(config_.algo)});
    return t;
}

std::string Client::get(const Context& ctx, const std::string& target) {
    httplib::Client cli(host_, port_);
    const auto split = [](std::chrono::milliseconds d) {
        return std::pair<time_t, time_t>(d.count() / 1000, (d.count() % 1000) * 1000);
    };
    const auto [cs, cu] = split(config_.connect_timeout);
    const auto [rs, ru] = split(config_.read_timeout);
    cli.set_connection_timeout(cs, cu);
    cli.set_read_timeout(rs, ru);
    cli.set_write_timeout(rs, ru);
    cli.set_keep_alive(false);
    cli.set_follow_location(false);

    std::string body;
    int status = 0;
    bool too_large = false, bad_length = false;
    std::string length_text;
    const auto start = Clock::now();
    // The total timeout covers the status line and headers too, which
    // cpp-httplib reads with only the per-read timeout: at the deadline the
    // watchdog shuts the socket (ClientImpl::stop, safe from another thread).
    Watchdog dog(cli, start + config_.total_timeout);
    const auto res = cli.Get(
        target, httplib::Headers{{"Accept", "application/json"}},
        [&](const httplib::Response& r) {
            status = r.status;
            if (!r.has_header("Content-Length"))
                return true;
            length_text = r.get_header_value("Content-Length");
            std::size_t n = 0;
            const auto [end, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), n);
            if (ec == std::errc::result_out_of_range || (ec == std::errc{} && end == length_text.data() + length_text.size() && n > config_.max_body)) {
                too_large = true;
                return false;
            }
            if (ec != std::errc{} || end != length_text.data() + length_text.size() || length_text.empty()) {
                bad_length = true;
                return false;
            }
            return true;
        },
        [&](const char* data, std::size_t len) {
            if (body.size() + len > config_.max_body) {
                too_large = true;
                return false;
            }
            if (Clock::now() - start > config_.total_timeout) {
                dog.overtime = true;
                return false;
            }
            body.append(data, len);
            return true;
        });
    const bool overtime = dog.finish();
    const auto elapsed = Clock::now() - start;

    const auto fail = [&](Failure f, const std::string& why) { raise(f, ctx, why, status); };
    if (!res) {
        const auto err = res.error();
        const std::string at = cat({host_, ":", std::to_string(port_)});
        if (too_large)
            fail(Failure::TooLarge, cat({"the answer is larger than ", std::to_string(config_.max_body),
                                         " bytes (max_body)"}));
        if (bad_length)
            fail(Failure::BadAnswer, cat({"the answer's Content-Length ", quote(length_text),
                                          " is not a number of bytes"}));
        if (overtime)
            fail(Failure::Timeout, cat({"the answer took longer than ", ms(config_.total_timeout),
                                        " (total timeout)"}));
        switch (err) {
        case httplib::Error::Connection:
            raise(Failure::Connect, ctx,
                  cat({"could not connect to ", at,
                       " (connection refused or unreachable); nothing was sent"}),
                  0);
        case httplib::Error::ConnectionTimeout:
            raise(Failure::Connect, ctx,
                  cat({"no connection to ", at, " within ", ms(config_.connect_timeout),
                       "; nothing was sent"}),
                  0);
        case httplib::Error::Read:
            if (elapsed >= config_.read_timeout)
                raise(Failure::Timeout, ctx,
                      cat({"no answer within the read timeout of ", ms(config_.read_timeout)}),
                      status);
            raise(Failure::Transport, ctx,
                  "the connection closed before the whole answer arrived (a truncated answer)",
                  status);
        default:
            raise(Failure::Transport, ctx, cat({"HTTP request failed: ", httplib::to_string(err)}),
                  status);
        }
    }
    status = res->status;
    if (body.empty() && !res->body.empty())
        body = res->body;
    if (status != 200)
        fail(Failure::Http, cat({"HTTP ", std::to_string(status), ": ", detail_of(body)}));
    return body;
}

Route Client::shortest_path(const std::string& src, const std::string& dst, Metric metric) {
    const Context ctx{config_.endpoint, endpoint_name(metric), vertex(src), vertex(dst)};
    const std::string t = target(ctx.call, src, dst);
    if (metric != Metric::Load)
        return parse_route(get(ctx, t), metric, config_.dest_function, ctx);

    const std::pair<std::string, std::string> key{ctx.src, ctx.dst};
    if (loaded_.contains(key))
        throw ApiError(Failure::Refused,
                       cat({ctx.str(),
                            ": refused: this client already called shortest_path/load for this "
                            "pair, and each call adds load to the path's links again "
                            "(Client::forget_loads() allows it for a new job)"}));
    loaded_.insert(key);  // before the call: a failed call may have been applied
    try {
        return parse_route(get(ctx, t), metric, config_.dest_function, ctx);
    } catch (const ApiError& e) {
        if (e.failure() == Failure::Connect || e.failure() == Failure::NoPath)
            throw;
        throw ApiError(e.failure(), cat({e.what(), kLoadNote}), e.http_status());
    }
}

std::vector<Route> Client::best_paths(const std::string& src, const std::string& dst,
                                      unsigned limit) {
    const Context ctx{config_.endpoint, "shortest_path/best-paths", vertex(src), vertex(dst)};
    if (limit == 0)
        throw ApiError(Failure::Refused, cat({ctx.str(), ": limit must be at least 1"}));
    const std::string t = target(ctx.call, src, dst, cat({"limit=", std::to_string(limit)}));
    auto routes = parse_best_paths(get(ctx, t), config_.dest_function, ctx);
    if (routes.size() > limit)
        throw ApiError(Failure::BadAnswer,
                       cat({ctx.str(), ": answer field paths: ", std::to_string(routes.size()),
                            " paths, more than limit ", std::to_string(limit)}));
    return routes;
}

NextBest Client::next_best_path(const std::string& src, const std::string& dst,
                                unsigned same_hop_limit, unsigned plus_one_limit) {
    const Context ctx{config_.endpoint, "shortest_path/next-best-path", vertex(src), vertex(dst)};
    const std::string t =
        target(ctx.call, src, dst,
               cat({"same_hop_limit=", std::to_string(same_hop_limit),
                    "&plus_one_limit=", std::to_string(plus_one_limit)}));
    return parse_next_best(get(ctx, t), config_.dest_function, ctx);
}

void Client::check_pairs(std::span<const Pair> pairs, bool load) const {
    // Everything that can be checked before the first call is: a failure
    // half-way through a /load run leaves loads raised for nothing.
    std::set<Pair> seen;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const Pair& p = pairs[i];
        const std::string which = cat({"Jalapeno: pair ", std::to_string(i + 1), " (", p.src,
                                       " -> ", p.dst, ")"});
        if (!seen.insert(p).second)
            throw ApiError(Failure::Refused, cat({which, " is given twice; pairs must be distinct"}));
        if (p.src == p.dst)
            throw ApiError(Failure::Refused, cat({which, ": source and destination are the same"}));
        const std::pair<std::string, std::string> key{vertex(p.src), vertex(p.dst)};
        if (load && loaded_.contains(key))
            throw ApiError(Failure::Refused,
                           cat({which, ": this client already called shortest_path/load for it "
                                       "(Client::forget_loads() allows it for a new job)"}));
    }
}

namespace {

// Asks `one` for every pair in order; the first failure throws naming the
// pair, and nothing is returned.
template <typename T, typename F>
std::vector<T> all_pairs(std::span<const Pair> pairs, bool load, F&& one) {
    std::vector<T> out;
    out.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        try {
            out.push_back({pairs[i], one(pairs[i])});
        } catch (const ApiError& e) {
            std::string m = cat({"pair ", std::to_string(i + 1), " of ", std::to_string(pairs.size()),
                                 ": ", e.what(), "; no paths returned for any pair"});
            if (load && i > 0)
                m += cat({" (Jalapeno raised the load of the paths of the ", std::to_string(i),
                          " pairs answered before)"});
            throw ApiError(e.failure(), m, e.http_status());
        }
    }
    return out;
}

}  // namespace

std::vector<PairRoute> Client::paths_for(std::span<const Pair> pairs, Metric metric) {
    check_pairs(pairs, metric == Metric::Load);
    return all_pairs<PairRoute>(pairs, metric == Metric::Load,
                                [&](const Pair& p) { return shortest_path(p.src, p.dst, metric); });
}

std::vector<PairRoutes> Client::best_paths_for(std::span<const Pair> pairs, unsigned limit) {
    check_pairs(pairs, false);
    return all_pairs<PairRoutes>(pairs, false, [&](const Pair& p) {
        auto routes = best_paths(p.src, p.dst, limit);
        if (routes.empty())
            throw ApiError(Failure::NoPath,
                           cat({config_.endpoint, " shortest_path/best-paths ", vertex(p.src), " -> ",
                                vertex(p.dst), ": no paths in the answer"}));
        return routes;
    });
}

}  // namespace srv6steer::jalapeno

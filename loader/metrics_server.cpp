// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The Prometheus endpoint (loader/metrics_server.hpp) on cpp-httplib, and
// `srv6steer metrics`, which prints the same text once.
#include "metrics_server.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <iostream>
#include <thread>

#include <httplib.h>

#include "cli.hpp"
#include "metrics.hpp"
#include "text.hpp"  // libsrv6steer/text.hpp

namespace srv6steer::metrics {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

bool loopback(const std::string& host) {
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    in6_addr a6{};
    return inet_pton(AF_INET6, host.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

}  // namespace

Listen Listen::parse(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size())
        throw Error(text::cat({"metrics address '", text, "' has no port: write ADDR:PORT, e.g. 127.0.0.1:9469"}));
    Listen l;
    l.host = text.substr(0, colon);
    if (l.host.size() >= 2 && l.host.front() == '[' && l.host.back() == ']')
        l.host = l.host.substr(1, l.host.size() - 2);
    const std::string port = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), l.port);
    if (ec != std::errc() || end != port.data() + port.size() || l.port < 0 || l.port > 65535)
        throw Error(text::cat({"metrics port '", port, "' is not a number from 0 to 65535"}));
    if (!loopback(l.host))
        throw Error(text::cat({"metrics address '", l.host,
                               "' is not a loopback address (127.0.0.0/8 or ::1): the counters show which hosts "
                               "talk and how much, so they are served to this host only (put a proxy with "
                               "authentication in front to scrape from elsewhere)"}));
    return l;
}

std::string Listen::str() const {
    return host.find(':') != std::string::npos ? text::cat({"[", host, "]:", std::to_string(port)})
                                                : text::cat({host, ":", std::to_string(port)});
}

struct Server::Impl {
    httplib::Server http;
    std::thread thread;
    int port = 0;
};

Server::Server(const Listen& where, std::string bpffs) : impl_(std::make_unique<Impl>()) {
    auto& http = impl_->http;
    http.new_task_queue = [] { return new httplib::ThreadPool(2); };
    http.set_read_timeout(std::chrono::seconds(5));
    http.set_write_timeout(std::chrono::seconds(5));
    http.set_payload_max_length(4096);
    http.Get("/metrics", [bpffs](const httplib::Request&, httplib::Response& res) {
        try {
            res.set_content(render(read(bpffs)), kContentType);
        } catch (const std::exception& e) {
            res.status = 500;
            res.set_content(text::cat({"srv6steer could not read its state: ", e.what(), "\n"}), "text/plain");
        }
    });
    http.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("srv6steer: the metrics are at /metrics\n", "text/plain");
    });
    if (where.port == 0) {
        impl_->port = http.bind_to_any_port(where.host);
        if (impl_->port < 0)
            throw Error(text::cat({"cannot serve metrics on ", where.host, ": binding failed"}), errno);
    } else {
        if (!http.bind_to_port(where.host, where.port))
            throw Error(text::cat({"cannot serve metrics on ", where.str(),
                                   ": binding failed (is the port in use?)"}),
                        errno ? errno : EADDRINUSE);
        impl_->port = where.port;
    }
    impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
}

Server::~Server() {
    impl_->http.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

int Server::port() const { return impl_->port; }

}  // namespace srv6steer::metrics

namespace srv6steer::cli {

namespace {

int cmd_metrics(const Common& c) {
    std::cout << metrics::render(metrics::read(c.bpffs, c.dev));
    return kOk;
}

}  // namespace

Command metrics_command() {
    return command<Common>("metrics", "",
                           "every counter in the Prometheus text format (what agent --metrics serves)", kDev, {}, {},
                           cmd_metrics);
}

}  // namespace srv6steer::cli

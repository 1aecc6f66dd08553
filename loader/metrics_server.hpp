// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent --metrics ADDR:PORT`: the Prometheus endpoint. An HTTP
// server (cpp-httplib) on a loopback address, in a thread of its own that
// answers GET /metrics with a fresh snapshot (loader/metrics.hpp) read through
// its own handles on the state, so the agent's loop never waits for a scrape.
#pragma once

#include <memory>
#include <string>

namespace srv6steer::metrics {

// Where to listen: a loopback address (127.0.0.0/8 or ::1) and a port.
// The counters show who talks to whom and how much: the endpoint is for a
// scraper on the same host (or a proxy that adds authentication).
struct Listen {
    std::string host;  // "127.0.0.1", "::1"
    int port = 0;      // 1..65535
    static Listen parse(const std::string& text);  // "127.0.0.1:9469", "[::1]:9469"; Error if not loopback
    std::string str() const;
};

class Server {
public:
    // Binds at once (an error says why: in use, not loopback), then serves
    // in the background until destroyed. `bpffs`: where the state is.
    Server(const Listen& where, std::string bpffs);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    int port() const;  // the port bound (where.port, or the kernel's choice for 0)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace srv6steer::metrics

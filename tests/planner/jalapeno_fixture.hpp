// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A fake Jalapeno API on 127.0.0.1 (an ephemeral port) for the client's tests:
// it answers what a test tells it to, in Jalapeno's shapes (the answers are
// written in tests/planner/jalapeno_test.cpp), and records every request.
// Besides plain answers it can hold an answer back until the test releases
// it (the client's timeout fires first), cut a body short of its
// Content-Length, and stream a body without a length.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace srv6steer::testing_jalapeno {

struct Reply {
    enum class Mode {
        Normal,    // status + body
        Hold,      // waits until release() (bounded), then answers: the client times out
        Truncate,  // claims Content-Length claimed, sends body, closes
        Chunked,   // body without Content-Length, in chunks
    };
    int status = 200;
    std::string body;
    Mode mode = Mode::Normal;
    std::size_t claimed = 0;  // Truncate
    std::string type = "application/json";
};

class FakeJalapeno {
public:
    FakeJalapeno() {
        svr_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
            handle(req, res);
        });
        port_ = svr_.bind_to_any_port("127.0.0.1");
        if (port_ <= 0)
            throw std::runtime_error("fake Jalapeno: cannot bind 127.0.0.1");
        thread_ = std::thread([this] { svr_.listen_after_bind(); });
    }
    ~FakeJalapeno() {
        release();
        // stop() only works once the accept loop runs; the socket listens
        // from bind_to_any_port on, so this waits for the loop, not for time.
        while (!svr_.is_running())
            std::this_thread::yield();
        svr_.stop();
        thread_.join();
    }
    FakeJalapeno(const FakeJalapeno&) = delete;
    FakeJalapeno& operator=(const FakeJalapeno&) = delete;

    int port() const { return port_; }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1"; }

    // The reply to GET path?source=src&destination=dst (any other parameters).
    void on(const std::string& path, const std::string& src, const std::string& dst, Reply r) {
        std::lock_guard<std::mutex> l(mu_);
        replies_[{path, src, dst}] = std::move(r);
    }
    // Lets held answers go.
    void release() {
        std::lock_guard<std::mutex> l(mu_);
        released_ = true;
        cv_.notify_all();
    }
    // Request targets as received (path?query), in order.
    std::vector<std::string> targets() const {
        std::lock_guard<std::mutex> l(mu_);
        return targets_;
    }
    std::size_t count(const std::string& target) const {
        std::size_t n = 0;
        for (const auto& t : targets())
            n += t == target;
        return n;
    }

private:
    void handle(const httplib::Request& req, httplib::Response& res) {
        Reply r;
        {
            std::unique_lock<std::mutex> l(mu_);
            targets_.push_back(req.target);
            const auto it = replies_.find(
                {req.path, req.get_param_value("source"), req.get_param_value("destination")});
            if (it == replies_.end()) {
                res.status = 404;
                res.set_content(R"({"detail":"Not Found"})", "application/json");
                return;
            }
            r = it->second;
            if (r.mode == Reply::Mode::Hold)  // bounded: a broken test does not hang
                cv_.wait_for(l, std::chrono::seconds(20), [this] { return released_; });
        }
        res.status = r.status;
        switch (r.mode) {
        case Reply::Mode::Normal:
        case Reply::Mode::Hold:
            res.set_content(r.body, r.type.c_str());
            break;
        case Reply::Mode::Truncate:
            res.set_content_provider(r.claimed, r.type.c_str(),
                                     [body = r.body](size_t offset, size_t, httplib::DataSink& sink) {
                                         if (offset < body.size())
                                             sink.write(body.data() + offset, body.size() - offset);
                                         return offset < body.size();
                                     });
            break;
        case Reply::Mode::Chunked:
            res.set_chunked_content_provider(
                r.type.c_str(), [body = r.body](size_t offset, httplib::DataSink& sink) {
                    if (offset >= body.size()) {
                        sink.done();
                        return true;
                    }
                    sink.write(body.data() + offset, std::min<size_t>(1024, body.size() - offset));
                    return true;
                });
            break;
        }
    }

    httplib::Server svr_;
    int port_ = 0;
    std::thread thread_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool released_ = false;
    std::map<std::tuple<std::string, std::string, std::string>, Reply> replies_;
    std::vector<std::string> targets_;
};

}  // namespace srv6steer::testing_jalapeno

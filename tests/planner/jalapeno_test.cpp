// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The Jalapeno client (planner/jalapeno/) against a fake Jalapeno on loopback
// (jalapeno_fixture.hpp) answering the hand-written answers of
// jalapeno_answers.hpp: expected values are read off those answers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "jalapeno/client.hpp"
#include "jalapeno_answers.hpp"
#include "jalapeno_fixture.hpp"

namespace srv6steer::jalapeno {
namespace {

using testing_jalapeno::FakeJalapeno;
using testing_jalapeno::Reply;
using json = nlohmann::json;
namespace tj = testing_jalapeno;

const std::string kBase = "/api/v1/graphs/fabric_graph/";
const std::string kLoadPath = kBase + "shortest_path/load";
const std::string kLoadQ = "?source=hosts/h1&destination=hosts/h2&direction=outbound";

Config config(const FakeJalapeno& f) {
    Config c;
    c.endpoint = f.endpoint();
    c.collection = "fabric_graph";
    c.dest_function = 0xfe06;
    return c;
}

// The error a call throws; fails the test when it throws none.
ApiError error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const ApiError& e) {
        return e;
    }
    ADD_FAILURE() << "no ApiError thrown";
    return ApiError(Failure::Refused, "none");
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(JalapenoClient, LoadAnswerBecomesTypedValuesAndOnePath) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    Client c(config(f));
    const Route r = c.shortest_path_load("h1", "h2");

    EXPECT_EQ(f.targets(), std::vector<std::string>{kLoadPath + kLoadQ});
    ASSERT_EQ(r.path.segments.size(), 1u);
    EXPECT_EQ(r.path.segments[0], Ipv6::parse("fcbb:0:1004:1002:1006:fe06::"));
    EXPECT_EQ(r.path.mode, SrhMode::Reduced);
    EXPECT_EQ(r.usids, (std::vector<uint16_t>{0x1004, 0x1002, 0x1006, 0xfe06}));
    EXPECT_EQ(r.hopcount, 4u);
    ASSERT_EQ(r.hops.size(), 5u);
    EXPECT_EQ(r.hops[2].vertex.name, "spine2");
    EXPECT_FALSE(r.hops[0].edge.has_value());
    ASSERT_TRUE(r.hops[2].edge.has_value());
    EXPECT_EQ(r.hops[2].edge->key, "leaf00_spine2");
    EXPECT_EQ(r.hops[2].edge->load, 10.0);
    EXPECT_EQ(r.hops[2].edge->latency, 20.0);
    EXPECT_EQ(r.hops[2].edge->percent_util_out, 12.25);
    EXPECT_FALSE(r.hops[4].edge->percent_util_out.has_value());
    ASSERT_EQ(r.hops[1].vertex.sids.size(), 1u);
    EXPECT_EQ(r.hops[1].vertex.sids[0].srv6_sid, "fcbb:0:1004::");
    EXPECT_EQ(r.hops[1].vertex.sids[0].behavior->endpoint_behavior, 48u);
    EXPECT_EQ(r.source.ipv6_address, "fcbb:0:800:1::10");
    EXPECT_EQ(r.destination.route(), Prefix::parse("fcbb:0:800:2::/64"));
    EXPECT_EQ(r.destination.ipv4_address, "10.0.2.10");
    EXPECT_EQ(r.srv6.usid_block, "fcbb:0:");
    EXPECT_EQ(r.srv6.srv6_sid_list.size(), 3u);
    EXPECT_EQ(r.average_load, 5.0);
    ASSERT_TRUE(r.load_data.has_value());
    EXPECT_EQ(r.load_data->average_load, 15.0);
    EXPECT_EQ(r.load_data->total_load, 60.0);
    EXPECT_EQ(r.load_data->edge_count, 4u);
    EXPECT_EQ(r.load_data->edge_loads[1], (std::pair<std::string, double>{"leaf00_spine2", 20}));
}

TEST(JalapenoClient, NoDestFunctionLeavesJalapenosUsids) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    Config cfg = config(f);
    cfg.dest_function.reset();
    const Route r = Client(cfg).shortest_path_load("h1", "h2");
    EXPECT_EQ(r.path.segments, std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1002:1006::")});
}

TEST(JalapenoClient, EachCallAsksItsEndpointWithTheExactQuery) {
    FakeJalapeno f;
    json lat = json::parse(tj::kLoadH1H2), util = lat;
    lat["total_latency"] = 60;
    util["average_utilization"] = 5.6875;
    f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    f.on(kBase + "shortest_path/latency", "hosts/h1", "hosts/h2", {200, lat.dump()});
    f.on(kBase + "shortest_path/utilization", "hosts/h1", "hosts/h2", {200, util.dump()});
    f.on(kBase + "shortest_path/best-paths", "hosts/h1", "hosts/h2", {200, tj::kBestH1H2});
    f.on(kBase + "shortest_path/next-best-path", "hosts/h1", "hosts/h2", {200, tj::kNextBestH1H2});
    Client c(config(f));
    EXPECT_FALSE(c.shortest_path("h1", "h2").load_data.has_value());
    EXPECT_EQ(c.shortest_path("h1", "h2", Metric::Latency).total_latency, 60.0);
    EXPECT_EQ(c.shortest_path("h1", "h2", Metric::Utilization).average_utilization, 5.6875);
    c.best_paths("h1", "h2", 2);
    c.next_best_path("h1", "h2", 3, 5);
    EXPECT_EQ(f.targets(),
              (std::vector<std::string>{
                  kBase + "shortest_path" + kLoadQ,
                  kBase + "shortest_path/latency" + kLoadQ,
                  kBase + "shortest_path/utilization" + kLoadQ,
                  kBase + "shortest_path/best-paths" + kLoadQ + "&limit=2",
                  kBase + "shortest_path/next-best-path" + kLoadQ +
                      "&same_hop_limit=3&plus_one_limit=5",
              }));
}

TEST(JalapenoClient, BestPathsGivesEveryPathInOrder) {
    FakeJalapeno f;
    f.on(kBase + "shortest_path/best-paths", "hosts/h1", "hosts/h2", {200, tj::kBestH1H2});
    const auto routes = Client(config(f)).best_paths("h1", "h2", 2);
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[0].path.segments, std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1001:1006:fe06::")});
    EXPECT_EQ(routes[1].path.segments, std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1002:1006:fe06::")});
    EXPECT_EQ(routes[0].destination.route(), Prefix::parse("fcbb:0:800:2::/64"));
    EXPECT_EQ(routes[1].hops[2].vertex.name, "spine2");
    EXPECT_FALSE(routes[1].hops[2].edge.has_value());
}

TEST(JalapenoClient, BestPathsMoreThanTheLimitIsABadAnswer) {
    FakeJalapeno f;
    f.on(kBase + "shortest_path/best-paths", "hosts/h1", "hosts/h2", {200, tj::kBestH1H2});
    EXPECT_EQ(error_of([&] { Client(config(f)).best_paths("h1", "h2", 1); }).failure(),
              Failure::BadAnswer);
}

TEST(JalapenoClient, NextBestPath) {
    FakeJalapeno f;
    f.on(kBase + "shortest_path/next-best-path", "hosts/h1", "hosts/h2", {200, tj::kNextBestH1H2});
    f.on(kBase + "shortest_path/next-best-path", "hosts/h1", "hosts/h9", {200, tj::kNextBestNone});
    Client c(config(f));
    const NextBest nb = c.next_best_path("h1", "h2");
    EXPECT_EQ(nb.shortest.path.segments, std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1001:1006:fe06::")});
    EXPECT_EQ(nb.shortest.destination.route(), Prefix::parse("fcbb:0:800:2::/64"));
    ASSERT_EQ(nb.same_hopcount.size(), 1u);
    EXPECT_EQ(nb.same_hopcount[0].path.segments,
              std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1002:1006:fe06::")});
    EXPECT_TRUE(nb.plus_one_hopcount.empty());
    // No path: Jalapeno says found: true with an empty path.
    const auto e = error_of([&] { c.next_best_path("h1", "h9"); });
    EXPECT_EQ(e.failure(), Failure::NoPath);
    EXPECT_TRUE(has(e.what(), "shortest_path.path: is empty")) << e.what();
}

TEST(JalapenoClient, LoadIsAskedOncePerPairAndNeverAgain) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    Client c(config(f));
    const std::vector<Pair> pairs{{"h1", "h2"}};
    const auto plan = c.paths_for(pairs);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].route.path.segments[0], Ipv6::parse("fcbb:0:1004:1002:1006:fe06::"));
    const auto e = error_of([&] { c.shortest_path_load("h1", "h2"); });
    EXPECT_EQ(e.failure(), Failure::Refused);
    EXPECT_TRUE(has(e.what(), "already called shortest_path/load")) << e.what();
    EXPECT_EQ(error_of([&] { c.paths_for(pairs); }).failure(), Failure::Refused);
    EXPECT_EQ(f.count(kLoadPath + kLoadQ), 1u);
    c.forget_loads();
    c.shortest_path_load("h1", "h2");
    EXPECT_EQ(f.count(kLoadPath + kLoadQ), 2u);
}

TEST(JalapenoClient, LoadIsNotRetriedAfterATimeout) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2, Reply::Mode::Hold});
    Config cfg = config(f);
    cfg.read_timeout = std::chrono::milliseconds(200);
    Client c(cfg);
    const auto e = error_of([&] { c.shortest_path_load("h1", "h2"); });
    f.release();
    EXPECT_EQ(e.failure(), Failure::Timeout);
    EXPECT_TRUE(has(e.what(), "no answer within the read timeout of 200 ms")) << e.what();
    EXPECT_TRUE(has(e.what(), "not retried")) << e.what();
    EXPECT_TRUE(has(e.what(), f.endpoint() + " shortest_path/load hosts/h1 -> hosts/h2")) << e.what();
    EXPECT_EQ(error_of([&] { c.shortest_path_load("h1", "h2"); }).failure(), Failure::Refused);
    EXPECT_EQ(f.count(kLoadPath + kLoadQ), 1u);
}

TEST(JalapenoClient, ConnectionRefusedNamesTheServerAndSentNothing) {
    int port = 0;
    {
        FakeJalapeno gone;
        port = gone.port();
    }
    Config cfg;
    cfg.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/api/v1";
    cfg.collection = "fabric_graph";
    Client c(cfg);
    const auto e = error_of([&] { c.shortest_path_load("h1", "h2"); });
    EXPECT_EQ(e.failure(), Failure::Connect);
    EXPECT_TRUE(has(e.what(), "could not connect to 127.0.0.1:" + std::to_string(port))) << e.what();
    EXPECT_TRUE(has(e.what(), "nothing was sent")) << e.what();
    EXPECT_TRUE(has(e.what(), "hosts/h1 -> hosts/h2")) << e.what();
}

struct HttpCase {
    int status;
    std::string body;
    std::string type;
    std::string says;
};

TEST(JalapenoClient, HttpErrorsSayTheStatusAndTheDetail) {
    const std::vector<HttpCase> cases{
        {500, R"({"detail":"Could not connect to database: refused"})", "application/json",
         "HTTP 500: Could not connect to database: refused"},
        {500, R"({"detail":"404: Collection fabric_graph not found"})", "application/json",
         "HTTP 500: 404: Collection fabric_graph not found"},
        {422, R"({"detail":[{"loc":["query","limit"],"msg":"value is not a valid integer","type":"type_error.integer"}]})",
         "application/json", "HTTP 422: value is not a valid integer at [\"query\",\"limit\"]"},
        {502, "<html><body>Bad Gateway</body></html>", "text/html",
         "HTTP 502: not Jalapeno's {\"detail\": ...} but \"<html><body>Bad Gateway</body></html>\""},
        {500, "Internal Server Error", "text/plain", "HTTP 500: not Jalapeno's"},
    };
    for (const auto& k : cases) {
        FakeJalapeno f;
        f.on(kLoadPath, "hosts/h1", "hosts/h2", {k.status, k.body, Reply::Mode::Normal, 0, k.type});
        const auto e = error_of([&] { Client(config(f)).shortest_path_load("h1", "h2"); });
        EXPECT_EQ(e.failure(), Failure::Http);
        EXPECT_EQ(e.http_status(), k.status);
        EXPECT_TRUE(has(e.what(), k.says)) << e.what();
        EXPECT_TRUE(has(e.what(), "hosts/h1 -> hosts/h2")) << e.what();
    }
    FakeJalapeno f;  // nothing configured: FastAPI's 404
    const auto e = error_of([&] { Client(config(f)).shortest_path("h1", "h2"); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_TRUE(has(e.what(), "HTTP 404: Not Found")) << e.what();
}

TEST(JalapenoClient, FoundFalseIsNoPathWithJalapenosMessage) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h9", {200, tj::kNoPath});
    const auto e = error_of([&] { Client(config(f)).shortest_path_load("h1", "h9"); });
    EXPECT_EQ(e.failure(), Failure::NoPath);
    EXPECT_TRUE(has(e.what(), "no path (found: false): No path found between specified nodes"))
        << e.what();
}

TEST(JalapenoClient, GarbageTruncatedAndHugeBodies) {
    struct Case {
        Reply reply;
        Failure failure;
        std::string says;
    };
    const std::string lab = tj::kLoadH1H2;
    const std::vector<Case> cases{
        {{200, R"({"found": true, "path": [)"}, Failure::BadAnswer, "is not JSON"},
        {{200, "<html>hello</html>", Reply::Mode::Normal, 0, "text/html"}, Failure::BadAnswer,
         "is not JSON"},
        {{200, ""}, Failure::BadAnswer, "is not JSON"},
        {{200, "[1, 2]"}, Failure::BadAnswer, "expected a JSON object, got an array"},
        {{200, R"({"found": "yes"})"}, Failure::BadAnswer, "field found: expected true or false"},
        {{200, lab.substr(0, 300), Reply::Mode::Truncate, lab.size()}, Failure::Transport,
         "truncated"},
        {{200, std::string(5000, ' ') + lab}, Failure::TooLarge, "larger than 4096 bytes"},
        {{200, std::string(5000, ' ') + lab, Reply::Mode::Chunked}, Failure::TooLarge,
         "larger than 4096 bytes"},
    };
    for (const auto& k : cases) {
        FakeJalapeno f;
        f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2", k.reply);
        Config cfg = config(f);
        cfg.max_body = 4096;
        const auto e = error_of([&] { Client(cfg).shortest_path("h1", "h2"); });
        EXPECT_EQ(e.failure(), k.failure) << failure_name(e.failure()) << ": " << e.what();
        EXPECT_TRUE(has(e.what(), k.says)) << e.what();
        EXPECT_TRUE(has(e.what(), f.endpoint() + " shortest_path hosts/h1 -> hosts/h2")) << e.what();
    }
}

TEST(JalapenoClient, WrongShapesNameTheField) {
    struct Case {
        std::function<void(json&)> change;
        Failure failure;
        std::string says;
    };
    const std::vector<Case> cases{
        {[](json& j) { j.erase("path"); }, Failure::BadAnswer, "field path: is missing"},
        {[](json& j) { j["hopcount"] = "4"; }, Failure::BadAnswer,
         "field hopcount: expected a whole number"},
        {[](json& j) { j["hopcount"] = 3; }, Failure::BadAnswer, "is 3 but path has 5 vertices"},
        {[](json& j) { j["path"][1]["vertex"]["sids"][0]["srv6_sid"] = 5; }, Failure::BadAnswer,
         "field path[1].vertex.sids[0].srv6_sid: expected a string, got a number"},
        {[](json& j) { j["path"][2]["edge"]["load"] = "high"; }, Failure::BadAnswer,
         "field path[2].edge.load: expected a number, got a string"},
        {[](json& j) { j["path"][0]["vertex"]["_id"] = "hosts/h3"; }, Failure::BadAnswer,
         "starts at \"hosts/h3\", not at the source \"hosts/h1\""},
        {[](json& j) { j["destination_info"]["prefix"] = "nope"; }, Failure::BadAnswer,
         "field destination_info.prefix"},
        {[](json& j) { j["srv6_data"]["srv6_usid"] = "banana"; }, Failure::BadAnswer,
         "does not start with usid_block"},
        {[](json& j) { j["srv6_data"]["srv6_usid"] = "fcbb:0:1004:zz:1006::"; }, Failure::BadAnswer,
         "uSID \"zz\" (number 2) is not 1 to 4 hex digits"},
        {[](json& j) { j["srv6_data"]["srv6_usid"] = "fcbb:0:1004:1002:1006"; }, Failure::BadAnswer,
         "does not end with \"::\""},
        {[](json& j) { j["srv6_data"]["srv6_usid"] = "fcbb:0:::"; }, Failure::BadAnswer, "has no uSIDs"},
        {[](json& j) { j["srv6_data"] = {{"error", "list index out of range"}, {"srv6_usid", ""}}; },
         Failure::BadAnswer, "Jalapeno could not make the path's SIDs: list index out of range"},
        {[](json& j) { j["srv6_data"]["srv6_sid_list"].push_back("fd00:9:1007::"); },
         Failure::BadAnswer, "srv6_usid has 3 uSIDs but srv6_sid_list 4 SIDs"},
        {[](json& j) { j["srv6_data"]["srv6_sid_list"][1] = "fcbb:0:1001::"; }, Failure::BadAnswer,
         "srv6_sid_list[1]: \"fcbb:0:1001::\" is not the node of uSID number 2"},
        {[](json& j) { j["srv6_data"]["usid_block"] = "fcbb"; }, Failure::BadAnswer,
         "usid_block \"fcbb\" is not a block"},
        {[](json& j) { j["load_data"] = {{"error", "edge gone"}, {"updated_edges", {"h1_leaf00"}}}; },
         Failure::BadAnswer, "could not raise the load of the path's links: edge gone; links "
                             "raised before that: [\"h1_leaf00\"]"},
        {[](json& j) { j.erase("load_data"); }, Failure::BadAnswer, "field load_data: is missing"},
    };
    for (const auto& k : cases) {
        json j = json::parse(tj::kLoadH1H2);
        k.change(j);
        FakeJalapeno f;
        f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, j.dump()});
        const auto e = error_of([&] { Client(config(f)).shortest_path_load("h1", "h2"); });
        EXPECT_EQ(e.failure(), k.failure) << e.what();
        EXPECT_TRUE(has(e.what(), k.says)) << e.what();
        EXPECT_TRUE(has(e.what(), "shortest_path/load hosts/h1 -> hosts/h2")) << e.what();
        EXPECT_TRUE(has(e.what(), "not retried")) << e.what();  // the load may be applied
    }
}

// A path of n uSIDs: h1, nodes 1..n with SIDs fcbb:0:<i>::, h2.
std::string long_answer(unsigned n) {
    json j = json::parse(tj::kLoadH1H2);
    json path = json::array({j["path"][0]});
    json sids = json::array();
    std::string usid = "fcbb:0:";
    for (unsigned i = 1; i <= n; ++i) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%x", i);
        const std::string sid = std::string("fcbb:0:") + hex + "::";
        path.push_back({{"vertex", {{"_id", "igp_node/n" + std::to_string(i)}, {"_key", "n"},
                                    {"sids", {{{"srv6_sid", sid}}}}}},
                        {"edge", nullptr}});
        sids.push_back(sid);
        usid += std::string(i > 1 ? ":" : "") + hex;
    }
    path.push_back(j["path"][4]);
    j["path"] = path;
    j["hopcount"] = n + 1;
    j["srv6_data"]["srv6_sid_list"] = sids;
    j["srv6_data"]["srv6_usid"] = usid + "::";
    return j.dump();
}

TEST(JalapenoClient, LongPathsTakeSeveralContainersOrAClearError) {
    FakeJalapeno f;
    f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2", {200, long_answer(9)});
    f.on(kBase + "shortest_path/latency", "hosts/h1", "hosts/h2", {200, long_answer(60)});
    Client c(config(f));
    // 9 uSIDs + fe06: 6 in the first container, 4 in the second.
    const Route r = c.shortest_path("h1", "h2");
    EXPECT_EQ(r.path.segments, (std::vector<Ipv6>{Ipv6::parse("fcbb:0:1:2:3:4:5:6"),
                                                  Ipv6::parse("fcbb:0:7:8:9:fe06::")}));
    // 61 uSIDs need 11 containers; a path has at most 9.
    const auto e = error_of([&] { c.shortest_path("h1", "h2", Metric::Latency); });
    EXPECT_EQ(e.failure(), Failure::Encoding);
    EXPECT_TRUE(has(e.what(), "cannot be encoded: 61 uSIDs need 11 containers")) << e.what();
}

TEST(JalapenoClient, PathsForIsAllOrNothing) {
    FakeJalapeno f;
    f.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    f.on(kLoadPath, "hosts/h1", "hosts/h9", {200, tj::kNoPath});
    Client c(config(f));
    const std::vector<Pair> pairs{{"h1", "h2"}, {"h1", "h9"}, {"h1", "h3"}};
    const auto e = error_of([&] { c.paths_for(pairs); });
    EXPECT_EQ(e.failure(), Failure::NoPath);
    EXPECT_TRUE(has(e.what(), "pair 2 of 3: ")) << e.what();
    EXPECT_TRUE(has(e.what(), "no paths returned for any pair")) << e.what();
    EXPECT_TRUE(has(e.what(), "raised the load of the paths of the 1 pairs answered before"))
        << e.what();
    // Stopped at the failure: h1 -> h3 was never asked.
    EXPECT_EQ(f.targets(), (std::vector<std::string>{
                               kLoadPath + kLoadQ,
                               kLoadPath + "?source=hosts/h1&destination=hosts/h9&direction=outbound"}));
}

TEST(JalapenoClient, PathsForChecksEveryPairBeforeAsking) {
    FakeJalapeno f;
    Client c(config(f));
    const std::vector<Pair> twice{{"h1", "h2"}, {"h3", "h4"}, {"h1", "h2"}};
    EXPECT_TRUE(has(error_of([&] { c.paths_for(twice); }).what(), "pair 3 (h1 -> h2) is given twice"));
    const std::vector<Pair> bad{{"h1", "h2"}, {"h1", "x' OR 1==1"}};
    EXPECT_TRUE(has(error_of([&] { c.paths_for(bad); }).what(), "host name \"x' OR 1==1\""));
    EXPECT_TRUE(f.targets().empty());
}

// A server on 127.0.0.1 that answers one request with `head`, then sends
// `drip` every 100 ms (server behaviour, not synchronisation) until the
// client goes or 30 s pass; for what cpp-httplib's server cannot send.
class RawServer {
public:
    RawServer(std::string head, std::string drip) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("raw server: cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this, head = std::move(head), drip = std::move(drip)] {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0)
                return;
            std::string req;
            char buf[4096];
            while (req.find("\r\n\r\n") == std::string::npos) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                req.append(buf, static_cast<size_t>(n));
            }
            bool ok = ::send(c, head.data(), head.size(), MSG_NOSIGNAL) >= 0;
            std::unique_lock<std::mutex> l(mu_);
            for (int i = 0; ok && !drip.empty() && i < 300 && !stop_; i++) {
                cv_.wait_for(l, std::chrono::milliseconds(100), [this] { return stop_; });
                ok = ::send(c, drip.data(), drip.size(), MSG_NOSIGNAL) >= 0;
            }
            ::close(c);
        });
    }
    ~RawServer() {
        {
            std::lock_guard<std::mutex> l(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        ::shutdown(fd_, SHUT_RDWR);  // an accept() still waiting returns
        thread_.join();
        ::close(fd_);
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1"; }

private:
    int fd_ = -1, port_ = 0;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

Config raw_config(const RawServer& s) {
    Config c;
    c.endpoint = s.endpoint();
    c.collection = "fabric_graph";
    return c;
}

// cpp-httplib reads the status line and headers with the read timeout only:
// the total timeout still ends a server that sends them a byte at a time.
TEST(JalapenoClient, TotalTimeoutCoversSlowHeaders) {
    for (const char* head : {"HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        RawServer s(head, "0");
        Config cfg = raw_config(s);
        cfg.read_timeout = std::chrono::milliseconds(5000);
        cfg.total_timeout = std::chrono::milliseconds(400);
        const auto e = error_of([&] { Client(cfg).shortest_path("h1", "h2"); });
        EXPECT_EQ(e.failure(), Failure::Timeout) << failure_name(e.failure()) << ": " << e.what();
        EXPECT_TRUE(has(e.what(), "longer than 400 ms (total timeout)")) << e.what();
    }
}

TEST(JalapenoClient, ContentLengthThatIsNoSize) {
    const std::vector<std::pair<std::string, Failure>> cases{
        {"99999999999999999999999", Failure::TooLarge},
        {"-5", Failure::BadAnswer},
        {"12abc", Failure::BadAnswer},
    };
    for (const auto& [len, failure] : cases) {
        RawServer s("HTTP/1.1 200 OK\r\nContent-Length: " + len + "\r\n\r\n{\"found\": false}", "");
        const auto e = error_of([&] { Client(raw_config(s)).shortest_path("h1", "h2"); });
        EXPECT_EQ(e.failure(), failure) << len << ": " << failure_name(e.failure()) << ": " << e.what();
    }
}

// Nesting past 64 levels is refused before anything recurses on it.
TEST(JalapenoClient, DeeplyNestedAnswersAreRefused) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    {
        FakeJalapeno f;
        f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2", {500, R"({"detail": )" + deep + "}"});
        const auto e = error_of([&] { Client(config(f)).shortest_path("h1", "h2"); });
        EXPECT_EQ(e.failure(), Failure::Http) << e.what();
        EXPECT_TRUE(has(e.what(), "HTTP 500: not Jalapeno's {\"detail\": ...} but JSON nested deeper than 64"))
            << std::string(e.what()).substr(0, 400);
        EXPECT_LT(std::string(e.what()).size(), 1000u);
    }
    {
        FakeJalapeno f;
        f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2",
             {200, R"({"found": true, "path": [], "srv6_data": {"error": )" + deep + "}}"});
        Config cfg = config(f);
        const auto e = error_of([&] { Client(cfg).shortest_path("h1", "h2"); });
        EXPECT_EQ(e.failure(), Failure::BadAnswer) << e.what();
        EXPECT_TRUE(has(e.what(), "nested deeper than 64")) << std::string(e.what()).substr(0, 400);
    }
    {
        // 10 levels parse; the message shows them short.
        FakeJalapeno f;
        f.on(kBase + "shortest_path", "hosts/h1", "hosts/h2",
             {500, R"({"detail": )" + std::string(10, '[') + std::string(10, ']') + "}"});
        const auto e = error_of([&] { Client(config(f)).shortest_path("h1", "h2"); });
        EXPECT_TRUE(has(e.what(), "HTTP 500: [[[[[...]]]]]")) << e.what();
    }
}

TEST(JalapenoConfig, DestFunctionPerFamily) {
    const auto d = parse_dest_function("ipv6=fe16, ipv4=fe14", "DEST_FUNCTION");
    EXPECT_EQ(d, uint16_t{0xfe16});
    EXPECT_EQ(d.ipv4, uint16_t{0xfe14});
    const auto one = parse_dest_function("fe06", "DEST_FUNCTION");
    EXPECT_EQ(one, uint16_t{0xfe06});
    EXPECT_FALSE(one.ipv4.has_value());
    for (const char* bad : {"ipv4=fe04", "ipv5=fe06", "fe06,fe07x", ","})
        EXPECT_THROW(parse_dest_function(bad, "DEST_FUNCTION"), Error) << bad;
}

TEST(JalapenoConfig, FromEnvLikeTheSeedPlugin) {
    ::unsetenv("JALAPENO_API_ENDPOINT");
    ::unsetenv("TOPOLOGY_COLLECTION");
    ::unsetenv("DEST_FUNCTION");
    EXPECT_THROW(
        try { Config::from_env(); } catch (const Error& e) {
            EXPECT_TRUE(has(e.what(), "JALAPENO_API_ENDPOINT is not set")) << e.what();
            throw;
        },
        Error);
    ::setenv("JALAPENO_API_ENDPOINT", "http://198.18.128.101:30800/api/v1", 1);
    Config c = Config::from_env();
    EXPECT_EQ(c.collection, "network_topology");
    EXPECT_FALSE(c.dest_function.has_value());
    ::setenv("TOPOLOGY_COLLECTION", "fabric_graph", 1);
    ::setenv("DEST_FUNCTION", "fe06", 1);
    c = Config::from_env();
    EXPECT_EQ(c.endpoint, "http://198.18.128.101:30800/api/v1");
    EXPECT_EQ(c.collection, "fabric_graph");
    EXPECT_EQ(c.dest_function, uint16_t{0xfe06});
    ::setenv("DEST_FUNCTION", "fe06x", 1);
    EXPECT_THROW(
        try { Config::from_env(); } catch (const Error& e) {
            EXPECT_TRUE(has(e.what(), "DEST_FUNCTION=fe06x")) << e.what();
            throw;
        },
        Error);
    ::unsetenv("JALAPENO_API_ENDPOINT");
    ::unsetenv("TOPOLOGY_COLLECTION");
    ::unsetenv("DEST_FUNCTION");
}

TEST(JalapenoConfig, EndpointsThatCannotWork) {
    Config c;
    c.collection = "fabric_graph";
    for (const char* ep : {"https://h:30800/api/v1", "h:30800", "http://", "http://h:0/x",
                           "http://h:99999/", "http://h:80/a?b", "http://[::1/x", "http://user@127.0.0.1:30800/x"}) {
        c.endpoint = ep;
        EXPECT_THROW(Client{c}, Error) << ep;
    }
    c.endpoint = "http://h:30800/api/v1";
    c.collection = "fabric graph";
    EXPECT_THROW(Client{c}, Error);
    c.collection = "fabric_graph";
    c.direction = "sideways";
    EXPECT_THROW(Client{c}, Error);
    c.direction = "outbound";
    c.algo = 129;
    EXPECT_EQ(Client(c).target("shortest_path", "h1", "h2"),
              "/api/v1/graphs/fabric_graph/shortest_path?source=hosts/h1&destination=hosts/h2"
              "&direction=outbound&algo=129");
}

}  // namespace
}  // namespace srv6steer::jalapeno

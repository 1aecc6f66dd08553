// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Jalapeno's answers (a 200 body) into typed values, all or nothing.
// Shapes: the routes /graphs/{collection}/shortest_path[/load|/latency|
// /utilization], /best-paths and /next-best-path of Jalapeno's API
// (docs/jalapeno.md lists them field by field).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "jalapeno/client.hpp"
#include "json_text.hpp"
#include "text.hpp"

namespace srv6steer::jalapeno {
namespace {

using json = nlohmann::json;
using text::cat;
using text::quote;

std::string type_of(const json& j) {
    if (j.is_number_float())
        return "a fractional number";
    if (j.is_number())
        return "a number";
    if (j.is_null())
        return "null";
    std::string s = "a";
    const std::string t = j.type_name();
    if (t == "array" || t == "object")
        s += "n";
    s += " ";
    s += t;
    return s;
}

// Reads one answer; every problem names ctx and the field.
struct Reader {
    const Context& ctx;

    [[noreturn]] void fail(const std::string& where, const std::string& why,
                           Failure f = Failure::BadAnswer) const {
        std::string m = ctx.str();
        m += ": answer ";
        if (!where.empty()) {
            m += "field ";
            m += where;
            m += ": ";
        }
        m += why;
        throw ApiError(f, m);
    }
    [[noreturn]] void wrong(const std::string& where, const char* expected, const json& j) const {
        std::string why = "expected ";
        why += expected;
        why += ", got ";
        why += type_of(j);
        fail(where, why);
    }

    static std::string at(const std::string& where, const std::string& key) {
        return where.empty() ? key : cat({where, ".", key});
    }
    static std::string at(const std::string& where, std::size_t i) {
        std::string s = where;
        s += "[";
        s += std::to_string(i);
        s += "]";
        return s;
    }

    // nullptr when absent or null.
    const json* opt(const json& obj, const char* key) const {
        const auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? nullptr : &*it;
    }
    const json& req(const json& obj, const char* key, const std::string& where) const {
        if (const json* j = opt(obj, key))
            return *j;
        fail(at(where, key), obj.contains(key) ? "is null" : "is missing");
    }
    const json& object(const json& obj, const char* key, const std::string& where) const {
        const json& j = req(obj, key, where);
        if (!j.is_object())
            wrong(at(where, key), "an object", j);
        return j;
    }
    const json& array(const json& obj, const char* key, const std::string& where) const {
        const json& j = req(obj, key, where);
        if (!j.is_array())
            wrong(at(where, key), "an array", j);
        return j;
    }
    std::string string(const json& j, const std::string& where) const {
        if (!j.is_string())
            wrong(where, "a string", j);
        return j.get<std::string>();
    }
    std::string string(const json& obj, const char* key, const std::string& where) const {
        return string(req(obj, key, where), at(where, key));
    }
    uint32_t uint(const json& j, const std::string& where) const {
        if (!j.is_number_integer() || j.get<int64_t>() < 0 || j.get<int64_t>() > UINT32_MAX)
            wrong(where, "a whole number from 0 to 4294967295", j);
        return static_cast<uint32_t>(j.get<int64_t>());
    }
    uint32_t req_uint(const json& obj, const char* key, const std::string& where) const {
        return uint(req(obj, key, where), at(where, key));
    }
    double number(const json& j, const std::string& where) const {
        if (!j.is_number())
            wrong(where, "a number", j);
        return j.get<double>();
    }
    // An optional field read by one of the above: nullopt when absent or null.
    template <typename T>
    std::optional<T> optional(const json& obj, const char* key, const std::string& where,
                              T (Reader::*read)(const json&, const std::string&) const) const {
        const json* j = opt(obj, key);
        if (!j)
            return std::nullopt;
        return (this->*read)(*j, at(where, key));
    }
    std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& where) const {
        return optional<std::string>(obj, key, where, &Reader::string);
    }
    std::optional<uint32_t> opt_uint(const json& obj, const char* key, const std::string& where) const {
        return optional<uint32_t>(obj, key, where, &Reader::uint);
    }
    std::optional<double> opt_number(const json& obj, const char* key, const std::string& where) const {
        return optional<double>(obj, key, where, &Reader::number);
    }
    bool boolean(const json& obj, const char* key, const std::string& where) const {
        const json& j = req(obj, key, where);
        if (!j.is_boolean())
            wrong(at(where, key), "true or false", j);
        return j.get<bool>();
    }

    Vertex vertex(const json& j, const std::string& where) const {
        if (!j.is_object())
            wrong(where, "an object", j);
        Vertex v;
        v.id = string(j, "_id", where);
        v.key = string(j, "_key", where);
        v.name = opt_string(j, "name", where);
        v.router_id = opt_string(j, "router_id", where);
        v.prefix = opt_string(j, "prefix", where);
        v.prefix_len = opt_uint(j, "prefix_len", where);
        v.ipv4_address = opt_string(j, "ipv4_address", where);
        v.ipv6_address = opt_string(j, "ipv6_address", where);
        if (const json* sids = opt(j, "sids")) {
            const std::string w = at(where, "sids");
            if (!sids->is_array())
                wrong(w, "an array", *sids);
            for (std::size_t i = 0; i < sids->size(); ++i) {
                const json& s = (*sids)[i];
                const std::string ws = at(w, i);
                if (!s.is_object())
                    wrong(ws, "an object", s);
                Sid sid{string(s, "srv6_sid", ws), std::nullopt};
                if (const json* b = opt(s, "srv6_endpoint_behavior")) {
                    const std::string wb = at(ws, "srv6_endpoint_behavior");
                    if (!b->is_object())
                        wrong(wb, "an object", *b);
                    sid.behavior = EndpointBehavior{opt_uint(*b, "endpoint_behavior", wb),
                                                    opt_uint(*b, "flag", wb),
                                                    opt_uint(*b, "algo", wb)};
                }
                v.sids.push_back(std::move(sid));
            }
        }
        if (v.prefix && v.prefix_len) {
            try {
                (void)v.route();
            } catch (const Error& e) {
                fail(at(where, "prefix"), e.what());
            }
        }
        return v;
    }

    Edge edge(const json& j, const std::string& where) const {
        if (!j.is_object())
            wrong(where, "an object or null", j);
        Edge e;
        e.id = string(j, "_id", where);
        e.key = string(j, "_key", where);
        e.from = opt_string(j, "_from", where);
        e.to = opt_string(j, "_to", where);
        e.load = opt_number(j, "load", where);
        e.latency = opt_number(j, "latency", where);
        e.percent_util_out = opt_number(j, "percent_util_out", where);
        return e;
    }

    std::vector<Hop> hops(const json& obj, const std::string& where) const {
        const json& path = array(obj, "path", where);
        const std::string w = at(where, "path");
        if (path.empty())
            fail(w, "is empty (found: true, but no path)", Failure::NoPath);
        std::vector<Hop> out;
        for (std::size_t i = 0; i < path.size(); ++i) {
            const std::string wi = at(w, i);
            if (!path[i].is_object())
                wrong(wi, "an object", path[i]);
            Hop h{vertex(req(path[i], "vertex", wi), at(wi, "vertex")), std::nullopt};
            if (const json* e = opt(path[i], "edge"))
                h.edge = edge(*e, at(wi, "edge"));
            out.push_back(std::move(h));
        }
        if (out.front().vertex.id != ctx.src)
            fail(w, cat({"starts at ", quote(out.front().vertex.id), ", not at the source ",
                         quote(ctx.src)}));
        if (out.back().vertex.id != ctx.dst)
            fail(w, cat({"ends at ", quote(out.back().vertex.id), ", not at the destination ",
                         quote(ctx.dst)}));
        return out;
    }

    Srv6Data srv6(const json& obj, const std::string& where) const {
        const json& j = object(obj, "srv6_data", where);
        const std::string w = at(where, "srv6_data");
        if (const json* err = opt(j, "error"))
            fail(w, cat({"Jalapeno could not make the path's SIDs: ",
                         err->is_string() ? err->get<std::string>() : planner::jsontext::shown(*err)}));
        Srv6Data d;
        const json& list = array(j, "srv6_sid_list", w);
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string())
                wrong(at(at(w, "srv6_sid_list"), i), "a string", list[i]);
            d.srv6_sid_list.push_back(list[i].get<std::string>());
        }
        d.srv6_usid = string(j, "srv6_usid", w);
        d.usid_block = string(j, "usid_block", w);
        d.algo = opt_uint(j, "algo", w).value_or(0);
        return d;
    }

    // hops, hopcount, srv6_data (and source_info/destination_info when
    // with_info) of one path object, with the uSIDs and the Path.
    Route route(const json& obj, const std::string& where, bool with_info,
                std::optional<uint16_t> dest_function) const {
        if (!obj.is_object())
            wrong(where, "an object", obj);
        Route r;
        r.hops = hops(obj, where);
        r.hopcount = req_uint(obj, "hopcount", where);
        if (r.hopcount + 1 != r.hops.size())
            fail(at(where, "hopcount"), cat({"is ", std::to_string(r.hopcount), " but path has ",
                                             std::to_string(r.hops.size()), " vertices"}));
        if (with_info) {
            r.source = vertex(req(obj, "source_info", where), at(where, "source_info"));
            r.destination =
                vertex(req(obj, "destination_info", where), at(where, "destination_info"));
            if (r.source.id != ctx.src)
                fail(at(where, "source_info._id"),
                     cat({"is ", quote(r.source.id), ", not ", quote(ctx.src)}));
            if (r.destination.id != ctx.dst)
                fail(at(where, "destination_info._id"),
                     cat({"is ", quote(r.destination.id), ", not ", quote(ctx.dst)}));
        } else {
            r.source = r.hops.front().vertex;
            r.destination = r.hops.back().vertex;
        }
        r.srv6 = srv6(obj, where);
        const std::string w = at(where, "srv6_data");

        Block block;
        try {
            r.usids = usids_of(r.srv6.srv6_usid, r.srv6.usid_block, &block);
        } catch (const ApiError&) {
            throw;
        } catch (const Error& e) {
            fail(w, e.what());
        }
        // Jalapeno leaves out SIDs that are not in the block; a node would be
        // missing from the path.
        const auto& list = r.srv6.srv6_sid_list;
        if (list.size() != r.usids.size())
            fail(w, cat({"srv6_usid has ", std::to_string(r.usids.size()),
                         " uSIDs but srv6_sid_list ", std::to_string(list.size()),
                         " SIDs (Jalapeno drops SIDs outside usid_block, which leaves nodes out "
                         "of the path)"}));
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string sid = list[i];
            bool same = false;
            if (sid.starts_with(r.srv6.usid_block)) {
                const std::string rest = sid.substr(r.srv6.usid_block.size());
                try {
                    same = usids_of(cat({r.srv6.usid_block, rest.substr(0, rest.find(':')), "::"}),
                                    r.srv6.usid_block) == std::vector<uint16_t>{r.usids[i]};
                } catch (const Error&) {
                }
            }
            if (!same)
                fail(at(at(w, "srv6_sid_list"), i),
                     cat({quote(sid), " is not the node of uSID number ", std::to_string(i + 1),
                          " of srv6_usid ", quote(r.srv6.srv6_usid)}));
        }
        if (dest_function)
            r.usids.push_back(*dest_function);
        try {
            r.path = path_of(block, r.usids);
        } catch (const Error& e) {
            std::string why = "the path's uSIDs cannot be encoded: ";
            why += e.what();
            fail(w, why, Failure::Encoding);
        }
        return r;
    }

    LoadData load_data(const json& obj) const {
        const json& j = object(obj, "load_data", "");
        const std::string w = "load_data";
        if (const json* err = opt(j, "error")) {
            std::string why = "Jalapeno could not raise the load of the path's links: ";
            why += err->is_string() ? err->get<std::string>() : planner::jsontext::shown(*err);
            if (const json* up = opt(j, "updated_edges"))
                why += cat({"; links raised before that: ", planner::jsontext::shown(*up)});
            fail(w, why);
        }
        LoadData d;
        const json& up = array(j, "updated_edges", w);
        for (std::size_t i = 0; i < up.size(); ++i) {
            if (!up[i].is_string())
                wrong(at(at(w, "updated_edges"), i), "a string", up[i]);
            d.updated_edges.push_back(up[i].get<std::string>());
        }
        const json& loads = array(j, "edge_loads", w);
        for (std::size_t i = 0; i < loads.size(); ++i) {
            const std::string wi = at(at(w, "edge_loads"), i);
            if (!loads[i].is_object())
                wrong(wi, "an object", loads[i]);
            d.edge_loads.emplace_back(string(loads[i], "edge_key", wi),
                                      number(req(loads[i], "load", wi), at(wi, "load")));
        }
        d.average_load = number(req(j, "average_load", w), at(w, "average_load"));
        d.total_load = number(req(j, "total_load", w), at(w, "total_load"));
        d.edge_count = req_uint(j, "edge_count", w);
        return d;
    }

    json document(std::string_view body) const {
        json j;
        try {
            j = planner::jsontext::parse_limited<json>(body);
        } catch (const planner::jsontext::TooDeep&) {
            fail("", cat({"is JSON nested deeper than ", std::to_string(planner::jsontext::kMaxJsonDepth),
                          " levels; Jalapeno's answers nest a few"}));
        } catch (const json::parse_error& e) {
            std::string why = "is not JSON (";
            why += e.what();
            why += ")";
            fail("", why);
        }
        if (!j.is_object())
            wrong("", "a JSON object", j);
        if (!boolean(j, "found", "")) {
            std::string why = "no path (found: false): ";
            const json* msg = opt(j, "message");
            why += msg && msg->is_string() ? msg->get<std::string>() : "no message";
            fail("", why, Failure::NoPath);
        }
        return j;
    }
};

}  // namespace

Route parse_route(std::string_view body, Metric metric, std::optional<uint16_t> dest_function,
                  const Context& ctx) {
    const Reader rd{ctx};
    const json j = rd.document(body);
    Route r = rd.route(j, "", true, dest_function);
    if (metric == Metric::Load) {
        r.average_load = rd.opt_number(j, "average_load", "");
        r.load_data = rd.load_data(j);
    }
    if (metric == Metric::Latency)
        r.total_latency = rd.opt_number(j, "total_latency", "");
    if (metric == Metric::Utilization)
        r.average_utilization = rd.opt_number(j, "average_utilization", "");
    return r;
}

std::vector<Route> parse_best_paths(std::string_view body, std::optional<uint16_t> dest_function,
                                    const Context& ctx) {
    const Reader rd{ctx};
    const json j = rd.document(body);
    const json& paths = rd.array(j, "paths", "");
    if (paths.empty())
        rd.fail("paths", "is empty (found: true, but no path)", Failure::NoPath);
    std::vector<Route> out;
    for (std::size_t i = 0; i < paths.size(); ++i)
        out.push_back(rd.route(paths[i], Reader::at("paths", i), true, dest_function));
    return out;
}

NextBest parse_next_best(std::string_view body, std::optional<uint16_t> dest_function,
                         const Context& ctx) {
    const Reader rd{ctx};
    const json j = rd.document(body);
    NextBest nb;
    // Jalapeno answers found: true with an empty shortest path (hopcount -1)
    // when there is none; hops() reports that as no path.
    nb.shortest = rd.route(rd.object(j, "shortest_path", ""), "shortest_path", false, dest_function);
    for (const char* key : {"same_hopcount_paths", "plus_one_hopcount_paths"}) {
        const json& list = rd.array(j, key, "");
        auto& into = std::string_view(key) == "same_hopcount_paths" ? nb.same_hopcount
                                                                     : nb.plus_one_hopcount;
        for (std::size_t i = 0; i < list.size(); ++i)
            into.push_back(rd.route(list[i], Reader::at(key, i), false, dest_function));
    }
    return nb;
}

std::optional<Prefix> Vertex::route() const {
    if (!prefix || !prefix_len)
        return std::nullopt;
    std::string t = *prefix;
    t += "/";
    t += std::to_string(*prefix_len);
    return Prefix::parse(t);
}

std::string Context::str() const {
    std::string s = "Jalapeno ";
    s += endpoint;
    s += " ";
    s += call;
    s += " ";
    s += src;
    s += " -> ";
    s += dst;
    return s;
}

}  // namespace srv6steer::jalapeno

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The fabric as a picture: hand-written SVG, no dependency.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "simulate.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v == std::floor(v) ? "%.0f" : "%.2f", v);
    return buf;
}

std::string escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<')
            o += "&lt;";
        else if (c == '>')
            o += "&gt;";
        else if (c == '&')
            o += "&amp;";
        else if (c == '"')
            o += "&quot;";
        else
            o += c;
    }
    return o;
}

// Green (idle) through yellow to red (the busiest); grey when unused.
std::string colour(double frac, bool used) {
    if (!used)
        return "#c8c8c8";
    const double hue = 120.0 * (1.0 - std::clamp(frac, 0.0, 1.0));
    std::string s = "hsl(";
    s += num(hue);
    s += ",85%,42%)";
    return s;
}

}  // namespace

std::string svg(const Topology& t, const LinkLoads& loads, const std::string& title) {
    const Role rows[] = {Role::Superspine, Role::Spine, Role::Leaf};
    std::vector<std::vector<uint32_t>> row(3);
    for (uint32_t n = 0; n < t.nodes.size(); n++)
        for (int r = 0; r < 3; r++)
            if (t.nodes[n].role == rows[r])
                row[r].push_back(n);
    row.erase(std::remove_if(row.begin(), row.end(), [](const auto& r) { return r.empty(); }), row.end());
    size_t widest = 1;
    for (const auto& r : row)
        widest = std::max(widest, r.size());
    const double step = std::clamp(1600.0 / static_cast<double>(widest), 14.0, 110.0);
    const double width = std::max(480.0, step * static_cast<double>(widest) + 80);
    const double row_gap = 190, top = 70;
    const double height = top + row_gap * static_cast<double>(row.size()) + 40;
    std::vector<double> x(t.nodes.size()), y(t.nodes.size());
    for (size_t r = 0; r < row.size(); r++) {
        const double span = step * static_cast<double>(row[r].size());
        for (size_t i = 0; i < row[r].size(); i++) {
            x[row[r][i]] = (width - span) / 2 + step * (static_cast<double>(i) + 0.5);
            y[row[r][i]] = top + row_gap * static_cast<double>(r);
        }
    }
    std::vector<uint32_t> hosts_on(t.nodes.size(), 0);
    for (const auto& h : t.hosts)
        for (uint32_t l : h.leaves)
            hosts_on[l]++;
    const LoadStats st = stats(t, loads);
    double cmax = 0;
    for (const auto& l : t.links)
        cmax = std::max(cmax, l.capacity);
    const bool labels = t.links.size() <= 48;
    const bool names = widest <= 40;

    std::string o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"";
    o += num(width);
    o += "\" height=\"";
    o += num(height);
    o += "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    o += "<text x=\"10\" y=\"20\" font-size=\"14\">";
    o += escape(title.empty() ? t.name : title);
    o += "</text>\n<text x=\"10\" y=\"38\">link load: max ";
    o += label(st.max);
    o += ", mean ";
    o += label(st.mean);
    o += " (each link: two lines, left/top going up, right going down; green idle .. red busiest)</text>\n";
    for (uint32_t d = 0; d < t.n_dlinks(); d++) {
        const uint32_t a = t.dlink_from(d), b = t.dlink_to(d);
        const double v = d < loads.load.size() ? loads.load[d] * cmax / t.dcapacity(d) : 0;
        const bool up = static_cast<int>(t.nodes[a].role) < static_cast<int>(t.nodes[b].role);
        const double off = up ? -1.6 : 1.6;
        o += "<line x1=\"";
        o += num(x[a] + off);
        o += "\" y1=\"";
        o += num(y[a]);
        o += "\" x2=\"";
        o += num(x[b] + off);
        o += "\" y2=\"";
        o += num(y[b]);
        o += "\" stroke=\"";
        o += colour(st.max > 0 ? v / st.max : 0, v > 0);
        o += "\" stroke-width=\"";
        o += num(v > 0 ? 2.5 : 1.0);
        o += "\"><title>";
        o += escape(cat({t.nodes[a].name, " -> ", t.nodes[b].name, ": ", label(v)}));
        o += "</title></line>\n";
        if (labels && v > 0) {
            const double f = up ? 0.3 : 0.7;  // up labels near the leaf, down labels near the spine
            o += "<text x=\"";
            o += num(x[a] + (x[b] - x[a]) * f + 3 * off);
            o += "\" y=\"";
            o += num(y[a] + (y[b] - y[a]) * f);
            o += "\" text-anchor=\"middle\" fill=\"#333\">";
            o += label(v);
            o += "</text>\n";
        }
    }
    for (const auto& r : row)
        for (uint32_t n : r) {
            o += "<circle cx=\"";
            o += num(x[n]);
            o += "\" cy=\"";
            o += num(y[n]);
            o += "\" r=\"";
            o += num(std::min(9.0, step / 3));
            o += "\" fill=\"#334\"><title>";
            o += escape(t.nodes[n].name);
            o += "</title></circle>\n";
            if (!names)
                continue;
            o += "<text x=\"";
            o += num(x[n]);
            o += "\" y=\"";
            o += num(y[n] + (t.nodes[n].role == Role::Leaf ? 24 : -14));
            o += "\" text-anchor=\"middle\">";
            o += escape(t.nodes[n].name);
            if (t.nodes[n].role == Role::Leaf) {
                o += " (";
                o += std::to_string(hosts_on[n]);
                o += hosts_on[n] == 1 ? " host)" : " hosts)";
            }
            o += "</text>\n";
        }
    o += "</svg>\n";
    return o;
}

}  // namespace srv6steer::planner

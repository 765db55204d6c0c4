#include "runtimes/python/dependency_graph.hpp"

#include <algorithm>

namespace lpack::runtimes::python {
namespace {

// Whether every marker of `a` is in `b`: then `b`'s condition implies `a`'s.
bool is_subset(const Conjunction& a, const Conjunction& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

std::string render_conjunction(const Conjunction& c) {
  if (c.size() == 1) return *c.begin();
  std::string out;
  for (const auto& m : c) out += (out.empty() ? "(" : " and (") + m + ")";
  return out;
}

}  // namespace

std::vector<Reach> reachable(const std::vector<GraphNode>& nodes, const std::vector<DepEdge>& roots,
                             std::vector<std::string>* missing) {
  constexpr size_t k_max_alternatives = 16;
  std::multimap<std::string, size_t> by_name;
  for (size_t i = 0; i < nodes.size(); ++i) by_name.emplace(nodes[i].name, i);
  std::vector<Reach> reach(nodes.size());
  std::vector<std::pair<size_t, Conjunction>> work;  // (node, condition to propagate)

  auto add_condition = [&](size_t t, const Conjunction& condition) {
    auto& alts = reach[t].alternatives;
    for (const auto& alt : alts) {
      if (is_subset(alt, condition)) return;  // already reached under a weaker condition
    }
    alts.erase(std::remove_if(alts.begin(), alts.end(),
                              [&](const Conjunction& alt) { return is_subset(condition, alt); }),
               alts.end());
    if (alts.size() >= k_max_alternatives) return;
    alts.push_back(condition);
    work.emplace_back(t, condition);
  };
  auto follow = [&](const DepEdge& edge, const Conjunction& context) {
    auto [first, last] = by_name.equal_range(edge.name);
    std::vector<size_t> targets;
    for (auto it = first; it != last; ++it) {
      if (edge.version.empty() || nodes[it->second].version == edge.version) {
        targets.push_back(it->second);
      }
    }
    if (targets.empty()) {
      for (auto it = first; it != last; ++it) targets.push_back(it->second);
    }
    if (targets.empty() && missing) missing->push_back(edge.name);
    Conjunction condition = context;
    if (!edge.marker.empty()) condition.insert(edge.marker);
    for (size_t t : targets) {
      Reach& r = reach[t];
      r.reached = true;
      add_condition(t, condition);
      bool new_extra = false;
      for (const auto& e : edge.extras) new_extra |= r.extras.insert(e).second;
      if (new_extra) {
        for (const auto& alt : r.alternatives) work.emplace_back(t, alt);
      }
    }
  };

  for (const auto& edge : roots) follow(edge, {});
  while (!work.empty()) {
    auto [i, context] = work.back();
    work.pop_back();
    for (const auto& dep : nodes[i].deps) follow(dep, context);
    for (const auto& extra : reach[i].extras) {
      auto it = nodes[i].extras.find(extra);
      if (it == nodes[i].extras.end()) continue;
      for (const auto& dep : it->second) follow(dep, context);
    }
  }
  return reach;
}

std::string combine_markers(const std::string& outer, const std::string& inner) {
  if (outer.empty()) return inner;
  if (inner.empty()) return outer;
  return "(" + outer + ") and (" + inner + ")";
}

std::string reach_marker(const Reach& r) {
  std::vector<std::string> alternatives;
  for (const auto& alt : r.alternatives) {
    if (alt.empty()) return "";
    alternatives.push_back(render_conjunction(alt));
  }
  if (alternatives.size() == 1) return alternatives.front();
  std::sort(alternatives.begin(), alternatives.end());
  std::string out;
  for (const auto& a : alternatives) out += (out.empty() ? "(" : " or (") + a + ")";
  return out;
}

}  // namespace lpack::runtimes::python

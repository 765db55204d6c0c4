// The dependency graph of a lockfile, walked from the project's direct dependencies: which
// packages a layer needs and under which environment markers. uv.lock always needs this (it
// has no "main"/"dev" flag per package), and so do Poetry lockfiles that mark neither
// groups nor categories.
//
// A path's condition is the set of markers on its edges (all must hold); a package's
// condition is the alternatives over the paths that reach it (any may hold), with any
// alternative implied by another dropped. Going round a cycle adds no new marker, so the
// walk ends. Markers are kept as text and never evaluated: pip evaluates them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lpack::runtimes::python {

struct DepEdge {
  std::string name;                 // normalized (normalize_name)
  std::string version;              // "" : any locked version of the name
  std::string marker;               // "" : always
  std::vector<std::string> extras;  // extras of the target this edge asks for
};

struct GraphNode {
  std::string name;  // normalized
  std::string version;
  std::vector<DepEdge> deps;
  std::map<std::string, std::vector<DepEdge>> extras;  // extra -> its dependencies
};

using Conjunction = std::set<std::string>;

struct Reach {
  bool reached = false;
  // None implies another; an empty one (reached without any condition) makes the package
  // unconditional.
  std::vector<Conjunction> alternatives;
  std::set<std::string> extras;  // extras asked of this package
};

// One Reach per node, in `nodes`' order. An edge names every node of its name (of its
// version, when it gives one and such a node exists); names with no node at all are
// appended to `missing` when it is not null. The alternatives per package are capped (16):
// a dropped alternative can only make pip report an unpinned dependency, never install a
// wrong package.
std::vector<Reach> reachable(const std::vector<GraphNode>& nodes, const std::vector<DepEdge>& roots,
                             std::vector<std::string>* missing);

// The PEP 508 marker of a reached package: "" when unconditional, "a", "(a) and (b)",
// "(a) or ((b) and (c))"; deterministic (sorted).
std::string reach_marker(const Reach& reach);

// "(outer) and (inner)", or the one that is not empty.
std::string combine_markers(const std::string& outer, const std::string& inner);

}  // namespace lpack::runtimes::python

// The little the Java plugin reads of a pom.xml before planning: the coordinates, the
// packaging, whether a parent or modules exist, and the direct dependencies with their
// scopes (to decide whether there is a layer at all). Maven itself resolves everything else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace lpack::runtimes::java {

struct PomDependency {
  std::string group_id;
  std::string artifact_id;
  std::string version;
  std::string scope;  // as written; "" means compile
  std::string type;   // as written; "" means jar
};

struct Pom {
  std::string group_id;
  std::string artifact_id;
  std::string packaging = "jar";
  bool has_parent = false;
  std::vector<std::string> modules;         // <modules><module>: a multi-module build
  std::vector<PomDependency> dependencies;  // project/dependencies only (not management, profiles)
};

// Parses pom.xml text. A bad_input Error ("pom.xml:12: ...", using `file_name`) when the
// XML is not well formed or the root element is not <project>.
Result<Pom> parse_pom(std::string_view text, std::string_view file_name);

// Whether a dependency reaches the runtime classpath: scope compile (or none) or runtime.
bool is_runtime_scope(const PomDependency& dependency);

}  // namespace lpack::runtimes::java

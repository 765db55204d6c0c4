// What the Node plugin reads of a project before planning: package.json (does it have
// dependencies, which package manager does it name) and the lockfile, which decides the
// package manager. Lockfiles get a basic sanity check here (valid JSON, a known header or
// lockfileVersion, no merge-conflict markers) so that a broken one is reported as the
// user's mistake with the file's name, before any tool runs; the package manager itself
// remains the judge of everything else.
//
// pnpm-lock.yaml and yarn.lock are YAML-like; lpack links no YAML parser, and the checks
// below only need line-level facts (a header, one top-level key), so they read lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::runtimes::node {

enum class PackageManager { npm, yarn_classic, yarn_berry, pnpm };

// "npm" | "yarn-classic" | "yarn-berry" | "pnpm": part of the layer key.
std::string_view package_manager_name(PackageManager pm);
// The program that runs it: "npm" | "yarn" | "pnpm".
std::string_view package_manager_program(PackageManager pm);

struct PackageJson {
  bool has_dependencies = false;      // non-empty "dependencies" or "optionalDependencies"
  bool has_dev_dependencies = false;  // non-empty "devDependencies"
  std::string package_manager;        // the "packageManager" field ("pnpm@9.1.0"), or ""
  std::vector<std::string> scripts;   // names under "scripts", sorted
};

// Parses package.json text. bad_input "package.json: not valid JSON (...)" and the like.
Result<PackageJson> parse_package_json(std::string_view text);

struct Lockfile {
  std::string file;  // "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"
  PackageManager manager = PackageManager::npm;
};

// Checks a lockfile's text and, for yarn.lock, tells classic from berry. `file` is the
// lockfile's name, used in messages. bad_input naming the file and how to regenerate it.
Result<Lockfile> check_lockfile(std::string_view file, std::string_view text);

struct NodeProject {
  bool has_package_json = false;
  PackageJson package;
  std::optional<Lockfile> lockfile;  // none: no lockfile in the folder
};

// The lockfile names the plugin recognises, in the order they are looked for.
const std::vector<std::string>& lockfile_names();

// Reads SRC/package.json and picks and checks the lockfile. Several lockfiles of different
// package managers are resolved by package.json's "packageManager" field, else a bad_input
// Error naming them. npm-shrinkwrap.json wins over package-lock.json, as in npm itself.
// Without package.json the project has no dependencies and its lockfiles are ignored; a
// missing lockfile is not an error here (see make_layer_step's caller).
Result<NodeProject> read_node_project(const fs::path& src);

}  // namespace lpack::runtimes::node

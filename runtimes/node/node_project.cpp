#include "runtimes/node/node_project.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace lpack::runtimes::node {
namespace {

std::string regenerate_hint(PackageManager pm) {
  switch (pm) {
    case PackageManager::npm:
      return "`npm install --package-lock-only`";
    case PackageManager::yarn_classic:
    case PackageManager::yarn_berry:
      return "`yarn install`";
    case PackageManager::pnpm:
      return "`pnpm install --lockfile-only`";
  }
  return "";
}

PackageManager family_of(std::string_view file) {
  if (file == "yarn.lock") return PackageManager::yarn_classic;
  if (file == "pnpm-lock.yaml") return PackageManager::pnpm;
  return PackageManager::npm;
}

bool non_empty_object(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_object() && !it->empty();
}

// Splits text into lines without their "\n" (and a trailing "\r").
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// A git merge left in the file is the most common way a lockfile breaks.
Result<void> check_conflict_markers(std::string_view file, std::string_view text,
                                    PackageManager pm) {
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>") || l.starts_with("=======")) {
      return bad_input(std::string(file) + ":" + std::to_string(i + 1) +
                       ": a merge-conflict marker; resolve the conflict or regenerate the "
                       "lockfile with " +
                       regenerate_hint(pm));
    }
  }
  return ok();
}

Result<Lockfile> check_npm_lockfile(std::string_view file, std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return bad_input(std::string(file) + ": not valid JSON (" + e.what() +
                     "); regenerate it with " + regenerate_hint(PackageManager::npm));
  }
  auto version = doc.is_object() ? doc.find("lockfileVersion") : doc.end();
  if (!doc.is_object() || version == doc.end() || !version->is_number_integer()) {
    return bad_input(std::string(file) +
                     ": no numeric lockfileVersion, so not an npm lockfile; "
                     "regenerate it with " +
                     regenerate_hint(PackageManager::npm));
  }
  int v = version->get<int>();
  if (v < 1 || v > 3) {
    return bad_input(std::string(file) + ": lockfileVersion " + std::to_string(v) +
                     " is not supported (1, 2 or 3); regenerate it with " +
                     regenerate_hint(PackageManager::npm));
  }
  return Lockfile{std::string(file), PackageManager::npm};
}

// Both yarn formats are a list of top-level "key:" lines with indented fields below them.
Result<Lockfile> check_yarn_lockfile(std::string_view file, std::string_view text) {
  bool classic_header = false;
  bool berry_metadata = false;
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.starts_with("# yarn lockfile v1")) classic_header = true;
    if (l.empty() || l[0] == '#' || l[0] == ' ') continue;
    if (l == "__metadata:") berry_metadata = true;
    if (l.back() != ':') {
      return bad_input(std::string(file) + ":" + std::to_string(i + 1) +
                       ": not a lockfile entry (a top-level line must end with ':'); "
                       "regenerate it with `yarn install`");
    }
  }
  if (berry_metadata) return Lockfile{std::string(file), PackageManager::yarn_berry};
  if (classic_header) return Lockfile{std::string(file), PackageManager::yarn_classic};
  return bad_input(std::string(file) +
                   ": neither a yarn 1 lockfile (\"# yarn lockfile v1\") "
                   "nor a yarn 2+ one (__metadata); regenerate it with `yarn install`");
}

Result<Lockfile> check_pnpm_lockfile(std::string_view file, std::string_view text) {
  std::string version;
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    std::string where = std::string(file) + ":" + std::to_string(i + 1);
    if (!l.empty() && l[0] == '\t') {
      return bad_input(where + ": indented with a tab, which YAML forbids; regenerate it with " +
                       regenerate_hint(PackageManager::pnpm));
    }
    if (l.empty() || l[0] == '#' || l[0] == ' ' || l == "---") continue;
    size_t colon = l.find(':');
    if (colon == std::string_view::npos) {
      return bad_input(where + ": not a YAML mapping entry; regenerate it with " +
                       regenerate_hint(PackageManager::pnpm));
    }
    if (l.substr(0, colon) == "lockfileVersion" && version.empty()) {
      std::string_view v = l.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\'' || v.front() == '"'))
        v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\'' || v.back() == '"'))
        v.remove_suffix(1);
      version = std::string(v);
    }
  }
  if (version.empty()) {
    return bad_input(std::string(file) +
                     ": no lockfileVersion, so not a pnpm lockfile; "
                     "regenerate it with " +
                     regenerate_hint(PackageManager::pnpm));
  }
  int major = 0;
  auto [ptr, ec] = std::from_chars(version.data(), version.data() + version.size(), major);
  // 5.x: pnpm 7, 6.0: pnpm 8, 9.0: pnpm 9 and later.
  if (ec != std::errc() || (major != 5 && major != 6 && major != 9)) {
    return bad_input(std::string(file) + ": lockfileVersion " + version +
                     " is not supported (5.x, 6.0 or 9.0); regenerate it with " +
                     regenerate_hint(PackageManager::pnpm));
  }
  return Lockfile{std::string(file), PackageManager::pnpm};
}

}  // namespace

std::string_view package_manager_name(PackageManager pm) {
  switch (pm) {
    case PackageManager::npm:
      return "npm";
    case PackageManager::yarn_classic:
      return "yarn-classic";
    case PackageManager::yarn_berry:
      return "yarn-berry";
    case PackageManager::pnpm:
      return "pnpm";
  }
  return "npm";
}

std::string_view package_manager_program(PackageManager pm) {
  switch (pm) {
    case PackageManager::npm:
      return "npm";
    case PackageManager::yarn_classic:
    case PackageManager::yarn_berry:
      return "yarn";
    case PackageManager::pnpm:
      return "pnpm";
  }
  return "npm";
}

Result<PackageJson> parse_package_json(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return bad_input(std::string("package.json: not valid JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) return bad_input("package.json: not a JSON object");
  PackageJson pkg;
  pkg.has_dependencies =
      non_empty_object(doc, "dependencies") || non_empty_object(doc, "optionalDependencies");
  pkg.has_dev_dependencies = non_empty_object(doc, "devDependencies");
  if (auto it = doc.find("packageManager"); it != doc.end() && it->is_string()) {
    pkg.package_manager = it->get<std::string>();
  }
  if (auto it = doc.find("scripts"); it != doc.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) pkg.scripts.push_back(name);
    std::sort(pkg.scripts.begin(), pkg.scripts.end());
  }
  return pkg;
}

Result<Lockfile> check_lockfile(std::string_view file, std::string_view text) {
  PackageManager family = family_of(file);
  LPACK_TRY(check_conflict_markers(file, text, family));
  switch (family) {
    case PackageManager::npm:
      return check_npm_lockfile(file, text);
    case PackageManager::pnpm:
      return check_pnpm_lockfile(file, text);
    default:
      return check_yarn_lockfile(file, text);
  }
}

const std::vector<std::string>& lockfile_names() {
  static const std::vector<std::string> k_names = {"npm-shrinkwrap.json", "package-lock.json",
                                                   "pnpm-lock.yaml", "yarn.lock"};
  return k_names;
}

Result<NodeProject> read_node_project(const fs::path& src) {
  std::error_code ec;
  NodeProject project;
  // A function of plain .js files needs no package.json: it has no dependencies.
  if (!fs::is_regular_file(src / "package.json", ec)) return project;
  project.has_package_json = true;
  std::string text = LPACK_TRY(read_file(src / "package.json"));
  project.package = LPACK_TRY(parse_package_json(text));

  std::vector<std::string> found;
  for (const auto& name : lockfile_names()) {
    if (!fs::is_regular_file(src / name, ec)) continue;
    // npm itself ignores package-lock.json when npm-shrinkwrap.json is there.
    if (name == "package-lock.json" &&
        std::find(found.begin(), found.end(), "npm-shrinkwrap.json") != found.end()) {
      continue;
    }
    found.push_back(name);
  }
  if (found.empty()) return project;

  std::string chosen = found.front();
  if (found.size() > 1) {
    // "pnpm@9.1.0" -> "pnpm": the project says which lockfile is the live one.
    std::string wanted =
        project.package.package_manager.substr(0, project.package.package_manager.find('@'));
    auto it = std::find_if(found.begin(), found.end(), [&](const std::string& f) {
      return package_manager_program(family_of(f)) == wanted;
    });
    if (it == found.end()) {
      std::string names;
      for (const auto& f : found) names += (names.empty() ? "" : " and ") + f;
      return bad_input("package.json: found " + names +
                       "; delete the stale one or name the package manager in package.json "
                       "(\"packageManager\": \"pnpm@9.1.0\", say)");
    }
    chosen = *it;
  }
  std::string lock_text = LPACK_TRY(read_file(src / chosen));
  project.lockfile = LPACK_TRY(check_lockfile(chosen, lock_text));
  return project;
}

}  // namespace lpack::runtimes::node

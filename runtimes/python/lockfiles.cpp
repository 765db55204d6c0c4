#include "runtimes/python/lockfiles.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "runtimes/python/dependency_graph.hpp"

namespace lpack::runtimes::python {
namespace {

constexpr std::string_view k_layer_needs_packages =
    "a layer installs published packages only: publish it to an index and lock it from there, "
    "or move the code into the function";

std::string where(std::string_view file, int64_t line) {
  std::string w(file);
  if (line > 0) w += ":" + std::to_string(line);
  return w + ": ";
}

int64_t line_of(const toml::node& node) {
  return static_cast<int64_t>(node.source().begin.line);
}

// Sorts packages and their hashes so the generated file is the same whatever the order of
// the lockfile's tables.
void finish(LockedSet& set) {
  for (auto& p : set.packages) {
    std::sort(p.hashes.begin(), p.hashes.end());
    p.hashes.erase(std::unique(p.hashes.begin(), p.hashes.end()), p.hashes.end());
  }
  std::sort(set.packages.begin(), set.packages.end(), [](const auto& a, const auto& b) {
    auto ka = std::tuple(normalize_name(a.name), a.version, a.marker);
    auto kb = std::tuple(normalize_name(b.name), b.version, b.marker);
    return ka < kb;
  });
}

Result<toml::table> parse_toml(std::string_view text, std::string_view file_name,
                               std::string_view fix) {
  try {
    return toml::parse(text, std::string(file_name));
  } catch (const toml::parse_error& e) {
    return bad_input(where(file_name, static_cast<int64_t>(e.source().begin.line)) +
                     "not valid TOML (" + std::string(e.description()) + "); " + std::string(fix));
  }
}

// The name at the start of a PEP 508 string or a Poetry extras entry: "PySocks (>=1.5)",
// "requests[socks]>=2; python_version>'3'".
std::string leading_name(std::string_view spec) {
  size_t begin = spec.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = spec.find_first_of(" \t([<>=!~;@,", begin);
  return std::string(spec.substr(begin, end == std::string_view::npos ? spec.npos : end - begin));
}

// --- Poetry ---

std::optional<std::string> poetry_marker(const toml::table& pkg) {
  const toml::node* markers = pkg.get("markers");
  if (!markers) return std::string();
  if (auto s = markers->value<std::string>()) return *s;
  if (const auto* t = markers->as_table()) {  // Poetry 2: one marker per group
    return (*t)["main"].value_or(std::string());
  }
  return std::nullopt;
}

// A Poetry dependency table entry: `name = "^1.0"` or `name = {version, optional, markers,
// extras}` or an array of such tables (different constraints per Python version).
void poetry_edges(const toml::table* deps, bool skip_optional, std::vector<DepEdge>& out) {
  if (!deps) return;
  for (const auto& [key, value] : *deps) {
    std::string name = normalize_name(key.str());
    if (name == "python") continue;
    auto add = [&](const toml::node& spec) {
      DepEdge edge{name, "", "", {}};
      if (const auto* t = spec.as_table()) {
        if (skip_optional && (*t)["optional"].value_or(false)) return;
        edge.marker = (*t)["markers"].value_or(std::string());
        if (const auto* extras = (*t)["extras"].as_array()) {
          for (const auto& e : *extras) {
            if (auto s = e.value<std::string>()) edge.extras.push_back(*s);
          }
        }
      }
      out.push_back(std::move(edge));
    };
    if (const auto* alternatives = value.as_array()) {
      for (const auto& alt : *alternatives) add(alt);
    } else {
      add(value);
    }
  }
}

Result<std::vector<DepEdge>> pyproject_main_deps(std::string_view pyproject) {
  toml::table doc = LPACK_TRY(parse_toml(pyproject, "pyproject.toml", "fix its syntax"));
  std::vector<DepEdge> roots;
  poetry_edges(doc["tool"]["poetry"]["dependencies"].as_table(), true, roots);
  if (const auto* deps = doc["project"]["dependencies"].as_array()) {
    for (const auto& d : *deps) {
      auto spec = d.value<std::string>();
      if (!spec) continue;
      DepEdge edge{normalize_name(leading_name(*spec)), "", "", {}};
      size_t semi = spec->find(';');
      if (semi != std::string::npos) {
        edge.marker = std::string(spec->substr(semi + 1));
        edge.marker.erase(0, edge.marker.find_first_not_of(" \t"));
      }
      size_t open = spec->find('[');
      if (open != std::string::npos && open < semi) {
        size_t close = spec->find(']', open);
        std::string list = spec->substr(open + 1, close - open - 1);
        for (size_t pos = 0; pos <= list.size();) {
          size_t comma = std::min(list.find(',', pos), list.size());
          std::string extra = leading_name(list.substr(pos, comma - pos));
          if (!extra.empty()) edge.extras.push_back(extra);
          pos = comma + 1;
        }
      }
      roots.push_back(std::move(edge));
    }
  }
  return roots;
}

// --- uv ---

DepEdge uv_edge(const toml::table& dep) {
  DepEdge edge{normalize_name(dep["name"].value_or(std::string())),
               dep["version"].value_or(std::string()),
               dep["marker"].value_or(std::string()),
               {}};
  if (const auto* extras = dep["extra"].as_array()) {
    for (const auto& e : *extras) {
      if (auto s = e.value<std::string>()) edge.extras.push_back(*s);
    }
  }
  return edge;
}

std::vector<DepEdge> uv_edges(const toml::node_view<const toml::node>& list) {
  std::vector<DepEdge> edges;
  if (const auto* arr = list.as_array()) {
    for (const auto& d : *arr) {
      if (const auto* t = d.as_table()) edges.push_back(uv_edge(*t));
    }
  }
  return edges;
}

}  // namespace

std::string normalize_name(std::string_view name) {
  std::string out;
  bool separator = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      separator = true;
      continue;
    }
    if (separator && !out.empty()) out += '-';
    separator = false;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

Result<LockedSet> parse_pipfile_lock(std::string_view text, std::string_view file_name) {
  const std::string fix = "regenerate it with `pipenv lock`";
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    int64_t line = 0;
    if (const auto* pe = dynamic_cast<const nlohmann::json::parse_error*>(&e)) {
      size_t end = std::min<size_t>(pe->byte, text.size());
      line = 1 + std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(end), '\n');
    }
    std::string what = e.what();
    size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return bad_input(where(file_name, line) + "not valid JSON (" + what + "); " + fix);
  }
  if (!doc.is_object() || (doc.contains("default") && !doc["default"].is_object())) {
    return bad_input(where(file_name, 0) + "expected an object with a \"default\" section; " + fix);
  }
  LockedSet set;
  if (!doc.contains("default")) return set;
  for (const auto& [name, entry] : doc["default"].items()) {
    const std::string at = where(file_name, 0) + "\"default\" / \"" + name + "\": ";
    if (!entry.is_object()) return bad_input(at + "expected an object; " + fix);
    for (const char* local : {"path", "file", "git", "hg", "svn", "bzr", "editable"}) {
      if (entry.contains(local)) {
        return bad_input(at + "a \"" + local + "\" source cannot go into a layer; " +
                         std::string(k_layer_needs_packages));
      }
    }
    LockedPackage p;
    p.name = name;
    auto version = entry.find("version");
    if (version == entry.end() || !version->is_string()) {
      return bad_input(at + "no \"version\"; " + fix);
    }
    std::string v = version->get<std::string>();
    if (v.rfind("==", 0) != 0) return bad_input(at + "version \"" + v + "\" is not pinned; " + fix);
    p.version = v.substr(2);
    if (auto m = entry.find("markers"); m != entry.end() && m->is_string()) {
      p.marker = m->get<std::string>();
    }
    if (auto h = entry.find("hashes"); h != entry.end()) {
      if (!h->is_array()) return bad_input(at + "\"hashes\" must be a list; " + fix);
      for (const auto& hash : *h) {
        if (!hash.is_string()) return bad_input(at + "\"hashes\" must hold strings; " + fix);
        p.hashes.push_back(hash.get<std::string>());
      }
    }
    set.packages.push_back(std::move(p));
  }
  finish(set);
  return set;
}

Result<LockedSet> parse_poetry_lock(std::string_view text, std::string_view file_name,
                                    std::string_view pyproject) {
  const std::string fix = "regenerate it with `poetry lock`";
  toml::table doc = LPACK_TRY(parse_toml(text, file_name, fix));
  const toml::array* packages = doc["package"].as_array();
  if (doc.contains("package") && !packages) {
    return bad_input(where(file_name, line_of(*doc.get("package"))) +
                     "\"package\" must be an array of tables ([[package]]); " + fix);
  }
  const toml::table* legacy_files = doc["metadata"]["files"].as_table();

  struct Entry {
    LockedPackage package;
    bool main = true;
    bool optional = false;
    GraphNode node;
  };
  std::vector<Entry> entries;
  bool has_groups = false, has_category = false;
  if (packages) {
    for (const auto& item : *packages) {
      const auto* pkg = item.as_table();
      const std::string at = where(file_name, line_of(item));
      if (!pkg) return bad_input(at + "[[package]] must be a table; " + fix);
      Entry e;
      auto name = (*pkg)["name"].value<std::string>();
      auto version = (*pkg)["version"].value<std::string>();
      if (!name) return bad_input(at + "[[package]] without a name; " + fix);
      if (!version) return bad_input(at + "package " + *name + " has no version; " + fix);
      e.package.name = *name;
      e.package.version = *version;
      auto marker = poetry_marker(*pkg);
      if (!marker)
        return bad_input(at + "package " + *name + ": \"markers\" must be a string; " + fix);
      e.package.marker = *marker;
      e.optional = (*pkg)["optional"].value_or(false);
      if (const auto* groups = (*pkg)["groups"].as_array()) {
        has_groups = true;
        e.main = false;
        for (const auto& g : *groups) e.main |= g.value_or(std::string()) == "main";
      } else if (auto category = (*pkg)["category"].value<std::string>()) {
        has_category = true;
        e.main = *category == "main";
      }
      if (auto type = (*pkg)["source"]["type"].value<std::string>()) {
        if (*type == "url") {
          e.package.url = (*pkg)["source"]["url"].value_or(std::string());
        } else if (*type != "legacy") {
          return bad_input(at + "package " + *name + " comes from a \"" + *type +
                           "\" source, which cannot go into a layer; " +
                           std::string(k_layer_needs_packages));
        }
      }
      const toml::array* files = (*pkg)["files"].as_array();
      if (!files && legacy_files) files = (*legacy_files)[*name].as_array();
      if (files) {
        for (const auto& f : *files) {
          const auto* file = f.as_table();
          if (auto hash = file ? (*file)["hash"].value<std::string>() : std::nullopt) {
            e.package.hashes.push_back(*hash);
          }
        }
      }
      e.node.name = normalize_name(*name);
      e.node.version = *version;
      poetry_edges((*pkg)["dependencies"].as_table(), true, e.node.deps);
      if (const auto* extras = (*pkg)["extras"].as_table()) {
        for (const auto& [extra, list] : *extras) {
          auto& edges = e.node.extras[std::string(extra.str())];
          if (const auto* arr = list.as_array()) {
            for (const auto& spec : *arr) {
              if (auto s = spec.value<std::string>()) {
                edges.push_back({normalize_name(leading_name(*s)), "", "", {}});
              }
            }
          }
        }
      }
      entries.push_back(std::move(e));
    }
  }

  LockedSet set;
  if (!has_groups && !has_category) {
    if (!pyproject.empty()) {
      auto roots = pyproject_main_deps(pyproject);
      if (!roots) return std::move(roots).error();
      std::vector<GraphNode> nodes;
      for (const auto& e : entries) nodes.push_back(e.node);
      std::vector<Reach> reach = reachable(nodes, *roots, nullptr);
      for (size_t i = 0; i < entries.size(); ++i) {
        entries[i].main = reach[i].reached;
        if (!reach[i].reached) continue;
        // A marker from the path only narrows the package's own one.
        entries[i].package.marker =
            combine_markers(reach_marker(reach[i]), entries[i].package.marker);
      }
      set.used_pyproject = true;
      set.notes.push_back(std::string(file_name) +
                          " does not mark dev packages; main ones taken from pyproject.toml");
    } else if (!entries.empty()) {
      set.notes.push_back(std::string(file_name) +
                          " does not mark dev packages and there is no pyproject.toml: "
                          "installing every package");
    }
  }
  for (auto& e : entries) {
    if (e.main && !e.optional) set.packages.push_back(std::move(e.package));
  }
  finish(set);
  return set;
}

Result<LockedSet> parse_uv_lock(std::string_view text, std::string_view file_name) {
  const std::string fix = "regenerate it with `uv lock`";
  toml::table doc = LPACK_TRY(parse_toml(text, file_name, fix));
  const toml::array* packages = doc["package"].as_array();
  if (!packages) {
    return bad_input(where(file_name, 0) + "no [[package]] tables; " + fix);
  }
  std::vector<GraphNode> nodes;
  std::vector<LockedPackage> locked;
  std::vector<bool> installable;  // false for the root and virtual workspace members
  std::vector<std::string> local_reason;
  std::optional<size_t> root;
  for (const auto& item : *packages) {
    const auto* pkg = item.as_table();
    const std::string at = where(file_name, line_of(item));
    if (!pkg) return bad_input(at + "[[package]] must be a table; " + fix);
    auto name = (*pkg)["name"].value<std::string>();
    if (!name) return bad_input(at + "[[package]] without a name; " + fix);
    const toml::table* source = (*pkg)["source"].as_table();
    if (!source) return bad_input(at + "package " + *name + " has no source; " + fix);
    LockedPackage p;
    p.name = *name;
    p.version = (*pkg)["version"].value_or(std::string());
    bool install = true;
    std::string reason;
    if (auto dir = (*source)["editable"].value<std::string>()) {
      if (*dir == ".") root = nodes.size();
      install = false;
      reason = "an editable source (\"" + *dir + "\")";
    } else if (auto virt = (*source)["virtual"].value<std::string>()) {
      if (*virt == ".") root = nodes.size();
      install = false;  // a virtual package installs nothing itself, only its dependencies
    } else if (auto url = (*source)["url"].value<std::string>()) {
      p.url = *url;
    } else if (source->contains("registry")) {
      if (p.version.empty()) return bad_input(at + "package " + *name + " has no version; " + fix);
    } else {
      std::string kind = source->empty() ? "unknown" : std::string(source->begin()->first.str());
      reason = "a \"" + kind + "\" source";
      install = false;
    }
    auto add_hash = [&](const toml::node& n) {
      if (const auto* t = n.as_table()) {
        if (auto h = (*t)["hash"].value<std::string>()) p.hashes.push_back(*h);
      }
    };
    if (const auto* wheels = (*pkg)["wheels"].as_array()) {
      for (const auto& w : *wheels) add_hash(w);
    }
    if (const auto* sdist = pkg->get("sdist")) add_hash(*sdist);

    GraphNode node{normalize_name(*name), p.version, uv_edges((*pkg)["dependencies"]), {}};
    if (const auto* optional = (*pkg)["optional-dependencies"].as_table()) {
      for (const auto& [extra, list] : *optional) {
        node.extras[std::string(extra.str())] = uv_edges(toml::node_view<const toml::node>(&list));
      }
    }
    nodes.push_back(std::move(node));
    locked.push_back(std::move(p));
    installable.push_back(install);
    local_reason.push_back(install ? std::string() : reason);
  }
  if (!root) {
    return bad_input(where(file_name, 0) +
                     "no root package (one with source = { editable = \".\" } or { virtual = "
                     "\".\" }); run `uv lock` in the folder that holds pyproject.toml");
  }
  std::vector<std::string> missing;
  std::vector<Reach> reach = reachable(nodes, nodes[*root].deps, &missing);
  if (!missing.empty()) {
    return bad_input(where(file_name, 0) + "dependency \"" + missing.front() +
                     "\" is not locked; " + fix);
  }
  LockedSet set;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i == *root || !reach[i].reached) continue;
    if (!installable[i]) {
      if (local_reason[i].empty()) continue;  // a virtual workspace member
      return bad_input(where(file_name, 0) + "package " + locked[i].name + " comes from " +
                       local_reason[i] + ", which cannot go into a layer; " +
                       std::string(k_layer_needs_packages));
    }
    locked[i].marker = reach_marker(reach[i]);
    set.packages.push_back(std::move(locked[i]));
  }
  finish(set);
  return set;
}

std::string pinned_requirements(const LockedSet& set, std::string_view source) {
  bool all_hashed = !set.packages.empty();
  for (const auto& p : set.packages) all_hashed &= !p.hashes.empty();
  std::string out = "# Generated by lpack from " + std::string(source) + "; do not edit.\n";
  for (const auto& p : set.packages) {
    std::string line = p.name;
    if (!p.url.empty()) {
      line += " @ " + p.url;  // a marker follows as " ; ...": the space keeps ";" out of the URL
    } else {
      line += "==" + p.version;
    }
    if (!p.marker.empty()) line += " ; " + p.marker;
    if (all_hashed) {
      for (const auto& h : p.hashes) line += " --hash=" + h;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace lpack::runtimes::python

#include <algorithm>

#include "runtimes/runtime.hpp"

namespace lpack::runtimes {

std::unique_ptr<Runtime> make_python_runtime();
std::unique_ptr<Runtime> make_node_runtime();
std::unique_ptr<Runtime> make_go_runtime();
std::unique_ptr<Runtime> make_java_runtime();

std::string_view step_kind_name(StepKind kind) {
  return kind == StepKind::layer ? "layer" : "function";
}

const std::vector<std::unique_ptr<Runtime>>& all_runtimes() {
  static const std::vector<std::unique_ptr<Runtime>> k_runtimes = [] {
    std::vector<std::unique_ptr<Runtime>> v;
    v.push_back(make_python_runtime());
    v.push_back(make_node_runtime());
    v.push_back(make_go_runtime());
    v.push_back(make_java_runtime());
    return v;
  }();
  return k_runtimes;
}

const Runtime* find_runtime(std::string_view id) {
  for (const auto& r : all_runtimes()) {
    if (r->id() == id) return r.get();
    auto ids = r->lambda_runtimes();
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return r.get();
  }
  return nullptr;
}

const std::vector<std::string>& common_function_excludes() {
  static const std::vector<std::string> k_excludes = {
      ".git/",      ".hg/",          ".svn/",   ".DS_Store", ".idea/",
      ".vscode/",   "lpack-out/",    ".lpack/", ".aws-sam/", ".serverless/",
      "lpack.toml", "function.json", "*.swp",   "*~",
  };
  return k_excludes;
}

}  // namespace lpack::runtimes

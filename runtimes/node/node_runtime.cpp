// The Node.js plugin: detection, the runtime list and the Plan. The parts live beside it:
// node_project (package.json and lockfiles), node_plan (the steps) and node_handler (the
// handler check). docs/runtimes/node.md is the user's page.
#include <algorithm>

#include "runtimes/node/node_handler.hpp"
#include "runtimes/node/node_plan.hpp"
#include "runtimes/node/node_project.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

constexpr std::string_view k_default_runtime = "nodejs22.x";
constexpr std::string_view k_default_handler = "index.handler";

bool is_script_file(const fs::path& p) {
  auto ext = p.extension();
  return ext == ".js" || ext == ".mjs" || ext == ".cjs";
}

class NodeRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "node"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string> lambda_runtimes() const override {
    return {"nodejs18.x", "nodejs20.x", "nodejs22.x"};
  }
  std::string_view default_runtime() const override { return k_default_runtime; }
  std::string_view looks_for() const override {
    return "package.json (with package-lock.json, yarn.lock or pnpm-lock.yaml), or index.js";
  }

  Detection detect(const fs::path& src) const override {
    Detection d;
    std::error_code ec;
    if (fs::is_regular_file(src / "package.json", ec)) {
      d.claimed = true;
      d.strength = 2;
      d.evidence.push_back("package.json");
      for (const auto& lock : node::lockfile_names()) {
        if (fs::is_regular_file(src / lock, ec)) d.evidence.push_back(lock);
      }
      return d;
    }
    // Only top-level sources: the files a handler can be.
    std::vector<std::string> scripts;
    for (fs::directory_iterator it(src, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && is_script_file(it->path())) {
        scripts.push_back(it->path().filename().string());
      }
    }
    if (!scripts.empty()) {
      std::sort(scripts.begin(), scripts.end());
      d.claimed = true;
      d.strength = 1;
      d.evidence.push_back(scripts.front());
    }
    return d;
  }

  Result<Plan> plan(const PlanRequest& request) const override {
    Plan plan;
    plan.plugin = std::string(id());
    plan.plugin_version = std::string(version());
    plan.runtime = request.runtime.empty() ? std::string(k_default_runtime) : request.runtime;
    auto runtimes = lambda_runtimes();
    if (std::find(runtimes.begin(), runtimes.end(), plan.runtime) == runtimes.end()) {
      return bad_input("runtime \"" + plan.runtime +
                       "\" is not a Node.js runtime lpack builds; use nodejs18.x, nodejs20.x "
                       "or nodejs22.x");
    }
    plan.handler = request.handler.empty() ? std::string(k_default_handler) : request.handler;
    LPACK_TRY(node::parse_handler(plan.handler));

    node::NodeProject project = LPACK_TRY(node::read_node_project(request.src));
    if (project.has_package_json) plan.evidence.push_back("package.json");
    if (project.lockfile) plan.evidence.push_back(project.lockfile->file);

    if (project.package.has_dependencies) {
      if (!project.lockfile) return node::no_lockfile_error();
      plan.layer = node::make_layer_step(project, request, host_arch());
    }
    plan.function = LPACK_TRY(node::make_function_step(project, request));
    return plan;
  }

  Result<void> check_handler(const Plan& plan,
                             const std::vector<TreeEntry>& function_files) const override {
    return node::check_node_handler(plan.handler, function_files);
  }
};

}  // namespace

std::unique_ptr<Runtime> make_node_runtime() {
  return std::make_unique<NodeRuntime>();
}

}  // namespace lpack::runtimes

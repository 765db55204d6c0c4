// The Go plugin: a go.mod folder becomes one statically linked `bootstrap` executable at the
// root of the function zip, for Lambda's OS-only runtimes (provided.al2023, provided.al2).
// There is no layer: the binary carries its dependencies.
//
// Reproducibility comes from the go tool itself given the right flags (verified across
// folders and caches): -trimpath drops the build folder, -buildvcs=false the VCS stamp,
// -ldflags=-buildid= the content-derived but cache-sensitive build id, CGO_ENABLED=0 the
// host C toolchain. The toolchain's version (`go version`) is part of the key.
#include <algorithm>
#include <set>

#include "runtimes/go/go_source.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

constexpr std::string_view k_plugin_version = "1";

// Variables read from lpack's environment and passed to `go build` unchanged, so private
// proxies and private modules work. GOFLAGS is merged with lpack's own (see go_flags).
constexpr std::string_view k_pass_through[] = {
    "GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOSUMDB", "GOINSECURE",
};

std::string env_value(const PlanRequest& request, std::string_view name) {
  auto it = request.environment.find(std::string(name));
  return it == request.environment.end() ? std::string() : it->second;
}

// The user's GOFLAGS with -mod=vendor forced when dependencies are vendored: a vendored
// build must not reach for the network, whatever -mod the environment asks for.
std::string go_flags(const std::string& user_flags, bool vendored) {
  std::vector<std::string> flags;
  size_t i = 0;
  while (i < user_flags.size()) {
    size_t j = user_flags.find_first_of(" \t", i);
    if (j == std::string::npos) j = user_flags.size();
    std::string flag = user_flags.substr(i, j - i);
    i = j + 1;
    if (flag.empty()) continue;
    if (vendored && (flag.starts_with("-mod=") || flag.starts_with("--mod="))) continue;
    flags.push_back(std::move(flag));
  }
  if (vendored) flags.push_back("-mod=vendor");
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

class GoRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "go"; }
  std::string_view version() const override { return k_plugin_version; }
  std::vector<std::string> lambda_runtimes() const override {
    return {"provided.al2023", "provided.al2"};
  }
  std::string_view default_runtime() const override { return "provided.al2023"; }
  std::string_view looks_for() const override { return "go.mod (or *.go files)"; }

  Detection detect(const fs::path& src) const override {
    Detection d;
    std::error_code ec;
    if (fs::is_regular_file(src / "go.mod", ec)) {
      d.claimed = true;
      d.strength = 2;
      d.evidence.push_back("go.mod");
      if (fs::is_regular_file(src / "vendor" / "modules.txt", ec))
        d.evidence.push_back("vendor/modules.txt");
      return d;
    }
    // Go files without a module: claimed weakly, so that plan() can say what is missing.
    std::set<std::string> go_files;
    for (fs::directory_iterator it(src, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.ends_with(".go") && !name.ends_with("_test.go") && it->is_regular_file(ec))
        go_files.insert(name);
    }
    if (!go_files.empty()) {
      d.claimed = true;
      d.strength = 1;
      d.evidence.push_back(*go_files.begin());
    }
    return d;
  }

  Result<Plan> plan(const PlanRequest& request) const override {
    std::string runtime =
        request.runtime.empty() ? std::string(default_runtime()) : request.runtime;
    auto runtimes = lambda_runtimes();
    if (std::find(runtimes.begin(), runtimes.end(), runtime) == runtimes.end()) {
      return bad_input(
          "runtime \"" + runtime +
          "\" is not one the Go plugin builds for; use provided.al2023 or provided.al2");
    }
    auto source = LPACK_TRY(go::read_go_source(request.src, request.exclude));

    Plan plan;
    plan.plugin = std::string(id());
    plan.plugin_version = std::string(version());
    plan.runtime = runtime;
    // Lambda ignores the handler of an OS-only runtime (it runs /var/task/bootstrap); a
    // custom value is kept because it reaches the program as $_HANDLER.
    plan.handler = request.handler.empty() ? "bootstrap" : request.handler;
    plan.evidence.push_back("go.mod");
    if (source.vendored) plan.evidence.push_back("vendor/modules.txt");

    Step& step = plan.function;
    step.kind = StepKind::function;
    // Only what `go build` reads: module files, Go and assembly sources, vendored modules and
    // embedded files. Editing a README does not rebuild the binary.
    step.input_include = {"/go.mod", "/go.sum", "*.go", "*.s", "*.h", "*.syso", "/vendor/**"};
    step.input_include.insert(step.input_include.end(), source.embed_inputs.begin(),
                              source.embed_inputs.end());
    step.input_exclude = {"testdata/", "*_test.go", ".*/", "_*/"};
    const auto& common = common_function_excludes();
    step.input_exclude.insert(step.input_exclude.end(), common.begin(), common.end());
    step.input_exclude.insert(step.input_exclude.end(), request.exclude.begin(),
                              request.exclude.end());
    step.stage_inputs = true;
    step.executables = {"bootstrap"};

    Command build;
    build.what = "go build (" + std::string(arch_name(request.arch)) + ")";
    build.argv = {
        "go", "build",           "-trimpath",        "-buildvcs=false", "-ldflags=-s -w -buildid=",
        "-o", "{out}/bootstrap", source.main_package};
    auto& env = build.env;
    env["CGO_ENABLED"] = "0";
    env["GOOS"] = "linux";
    env["GOARCH"] = std::string(arch_go_name(request.arch));
    env["GOCACHE"] = "{toolcache}/go-build";  // content-addressed by go: faster, never different
    env["GOPATH"] = "{toolcache}/gopath";     // the module download cache lives under it
    env["GOTOOLCHAIN"] = "local";             // never switch to a downloaded toolchain
    env["GOWORK"] = "off";                    // a go.work elsewhere must not change the build
    for (auto name : k_pass_through) {
      std::string value = env_value(request, name);
      if (!value.empty()) env[std::string(name)] = value;
    }
    std::string flags = go_flags(env_value(request, "GOFLAGS"), source.vendored);
    if (!flags.empty()) env["GOFLAGS"] = flags;
    if (request.offline) env["GOPROXY"] = "off";
    // Downloads happen only for modules that are required and not vendored.
    build.network = !source.vendored && !source.mod.required.empty() && !request.offline;
    step.commands.push_back(std::move(build));

    Command probe;
    probe.argv = {"go", "version"};
    probe.env["GOTOOLCHAIN"] = "local";
    step.identity_probes.push_back(std::move(probe));
    return plan;
  }

  Result<void> check_handler(const Plan&,
                             const std::vector<TreeEntry>& function_files) const override {
    for (const auto& f : function_files) {
      if (f.path == "bootstrap" && !f.is_dir) return ok();
    }
    return bad_input(
        "the function has no `bootstrap` executable at its root; the Go build must write it "
        "(is the main package's output redirected?)");
  }
};

}  // namespace

std::unique_ptr<Runtime> make_go_runtime() {
  return std::make_unique<GoRuntime>();
}

}  // namespace lpack::runtimes

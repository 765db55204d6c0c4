#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/node/node_plan.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::node {
namespace {

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(write_file_atomic(path, text));
}

bool has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Arch other_arch(Arch a) {
  return a == Arch::x86_64 ? Arch::arm64 : Arch::x86_64;
}

// The paths walk_tree selects for a step's inputs: what the builder stages and hashes.
std::vector<std::string> input_paths(const fs::path& src, const Step& step) {
  WalkOptions options;
  options.include = PathPatternSet(step.input_include);
  options.exclude = PathPatternSet(step.input_exclude);
  auto entries = walk_tree(src, options);
  EXPECT_TRUE(entries) << entries.error().message();
  std::vector<std::string> paths;
  if (entries) {
    for (const auto& e : *entries) paths.push_back(e.path);
  }
  return paths;
}

NodeProject project_with(PackageManager pm, std::string lockfile) {
  NodeProject p;
  p.has_package_json = true;
  p.package.has_dependencies = true;
  p.package.has_dev_dependencies = true;
  p.package.scripts = {"build", "test"};
  p.lockfile = Lockfile{std::move(lockfile), pm};
  return p;
}

class NodePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-node-plan-");
    ASSERT_TRUE(dir);
    m_dir.emplace(std::move(*dir));
    write(src() / "package.json",
          R"({"name":"f","dependencies":{"ms":"2.1.3"},"devDependencies":{"is-number":"7.0.0"},
              "scripts":{"build":"tsc"}})");
    write(src() / "package-lock.json", R"({"lockfileVersion":3,"packages":{}})");
    write(src() / ".npmrc", "registry=https://registry.example.com/\n");
    write(src() / "index.js", "exports.handler = async () => 1;\n");
    write(src() / "lib/util.js", "module.exports = {};\n");
    write(src() / "lib/package.json", "{}\n");
    write(src() / "test/index.test.js", "\n");
    write(src() / "lib/util.spec.js", "\n");
    write(src() / "node_modules/ms/index.js", "\n");
    write(src() / ".env", "SECRET=1\n");
    write(src() / ".github/workflows/ci.yml", "\n");
    write(src() / "lpack.toml", "[node]\n");
  }
  const fs::path& src() const { return m_dir->path(); }
  PlanRequest request(Arch arch) const {
    PlanRequest r;
    r.src = src();
    r.arch = arch;
    return r;
  }
  Result<Plan> plan(const PlanRequest& r) const { return find_runtime("node")->plan(r); }

 private:
  std::optional<TempDir> m_dir;
};

TEST_F(NodePlanTest, NpmLayerForTheHostRunsInstallScriptsThroughRebuild) {
  Arch host = host_arch();
  auto p = plan(request(host));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->plugin, "node");
  EXPECT_EQ(p->runtime, "nodejs22.x");
  EXPECT_EQ(p->handler, "index.handler");
  EXPECT_EQ(p->evidence, (std::vector<std::string>{"package.json", "package-lock.json"}));
  ASSERT_TRUE(p->layer);
  const Step& layer = *p->layer;
  EXPECT_EQ(layer.kind, StepKind::layer);
  EXPECT_TRUE(layer.stage_inputs);
  EXPECT_EQ(layer.output_root, "{work}/node_modules");
  EXPECT_EQ(layer.zip_prefix, "nodejs/node_modules/");
  ASSERT_EQ(layer.commands.size(), 2u);
  const auto& ci = layer.commands[0].argv;
  EXPECT_EQ(std::vector<std::string>(ci.begin(), ci.begin() + 3),
            (std::vector<std::string>{"npm", "ci", "--omit=dev"}));
  EXPECT_TRUE(has(ci, std::string("--cpu=") + std::string(node_cpu(host))));
  EXPECT_TRUE(has(ci, "--os=linux"));
  EXPECT_TRUE(has(ci, "--libc=glibc"));
  EXPECT_TRUE(layer.commands[0].network);
  EXPECT_EQ(layer.commands[0].env.at("npm_config_cache"), "{toolcache}/npm");
  EXPECT_EQ(layer.commands[1].argv[1], "rebuild");
  EXPECT_EQ(layer.key_fields.at("package_manager"), "npm");
  ASSERT_EQ(layer.identity_probes.size(), 2u);
  EXPECT_EQ(layer.identity_probes[0].argv, (std::vector<std::string>{"node", "--version"}));
  EXPECT_EQ(layer.identity_probes[1].argv, (std::vector<std::string>{"npm", "--version"}));
}

TEST_F(NodePlanTest, NpmLayerPicksTheTargetCpuAndNoScriptsForAForeignArch) {
  for (Arch arch : {Arch::x86_64, Arch::arm64}) {
    NodeProject project = project_with(PackageManager::npm, "package-lock.json");
    Step host = make_layer_step(project, request(arch), arch);
    Step foreign = make_layer_step(project, request(arch), other_arch(arch));
    std::string cpu = arch == Arch::arm64 ? "--cpu=arm64" : "--cpu=x64";
    EXPECT_TRUE(has(host.commands[0].argv, cpu));
    EXPECT_TRUE(has(foreign.commands[0].argv, cpu));
    // Foreign: only the install, no script ever runs; host: npm rebuild runs them.
    ASSERT_EQ(foreign.commands.size(), 1u);
    EXPECT_TRUE(has(foreign.commands[0].argv, "--ignore-scripts"));
    ASSERT_EQ(host.commands.size(), 2u);
    EXPECT_EQ(host.commands[1].argv,
              (std::vector<std::string>{"npm", "rebuild", "--no-audit", "--no-fund"}));
  }
}

TEST_F(NodePlanTest, YarnClassicBorrowsTheTargetArchOnlyWhenForeign) {
  NodeProject project = project_with(PackageManager::yarn_classic, "yarn.lock");
  Step foreign = make_layer_step(project, request(Arch::arm64), Arch::x86_64);
  ASSERT_EQ(foreign.commands.size(), 1u);
  const Command& c = foreign.commands[0];
  EXPECT_EQ(std::vector<std::string>(c.argv.begin(), c.argv.begin() + 4),
            (std::vector<std::string>{"yarn", "install", "--frozen-lockfile", "--production"}));
  EXPECT_TRUE(has(c.argv, "--ignore-scripts"));
  ASSERT_EQ(foreign.generated_files.size(), 1u);
  const auto& [path, preload] = *foreign.generated_files.begin();
  EXPECT_NE(preload.find("\"arm64\""), std::string::npos);
  EXPECT_EQ(c.env.at("NODE_OPTIONS"), "--require \"{work}/" + path + "\"");
  EXPECT_EQ(c.env.at("YARN_CACHE_FOLDER"), "{toolcache}/yarn-classic");

  Step host = make_layer_step(project, request(Arch::x86_64), Arch::x86_64);
  EXPECT_FALSE(has(host.commands[0].argv, "--ignore-scripts"));
  EXPECT_TRUE(host.generated_files.empty());
  EXPECT_FALSE(host.commands[0].env.count("NODE_OPTIONS"));
  EXPECT_EQ(host.key_fields.at("package_manager"), "yarn-classic");
  EXPECT_EQ(host.identity_probes[1].argv, (std::vector<std::string>{"yarn", "--version"}));
}

TEST_F(NodePlanTest, YarnBerryGetsSupportedArchitecturesAndNodeModules) {
  NodeProject project = project_with(PackageManager::yarn_berry, "yarn.lock");
  Step foreign = make_layer_step(project, request(Arch::arm64), Arch::x86_64);
  const Command& c = foreign.commands.at(0);
  EXPECT_EQ(c.argv,
            (std::vector<std::string>{"yarn", "workspaces", "focus", "--all", "--production"}));
  EXPECT_EQ(c.env.at("YARN_NODE_LINKER"), "node-modules");
  EXPECT_EQ(c.env.at("YARN_ENABLE_IMMUTABLE_INSTALLS"), "true");
  EXPECT_EQ(c.env.at("YARN_ENABLE_SCRIPTS"), "false");
  EXPECT_NE(foreign.generated_files.at("home/.yarnrc.yml").find("cpu: [arm64]"), std::string::npos);
  Step host = make_layer_step(project, request(Arch::x86_64), Arch::x86_64);
  EXPECT_FALSE(host.commands[0].env.count("YARN_ENABLE_SCRIPTS"));
  EXPECT_NE(host.generated_files.at("home/.yarnrc.yml").find("cpu: [x64]"), std::string::npos);
  EXPECT_TRUE(has(host.input_include, "/.yarnrc.yml"));
  EXPECT_TRUE(has(host.input_include, "/.yarn/releases/**"));
}

TEST_F(NodePlanTest, PnpmUsesItsArchFlagsAndAHoistedTree) {
  NodeProject project = project_with(PackageManager::pnpm, "pnpm-lock.yaml");
  Step foreign = make_layer_step(project, request(Arch::arm64), Arch::x86_64);
  const auto& argv = foreign.commands.at(0).argv;
  EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.begin() + 4),
            (std::vector<std::string>{"pnpm", "install", "--prod", "--frozen-lockfile"}));
  EXPECT_TRUE(has(argv, "--cpu=arm64"));
  EXPECT_TRUE(has(argv, "--os=linux"));
  EXPECT_TRUE(has(argv, "--config.node-linker=hoisted"));
  EXPECT_TRUE(has(argv, "--ignore-scripts"));
  Step host = make_layer_step(project, request(Arch::arm64), Arch::arm64);
  EXPECT_FALSE(has(host.commands.at(0).argv, "--ignore-scripts"));
  EXPECT_TRUE(has(host.input_include, "/pnpm-workspace.yaml"));
  EXPECT_EQ(host.key_fields.at("package_manager"), "pnpm");
}

TEST_F(NodePlanTest, LayerInputsAreTheDependencyFilesNeverHandlerCode) {
  auto p = plan(request(Arch::arm64));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(input_paths(src(), *p->layer),
            (std::vector<std::string>{".npmrc", "package-lock.json", "package.json"}));
}

TEST_F(NodePlanTest, FunctionInputsLeaveOutDependenciesTestsDotfilesAndLockfiles) {
  PlanRequest r = request(Arch::x86_64);
  r.exclude = {"lib/package.json"};
  auto p = plan(r);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_TRUE(p->function.commands.empty());
  EXPECT_EQ(p->function.zip_prefix, "");
  EXPECT_EQ(input_paths(src(), p->function),
            (std::vector<std::string>{"index.js", "lib/util.js", "package.json"}));
}

TEST_F(NodePlanTest, RegistryPassesThroughAndReachesTheKeyWithoutCredentials) {
  PlanRequest r = request(Arch::arm64);
  r.environment = {{"npm_config_registry", "https://user:s3cret@npm.example.com/"},
                   {"HOME", "/home/someone"},
                   {"NPM_TOKEN", "abc"}};
  auto p = plan(r);
  ASSERT_TRUE(p) << p.error().message();
  const Step& layer = *p->layer;
  EXPECT_EQ(layer.key_fields.at("registry"), "https://npm.example.com/");
  const auto& env = layer.commands[0].env;
  EXPECT_EQ(env.at("npm_config_registry"), "https://user:s3cret@npm.example.com/");
  EXPECT_FALSE(env.count("HOME"));
  EXPECT_FALSE(env.count("NPM_TOKEN"));
}

TEST_F(NodePlanTest, OfflineInstallsFromTheToolCacheWithoutNetwork) {
  PlanRequest r = request(Arch::arm64);
  r.offline = true;
  Step npm =
      make_layer_step(project_with(PackageManager::npm, "package-lock.json"), r, Arch::arm64);
  for (const auto& c : npm.commands) {
    EXPECT_FALSE(c.network) << c.what;
    EXPECT_EQ(c.env.at("npm_config_offline"), "true");
  }
  Step pnpm = make_layer_step(project_with(PackageManager::pnpm, "pnpm-lock.yaml"), r, Arch::arm64);
  EXPECT_TRUE(has(pnpm.commands.at(0).argv, "--offline"));
  EXPECT_FALSE(pnpm.commands.at(0).network);
  Step berry =
      make_layer_step(project_with(PackageManager::yarn_berry, "yarn.lock"), r, Arch::arm64);
  EXPECT_EQ(berry.commands.at(0).env.at("YARN_ENABLE_NETWORK"), "false");
  r.node.build_script = "build";
  auto p = plan(r);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->function.commands.at(0).network);
}

TEST_F(NodePlanTest, DependenciesWithoutALockfileAreBadInput) {
  fs::remove(src() / "package-lock.json");
  auto p = plan(request(Arch::x86_64));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(p.error().message(),
            "package.json: no lockfile; run `npm install` (or yarn/pnpm) to create "
            "package-lock.json, then build again");
}

TEST_F(NodePlanTest, NoDependenciesNoLayer) {
  write(src() / "package.json", R"({"name":"f","devDependencies":{"is-number":"7.0.0"}})");
  fs::remove(src() / "package-lock.json");
  auto p = plan(request(Arch::x86_64));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->layer);
}

TEST_F(NodePlanTest, BuildScriptInstallsForTheHostAndPacksTheOutputFolder) {
  PlanRequest r = request(Arch::arm64);
  r.node.build_script = "build";
  r.node.output_dir = "dist/";
  auto p = plan(r);
  ASSERT_TRUE(p) << p.error().message();
  const Step& fn = p->function;
  EXPECT_TRUE(fn.stage_inputs);
  EXPECT_EQ(fn.output_root, "{work}/dist");
  ASSERT_EQ(fn.commands.size(), 2u);
  EXPECT_EQ(fn.commands[0].argv,
            (std::vector<std::string>{"npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"}));
  EXPECT_TRUE(fn.commands[0].network);
  EXPECT_EQ(fn.commands[1].argv, (std::vector<std::string>{"npm", "run", "build"}));
  EXPECT_FALSE(fn.commands[1].network);
  EXPECT_EQ(fn.key_fields.at("output_dir"), "dist");
  auto inputs = input_paths(src(), fn);
  EXPECT_TRUE(has(inputs, "index.js"));
  EXPECT_TRUE(has(inputs, ".npmrc"));
  EXPECT_FALSE(has(inputs, "node_modules/ms/index.js"));
  EXPECT_FALSE(has(inputs, "lpack.toml"));
}

TEST_F(NodePlanTest, BadBuildSettingsAreBadInput) {
  PlanRequest r = request(Arch::x86_64);
  r.node.build_script = "compile";
  auto missing = plan(r);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("\"compile\" is not a script"), std::string::npos);
  r.node.build_script = "build";
  for (std::string dir : {"../out", "/abs", ".", "a/../.."}) {
    r.node.output_dir = dir;
    auto bad = plan(r);
    ASSERT_FALSE(bad) << dir;
    EXPECT_EQ(bad.error().code(), ErrorCode::bad_input);
    EXPECT_NE(bad.error().message().find("output_dir"), std::string::npos);
  }
}

TEST_F(NodePlanTest, RuntimeAndHandlerAreChecked) {
  PlanRequest r = request(Arch::x86_64);
  r.runtime = "nodejs16.x";
  auto old = plan(r);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code(), ErrorCode::bad_input);
  r.runtime = "nodejs18.x";
  r.handler = "index";
  auto bad_handler = plan(r);
  ASSERT_FALSE(bad_handler);
  EXPECT_NE(bad_handler.error().message().find("FILE.FUNCTION"), std::string::npos);
  r.handler = "src/app.main";
  auto good = plan(r);
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->runtime, "nodejs18.x");
  EXPECT_EQ(good->handler, "src/app.main");
}

}  // namespace
}  // namespace lpack::runtimes::node

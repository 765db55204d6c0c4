#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

const Runtime& go_runtime() {
  const Runtime* r = find_runtime("go");
  EXPECT_NE(r, nullptr);
  return *r;
}

fs::path fixture(std::string_view name) {
  return fs::path(LPACK_SOURCE_DIR) / "fixtures" / name;
}

class GoRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir.emplace(TempDir::create("lpack-go-test-").value()); }
  const fs::path& dir() const { return m_dir->path(); }
  void write(const std::string& rel, const std::string& content) {
    fs::create_directories((dir() / rel).parent_path());
    ASSERT_TRUE(write_file_atomic(dir() / rel, content));
  }
  PlanRequest request(const fs::path& src, Arch arch = Arch::arm64) {
    PlanRequest r;
    r.src = src;
    r.arch = arch;
    return r;
  }
  // The files of `src` a step reads, as the builder lists them.
  static std::vector<std::string> inputs(const Step& step, const fs::path& src) {
    WalkOptions options;
    options.include = PathPatternSet(step.input_include);
    options.exclude = PathPatternSet(step.input_exclude);
    std::vector<std::string> paths;
    auto walked = walk_tree(src, options);
    EXPECT_TRUE(walked) << walked.error().message();
    if (!walked) return paths;
    for (const auto& e : *walked) {
      if (!e.is_dir) paths.push_back(e.path);
    }
    return paths;
  }

  std::optional<TempDir> m_dir;
};

TEST_F(GoRuntimeTest, DetectsGoModStrongly) {
  write("go.mod", "module example.com/fn\n");
  auto d = go_runtime().detect(dir());
  EXPECT_TRUE(d.claimed);
  EXPECT_EQ(d.strength, 2);
  EXPECT_EQ(d.evidence, std::vector<std::string>{"go.mod"});
}

TEST_F(GoRuntimeTest, DetectsVendorTreeAsEvidence) {
  auto d = go_runtime().detect(fixture("go-vendored"));
  EXPECT_EQ(d.strength, 2);
  EXPECT_EQ(d.evidence, (std::vector<std::string>{"go.mod", "vendor/modules.txt"}));
}

TEST_F(GoRuntimeTest, DetectsLoneGoFilesWeakly) {
  write("main.go", "package main\n");
  write("main_test.go", "package main\n");
  auto d = go_runtime().detect(dir());
  EXPECT_TRUE(d.claimed);
  EXPECT_EQ(d.strength, 1);
  EXPECT_EQ(d.evidence, std::vector<std::string>{"main.go"});
}

TEST_F(GoRuntimeTest, IgnoresFoldersWithoutGo) {
  write("app.py", "def handler(e, c): pass\n");
  EXPECT_FALSE(go_runtime().detect(dir()).claimed);
}

TEST_F(GoRuntimeTest, PlanArgvAndEnvForArm64) {
  auto plan = go_runtime().plan(request(fixture("go-nodeps"), Arch::arm64));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->plugin, "go");
  EXPECT_EQ(plan->plugin_version, "1");
  EXPECT_EQ(plan->runtime, "provided.al2023");
  EXPECT_EQ(plan->handler, "bootstrap");
  EXPECT_FALSE(plan->layer.has_value());
  const Step& step = plan->function;
  EXPECT_TRUE(step.stage_inputs);
  EXPECT_EQ(step.output_root, "{out}");
  EXPECT_EQ(step.zip_prefix, "");
  EXPECT_EQ(step.executables, std::vector<std::string>{"bootstrap"});
  ASSERT_EQ(step.commands.size(), 1u);
  const Command& build = step.commands[0];
  EXPECT_EQ(build.argv,
            (std::vector<std::string>{"go", "build", "-trimpath", "-buildvcs=false",
                                      "-ldflags=-s -w -buildid=", "-o", "{out}/bootstrap", "."}));
  EXPECT_EQ(build.env.at("CGO_ENABLED"), "0");
  EXPECT_EQ(build.env.at("GOOS"), "linux");
  EXPECT_EQ(build.env.at("GOARCH"), "arm64");
  EXPECT_EQ(build.env.at("GOCACHE"), "{toolcache}/go-build");
  EXPECT_EQ(build.env.at("GOPATH"), "{toolcache}/gopath");
  EXPECT_EQ(build.env.at("GOTOOLCHAIN"), "local");
  EXPECT_EQ(build.env.count("GOFLAGS"), 0u);
  EXPECT_EQ(build.env.count("GOPROXY"), 0u);
  EXPECT_FALSE(build.network) << "no requirements, nothing to download";
  ASSERT_EQ(step.identity_probes.size(), 1u);
  EXPECT_EQ(step.identity_probes[0].argv, (std::vector<std::string>{"go", "version"}));
}

TEST_F(GoRuntimeTest, PlanUsesAmd64ForX86) {
  auto plan = go_runtime().plan(request(fixture("go-nodeps"), Arch::x86_64));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->function.commands[0].env.at("GOARCH"), "amd64");
}

TEST_F(GoRuntimeTest, VendoredBuildUsesModVendorWithoutNetwork) {
  auto plan = go_runtime().plan(request(fixture("go-vendored")));
  ASSERT_TRUE(plan) << plan.error().message();
  const Command& build = plan->function.commands[0];
  EXPECT_EQ(build.env.at("GOFLAGS"), "-mod=vendor");
  EXPECT_FALSE(build.network);
  EXPECT_EQ(plan->evidence, (std::vector<std::string>{"go.mod", "vendor/modules.txt"}));
}

TEST_F(GoRuntimeTest, RequirementsWithoutVendorNeedNetwork) {
  write("go.mod", "module example.com/fn\n\ngo 1.19\n\nrequire github.com/google/uuid v1.3.0\n");
  write("main.go", "package main\nfunc main() {}\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_TRUE(plan->function.commands[0].network);
  EXPECT_EQ(plan->function.commands[0].env.count("GOFLAGS"), 0u);
}

TEST_F(GoRuntimeTest, OfflineTurnsTheProxyOff) {
  write("go.mod", "module example.com/fn\nrequire (\n\tgithub.com/google/uuid v1.3.0\n)\n");
  write("main.go", "package main\nfunc main() {}\n");
  auto r = request(dir());
  r.offline = true;
  r.environment["GOPROXY"] = "https://proxy.example.com";
  auto plan = go_runtime().plan(r);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->function.commands[0].env.at("GOPROXY"), "off");
  EXPECT_FALSE(plan->function.commands[0].network);
}

TEST_F(GoRuntimeTest, PassesThroughGoVariablesOnly) {
  auto r = request(fixture("go-vendored"));
  r.environment = {{"GOPROXY", "https://user:token@goproxy.example.com"},
                   {"GOPRIVATE", "example.com/private"},
                   {"GONOSUMDB", "example.com/private"},
                   {"GONOPROXY", "example.com/direct"},
                   {"GOSUMDB", "off"},
                   {"GOINSECURE", "insecure.example.com"},
                   {"GOFLAGS", "-tags=lambda -mod=mod"},
                   {"GOAMD64", "v3"},
                   {"AWS_SECRET_ACCESS_KEY", "secret"},
                   {"HOME", "/home/someone"}};
  auto plan = go_runtime().plan(r);
  ASSERT_TRUE(plan);
  const auto& env = plan->function.commands[0].env;
  EXPECT_EQ(env.at("GOPROXY"), "https://user:token@goproxy.example.com");
  EXPECT_EQ(env.at("GOPRIVATE"), "example.com/private");
  EXPECT_EQ(env.at("GONOSUMDB"), "example.com/private");
  EXPECT_EQ(env.at("GONOPROXY"), "example.com/direct");
  EXPECT_EQ(env.at("GOSUMDB"), "off");
  EXPECT_EQ(env.at("GOINSECURE"), "insecure.example.com");
  // The user's flags are kept, but a vendored build always uses the vendor tree.
  EXPECT_EQ(env.at("GOFLAGS"), "-tags=lambda -mod=vendor");
  EXPECT_EQ(env.count("GOAMD64"), 0u);
  EXPECT_EQ(env.count("AWS_SECRET_ACCESS_KEY"), 0u);
  EXPECT_EQ(env.count("HOME"), 0u);
}

TEST_F(GoRuntimeTest, AcceptsProvidedAl2AndRejectsOtherRuntimes) {
  auto r = request(fixture("go-nodeps"));
  r.runtime = "provided.al2";
  auto plan = go_runtime().plan(r);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->runtime, "provided.al2");
  r.runtime = "go1.x";
  auto bad = go_runtime().plan(r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::bad_input);
  EXPECT_NE(bad.error().message().find("provided.al2023"), std::string::npos);
}

TEST_F(GoRuntimeTest, FindRuntimeByLambdaId) {
  const Runtime* r = find_runtime("provided.al2023");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id(), "go");
}

TEST_F(GoRuntimeTest, MissingGoModIsBadInput) {
  write("main.go", "package main\nfunc main() {}\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
  EXPECT_NE(plan.error().message().find("go.mod"), std::string::npos);
  EXPECT_NE(plan.error().message().find("go mod init"), std::string::npos);
}

TEST_F(GoRuntimeTest, GoModWithoutModuleLineIsBadInput) {
  write("go.mod", "go 1.19\n");
  write("main.go", "package main\nfunc main() {}\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
  EXPECT_NE(plan.error().message().find("no module line"), std::string::npos);
}

TEST_F(GoRuntimeTest, NoMainPackageIsBadInput) {
  write("go.mod", "module example.com/lib\n");
  write("lib.go", "package lib\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("package main"), std::string::npos);
}

TEST_F(GoRuntimeTest, BuildsTheOneMainPackageInASubfolder) {
  write("go.mod", "module example.com/fn\n");
  write("internal/lib/lib.go", "package lib\n");
  write("cmd/handler/main.go", "// Command handler.\npackage main\nfunc main() {}\n");
  write("tools/gen.go", "//go:build ignore\n\npackage main\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->function.commands[0].argv.back(), "./cmd/handler");
}

TEST_F(GoRuntimeTest, SeveralMainPackagesAreBadInput) {
  write("go.mod", "module example.com/fn\n");
  write("cmd/a/main.go", "package main\n");
  write("cmd/b/main.go", "package main\n");
  auto plan = go_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("cmd/a, cmd/b"), std::string::npos);
}

TEST_F(GoRuntimeTest, InputsAreWhatGoBuildReads) {
  write("go.mod", "module example.com/fn\n");
  write("go.sum", "");
  write("main.go",
        "package main\n\nimport _ \"embed\"\n\n//go:embed static/index.html\nvar page "
        "string\n\nfunc main() {}\n");
  write("main_test.go", "package main\n");
  write("asm_arm64.s", "TEXT ·f(SB),0,$0\n");
  write("static/index.html", "<html/>");
  write("static/unused.css", "");
  write("README.md", "# fn\n");
  write("testdata/case.go", "package main\n");
  write("vendor/modules.txt", "# example.com/dep v1.0.0\n");
  write("vendor/example.com/dep/dep.go", "package dep\n");
  write("vendor/example.com/dep/LICENSE", "MIT\n");
  write(".git/config", "");
  write("bootstrap", "old binary");
  auto r = request(dir());
  r.exclude = {"static/unused.css"};
  auto plan = go_runtime().plan(r);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(inputs(plan->function, dir()),
            (std::vector<std::string>{"asm_arm64.s", "go.mod", "go.sum", "main.go",
                                      "static/index.html", "vendor/example.com/dep/LICENSE",
                                      "vendor/example.com/dep/dep.go", "vendor/modules.txt"}));
}

TEST_F(GoRuntimeTest, CheckHandlerWantsBootstrap) {
  auto plan = go_runtime().plan(request(fixture("go-nodeps")));
  ASSERT_TRUE(plan);
  TreeEntry bootstrap;
  bootstrap.path = "bootstrap";
  EXPECT_TRUE(go_runtime().check_handler(*plan, {bootstrap}));
  TreeEntry other;
  other.path = "main";
  auto missing = go_runtime().check_handler(*plan, {other});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::bad_input);
  EXPECT_NE(missing.error().message().find("bootstrap"), std::string::npos);
}

}  // namespace
}  // namespace lpack::runtimes

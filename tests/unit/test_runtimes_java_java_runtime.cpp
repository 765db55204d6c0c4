#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/java/java_plan.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

const Runtime& java_runtime() {
  const Runtime* r = find_runtime("java");
  EXPECT_NE(r, nullptr);
  return *r;
}

fs::path fixture(std::string_view name) {
  return fs::path(LPACK_SOURCE_DIR) / "fixtures" / name;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const char* k_simple_pom = R"(<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>g</groupId><artifactId>a</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.x</groupId><artifactId>lib</artifactId><version>1</version></dependency>
  </dependencies>
</project>
)";

const char* k_handler_java = R"(package com.example;

import java.util.Map;

public class App {
    // handleRequest(...) is what Lambda calls
    public String handleRequest(Map<String, Object> event, Object context) {
        return "ok";
    }
}
)";

class JavaRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.emplace(TempDir::create("lpack-java-test-").value());
    m_home.emplace(TempDir::create("lpack-java-home-").value());
  }
  const fs::path& dir() const { return m_dir->path(); }
  const fs::path& home() const { return m_home->path(); }
  void write(const fs::path& root, const std::string& rel, const std::string& content) {
    fs::create_directories((root / rel).parent_path());
    ASSERT_TRUE(write_file_atomic(root / rel, content));
  }
  void write(const std::string& rel, const std::string& content) { write(dir(), rel, content); }
  PlanRequest request(const fs::path& src) {
    PlanRequest r;
    r.src = src;
    r.arch = Arch::arm64;
    r.environment["HOME"] = home().string();
    return r;
  }
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
  std::optional<TempDir> m_home;
};

TEST_F(JavaRuntimeTest, DetectsBuildFilesStrongly) {
  write("pom.xml", k_simple_pom);
  auto d = java_runtime().detect(dir());
  EXPECT_TRUE(d.claimed);
  EXPECT_EQ(d.strength, 2);
  EXPECT_EQ(d.evidence, std::vector<std::string>{"pom.xml"});
  write("build.gradle.kts", "plugins { java }\n");
  EXPECT_EQ(java_runtime().detect(dir()).evidence,
            (std::vector<std::string>{"pom.xml", "build.gradle.kts"}));
}

TEST_F(JavaRuntimeTest, DetectsSourcesWithoutBuildFileWeakly) {
  write("src/main/java/com/example/App.java", k_handler_java);
  auto d = java_runtime().detect(dir());
  EXPECT_TRUE(d.claimed);
  EXPECT_EQ(d.strength, 1);
  auto plan = java_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
  EXPECT_NE(plan.error().message().find("pom.xml"), std::string::npos);
}

TEST_F(JavaRuntimeTest, IgnoresOtherFolders) {
  write("package.json", "{}");
  EXPECT_FALSE(java_runtime().detect(dir()).claimed);
}

TEST_F(JavaRuntimeTest, MavenPlanForTheFixture) {
  auto plan = java_runtime().plan(request(fixture("java-maven")));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->plugin, "java");
  EXPECT_EQ(plan->plugin_version, "1");
  EXPECT_EQ(plan->runtime, "java17");
  EXPECT_EQ(plan->handler, "example.Handler::handleRequest");
  EXPECT_EQ(plan->evidence, std::vector<std::string>{"pom.xml"});

  ASSERT_TRUE(plan->layer.has_value());
  const Step& layer = *plan->layer;
  EXPECT_EQ(layer.kind, StepKind::layer);
  EXPECT_EQ(layer.zip_prefix, "java/lib/");
  EXPECT_EQ(layer.output_root, "{out}");
  EXPECT_TRUE(layer.stage_inputs);
  ASSERT_EQ(layer.commands.size(), 1u);
  const auto& copy = layer.commands[0].argv;
  EXPECT_EQ(copy[0], "mvn");
  EXPECT_TRUE(contains(copy, "-B"));
  EXPECT_TRUE(contains(copy, "-Dmaven.repo.local={toolcache}/m2"));
  EXPECT_TRUE(contains(copy, std::string(java::k_dependency_plugin)));
  EXPECT_TRUE(contains(copy, "-DincludeScope=runtime"));
  EXPECT_TRUE(contains(copy, "-DoutputDirectory={out}"));
  EXPECT_FALSE(contains(copy, "-o"));
  EXPECT_TRUE(layer.commands[0].network);

  const Step& function = plan->function;
  EXPECT_EQ(function.kind, StepKind::function);
  EXPECT_EQ(function.output_root, "{work}/target/classes");
  EXPECT_EQ(function.zip_prefix, "");
  EXPECT_TRUE(function.stage_inputs);
  ASSERT_EQ(function.commands.size(), 1u);
  const auto& compile = function.commands[0].argv;
  EXPECT_TRUE(contains(compile, "-Dmaven.compiler.release=17"));
  EXPECT_TRUE(contains(compile, "-Dproject.build.outputTimestamp=1980-01-01T00:00:02Z"));
  EXPECT_EQ(compile.back(), "process-classes");
  EXPECT_EQ(function.identity_probes.size(), 3u);
  EXPECT_EQ(function.identity_probes[0].argv, (std::vector<std::string>{"java", "-version"}));
}

TEST_F(JavaRuntimeTest, LayerInputsExcludeHandlerCode) {
  auto plan = java_runtime().plan(request(fixture("java-maven")));
  ASSERT_TRUE(plan);
  EXPECT_EQ(inputs(*plan->layer, fixture("java-maven")), std::vector<std::string>{"pom.xml"});
  auto function_inputs = inputs(plan->function, fixture("java-maven"));
  EXPECT_TRUE(contains(function_inputs, "pom.xml"));
  EXPECT_TRUE(contains(function_inputs, "src/main/java/example/Handler.java"));
  EXPECT_TRUE(contains(function_inputs, "src/main/resources/banner.txt"));
  EXPECT_FALSE(contains(function_inputs, "src/test/java/example/HandlerTest.java"));
}

TEST_F(JavaRuntimeTest, MavenSettingsFromHomeTravelAsAGeneratedFile) {
  const std::string settings =
      "<settings><servers><server><id>corp</id><username>${env.REPO_USER}</username>"
      "<password>${env.REPO_TOKEN}</password></server></servers>${env.UNSET_VAR} ${env.} "
      "${env.1X}</settings>\n";
  write(home(), ".m2/settings.xml", settings);
  auto r = request(fixture("java-maven"));
  r.environment["REPO_USER"] = "builder";
  r.environment["REPO_TOKEN"] = "it's-secret";
  r.environment["OTHER"] = "not referenced";
  auto plan = java_runtime().plan(r);
  ASSERT_TRUE(plan);
  for (const Step* step : {&*plan->layer, &plan->function}) {
    const auto& argv = step->commands[0].argv;
    auto s = std::find(argv.begin(), argv.end(), "-s");
    ASSERT_NE(s, argv.end());
    EXPECT_EQ(*(s + 1), "{work}/home/.m2/settings.xml");
    EXPECT_EQ(step->generated_files.at("home/.m2/settings.xml"), settings);
    EXPECT_EQ(step->generated_files.at("home/.mavenrc"),
              "# Written by lpack: the variables the Maven settings refer to.\n"
              "export REPO_TOKEN='it'\\''s-secret'\n"
              "export REPO_USER='builder'\n");
    // Neither the user's path nor a secret is in the argv or env that the key shows.
    for (const auto& arg : argv) {
      EXPECT_EQ(arg.find(home().string()), std::string::npos) << arg;
      EXPECT_EQ(arg.find("secret"), std::string::npos) << arg;
    }
    EXPECT_TRUE(step->commands[0].env.empty());
  }
}

TEST_F(JavaRuntimeTest, WithoutUserSettingsAnEmptyOneIsPassed) {
  auto plan = java_runtime().plan(request(fixture("java-maven")));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->function.generated_files.at("home/.m2/settings.xml"), "<settings/>\n");
  EXPECT_EQ(plan->function.generated_files.count("home/.mavenrc"), 0u);
  EXPECT_TRUE(contains(plan->function.commands[0].argv, "{work}/home/.m2/settings.xml"));
}

TEST_F(JavaRuntimeTest, OfflineKeepsFileRepositoriesOnly) {
  auto r = request(fixture("java-maven"));
  r.offline = true;
  auto plan = java_runtime().plan(r);
  ASSERT_TRUE(plan);
  for (const Step* step : {&*plan->layer, &plan->function}) {
    EXPECT_TRUE(contains(step->commands[0].argv, "-o"));
    EXPECT_TRUE(contains(step->commands[0].argv, "-Daether.offline.protocols=file"));
    EXPECT_FALSE(step->commands[0].network);
  }
}

TEST_F(JavaRuntimeTest, RuntimeSetsTheReleaseAndTimestampFollowsSourceDateEpoch) {
  auto r = request(fixture("java-maven"));
  r.runtime = "java21";
  r.environment["SOURCE_DATE_EPOCH"] = "1700000000";
  auto plan = java_runtime().plan(r);
  ASSERT_TRUE(plan);
  const auto& argv = plan->function.commands[0].argv;
  EXPECT_TRUE(contains(argv, "-Dmaven.compiler.release=21"));
  EXPECT_TRUE(contains(argv, "-Dproject.build.outputTimestamp=2023-11-14T22:13:20Z"));
  r.runtime = "java8.al2";
  auto bad = java_runtime().plan(r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::bad_input);
}

TEST_F(JavaRuntimeTest, NoLayerWithoutRuntimeDependencies) {
  write("pom.xml",
        "<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version><dependencies>"
        "<dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4</version>"
        "<scope>test</scope></dependency>"
        "<dependency><groupId>x</groupId><artifactId>api</artifactId><version>1</version>"
        "<scope>provided</scope></dependency></dependencies></project>");
  write("src/main/java/com/example/App.java", k_handler_java);
  auto plan = java_runtime().plan(request(dir()));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_FALSE(plan->layer.has_value());
  EXPECT_EQ(plan->handler, "com.example.App::handleRequest");
}

TEST_F(JavaRuntimeTest, AggregatorPomIsBadInput) {
  write("pom.xml",
        "<project><packaging>pom</packaging><modules><module>fn</module></modules></project>");
  auto plan = java_runtime().plan([&] {
    auto r = request(dir());
    r.handler = "a.B";
    return r;
  }());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
  EXPECT_NE(plan.error().message().find("aggregator"), std::string::npos);
}

TEST_F(JavaRuntimeTest, HandlerMustBeConfiguredWhenNotFound) {
  write("pom.xml", k_simple_pom);
  write("src/main/java/com/example/Util.java",
        "package com.example;\nclass Util { void run() { x.handleRequest(1); } }\n");
  auto plan = java_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
  EXPECT_NE(plan.error().message().find("[metadata] handler"), std::string::npos);

  auto r = request(dir());
  r.handler = "com.example.Util::run";
  auto configured = java_runtime().plan(r);
  ASSERT_TRUE(configured) << configured.error().message();
  EXPECT_EQ(configured->handler, "com.example.Util::run");
}

TEST_F(JavaRuntimeTest, SeveralHandlerCandidatesAreListed) {
  write("pom.xml", k_simple_pom);
  write("src/main/java/com/example/App.java", k_handler_java);
  write("src/main/java/com/example/Other.java",
        "package com.example;\npublic class Other {\n  public void handleRequest (Object in, "
        "Object ctx) {}\n}\n");
  auto plan = java_runtime().plan(request(dir()));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find(
                "com.example.App::handleRequest, com.example.Other::handleRequest"),
            std::string::npos);
}

TEST_F(JavaRuntimeTest, CheckHandlerLooksForClassAndMethod) {
  write("out/example/Handler.class",
        std::string("\xCA\xFE\xBA\xBE\0\0\0\x3D", 8) + "handleRequest");
  write("out/example/Other.class", std::string("\xCA\xFE\xBA\xBE", 4));
  TreeEntry handler_class;
  handler_class.path = "example/Handler.class";
  handler_class.source = dir() / "out/example/Handler.class";
  TreeEntry other_class;
  other_class.path = "example/Other.class";
  other_class.source = dir() / "out/example/Other.class";
  Plan plan;
  plan.handler = "example.Handler::handleRequest";
  EXPECT_TRUE(java_runtime().check_handler(plan, {handler_class, other_class}));
  plan.handler = "example.Handler";
  EXPECT_TRUE(java_runtime().check_handler(plan, {handler_class}));

  plan.handler = "example.Handler::process";
  auto no_method = java_runtime().check_handler(plan, {handler_class});
  ASSERT_FALSE(no_method);
  EXPECT_NE(no_method.error().message().find("no method process"), std::string::npos);

  plan.handler = "example.Missing::handleRequest";
  auto no_class = java_runtime().check_handler(plan, {handler_class, other_class});
  ASSERT_FALSE(no_class);
  EXPECT_EQ(no_class.error().code(), ErrorCode::bad_input);
  EXPECT_NE(no_class.error().message().find("example/Missing.class"), std::string::npos);
  EXPECT_NE(no_class.error().message().find("example/Handler.class"), std::string::npos);
}

TEST(JavaRuntimeHelpers, ParseHandler) {
  auto a = java::parse_java_handler("com.example.App::handle");
  EXPECT_EQ(a.class_file, "com/example/App.class");
  EXPECT_EQ(a.method, "handle");
  auto b = java::parse_java_handler("App");
  EXPECT_EQ(b.class_file, "App.class");
  EXPECT_EQ(b.method, "handleRequest");
}

TEST(JavaRuntimeHelpers, IsoTimestamp) {
  EXPECT_EQ(java::iso_timestamp(""), "1980-01-01T00:00:02Z");
  EXPECT_EQ(java::iso_timestamp("0"), "1980-01-01T00:00:02Z");
  EXPECT_EQ(java::iso_timestamp("not a number"), "1980-01-01T00:00:02Z");
  EXPECT_EQ(java::iso_timestamp("1700000000"), "2023-11-14T22:13:20Z");
}

TEST(JavaRuntimeHelpers, Release) {
  EXPECT_EQ(java::java_release("java17"), "17");
  EXPECT_EQ(java::java_release("java21"), "21");
  EXPECT_EQ(java::java_release("java8.al2"), "");
  EXPECT_EQ(java::java_release("python3.12"), "");
}

}  // namespace
}  // namespace lpack::runtimes

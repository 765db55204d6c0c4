#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/java/java_plan.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class JavaRuntimeGradle : public ::testing::Test {
 protected:
  void SetUp() override { m_dir.emplace(TempDir::create("lpack-gradle-test-").value()); }
  const fs::path& dir() const { return m_dir->path(); }
  void write(const std::string& rel, const std::string& content) {
    fs::create_directories((dir() / rel).parent_path());
    ASSERT_TRUE(write_file_atomic(dir() / rel, content));
  }
  Result<Plan> plan(bool offline = false) {
    PlanRequest r;
    r.src = dir();
    r.handler = "example.Handler::handleRequest";
    r.offline = offline;
    r.environment = {{"ORG_GRADLE_PROJECT_repoPassword", "hunter2"}, {"GRADLE_OPTS", "-Xmx8g"}};
    return find_runtime("java")->plan(r);
  }
  std::optional<TempDir> m_dir;
};

TEST_F(JavaRuntimeGradle, PlansLayerAndFunctionWithGradleOnPath) {
  write("build.gradle",
        "plugins { id 'java' }\nrepositories { mavenCentral() }\n"
        "dependencies {\n  implementation 'org.apache.commons:commons-lang3:3.12.0'\n"
        "  testImplementation 'junit:junit:4.13.2'\n}\n");
  write("src/main/java/example/Handler.java", "package example;\n");
  auto p = plan();
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->evidence, std::vector<std::string>{"build.gradle"});
  ASSERT_TRUE(p->layer.has_value());
  const Step& layer = *p->layer;
  EXPECT_EQ(layer.zip_prefix, "java/lib/");
  EXPECT_EQ(layer.generated_files.at(std::string(java::k_gradle_init_script)),
            java::gradle_init_script());
  const Command& copy = layer.commands.at(0);
  EXPECT_EQ(copy.argv.front(), "gradle");
  EXPECT_EQ(copy.argv.back(), "lpackDependencies");
  EXPECT_TRUE(contains(copy.argv, "-Plpack.out={out}"));
  EXPECT_TRUE(contains(copy.argv, "--no-daemon"));
  EXPECT_FALSE(contains(copy.argv, "--offline"));
  EXPECT_EQ(copy.env.at("GRADLE_USER_HOME"), "{toolcache}/gradle");
  EXPECT_EQ(copy.env.at("ORG_GRADLE_PROJECT_repoPassword"), "hunter2");
  EXPECT_EQ(copy.env.count("GRADLE_OPTS"), 0u);

  const Step& function = p->function;
  EXPECT_EQ(function.output_root, "{out}");
  EXPECT_EQ(function.zip_prefix, "");
  EXPECT_EQ(function.commands.at(0).argv.back(), "lpackClasses");
  EXPECT_TRUE(contains(function.commands.at(0).argv, "-Plpack.release=17"));
  // A gradle on PATH is identified by its version line; a wrapper by its properties file.
  EXPECT_EQ(function.identity_probes.size(), 3u);
}

TEST_F(JavaRuntimeGradle, WrapperIsRunThroughSh) {
  write("build.gradle.kts", "plugins { java }\n");
  write("gradlew", "#!/bin/sh\n");
  write("gradle/wrapper/gradle-wrapper.properties",
        "distributionUrl=https://example.com/gradle.zip\n");
  write("src/main/java/example/Handler.java", "package example;\n");
  write("README.md", "docs\n");
  auto p = plan(true);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->layer.has_value()) << "no dependencies declared";
  const auto& argv = p->function.commands.at(0).argv;
  EXPECT_EQ(argv[0], "sh");
  EXPECT_EQ(argv[1], "gradlew");
  EXPECT_TRUE(contains(argv, "--offline"));
  EXPECT_FALSE(p->function.commands.at(0).network);
  EXPECT_EQ(p->function.identity_probes.size(), 2u);

  WalkOptions options;
  options.include = PathPatternSet(p->function.input_include);
  options.exclude = PathPatternSet(p->function.input_exclude);
  std::vector<std::string> paths;
  auto walked = walk_tree(dir(), options);
  ASSERT_TRUE(walked) << walked.error().message();
  for (const auto& e : *walked) {
    if (!e.is_dir) paths.push_back(e.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"build.gradle.kts",
                                             "gradle/wrapper/gradle-wrapper.properties", "gradlew",
                                             "src/main/java/example/Handler.java"}));
}

TEST(JavaRuntimeGradleScript, DeclaresDependencies) {
  EXPECT_TRUE(java::gradle_declares_dependencies("dependencies {\n compile 'a:b:1'\n}"));
  EXPECT_TRUE(java::gradle_declares_dependencies("dependencies{ implementation(\"a:b:1\") }"));
  EXPECT_TRUE(java::gradle_declares_dependencies("dependencies { runtimeOnly(libs.x) }"));
  EXPECT_FALSE(
      java::gradle_declares_dependencies("dependencies { testImplementation 'junit:junit:4' }"));
  EXPECT_FALSE(java::gradle_declares_dependencies("dependencies { compileOnly 'x:y:1' }"));
  EXPECT_FALSE(java::gradle_declares_dependencies(
      "buildscript { dependencies { classpath 'x:y:1' } }\nplugins { id 'java' }"));
  EXPECT_FALSE(java::gradle_declares_dependencies("plugins { id 'java' }"));
}

TEST(JavaRuntimeGradleScript, InitScriptMakesArchivesReproducible) {
  auto script = java::gradle_init_script();
  EXPECT_NE(script.find("preserveFileTimestamps = false"), std::string::npos);
  EXPECT_NE(script.find("reproducibleFileOrder = true"), std::string::npos);
  EXPECT_NE(script.find("lpackDependencies"), std::string::npos);
  EXPECT_NE(script.find("lpackClasses"), std::string::npos);
}

}  // namespace
}  // namespace lpack::runtimes

// The parts of the Java plugin below its Runtime interface, exposed for the unit tests: the
// Maven and Gradle planners, handler discovery and the small readers they use.
//
// Layout both planners produce (what Lambda's Java runtimes load):
//   function.zip  compiled classes and resources at the root (no jar: nothing to normalise)
//   layer.zip     java/lib/<dependency>.jar, the runtime classpath, jars byte-for-byte as
//                 the repository published them
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::java {

// The maven-dependency-plugin the layer step runs, pinned so that the same pom gives the
// same layer wherever it is built (an unpinned prefix would resolve "latest").
inline constexpr std::string_view k_dependency_plugin =
    "org.apache.maven.plugins:maven-dependency-plugin:3.5.0:copy-dependencies";

// Where the Maven steps put the user's settings.xml (an empty one when there is none) and,
// when those settings refer to ${env.NAME} variables, a ~/.mavenrc exporting them: both
// generated under {work}, whose home/ is the sandbox's $HOME.
inline constexpr std::string_view k_maven_settings_file = "home/.m2/settings.xml";
inline constexpr std::string_view k_mavenrc_file = "home/.mavenrc";

// The file name of the Gradle init script the Gradle steps generate in {work}.
inline constexpr std::string_view k_gradle_init_script = "lpack-init.gradle";

// What both planners need besides the request.
struct JavaTarget {
  std::string runtime;           // "java17"
  std::string release;           // "17": the class file level javac targets
  std::string output_timestamp;  // ISO-8601 UTC, from SOURCE_DATE_EPOCH (>= 1980-01-01T00:00:02Z)
};

// "java17" -> "17"; "" for anything that is not a javaN runtime id.
std::string java_release(std::string_view runtime);

// SOURCE_DATE_EPOCH (seconds) as the ISO-8601 UTC text Maven's outputTimestamp takes,
// clamped to the zip format's earliest time; `epoch_text` "" or not a number gives that time.
std::string iso_timestamp(std::string_view epoch_text);

// Fills plan.layer (when the pom has runtime dependencies or a parent that may add some) and
// plan.function for a Maven project. bad_input for an unreadable pom.xml or an aggregator
// (packaging pom). The user's ~/.m2/settings.xml, found through request.environment["HOME"],
// becomes the generated k_maven_settings_file passed with -s (the key holds its hash, never
// its content or the user's path).
Result<void> plan_maven(const PlanRequest& request, const JavaTarget& target, Plan& plan);

// Fills plan.layer (when the build script declares dependencies) and plan.function for a
// Gradle project (build.gradle or build.gradle.kts; ./gradlew when present).
Result<void> plan_gradle(const PlanRequest& request, const JavaTarget& target, Plan& plan);

// The text of the init script plan_gradle generates (reproducible archives, and the tasks
// lpackDependencies / lpackClasses that copy the runtime classpath / main output to
// -Plpack.out).
std::string gradle_init_script();

// Whether a Gradle build script has a dependencies { } block declaring runtime
// dependencies (implementation, api, compile, runtime, runtimeOnly).
bool gradle_declares_dependencies(std::string_view script);

// The handler Lambda should call when none is configured: the one class under
// src/main/java that declares a handleRequest method, as "pkg.Class::handleRequest".
// bad_input, asking for [metadata] handler, when there is none or more than one.
Result<std::string> find_java_handler(const fs::path& src, const std::vector<std::string>& exclude);

// "example.Handler::handleRequest" -> {"example/Handler.class", "handleRequest"};
// "example.Handler" -> {"example/Handler.class", "handleRequest"}.
struct HandlerRef {
  std::string class_file;
  std::string method;
};
HandlerRef parse_java_handler(std::string_view handler);

}  // namespace lpack::runtimes::java

// Gradle planning: an init script lpack generates adds two copy tasks to the root project,
// so no user build script needs editing, and makes every archive the build creates
// reproducible (Gradle's own preserveFileTimestamps / reproducibleFileOrder switches).
// Gradle is ./gradlew when the project has a wrapper, else gradle on PATH.
#include <cctype>

#include "runtimes/java/java_plan.hpp"

namespace lpack::runtimes::java {
namespace {

constexpr std::string_view k_init_script =
    R"groovy(// Written by lpack into the build's scratch folder; not part of the project.
// Makes every archive the build produces reproducible and adds two tasks to the root
// project, both writing to the folder given as -Plpack.out:
//   lpackDependencies  the runtime classpath (the layer's java/lib/)
//   lpackClasses       the main classes and resources (the function zip's root)
allprojects {
    tasks.withType(AbstractArchiveTask) {
        preserveFileTimestamps = false
        reproducibleFileOrder = true
    }
}
gradle.rootProject { root ->
    root.afterEvaluate {
        if (!root.plugins.hasPlugin('java')) {
            throw new GradleException("lpack: the root project does not apply the 'java' plugin; " +
                "add `plugins { id 'java' }` to its build script")
        }
        def outDir = root.file(root.property('lpack.out'))
        root.tasks.create('lpackDependencies', Copy) {
            from root.configurations.getByName('runtimeClasspath')
            into outDir
            duplicatesStrategy = DuplicatesStrategy.EXCLUDE
        }
        root.tasks.create('lpackClasses', Copy) {
            doFirst {
                def release = (root.property('lpack.release') as String) as int
                root.tasks.withType(JavaCompile).each { compile ->
                    // Parsed by hand: old Gradles' JavaVersion knows no Java after 10.
                    def levelText = compile.targetCompatibility.toString()
                    def level = (levelText.startsWith('1.') ? levelText.substring(2) : levelText).tokenize('.')[0] as int
                    if (level > release) {
                        throw new GradleException("lpack: ${compile.path} targets Java ${level} but the " +
                            "Lambda runtime is java${release}; lower targetCompatibility or pick a newer runtime")
                    }
                }
            }
            from root.sourceSets.main.output
            into outDir
            duplicatesStrategy = DuplicatesStrategy.EXCLUDE
        }
    }
}
)groovy";

bool is_ident(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Positions of `word` as a whole identifier in `text`.
std::vector<size_t> find_word(std::string_view text, std::string_view word) {
  std::vector<size_t> found;
  for (size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    bool starts = pos == 0 || !is_ident(text[pos - 1]);
    bool ends = pos + word.size() == text.size() || !is_ident(text[pos + word.size()]);
    if (starts && ends) found.push_back(pos);
  }
  return found;
}

}  // namespace

std::string gradle_init_script() {
  return std::string(k_init_script);
}

bool gradle_declares_dependencies(std::string_view script) {
  static constexpr std::string_view k_configurations[] = {"implementation", "api", "compile",
                                                          "runtime", "runtimeOnly"};
  for (size_t pos : find_word(script, "dependencies")) {
    size_t open = script.find_first_not_of(" \t\r\n", pos + 12);
    if (open == std::string_view::npos || script[open] != '{') continue;
    int depth = 0;
    size_t close = open;
    for (; close < script.size(); ++close) {
      if (script[close] == '{') ++depth;
      if (script[close] == '}' && --depth == 0) break;
    }
    std::string_view block = script.substr(open, close - open);
    for (auto configuration : k_configurations) {
      if (!find_word(block, configuration).empty()) return true;
    }
  }
  return false;
}

Result<void> plan_gradle(const PlanRequest& request, const JavaTarget& target, Plan& plan) {
  std::error_code ec;
  std::string script_name =
      fs::is_regular_file(request.src / "build.gradle", ec) ? "build.gradle" : "build.gradle.kts";
  auto script = LPACK_TRY(read_file(request.src / script_name));
  bool wrapper = fs::is_regular_file(request.src / "gradlew", ec);
  plan.evidence = {script_name};
  if (wrapper) plan.evidence.push_back("gradlew");

  // gradlew is run through sh so that a checkout without its exec bit still works.
  std::vector<std::string> common =
      wrapper ? std::vector<std::string>{"sh", "gradlew"} : std::vector<std::string>{"gradle"};
  common.insert(common.end(), {"--no-daemon", "--console=plain", "-q", "--no-build-cache", "-I",
                               std::string(k_gradle_init_script), "-Plpack.out={out}"});
  if (request.offline) common.push_back("--offline");

  std::map<std::string, std::string> env;
  // Gradle's dependency cache (and a wrapper's distributions) in the plugin's tool cache.
  env["GRADLE_USER_HOME"] = "{toolcache}/gradle";
  // Project properties from the environment, Gradle's documented way to hand a build its
  // repository credentials; the key records a secret's presence, never its value.
  for (const auto& [name, value] : request.environment) {
    if (name.starts_with("ORG_GRADLE_PROJECT_")) env[name] = value;
  }

  std::vector<Command> probes;
  Command java;
  java.argv = {"java", "-version"};
  Command javac;
  javac.argv = {"javac", "-version"};
  probes = {java, javac};
  if (!wrapper) {
    // `gradle --version` also prints the build time, the kernel and the JVM's path: only the
    // "Gradle x.y" line identifies the tool. (A wrapper's version is in its properties
    // file, which is an input.)
    Command gradle;
    gradle.argv = {
        "sh", "-c",
        "v=$(gradle --no-daemon --version) || exit $?; printf '%s\\n' \"$v\" | grep '^Gradle '"};
    probes.push_back(gradle);
  }

  const std::vector<std::string> build_files = {
      "/build.gradle",      "/build.gradle.kts", "/settings.gradle", "/settings.gradle.kts",
      "/gradle.properties", "/gradlew",          "/gradle/**",       "/buildSrc/**"};
  std::vector<std::string> excludes = common_function_excludes();
  excludes.insert(excludes.end(), request.exclude.begin(), request.exclude.end());

  if (gradle_declares_dependencies(script)) {
    Step layer;
    layer.kind = StepKind::layer;
    layer.input_include = build_files;
    layer.stage_inputs = true;
    layer.generated_files[std::string(k_gradle_init_script)] = gradle_init_script();
    layer.identity_probes = probes;
    Command copy;
    copy.what = "gradle lpackDependencies";
    copy.argv = common;
    copy.argv.push_back("lpackDependencies");
    copy.env = env;
    copy.network = !request.offline;
    layer.commands.push_back(std::move(copy));
    layer.zip_prefix = "java/lib/";
    plan.layer = std::move(layer);
  }

  Step& function = plan.function;
  function.kind = StepKind::function;
  function.input_include = build_files;
  function.input_include.push_back("/src/main/**");
  function.input_exclude = excludes;
  function.stage_inputs = true;
  function.generated_files[std::string(k_gradle_init_script)] = gradle_init_script();
  function.identity_probes = probes;
  Command compile;
  compile.what = "gradle lpackClasses (" + target.runtime + ")";
  compile.argv = common;
  // The init script fails the build when javac would target a newer Java than the runtime.
  compile.argv.push_back("-Plpack.release=" + target.release);
  compile.argv.push_back("lpackClasses");
  compile.env = env;
  compile.network = !request.offline;
  function.commands.push_back(std::move(compile));
  function.zip_prefix = "";
  return ok();
}

}  // namespace lpack::runtimes::java

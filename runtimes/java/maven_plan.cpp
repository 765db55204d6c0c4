// Maven planning: `dependency:copy-dependencies` fills the layer's java/lib/, `mvn
// process-classes` compiles the function into target/classes, which is packed as it is.
// Maven's local repository lives in the plugin's {toolcache}, shared by both steps.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

#include "runtimes/java/java_plan.hpp"
#include "runtimes/java/pom.hpp"

namespace lpack::runtimes::java {
namespace {

std::string env_value(const PlanRequest& request, std::string_view name) {
  auto it = request.environment.find(std::string(name));
  return it == request.environment.end() ? std::string() : it->second;
}

// The toolchain identity shared by both steps. `mvn -v` prints paths, the locale and the
// kernel version too, which would split the cache between identical machines: only its
// "Apache Maven 3.8.7" line counts, without the colour codes Maven's console library
// writes even in batch mode.
std::vector<Command> maven_probes() {
  Command java;
  java.argv = {"java", "-version"};
  Command javac;
  javac.argv = {"javac", "-version"};
  Command mvn;
  mvn.argv = {"sh", "-c",
              "v=$(mvn -B -v 2>&1) || { printf '%s\\n' \"$v\"; exit 1; }; "
              "printf '%s\\n' \"$v\" | sed 's/\\x1b\\[[0-9;]*m//g' | grep -m1 '^Apache Maven'"};
  return {java, javac, mvn};
}

// The NAMEs of ${env.NAME} references, sorted and unique.
std::vector<std::string> settings_env_references(std::string_view text) {
  std::set<std::string> names;
  for (size_t pos = text.find("${env."); pos != std::string_view::npos;
       pos = text.find("${env.", pos + 1)) {
    size_t start = pos + 6;
    size_t end = text.find('}', start);
    if (end == std::string_view::npos) break;
    std::string name(text.substr(start, end - start));
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (valid) names.insert(std::move(name));
  }
  return {names.begin(), names.end()};
}

std::string shell_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

Result<void> plan_maven(const PlanRequest& request, const JavaTarget& target, Plan& plan) {
  fs::path pom_path = request.src / "pom.xml";
  auto text = LPACK_TRY(read_file(pom_path));
  auto pom = LPACK_TRY(parse_pom(text, pom_path.string()));
  if (pom.packaging == "pom") {
    return bad_input(pom_path.string() +
                     ": packaging \"pom\" (an aggregator) has no code to deploy; "
                     "point lpack at the module that holds the handler");
  }
  plan.evidence = {"pom.xml"};

  // Options both steps pass to mvn.
  std::vector<std::string> common = {"mvn", "-B", "-ntp", "-q"};
  if (request.offline) {
    // Offline means no network, not no repository: a file:// repository (a mirror on disk,
    // Debian's /usr/share/maven-repo) stays usable.
    common.push_back("-o");
    common.push_back("-Daether.offline.protocols=file");
  }
  // The user's settings (mirrors, private repositories and their credentials) travel as a
  // generated file: the sandbox may not see the user's home (containers), and the key then
  // holds the file's hash instead of a machine's path. Without one, an empty file still
  // goes with -s, so Maven never reads the settings of whoever runs the sandbox (Java finds
  // "~" through the password database, not $HOME).
  std::map<std::string, std::string> generated;
  std::string settings_text = "<settings/>\n";
  std::string home = env_value(request, "HOME");
  std::error_code ec;
  if (!home.empty() && fs::is_regular_file(fs::path(home) / ".m2" / "settings.xml", ec)) {
    settings_text = LPACK_TRY(read_file(fs::path(home) / ".m2" / "settings.xml"));
  }
  generated[std::string(k_maven_settings_file)] = settings_text;
  common.push_back("-s");
  common.push_back("{work}/" + std::string(k_maven_settings_file));
  // Settings often read credentials from the environment (${env.REPO_TOKEN}). Those
  // variables reach mvn through ~/.mavenrc, which the mvn launcher sources, rather than
  // through Command.env, so their values stay out of the key's text (only the file's hash).
  std::string mavenrc;
  for (const auto& name : settings_env_references(settings_text)) {
    auto it = request.environment.find(name);
    if (it != request.environment.end())
      mavenrc += "export " + name + "=" + shell_quote(it->second) + "\n";
  }
  if (!mavenrc.empty()) {
    generated[std::string(k_mavenrc_file)] =
        "# Written by lpack: the variables the Maven settings refer to.\n" + mavenrc;
  }
  common.push_back("-Dmaven.repo.local={toolcache}/m2");

  std::vector<std::string> excludes = common_function_excludes();
  excludes.insert(excludes.end(), request.exclude.begin(), request.exclude.end());

  bool has_runtime_deps = pom.has_parent;
  for (const auto& d : pom.dependencies) has_runtime_deps = has_runtime_deps || is_runtime_scope(d);
  if (has_runtime_deps) {
    Step layer;
    layer.kind = StepKind::layer;
    // The dependency manifests only: editing the handler never rebuilds the layer.
    layer.input_include = {"/pom.xml", "/.mvn/**"};
    layer.stage_inputs = true;
    layer.generated_files = generated;
    layer.identity_probes = maven_probes();
    Command copy;
    copy.what = "mvn dependency:copy-dependencies";
    copy.argv = common;
    copy.argv.insert(copy.argv.end(), {std::string(k_dependency_plugin), "-DincludeScope=runtime",
                                       "-DoutputDirectory={out}"});
    copy.network = !request.offline;
    layer.commands.push_back(std::move(copy));
    layer.zip_prefix = "java/lib/";
    plan.layer = std::move(layer);
  }

  Step& function = plan.function;
  function.kind = StepKind::function;
  function.input_include = {"/pom.xml", "/.mvn/**", "/src/main/**"};
  function.input_exclude = excludes;
  function.stage_inputs = true;
  function.generated_files = generated;
  function.identity_probes = maven_probes();
  Command compile;
  compile.what = "mvn process-classes (" + target.runtime + ")";
  compile.argv = common;
  // The runtime decides the class file level: Lambda's java17 cannot load classes built for
  // 21. source/target too, for compiler plugins older than 3.6 that ignore release.
  compile.argv.insert(
      compile.argv.end(),
      {"-Dproject.build.outputTimestamp=" + target.output_timestamp,
       "-Dmaven.compiler.release=" + target.release, "-Dmaven.compiler.source=" + target.release,
       "-Dmaven.compiler.target=" + target.release, "process-classes"});
  // Plugins and compile-scope dependencies may still need downloading.
  compile.network = !request.offline;
  function.commands.push_back(std::move(compile));
  function.output_root = "{work}/target/classes";
  function.zip_prefix = "";
  return ok();
}

std::string iso_timestamp(std::string_view epoch_text) {
  constexpr long long k_earliest =
      315532802;  // 1980-01-01T00:00:02Z, the zip format's first even second
  long long epoch = k_earliest;
  bool digits = !epoch_text.empty() && epoch_text.size() <= 12;
  for (char c : epoch_text) digits = digits && c >= '0' && c <= '9';
  if (digits) epoch = std::max(k_earliest, std::stoll(std::string(epoch_text)));
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);  // UTC whatever TZ says
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string java_release(std::string_view runtime) {
  if (!runtime.starts_with("java") || runtime.size() <= 4) return "";
  std::string_view number = runtime.substr(4);
  for (char c : number) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(number);
}

}  // namespace lpack::runtimes::java

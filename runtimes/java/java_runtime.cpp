// The Java plugin: a Maven (pom.xml) or Gradle (build.gradle[.kts]) project becomes a
// function zip of compiled classes and resources and a layer of dependency jars under
// java/lib/, for Lambda's java11, java17 and java21 runtimes.
//
// The handler: Java handler names cannot be guessed from file names, so lpack uses the
// configured one ([metadata] handler) or, when none is configured, the one class under
// src/main/java declaring a handleRequest method; none or several is a bad_input Error
// asking for the setting.
#include <algorithm>
#include <cctype>

#include "base/walk.hpp"
#include "runtimes/java/java_plan.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace java {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_ident(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

// Whether a source line declares (not calls) a public handleRequest method.
bool declares_handle_request(std::string_view line) {
  line = trim(line);
  if (line.starts_with("//") || line.starts_with("*") || line.starts_with("/*")) return false;
  size_t pos = line.find("handleRequest");
  if (pos == std::string_view::npos || (pos > 0 && is_ident(line[pos - 1]))) return false;
  size_t paren = line.find_first_not_of(" \t", pos + 13);
  if (paren == std::string_view::npos || line[paren] != '(') return false;
  std::string_view before = line.substr(0, pos);
  return before.find("public ") != std::string_view::npos &&
         before.find('=') == std::string_view::npos && before.find('.') == std::string_view::npos;
}

std::string package_of(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = trim(text.substr(start, end - start));
    if (line.starts_with("package ")) {
      auto name = trim(line.substr(8));
      size_t semi = name.find(';');
      return std::string(trim(name.substr(0, semi)));
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

Result<std::string> find_java_handler(const fs::path& src,
                                      const std::vector<std::string>& exclude) {
  WalkOptions options;
  options.include = PathPatternSet(std::vector<std::string>{"/src/main/java/**"});
  std::vector<std::string> skip = common_function_excludes();
  skip.insert(skip.end(), exclude.begin(), exclude.end());
  options.exclude = PathPatternSet(skip);
  std::error_code ec;
  std::vector<std::string> found;
  if (fs::is_directory(src / "src" / "main" / "java", ec)) {
    auto files = LPACK_TRY(walk_tree(src, options));
    for (const auto& file : files) {
      if (file.is_dir || !file.path.ends_with(".java")) continue;
      auto text = LPACK_TRY(read_file(file.source));
      bool declares = false;
      size_t start = 0;
      while (!declares && start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        declares = declares_handle_request(std::string_view(text).substr(start, end - start));
        start = end + 1;
      }
      if (!declares) continue;
      std::string stem = fs::path(file.path).stem().string();
      std::string package = package_of(text);
      found.push_back((package.empty() ? "" : package + ".") + stem + "::handleRequest");
    }
  }
  const std::string how =
      "set it in lpack.toml: [metadata] handler = \"com.example.Handler::handleRequest\"";
  if (found.empty()) {
    return bad_input(src.string() +
                     ": no handler configured and no class under src/main/java declares a "
                     "public handleRequest method; " +
                     how);
  }
  if (found.size() > 1) {
    std::string list;
    for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
    return bad_input(src.string() + ": no handler configured and several classes could be it (" +
                     list + "); " + how);
  }
  return found.front();
}

HandlerRef parse_java_handler(std::string_view handler) {
  HandlerRef ref;
  std::string_view cls = handler;
  size_t sep = handler.find("::");
  ref.method = "handleRequest";
  if (sep != std::string_view::npos) {
    cls = handler.substr(0, sep);
    ref.method = std::string(handler.substr(sep + 2));
  }
  ref.class_file = std::string(cls);
  std::replace(ref.class_file.begin(), ref.class_file.end(), '.', '/');
  ref.class_file += ".class";
  return ref;
}

}  // namespace java

namespace {

class JavaRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "java"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string> lambda_runtimes() const override {
    return {"java11", "java17", "java21"};
  }
  std::string_view default_runtime() const override { return "java17"; }
  std::string_view looks_for() const override { return "pom.xml, build.gradle, build.gradle.kts"; }

  Detection detect(const fs::path& src) const override {
    Detection d;
    std::error_code ec;
    for (const char* manifest : {"pom.xml", "build.gradle", "build.gradle.kts"}) {
      if (fs::is_regular_file(src / manifest, ec)) d.evidence.push_back(manifest);
    }
    if (!d.evidence.empty()) {
      d.claimed = true;
      d.strength = 2;
      return d;
    }
    // Java sources without a build file: claimed weakly so that plan() can say what is missing.
    if (fs::is_directory(src / "src" / "main" / "java", ec)) {
      d.claimed = true;
      d.strength = 1;
      d.evidence.push_back("src/main/java/");
    }
    return d;
  }

  Result<Plan> plan(const PlanRequest& request) const override {
    std::string runtime =
        request.runtime.empty() ? std::string(default_runtime()) : request.runtime;
    auto runtimes = lambda_runtimes();
    if (std::find(runtimes.begin(), runtimes.end(), runtime) == runtimes.end()) {
      return bad_input("runtime \"" + runtime +
                       "\" is not one the Java plugin builds for; use java11, java17 or java21");
    }
    std::error_code ec;
    bool maven = fs::is_regular_file(request.src / "pom.xml", ec);
    bool gradle = fs::is_regular_file(request.src / "build.gradle", ec) ||
                  fs::is_regular_file(request.src / "build.gradle.kts", ec);
    if (!maven && !gradle) {
      return bad_input(
          request.src.string() +
          ": Java sources but no pom.xml or build.gradle; lpack builds Java functions with Maven "
          "or Gradle, so add a pom.xml");
    }

    Plan plan;
    plan.plugin = std::string(id());
    plan.plugin_version = std::string(version());
    plan.runtime = runtime;
    plan.handler = request.handler;
    if (plan.handler.empty())
      plan.handler = LPACK_TRY(java::find_java_handler(request.src, request.exclude));
    java::JavaTarget target;
    target.runtime = runtime;
    target.release = java::java_release(runtime);
    auto sde = request.environment.find("SOURCE_DATE_EPOCH");
    target.output_timestamp =
        java::iso_timestamp(sde == request.environment.end() ? "" : sde->second);
    // Maven wins when both build files exist: it is the one Lambda's documentation leads with.
    if (maven) {
      LPACK_TRY(java::plan_maven(request, target, plan));
    } else {
      LPACK_TRY(java::plan_gradle(request, target, plan));
    }
    return plan;
  }

  Result<void> check_handler(const Plan& plan,
                             const std::vector<TreeEntry>& function_files) const override {
    auto ref = java::parse_java_handler(plan.handler);
    for (const auto& f : function_files) {
      if (f.is_dir || f.path != ref.class_file) continue;
      auto bytes = LPACK_TRY(read_file(f.source));
      // Method names are constant-pool strings of the class file.
      if (bytes.find(ref.method) == std::string::npos) {
        return bad_input("handler " + plan.handler + ": " + ref.class_file + " has no method " +
                         ref.method + "; fix [metadata] handler in lpack.toml");
      }
      return ok();
    }
    std::vector<std::string> classes;
    for (const auto& f : function_files) {
      if (!f.is_dir && f.path.ends_with(".class") && f.path.find('$') == std::string::npos)
        classes.push_back(f.path);
    }
    std::string some;
    for (size_t i = 0; i < classes.size() && i < 5; ++i) some += (i ? ", " : "") + classes[i];
    return bad_input("handler " + plan.handler + ": the function has no " + ref.class_file +
                     (some.empty()
                          ? std::string(" (no classes were compiled)")
                          : " (it has " + some + (classes.size() > 5 ? ", ..." : "") + ")") +
                     "; fix [metadata] handler in lpack.toml");
  }
};

}  // namespace

std::unique_ptr<Runtime> make_java_runtime() {
  return std::make_unique<JavaRuntime>();
}

}  // namespace lpack::runtimes

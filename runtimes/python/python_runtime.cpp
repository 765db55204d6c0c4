// The Python plugin: detects a Python function, and plans
//   - a layer step: `pip install --target {out}` of the locked or required packages, for
//     the Lambda runtime's Python version and the target arch's manylinux tags (binary
//     wheels only, so no compiler runs and an arm64 layer builds on an x86_64 host), packed
//     under python/;
//   - a function step: the source files as they are, minus caches and virtualenvs.
// See docs/runtimes/python.md for the user's view.
#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "base/redact.hpp"
#include "runtimes/python/handler_check.hpp"
#include "runtimes/python/lockfiles.hpp"
#include "runtimes/python/normalize.hpp"
#include "runtimes/python/platform_tags.hpp"
#include "runtimes/python/requirements.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::python {
namespace {

constexpr std::string_view k_default_runtime = "python3.12";
const std::vector<std::string> k_manifests = {"requirements.txt", "Pipfile.lock", "Pipfile",
                                              "poetry.lock",      "uv.lock",      "pyproject.toml"};

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// A pattern for walk's include list that matches exactly this relative path: anchored with a
// leading "/" (a bare "requirements.txt" would match at any depth) and glob characters
// escaped.
std::string exact_pattern(std::string_view relative) {
  std::string out = "/";
  for (char c : relative) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// --- Where the dependencies come from ---

struct Dependencies {
  std::string source;               // the file that lists them, relative to SRC; "" : none
  std::vector<std::string> inputs;  // the layer's key inputs, relative to SRC
  std::string pip_requirements;     // what pip's -r reads
  std::map<std::string, std::string> generated;
  bool any = false;  // something to install
  std::vector<std::string> notes;
};

Result<Dependencies> from_requirements(const fs::path& src, const std::string& file) {
  RequirementsSet set = LPACK_TRY(parse_requirements_in(src, file));
  Dependencies deps;
  deps.source = file;
  deps.inputs = set.files;
  // pip resolves -r/-c includes relative to the file, so it reads the file where it is.
  deps.pip_requirements = "{src}/" + file;
  deps.any = !set.requirements.empty();
  return deps;
}

Result<Dependencies> from_lockfile(const fs::path& src, const std::string& file) {
  const std::string text = LPACK_TRY(read_file(src / file));
  const std::string base = fs::path(file).filename().string();
  Dependencies deps;
  deps.source = file;
  deps.inputs = {file};
  LockedSet set;
  if (base == "uv.lock") {
    set = LPACK_TRY(parse_uv_lock(text, file));
  } else if (base == "poetry.lock") {
    fs::path pyproject = fs::path(file).parent_path() / "pyproject.toml";
    std::string pyproject_text;
    if (is_file(src / pyproject)) pyproject_text = LPACK_TRY(read_file(src / pyproject));
    set = LPACK_TRY(parse_poetry_lock(text, file, pyproject_text));
    if (set.used_pyproject) deps.inputs.push_back(pyproject.generic_string());
  } else {
    set = LPACK_TRY(parse_pipfile_lock(text, file));
  }
  bool some_unhashed = std::any_of(set.packages.begin(), set.packages.end(),
                                   [](const auto& p) { return p.hashes.empty(); });
  bool some_hashed = std::any_of(set.packages.begin(), set.packages.end(),
                                 [](const auto& p) { return !p.hashes.empty(); });
  if (some_hashed && some_unhashed) {
    set.notes.push_back(file + ": some packages have no hashes; installing without hash checks");
  }
  deps.notes = set.notes;
  deps.any = !set.packages.empty();
  deps.generated["requirements.lock.txt"] = pinned_requirements(set, file);
  deps.pip_requirements = "{work}/requirements.lock.txt";
  return deps;
}

bool is_lockfile_name(std::string_view base) {
  return base == "uv.lock" || base == "poetry.lock" || base == "Pipfile.lock";
}

// Whether pyproject.toml declares dependencies ([project] or Poetry's table).
Result<bool> pyproject_has_dependencies(const fs::path& path) {
  const std::string text = LPACK_TRY(read_file(path));
  try {
    toml::table doc = toml::parse(std::string_view(text), std::string("pyproject.toml"));
    if (const auto* deps = doc["project"]["dependencies"].as_array(); deps && !deps->empty()) {
      return true;
    }
    if (const auto* deps = doc["tool"]["poetry"]["dependencies"].as_table()) {
      for (const auto& [name, value] : *deps) {
        if (name.str() != "python") return true;
      }
    }
    return false;
  } catch (const toml::parse_error& e) {
    return bad_input("pyproject.toml:" + std::to_string(e.source().begin.line) +
                     ": not valid TOML (" + std::string(e.description()) + "); fix its syntax");
  }
}

Result<Dependencies> find_dependencies(const PlanRequest& request) {
  const fs::path& src = request.src;
  const std::string& explicit_file = request.python.requirements_file;
  if (!explicit_file.empty()) {
    fs::path relative = fs::path(explicit_file).lexically_normal();
    std::string rel = relative.generic_string();
    if (relative.is_absolute() || rel == ".." || rel.rfind("../", 0) == 0) {
      return bad_input("requirements_file \"" + explicit_file +
                       "\" must be a path inside the source folder; fix [build] requirements_file "
                       "in lpack.toml");
    }
    if (!is_file(src / relative)) {
      return bad_input("requirements_file \"" + explicit_file +
                       "\" not found in the source folder; fix [build] requirements_file in "
                       "lpack.toml");
    }
    if (is_lockfile_name(relative.filename().string())) return from_lockfile(src, rel);
    return from_requirements(src, rel);
  }
  for (const char* lock : {"uv.lock", "poetry.lock", "Pipfile.lock"}) {
    if (is_file(src / lock)) return from_lockfile(src, lock);
  }
  if (is_file(src / "Pipfile")) {
    return bad_input(
        "Pipfile: there is no Pipfile.lock; run `pipenv lock` (lpack installs "
        "locked dependencies only)");
  }
  if (is_file(src / "requirements.txt")) return from_requirements(src, "requirements.txt");
  if (is_file(src / "pyproject.toml") &&
      LPACK_TRY(pyproject_has_dependencies(src / "pyproject.toml"))) {
    return bad_input(
        "pyproject.toml lists dependencies but there is no lockfile; run `uv lock` "
        "or `poetry lock`, or write them into requirements.txt");
  }
  return Dependencies{};
}

// --- The interpreter that runs pip ---

struct Interpreter {
  std::vector<std::string> pip;    // {"python3.12", "-m", "pip"} or {"pip3"}
  std::vector<std::string> probe;  // prints the interpreter's and pip's versions
  std::map<std::string, std::string> env;
  std::string note;  // for the plan's evidence; "" : nothing to say
};

// A pyenv shim runs whatever version pyenv has active, which need not include this minor
// version even though the shim exists. Returns the newest installed "3.X[.N]" under the
// shim's pyenv root that has bin/python3.X, for PYENV_VERSION; "" when `program` is not a
// shim or no such version is installed.
std::string pyenv_version_for(const fs::path& program, std::string_view minor) {
  if (program.parent_path().filename() != "shims") return "";
  fs::path versions = program.parent_path().parent_path() / "versions";
  std::error_code ec;
  if (!fs::is_directory(versions, ec)) return "";
  std::string best;
  std::vector<int> best_key;
  for (const auto& entry : fs::directory_iterator(versions, ec)) {
    std::string name = entry.path().filename().string();
    if (name != minor && name.rfind(std::string(minor) + ".", 0) != 0) continue;
    if (!is_file(entry.path() / "bin" / ("python" + std::string(minor)))) continue;
    std::vector<int> key;
    for (size_t pos = 0; pos < name.size();) {
      size_t dot = std::min(name.find('.', pos), name.size());
      std::string part = name.substr(pos, dot - pos);
      if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
        key.clear();
        break;
      }
      key.push_back(std::stoi(part));
      pos = dot + 1;
    }
    if (key.empty()) continue;  // "3.12-dev" and the like
    if (best.empty() || key > best_key) {
      best = name;
      best_key = key;
    }
  }
  return best;
}

Result<Interpreter> find_interpreter(const PlanRequest& request, const PythonRuntimeInfo& runtime) {
  static const std::string k_probe =
      "import sys, pip; print(sys.version.split()[0], pip.__version__)";
  Interpreter interp;
  const std::string& configured = request.python.interpreter;
  if (!configured.empty()) {
    if (!find_program(configured)) {
      return bad_input("[python] interpreter \"" + configured +
                       "\" not found (on PATH or as a path); fix it in lpack.toml");
    }
    interp.pip = {configured, "-m", "pip"};
    interp.probe = {configured, "-c", k_probe};
    return interp;
  }
  const std::string native = "python" + std::string(runtime.version);
  if (auto found = find_program(native)) {
    interp.pip = {native, "-m", "pip"};
    interp.probe = {native, "-c", k_probe};
    if (std::string version = pyenv_version_for(*found, runtime.version); !version.empty()) {
      interp.env["PYENV_VERSION"] = version;
      interp.note = native + " is a pyenv shim; using pyenv's " + version;
    }
    return interp;
  }
  if (find_program("python3")) {
    interp.pip = {"python3", "-m", "pip"};
    interp.probe = {"python3", "-c", k_probe};
  } else if (find_program("pip3")) {
    interp.pip = {"pip3"};
    interp.probe = {"pip3", "--version"};
  } else {
    return bad_input("no Python found: install " + native +
                     " (or python3 with pip), or set [python] interpreter in lpack.toml");
  }
  interp.note = "cross mode: " + native + " not found, using " + interp.pip.front() +
                " with --python-version " + std::string(runtime.version);
  return interp;
}

// --- The package index ---

struct IndexSettings {
  std::string index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;
  bool no_index = false;
};

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = text.find_first_not_of(" \t\n", pos);
    if (begin == std::string_view::npos) break;
    size_t end = std::min(text.find_first_of(" \t\n", begin), text.size());
    out.emplace_back(text.substr(begin, end - begin));
    pos = end;
  }
  return out;
}

bool is_url(std::string_view s) {
  return s.find("://") != std::string_view::npos;
}

// [python] options win as a whole; without any, pip's own variables from lpack's
// environment (pip itself would not see them: --isolated keeps the machine's pip config out).
IndexSettings index_settings(const PlanRequest& request) {
  const PythonOptions& py = request.python;
  IndexSettings s;
  if (!py.index_url.empty() || !py.extra_index_urls.empty() || !py.find_links.empty() ||
      py.no_index) {
    s.index_url = py.index_url;
    s.extra_index_urls = py.extra_index_urls;
    s.no_index = py.no_index;
    for (const auto& link : py.find_links) {
      // lpack.toml's relative folders are relative to the source folder.
      bool relative = !is_url(link) && !fs::path(link).is_absolute();
      s.find_links.push_back(relative ? "{src}/" + link : link);
    }
    return s;
  }
  auto env = [&](const char* name) -> std::string {
    auto it = request.environment.find(name);
    return it == request.environment.end() ? std::string() : it->second;
  };
  s.index_url = env("PIP_INDEX_URL");
  s.extra_index_urls = split_spaces(env("PIP_EXTRA_INDEX_URL"));
  for (const auto& link : split_spaces(env("PIP_FIND_LINKS"))) {
    // Relative to where lpack was started, as pip would read it there.
    s.find_links.push_back(is_url(link) ? link : fs::absolute(link).lexically_normal().string());
  }
  std::string no_index = env("PIP_NO_INDEX");
  std::transform(no_index.begin(), no_index.end(), no_index.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  s.no_index = no_index == "1" || no_index == "true" || no_index == "yes" || no_index == "on";
  return s;
}

std::vector<std::string> index_flags(const IndexSettings& s) {
  std::vector<std::string> flags;
  if (s.no_index) flags.push_back("--no-index");
  if (!s.index_url.empty()) flags.insert(flags.end(), {"--index-url", s.index_url});
  for (const auto& url : s.extra_index_urls) flags.insert(flags.end(), {"--extra-index-url", url});
  for (const auto& link : s.find_links) flags.insert(flags.end(), {"--find-links", link});
  return flags;
}

std::string stripped_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(strip_url_credentials(item));
  return join(out, " ");
}

// --- Steps ---

Step layer_step(const PythonRuntimeInfo& runtime, Arch arch, const Dependencies& deps,
                const Interpreter& interp, const IndexSettings& index) {
  Step step;
  step.kind = StepKind::layer;
  for (const auto& input : deps.inputs) step.input_include.push_back(exact_pattern(input));
  const std::vector<std::string> tags = platform_tags(runtime, arch);

  Command pip;
  pip.what = "pip install";
  pip.network = true;
  pip.env = interp.env;
  pip.env["PYTHONDONTWRITEBYTECODE"] = "1";
  pip.argv = interp.pip;
  pip.argv.insert(
      pip.argv.end(),
      // --root-user-action: pip's warning about root is noise inside a scratch --target.
      {"--isolated", "--disable-pip-version-check", "--no-input", "install",
       "--root-user-action=ignore", "--no-compile", "--only-binary=:all:", "--implementation", "cp",
       "--python-version", std::string(runtime.version), "--abi", std::string(runtime.abi)});
  for (const auto& tag : tags) pip.argv.insert(pip.argv.end(), {"--platform", tag});
  for (const auto& flag : index_flags(index)) pip.argv.push_back(flag);
  // pip's download cache: makes a rebuild faster, never different (hashes still checked).
  pip.argv.insert(pip.argv.end(), {"--cache-dir", "{toolcache}/pip", "--target", "{out}", "-r",
                                   deps.pip_requirements});
  step.commands.push_back(std::move(pip));

  Command probe;
  probe.argv = interp.probe;
  probe.env = interp.env;
  probe.what = "python version";
  step.identity_probes.push_back(std::move(probe));

  step.key_fields = {
      {"python_version", std::string(runtime.version)},
      {"platforms", join(tags, ",")},
      {"index_url", strip_url_credentials(index.index_url)},
      {"extra_index_urls", stripped_list(index.extra_index_urls)},
      {"find_links", stripped_list(index.find_links)},
      {"no_index", index.no_index ? "true" : "false"},
      {"dependencies", deps.source},
  };
  step.generated_files = deps.generated;
  step.output_root = "{out}";
  step.zip_prefix = "python/";
  // Bytecode is the build host's; bin/ holds console scripts whose shebang names the build
  // host's interpreter, and a layer's python/bin is not on Lambda's PATH anyway. "/bin/" is
  // anchored: a package's own bin/ folder (pkg/bin/tool) is kept.
  step.output_exclude = {"__pycache__/", "*.pyc", "/bin/"};
  step.normalize = [](const fs::path& root) { return normalize_site_packages(root); };
  return step;
}

Step function_step(const PlanRequest& request) {
  Step step;
  step.kind = StepKind::function;
  step.input_exclude = common_function_excludes();
  static const std::vector<std::string> k_python_excludes = {
      "__pycache__/", "*.pyc",        "*.pyo",       ".venv/",
      "venv/",        ".tox/",        ".nox/",       ".pytest_cache/",
      ".mypy_cache/", ".ruff_cache/", "*.egg-info/", ".python-version",
  };
  step.input_exclude.insert(step.input_exclude.end(), k_python_excludes.begin(),
                            k_python_excludes.end());
  step.input_exclude.insert(step.input_exclude.end(), request.exclude.begin(),
                            request.exclude.end());
  step.zip_prefix = "";
  return step;
}

Result<std::string> choose_handler(const PlanRequest& request) {
  if (!request.handler.empty()) {
    LPACK_TRY(split_handler(request.handler));
    return request.handler;
  }
  if (is_file(request.src / "app.py")) return std::string("app.lambda_handler");
  if (is_file(request.src / "lambda_function.py"))
    return std::string("lambda_function.lambda_handler");
  return bad_input(
      "no handler: there is no app.py or lambda_function.py; set [metadata] handler "
      "in lpack.toml (e.g. handler = \"main.handler\")");
}

class PythonRuntime final : public Runtime {
 public:
  std::string_view id() const override { return "python"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string> lambda_runtimes() const override {
    std::vector<std::string> ids;
    for (const auto& info : python_runtimes()) ids.emplace_back(info.runtime);
    return ids;
  }
  std::string_view default_runtime() const override { return k_default_runtime; }
  std::string_view looks_for() const override {
    return "requirements.txt, Pipfile.lock, poetry.lock, uv.lock, pyproject.toml or a *.py file";
  }

  Detection detect(const fs::path& src) const override {
    Detection d;
    for (const auto& name : k_manifests) {
      if (is_file(src / name)) d.evidence.push_back(name);
    }
    if (!d.evidence.empty()) {
      d.claimed = true;
      d.strength = 2;
      return d;
    }
    std::vector<std::string> sources;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(src, ec)) {
      if (entry.path().extension() == ".py" && is_file(entry.path())) {
        sources.push_back(entry.path().filename().string());
      }
    }
    if (sources.empty()) return d;
    std::sort(sources.begin(), sources.end());
    d.claimed = true;
    d.strength = 1;
    constexpr size_t k_shown = 3;
    for (size_t i = 0; i < std::min(sources.size(), k_shown); ++i) d.evidence.push_back(sources[i]);
    if (sources.size() > k_shown) {
      d.evidence.push_back("+" + std::to_string(sources.size() - k_shown) + " more *.py");
    }
    return d;
  }

  Result<Plan> plan(const PlanRequest& request) const override {
    const std::string runtime_id =
        request.runtime.empty() ? std::string(k_default_runtime) : request.runtime;
    auto runtime = find_python_runtime(runtime_id);
    if (!runtime) {
      return bad_input("runtime \"" + runtime_id + "\" is not a Python runtime; use one of " +
                       join(lambda_runtimes(), ", "));
    }
    Plan plan;
    plan.plugin = std::string(id());
    plan.plugin_version = std::string(version());
    plan.runtime = runtime_id;
    plan.handler = LPACK_TRY(choose_handler(request));
    plan.evidence = detect(request.src).evidence;

    Dependencies deps = LPACK_TRY(find_dependencies(request));
    if (!deps.source.empty()) {
      std::vector<std::string> others;
      for (const auto& name : k_manifests) {
        bool related =
            name == "pyproject.toml" || (name == "Pipfile" && deps.source == "Pipfile.lock");
        if (name != deps.source && !related && is_file(request.src / name)) {
          others.push_back(name);
        }
      }
      std::string line = "dependencies from " + deps.source;
      if (!others.empty()) line += " (ignoring " + join(others, ", ") + ")";
      if (!deps.any) line += ": none listed, no layer";
      plan.evidence.push_back(line);
    }
    plan.evidence.insert(plan.evidence.end(), deps.notes.begin(), deps.notes.end());
    if (deps.any) {
      Interpreter interp = LPACK_TRY(find_interpreter(request, *runtime));
      if (!interp.note.empty()) plan.evidence.push_back(interp.note);
      plan.layer = layer_step(*runtime, request.arch, deps, interp, index_settings(request));
    }
    plan.function = function_step(request);
    return plan;
  }

  Result<void> check_handler(const Plan& plan,
                             const std::vector<TreeEntry>& function_files) const override {
    return check_python_handler(plan.handler, function_files);
  }
};

}  // namespace
}  // namespace lpack::runtimes::python

namespace lpack::runtimes {
std::unique_ptr<Runtime> make_python_runtime() {
  return std::make_unique<python::PythonRuntime>();
}
}  // namespace lpack::runtimes

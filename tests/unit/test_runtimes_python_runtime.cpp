#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes {
namespace {

const Runtime& python() {
  const Runtime* r = find_runtime("python");
  EXPECT_NE(r, nullptr);
  return *r;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The index of `flag` in argv, or npos.
size_t find_arg(const std::vector<std::string>& argv, std::string_view flag, size_t from = 0) {
  for (size_t i = from; i < argv.size(); ++i) {
    if (argv[i] == flag) return i;
  }
  return std::string::npos;
}

// A scratch source folder, and a PATH that holds only the programs a test puts there.
class PythonPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-python-test-");
    ASSERT_TRUE(dir);
    m_dir = std::make_unique<TempDir>(std::move(*dir));
    src = m_dir->path() / "src";
    bin = m_dir->path() / "bin";
    fs::create_directories(src);
    fs::create_directories(bin);
    const char* path = std::getenv("PATH");
    m_saved_path = path ? path : "";
    ::setenv("PATH", bin.c_str(), 1);
    request.src = src;
  }
  void TearDown() override { ::setenv("PATH", m_saved_path.c_str(), 1); }

  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((src / relative).parent_path());
    ASSERT_TRUE(write_file_atomic(src / relative, text));
  }
  static void make_program(const fs::path& path) {
    fs::create_directories(path.parent_path());
    ASSERT_TRUE(write_file_atomic(path, "#!/bin/sh\n"));
    ::chmod(path.c_str(), 0755);
  }
  Plan plan_ok() {
    auto plan = python().plan(request);
    EXPECT_TRUE(plan) << plan.error().message();
    return plan ? std::move(*plan) : Plan{};
  }
  std::string plan_error() {
    auto plan = python().plan(request);
    EXPECT_FALSE(plan);
    if (plan) return "";
    EXPECT_EQ(plan.error().code(), ErrorCode::bad_input);
    return plan.error().message();
  }

  fs::path src;
  fs::path bin;
  PlanRequest request;

 private:
  std::unique_ptr<TempDir> m_dir;
  std::string m_saved_path;
};

TEST_F(PythonPlanTest, DetectStrengthAndEvidence) {
  EXPECT_FALSE(python().detect(src).claimed);
  write("app.py", "");
  write("util.py", "");
  Detection only_sources = python().detect(src);
  EXPECT_TRUE(only_sources.claimed);
  EXPECT_EQ(only_sources.strength, 1);
  EXPECT_EQ(only_sources.evidence, (std::vector<std::string>{"app.py", "util.py"}));
  write("Pipfile", "");
  write("poetry.lock", "");
  Detection manifests = python().detect(src);
  EXPECT_EQ(manifests.strength, 2);
  EXPECT_EQ(manifests.evidence, (std::vector<std::string>{"Pipfile", "poetry.lock"}));
}

TEST_F(PythonPlanTest, LayerInputsAreTheRequirementFilesOnly) {
  make_program(bin / "python3.12");
  write("app.py", "def lambda_handler(e, c): pass\n");
  write("requirements.txt", "-r reqs/base.txt\n-c constraints.txt\n");
  write("reqs/base.txt", "requests\n");
  write("constraints.txt", "requests==2.31.0\n");
  write("sub/requirements.txt", "unrelated\n");
  Plan plan = plan_ok();
  ASSERT_TRUE(plan.layer);
  EXPECT_EQ(plan.layer->input_include,
            (std::vector<std::string>{"/requirements.txt", "/reqs/base.txt", "/constraints.txt"}));
  WalkOptions options;
  options.include = PathPatternSet(plan.layer->input_include);
  options.exclude = PathPatternSet(plan.layer->input_exclude);
  auto files = walk_tree(src, options);
  ASSERT_TRUE(files);
  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"constraints.txt", "reqs/base.txt", "requirements.txt"}));
  EXPECT_TRUE(plan.layer->commands.size() == 1 && plan.layer->commands[0].network);
  EXPECT_FALSE(plan.layer->stage_inputs);
}

TEST_F(PythonPlanTest, PipArgvForArm64) {
  make_program(bin / "python3.12");
  write("app.py", "");
  write("requirements.txt", "requests\n");
  request.arch = Arch::arm64;
  Plan plan = plan_ok();
  EXPECT_EQ(plan.plugin, "python");
  EXPECT_EQ(plan.plugin_version, "1");
  EXPECT_EQ(plan.runtime, "python3.12");
  ASSERT_TRUE(plan.layer);
  const auto& argv = plan.layer->commands.at(0).argv;
  const std::vector<std::string> head = {"python3.12",
                                         "-m",
                                         "pip",
                                         "--isolated",
                                         "--disable-pip-version-check",
                                         "--no-input",
                                         "install",
                                         "--root-user-action=ignore",
                                         "--no-compile",
                                         "--only-binary=:all:",
                                         "--implementation",
                                         "cp",
                                         "--python-version",
                                         "3.12",
                                         "--abi",
                                         "cp312",
                                         "--platform",
                                         "manylinux_2_34_aarch64"};
  ASSERT_GE(argv.size(), head.size());
  EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.begin() + head.size()), head);
  size_t platforms = std::count(argv.begin(), argv.end(), "--platform");
  EXPECT_EQ(platforms, 19u);
  EXPECT_NE(find_arg(argv, "manylinux2014_aarch64"), std::string::npos);
  EXPECT_EQ(find_arg(argv, "manylinux_2_17_x86_64"), std::string::npos);
  const std::vector<std::string> tail = {"--target", "{out}", "-r", "{src}/requirements.txt"};
  EXPECT_EQ(std::vector<std::string>(argv.end() - 4, argv.end()), tail);
  EXPECT_EQ(plan.layer->zip_prefix, "python/");
  EXPECT_EQ(plan.layer->output_root, "{out}");
  EXPECT_TRUE(contains(plan.layer->output_exclude, "__pycache__/"));
  EXPECT_TRUE(contains(plan.layer->output_exclude, "*.pyc"));
  EXPECT_TRUE(contains(plan.layer->output_exclude, "/bin/"));
  EXPECT_TRUE(static_cast<bool>(plan.layer->normalize));
  EXPECT_EQ(plan.layer->key_fields.at("python_version"), "3.12");
  EXPECT_EQ(plan.layer->key_fields.at("platforms").rfind("manylinux_2_34_aarch64,", 0), 0u);
  ASSERT_EQ(plan.layer->identity_probes.size(), 1u);
  EXPECT_EQ(plan.layer->identity_probes[0].argv.at(0), "python3.12");
  EXPECT_EQ(plan.layer->identity_probes[0].argv.at(1), "-c");
}

TEST_F(PythonPlanTest, IndexFromEnvironmentWithCredentialsStrippedFromKey) {
  make_program(bin / "python3.12");
  write("app.py", "");
  write("requirements.txt", "requests\n");
  request.environment = {
      {"PIP_INDEX_URL", "https://user:s3cret@pypi.example/simple"},
      {"PIP_EXTRA_INDEX_URL", "https://a.example/simple  https://tok@b.example/simple"},
      {"PIP_FIND_LINKS", "/w1 /w2"},
      {"PIP_NO_INDEX", "Yes"},
      {"PIP_TRUSTED_HOST", "ignored"}};
  Plan plan = plan_ok();
  ASSERT_TRUE(plan.layer);
  const auto& argv = plan.layer->commands.at(0).argv;
  EXPECT_NE(find_arg(argv, "--no-index"), std::string::npos);
  size_t index = find_arg(argv, "--index-url");
  ASSERT_NE(index, std::string::npos);
  EXPECT_EQ(argv[index + 1], "https://user:s3cret@pypi.example/simple");  // pip needs them
  size_t extra = find_arg(argv, "--extra-index-url");
  ASSERT_NE(extra, std::string::npos);
  EXPECT_EQ(argv[extra + 1], "https://a.example/simple");
  EXPECT_EQ(argv[find_arg(argv, "--extra-index-url", extra + 1) + 1],
            "https://tok@b.example/simple");
  size_t links = find_arg(argv, "--find-links");
  EXPECT_EQ(argv[links + 1], "/w1");
  EXPECT_EQ(argv[find_arg(argv, "--find-links", links + 1) + 1], "/w2");
  EXPECT_EQ(find_arg(argv, "ignored"), std::string::npos);

  const auto& key = plan.layer->key_fields;
  EXPECT_EQ(key.at("index_url"), "https://pypi.example/simple");
  EXPECT_EQ(key.at("extra_index_urls"), "https://a.example/simple https://b.example/simple");
  EXPECT_EQ(key.at("find_links"), "/w1 /w2");
  EXPECT_EQ(key.at("no_index"), "true");
  for (const auto& [name, value] : key) {
    EXPECT_EQ(value.find("s3cret"), std::string::npos) << name;
    EXPECT_EQ(value.find("tok@"), std::string::npos) << name;
  }
}

TEST_F(PythonPlanTest, PythonOptionsWinOverEnvironment) {
  make_program(bin / "python3.12");
  write("app.py", "");
  write("requirements.txt", "requests\n");
  request.environment = {{"PIP_INDEX_URL", "https://env.example/simple"}, {"PIP_NO_INDEX", "1"}};
  request.python.index_url = "https://config.example/simple";
  request.python.find_links = {"wheels", "/abs/wheels", "https://links.example/"};
  Plan plan = plan_ok();
  const auto& argv = plan.layer->commands.at(0).argv;
  EXPECT_EQ(argv[find_arg(argv, "--index-url") + 1], "https://config.example/simple");
  EXPECT_EQ(find_arg(argv, "--no-index"), std::string::npos);
  EXPECT_EQ(find_arg(argv, "https://env.example/simple"), std::string::npos);
  EXPECT_NE(find_arg(argv, "{src}/wheels"), std::string::npos);
  EXPECT_NE(find_arg(argv, "/abs/wheels"), std::string::npos);
  EXPECT_NE(find_arg(argv, "https://links.example/"), std::string::npos);
  EXPECT_EQ(plan.layer->key_fields.at("no_index"), "false");
}

TEST_F(PythonPlanTest, NoLayerWithoutDependencies) {
  write("app.py", "");
  Plan none = plan_ok();
  EXPECT_FALSE(none.layer);
  write("requirements.txt", "# nothing yet\n\n--index-url https://x.example/simple\n");
  Plan empty = plan_ok();
  EXPECT_FALSE(empty.layer);
  EXPECT_TRUE(
      contains(empty.evidence, "dependencies from requirements.txt: none listed, no layer"));
  write("pyproject.toml", "[project]\nname = \"x\"\ndependencies = []\n");
  ::unlink((src / "requirements.txt").c_str());
  EXPECT_FALSE(plan_ok().layer);
}

TEST_F(PythonPlanTest, LockfilePriorityAndGeneratedRequirements) {
  make_program(bin / "python3.12");
  write("app.py", "");
  write("requirements.txt", "ignored\n");
  write("poetry.lock", "[[package]]\nname = \"p\"\nversion = \"1\"\ngroups = [\"main\"]\n");
  write("uv.lock",
        "[[package]]\nname = \"app\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"u\" "
        "}]\n"
        "[[package]]\nname = \"u\"\nversion = \"2\"\nsource = { registry = \"https://i\" }\n"
        "wheels = [{ url = \"https://i/u.whl\", hash = \"sha256:ab\" }]\n");
  Plan plan = plan_ok();
  ASSERT_TRUE(plan.layer);
  EXPECT_TRUE(contains(plan.evidence,
                       "dependencies from uv.lock (ignoring requirements.txt, poetry.lock)"));
  EXPECT_EQ(plan.layer->input_include, std::vector<std::string>{"/uv.lock"});
  EXPECT_EQ(plan.layer->generated_files.at("requirements.lock.txt"),
            "# Generated by lpack from uv.lock; do not edit.\nu==2 --hash=sha256:ab\n");
  const auto& argv = plan.layer->commands.at(0).argv;
  EXPECT_EQ(argv.back(), "{work}/requirements.lock.txt");
  EXPECT_EQ(plan.layer->key_fields.at("dependencies"), "uv.lock");

  ::unlink((src / "uv.lock").c_str());
  Plan poetry = plan_ok();
  EXPECT_TRUE(
      contains(poetry.evidence, "dependencies from poetry.lock (ignoring requirements.txt)"));
  EXPECT_EQ(poetry.layer->generated_files.at("requirements.lock.txt"),
            "# Generated by lpack from poetry.lock; do not edit.\np==1\n");

  request.python.requirements_file = "requirements.txt";  // explicit beats every lockfile
  Plan explicit_file = plan_ok();
  EXPECT_EQ(explicit_file.layer->input_include, std::vector<std::string>{"/requirements.txt"});
  EXPECT_TRUE(explicit_file.layer->generated_files.empty());
}

TEST_F(PythonPlanTest, ExplicitRequirementsFile) {
  make_program(bin / "python3.12");
  write("app.py", "");
  write("deps/prod.txt", "-r common.txt\n");
  write("deps/common.txt", "attrs\n");
  request.python.requirements_file = "deps/prod.txt";
  Plan plan = plan_ok();
  ASSERT_TRUE(plan.layer);
  EXPECT_EQ(plan.layer->input_include,
            (std::vector<std::string>{"/deps/prod.txt", "/deps/common.txt"}));
  EXPECT_EQ(plan.layer->commands[0].argv.back(), "{src}/deps/prod.txt");

  request.python.requirements_file = "deps/missing.txt";
  EXPECT_NE(plan_error().find("requirements_file \"deps/missing.txt\" not found"),
            std::string::npos);
  request.python.requirements_file = "../outside.txt";
  EXPECT_NE(plan_error().find("inside the source folder"), std::string::npos);
}

TEST_F(PythonPlanTest, BadDependencySources) {
  write("app.py", "");
  write("Pipfile", "[packages]\nrequests = \"*\"\n");
  EXPECT_NE(plan_error().find("pipenv lock"), std::string::npos);
  ::unlink((src / "Pipfile").c_str());
  write("pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"requests\"]\n");
  EXPECT_NE(plan_error().find("no lockfile"), std::string::npos);
  write("requirements.txt", "requests\n-e .\n");
  EXPECT_EQ(plan_error().rfind("requirements.txt:2: -e .: editable", 0), 0u);
}

TEST_F(PythonPlanTest, RuntimeMustBePython) {
  write("app.py", "");
  request.runtime = "nodejs20.x";
  std::string message = plan_error();
  EXPECT_NE(message.find("\"nodejs20.x\" is not a Python runtime"), std::string::npos);
  EXPECT_NE(message.find("python3.9, python3.10, python3.11, python3.12, python3.13"),
            std::string::npos);
  request.runtime = "python3.9";
  EXPECT_EQ(plan_ok().runtime, "python3.9");
  request.runtime = "";
  EXPECT_EQ(plan_ok().runtime, "python3.12");
}

TEST_F(PythonPlanTest, HandlerDefaulting) {
  EXPECT_NE(plan_error().find("[metadata] handler"), std::string::npos);
  write("lambda_function.py", "");
  EXPECT_EQ(plan_ok().handler, "lambda_function.lambda_handler");
  write("app.py", "");
  EXPECT_EQ(plan_ok().handler, "app.lambda_handler");
  request.handler = "pkg/api.handle";
  EXPECT_EQ(plan_ok().handler, "pkg/api.handle");
  request.handler = "app";
  EXPECT_NE(plan_error().find("not module.function"), std::string::npos);
}

TEST_F(PythonPlanTest, FunctionStepPacksSourcesWithoutCaches) {
  write("app.py", "");
  request.exclude = {"tests/"};
  Plan plan = plan_ok();
  const Step& fn = plan.function;
  EXPECT_EQ(fn.kind, StepKind::function);
  EXPECT_TRUE(fn.commands.empty());
  EXPECT_TRUE(fn.input_include.empty());
  EXPECT_EQ(fn.zip_prefix, "");
  for (const auto& pattern : common_function_excludes())
    EXPECT_TRUE(contains(fn.input_exclude, pattern));
  for (const char* pattern :
       {"__pycache__/", "*.pyc", "*.pyo", ".venv/", "venv/", ".tox/", ".nox/", ".pytest_cache/",
        ".mypy_cache/", ".ruff_cache/", "*.egg-info/", ".python-version", "tests/"}) {
    EXPECT_TRUE(contains(fn.input_exclude, pattern)) << pattern;
  }
}

TEST_F(PythonPlanTest, InterpreterChoice) {
  write("app.py", "");
  write("requirements.txt", "requests\n");
  EXPECT_NE(plan_error().find("no Python found: install python3.12"), std::string::npos);

  make_program(bin / "python3");
  Plan cross = plan_ok();
  EXPECT_EQ(cross.layer->commands[0].argv.at(0), "python3");
  EXPECT_TRUE(
      contains(cross.evidence,
               "cross mode: python3.12 not found, using python3 with --python-version 3.12"));

  make_program(bin / "python3.12");
  Plan native = plan_ok();
  EXPECT_EQ(native.layer->commands[0].argv.at(0), "python3.12");
  EXPECT_FALSE(native.layer->commands[0].env.count("PYENV_VERSION"));

  request.python.interpreter = (bin / "python3").string();
  EXPECT_EQ(plan_ok().layer->commands[0].argv.at(0), (bin / "python3").string());
  request.python.interpreter = "python9.99";
  EXPECT_NE(plan_error().find("[python] interpreter \"python9.99\" not found"), std::string::npos);
}

TEST_F(PythonPlanTest, PyenvShimGetsItsVersion) {
  fs::path root = bin.parent_path() / "pyenv";
  make_program(root / "shims" / "python3.12");
  make_program(root / "versions" / "3.12.1" / "bin" / "python3.12");
  make_program(root / "versions" / "3.12.10" / "bin" / "python3.12");
  make_program(root / "versions" / "3.11.7" / "bin" / "python3.11");
  fs::create_directories(root / "versions" / "3.12-dev" / "bin");
  ::setenv("PATH", (root / "shims").c_str(), 1);
  write("app.py", "");
  write("requirements.txt", "requests\n");
  Plan plan = plan_ok();
  EXPECT_EQ(plan.layer->commands[0].argv.at(0), "python3.12");
  EXPECT_EQ(plan.layer->commands[0].env.at("PYENV_VERSION"), "3.12.10");
  EXPECT_EQ(plan.layer->identity_probes[0].env.at("PYENV_VERSION"), "3.12.10");
}

// --- The fixtures ---

fs::path fixture(std::string_view name) {
  return fs::path(LPACK_SOURCE_DIR) / "fixtures" / name;
}

TEST_F(PythonPlanTest, Fixtures) {
  make_program(bin / "python3.12");
  auto plan_of = [&](std::string_view name) {
    request.src = fixture(name);
    return python().plan(request);
  };
  auto nodeps = plan_of("python-nodeps");
  ASSERT_TRUE(nodeps) << nodeps.error().message();
  EXPECT_FALSE(nodeps->layer);
  EXPECT_EQ(python().detect(fixture("python-nodeps")).strength, 1);

  for (const char* name :
       {"python-pure", "python-cext", "python-include", "python-missing-package"}) {
    auto plan = plan_of(name);
    ASSERT_TRUE(plan) << name << ": " << plan.error().message();
    EXPECT_TRUE(plan->layer) << name;
  }
  EXPECT_EQ(plan_of("python-include")->layer->input_include,
            (std::vector<std::string>{"/requirements.txt", "/base.txt", "/constraints.txt"}));

  for (const char* name : {"python-poetry", "python-pipfile", "python-uv"}) {
    auto plan = plan_of(name);
    ASSERT_TRUE(plan) << name << ": " << plan.error().message();
    ASSERT_TRUE(plan->layer) << name;
    const std::string& lock = plan->layer->generated_files.at("requirements.lock.txt");
    EXPECT_NE(lock.find("lpack-fixture-pure==1.0.0 --hash=sha256:"), std::string::npos) << name;
    EXPECT_EQ(lock.find("devtool"), std::string::npos) << name;
  }

  auto editable = plan_of("python-editable");
  ASSERT_FALSE(editable);
  EXPECT_EQ(editable.error().message().rfind("requirements.txt:2: -e .: editable", 0), 0u)
      << editable.error().message();
}

}  // namespace
}  // namespace lpack::runtimes

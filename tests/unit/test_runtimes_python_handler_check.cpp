#include <gtest/gtest.h>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/python/handler_check.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::python {
namespace {

TEST(PythonHandler, SplitHandler) {
  auto simple = split_handler("app.lambda_handler");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->module, "app");
  EXPECT_EQ(simple->function, "lambda_handler");
  auto nested = split_handler("src/api/v1.handle");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->module, "src.api.v1");
  EXPECT_EQ(module_files(nested->module),
            (std::vector<std::string>{"src/api/v1.py", "src/api/v1/__init__.py"}));
  for (const char* bad : {"app", ".handler", "app.", "a..b.c", "app.1x", "app.x-y"}) {
    auto r = split_handler(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::bad_input);
  }
}

TEST(PythonHandler, DefinitionForms) {
  EXPECT_TRUE(python_defines("def lambda_handler(event, context):\n    pass\n", "lambda_handler"));
  EXPECT_TRUE(python_defines("async def lambda_handler (e, c): ...\n", "lambda_handler"));
  EXPECT_TRUE(python_defines("@decorate\ndef h[T](e, c): ...\n", "h"));
  EXPECT_TRUE(python_defines("class Handler:\n    pass\n", "Handler"));
  EXPECT_TRUE(python_defines("handler = make_handler()\n", "handler"));
  EXPECT_TRUE(python_defines("handler: Callable = make_handler()\n", "handler"));
  EXPECT_TRUE(
      python_defines("try:\n    import x\nexcept ImportError:\n    handler = None\n", "handler"));
  EXPECT_TRUE(python_defines("from impl import handler\n", "handler"));
  EXPECT_TRUE(python_defines("from impl import other, real as handler\n", "handler"));
  EXPECT_TRUE(python_defines("from .impl import (\n    a,\n    handler,\n)\n", "handler"));
  EXPECT_TRUE(python_defines("from impl import a, \\\n    handler\n", "handler"));
  EXPECT_TRUE(python_defines("from impl import *\n", "handler"));
  EXPECT_TRUE(python_defines("import impl.sub as handler\n", "handler"));

  EXPECT_FALSE(python_defines("def handler_two(e, c): ...\n", "handler"));
  EXPECT_FALSE(python_defines("# def handler(e, c): ...\n", "handler"));
  EXPECT_FALSE(python_defines("if handler == 1: pass\n", "handler"));
  EXPECT_FALSE(python_defines("x = handler\n", "handler"));
  EXPECT_FALSE(python_defines("from impl import handler_x\n", "handler"));
  EXPECT_FALSE(python_defines("import handler_mod\n", "handler"));
  EXPECT_FALSE(python_defines("", "handler"));
}

class PythonHandlerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-handler-test-");
    ASSERT_TRUE(dir);
    m_dir = std::make_unique<TempDir>(std::move(*dir));
  }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((m_dir->path() / relative).parent_path());
    ASSERT_TRUE(write_file_atomic(m_dir->path() / relative, text));
  }
  std::vector<TreeEntry> files() {
    auto entries = walk_tree(m_dir->path(), {});
    EXPECT_TRUE(entries);
    return entries ? *entries : std::vector<TreeEntry>{};
  }
  std::unique_ptr<TempDir> m_dir;
};

TEST_F(PythonHandlerFiles, CheckHandlerPositiveAndNegative) {
  write("app.py", "import json\n\ndef lambda_handler(event, context):\n    return {}\n");
  write("pkg/api/__init__.py", "from .impl import handle\n");
  write("pkg/api/impl.py", "def handle(e, c): return 1\n");
  write("other.py", "def something(e, c): pass\n");
  auto tree = files();
  EXPECT_TRUE(check_python_handler("app.lambda_handler", tree));
  EXPECT_TRUE(check_python_handler("pkg.api.handle", tree));
  EXPECT_TRUE(check_python_handler("pkg/api.handle", tree));
  EXPECT_TRUE(check_python_handler("pkg.api.impl.handle", tree));

  auto missing_function = check_python_handler("other.lambda_handler", tree);
  ASSERT_FALSE(missing_function);
  EXPECT_EQ(missing_function.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(missing_function.error().message(),
            "handler \"other.lambda_handler\": other.py does not define lambda_handler; fix "
            "[metadata] handler in lpack.toml");

  auto missing_file = check_python_handler("main.handler", tree);
  ASSERT_FALSE(missing_file);
  EXPECT_EQ(missing_file.error().message(),
            "handler \"main.handler\": main.py not found in the function; fix [metadata] handler "
            "in lpack.toml");
}

TEST_F(PythonHandlerFiles, ThroughThePlugin) {
  write("app.py", "def handler(event, context):\n    return {}\n");
  const Runtime* py = find_runtime("python");
  ASSERT_NE(py, nullptr);
  Plan plan;
  plan.handler = "app.lambda_handler";
  auto result = py->check_handler(plan, files());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("app.py does not define lambda_handler"),
            std::string::npos);
  plan.handler = "app.handler";
  EXPECT_TRUE(py->check_handler(plan, files()));
}

TEST(PythonHandler, BadHandlerFixture) {
  fs::path src = fs::path(LPACK_SOURCE_DIR) / "fixtures" / "python-bad-handler";
  auto tree = walk_tree(src, {});
  ASSERT_TRUE(tree);
  auto result = check_python_handler("app.lambda_handler", *tree);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("app.py does not define lambda_handler"),
            std::string::npos);
}

}  // namespace
}  // namespace lpack::runtimes::python

#include <gtest/gtest.h>

#include "base/fs.hpp"
#include "runtimes/python/normalize.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::python {
namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(write_file_atomic(path, text));
}

std::string read(const fs::path& path) {
  auto text = read_file(path);
  EXPECT_TRUE(text);
  return text ? *text : "";
}

TEST(PythonNormalize, RecordPath) {
  EXPECT_EQ(record_path("pkg/__init__.py,sha256=abc,12"), "pkg/__init__.py");
  EXPECT_EQ(record_path("\"odd,name.py\",sha256=abc,3"), "odd,name.py");
  EXPECT_EQ(record_path("\"say \"\"hi\"\".txt\",,"), "say \"hi\".txt");
  EXPECT_EQ(record_path("x.dist-info/RECORD,,"), "x.dist-info/RECORD");
}

TEST(PythonNormalize, FakeSitePackages) {
  auto dir = TempDir::create("lpack-normalize-test-");
  ASSERT_TRUE(dir);
  const fs::path root = dir->path();
  write(root / "bin" / "tool", "#!/build/host/python3.12\n");
  write(root / "tool" / "__init__.py", "");
  write(root / "tool" / "__pycache__" / "__init__.cpython-312.pyc", "bytecode");
  write(root / "tool" / "stale.pyc", "bytecode");
  write(root / "tool" / "bin" / "launcher", "a package's own bin/ stays");
  write(root / "tool-1.0.dist-info" / "METADATA", "Name: tool\n");
  write(root / "tool-1.0.dist-info" / "INSTALLER", "pip\n");
  write(root / "tool-1.0.dist-info" / "direct_url.json",
        "{\"url\": \"file:///tmp/wheels/tool.whl\"}");
  write(root / "tool-1.0.dist-info" / "RECORD",
        "../../bin/tool,sha256=aa,30\n"
        "tool/__init__.py,sha256=bb,0\n"
        "tool/__pycache__/__init__.cpython-312.pyc,,\n"
        "tool/bin/launcher,sha256=cc,26\n"
        "tool-1.0.dist-info/INSTALLER,sha256=dd,4\n"
        "tool-1.0.dist-info/METADATA,sha256=ee,11\n"
        "tool-1.0.dist-info/RECORD,,\n"
        "tool-1.0.dist-info/direct_url.json,sha256=ff,40\n"
        "bin/tool,sha256=aa,30\n"
        "/etc/passwd,,\n");
  write(root / "other-2.0.dist-info" / "RECORD",
        "other.py,sha256=11,1\nother-2.0.dist-info/RECORD,,\n");
  write(root / "other.py", "x");

  ASSERT_TRUE(normalize_site_packages(root));

  EXPECT_FALSE(fs::exists(root / "bin"));
  EXPECT_FALSE(fs::exists(root / "tool" / "__pycache__"));
  EXPECT_FALSE(fs::exists(root / "tool" / "stale.pyc"));
  EXPECT_FALSE(fs::exists(root / "tool-1.0.dist-info" / "direct_url.json"));
  EXPECT_TRUE(fs::exists(root / "tool" / "bin" / "launcher"));
  EXPECT_TRUE(fs::exists(root / "tool-1.0.dist-info" / "INSTALLER"));
  EXPECT_EQ(read(root / "tool-1.0.dist-info" / "RECORD"),
            "tool/__init__.py,sha256=bb,0\n"
            "tool/bin/launcher,sha256=cc,26\n"
            "tool-1.0.dist-info/INSTALLER,sha256=dd,4\n"
            "tool-1.0.dist-info/METADATA,sha256=ee,11\n"
            "tool-1.0.dist-info/RECORD,,\n");
  EXPECT_EQ(read(root / "other-2.0.dist-info" / "RECORD"),
            "other.py,sha256=11,1\nother-2.0.dist-info/RECORD,,\n");

  // Idempotent: a second run changes nothing.
  ASSERT_TRUE(normalize_site_packages(root));
  EXPECT_EQ(read(root / "other-2.0.dist-info" / "RECORD"),
            "other.py,sha256=11,1\nother-2.0.dist-info/RECORD,,\n");
}

TEST(PythonNormalize, ThePlanCarriesIt) {
  auto dir = TempDir::create("lpack-normalize-test-");
  ASSERT_TRUE(dir);
  write(dir->path() / "src" / "requirements.txt", "x\n");
  write(dir->path() / "src" / "app.py", "");
  PlanRequest request;
  request.src = dir->path() / "src";
  request.python.interpreter = "/bin/sh";  // any program: the plan only names it
  auto plan = find_runtime("python")->plan(request);
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_TRUE(plan->layer && plan->layer->normalize);
  write(dir->path() / "out" / "bin" / "x", "");
  ASSERT_TRUE(plan->layer->normalize(dir->path() / "out"));
  EXPECT_FALSE(fs::exists(dir->path() / "out" / "bin"));
}

}  // namespace
}  // namespace lpack::runtimes::python

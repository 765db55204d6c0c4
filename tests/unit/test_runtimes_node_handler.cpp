#include <gtest/gtest.h>

#include "base/fs.hpp"
#include "base/walk.hpp"
#include "runtimes/node/node_handler.hpp"
#include "runtimes/runtime.hpp"

namespace lpack::runtimes::node {
namespace {

TEST(NodeHandlerName, SplitsModuleAndExportLikeLambda) {
  auto simple = parse_handler("index.handler");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->module, "index");
  EXPECT_EQ(simple->export_name, "handler");
  auto nested = parse_handler("src/v1.2/app.handlers.main");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->module, "src/v1.2/app");
  EXPECT_EQ(nested->export_name, "handlers");
  for (auto bad : {"index", ".handler", "index.", "src/.x", ""}) {
    auto r = parse_handler(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::bad_input);
  }
  EXPECT_EQ(module_candidates("a/b"), (std::vector<std::string>{"a/b.js", "a/b.mjs", "a/b.cjs"}));
}

TEST(NodeHandlerExport, RecognisesCommonJsAndEsModuleForms) {
  const char* exported[] = {
      "exports.handler = async (event) => ({});",
      "module.exports.handler = function (e) {};",
      "exports['handler'] = main;",
      "const main = () => 1;\nmodule.exports = { handler: main };",
      "async function handler() {}\nmodule.exports = {\n  handler,\n  other,\n};",
      "export const handler = async (event) => {};",
      "export let handler = 1;",
      "export async function handler(event) {}",
      "export function handler(event) {}",
      "export function* handler() {}",
      "const handler = 1;\nexport { handler };",
      "const main = 1;\nexport { other, main as handler };",
      "export { handler } from './impl.mjs';",
      "export * from './impl.mjs';",
      // Bundler output (esbuild's CommonJS and tsc's re-export helpers).
      "var src_exports = {};\n__export(src_exports, { handler: () => handler });\n"
      "module.exports = __toCommonJS(src_exports);",
      "Object.defineProperty(exports, \"handler\", { enumerable: true, get: function () {} });",
      "module.exports = require('./lib/handler');",
  };
  for (const char* source : exported) {
    EXPECT_EQ(check_export(source, "handler"), ExportCheck::exported) << source;
  }
}

TEST(NodeHandlerExport, MissingOrMisspeltExportsAreReported) {
  EXPECT_EQ(check_export("async function handler() {}\n", "handler"), ExportCheck::no_exports);
  EXPECT_EQ(check_export("console.log('hi')\n", "handler"), ExportCheck::no_exports);
  EXPECT_EQ(check_export("exports.handle = async () => {};", "handler"),
            ExportCheck::not_mentioned);
  EXPECT_EQ(check_export("export const myhandler = 1;", "handler"), ExportCheck::not_mentioned);
  EXPECT_EQ(check_export("const handler = 1;\nexport { other };", "handler"),
            ExportCheck::not_mentioned);
  EXPECT_EQ(check_export("module.exports = { main };", "handler"), ExportCheck::not_mentioned);
  EXPECT_EQ(check_export("if (exports.handler == null) {}", "handler"), ExportCheck::not_mentioned);
}

class NodeHandlerCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::create("lpack-node-handler-");
    ASSERT_TRUE(dir);
    m_dir.emplace(std::move(*dir));
  }
  std::vector<TreeEntry> files_with(std::string_view path, std::string_view text) {
    fs::path file = m_dir->path() / path;
    fs::create_directories(file.parent_path());
    EXPECT_TRUE(write_file_atomic(file, text));
    auto entries = walk_tree(m_dir->path(), {});
    EXPECT_TRUE(entries);
    return *entries;
  }

 private:
  std::optional<TempDir> m_dir;
};

TEST_F(NodeHandlerCheck, FindsTheModuleByExtension) {
  EXPECT_TRUE(
      check_node_handler("index.handler", files_with("index.mjs", "export const handler = 1;\n")));
  EXPECT_TRUE(
      check_node_handler("src/app.main", files_with("src/app.cjs", "exports.main = () => 1;\n")));
}

TEST_F(NodeHandlerCheck, MissingFileNamesTheCandidates) {
  auto files = files_with("app.js", "exports.handler = 1;\n");
  auto r = check_node_handler("index.handler", files);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(r.error().message(),
            "handler \"index.handler\": no index.js, index.mjs or index.cjs in the function; "
            "add it or set `handler` in lpack.toml");
}

TEST_F(NodeHandlerCheck, WrongExportIsReportedThroughThePlugin) {
  auto files = files_with("index.js", "exports.main = async () => 1;\n");
  Plan plan;
  plan.handler = "index.handler";
  auto r = find_runtime("node")->check_handler(plan, files);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(r.error().message(),
            "handler \"index.handler\": index.js does not export `handler`; export it or set "
            "`handler` in lpack.toml");
  auto nothing =
      check_node_handler("index.handler", files_with("index.js", "function handler() {}\n"));
  ASSERT_FALSE(nothing);
  EXPECT_NE(nothing.error().message().find("exports nothing"), std::string::npos);
}

}  // namespace
}  // namespace lpack::runtimes::node

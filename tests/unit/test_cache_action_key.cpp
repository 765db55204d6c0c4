#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "cache/action_key.hpp"

namespace lpack::cache {
namespace {

struct KeyInputs {
  std::string format = "zip-1";
  std::string plugin = "python 0.3.0";
  std::string runtime = "python3.12";
  std::string arch = "arm64";
  std::string toolchain = "cpython 3.12.1";
  std::string field = "handler app.handler";
  std::string command = "pip install --target {out} -r {src}/requirements.txt";
  std::string env = "PIP_INDEX_URL=https://pypi.example/simple";
  std::vector<FileDigest> inputs = {
      {"app.py", false, 10, Hash128{1, 1}},
      {"requirements.txt", false, 20, Hash128{2, 2}},
      {"bin/run", true, 30, Hash128{3, 3}},
  };
};

ActionKey build_key(const KeyInputs& in) {
  ActionKey key;
  key.add("format", in.format);
  key.add("plugin", in.plugin);
  key.add("runtime", in.runtime);
  key.add("arch", in.arch);
  key.add("toolchain", in.toolchain);
  key.add("field", in.field);
  key.add("command", in.command);
  key.add("env", in.env);
  key.add_inputs(in.inputs);
  return key;
}

struct Change {
  const char* name;
  std::function<void(KeyInputs&)> apply;
  const char* explained;  // a word the explanation must contain
};

TEST(CacheActionKey, EachComponentChangesTheKeyAndIsExplained) {
  const std::vector<Change> changes = {
      {"format", [](KeyInputs& k) { k.format = "zip-2"; }, "format"},
      {"plugin version", [](KeyInputs& k) { k.plugin = "python 0.4.0"; }, "plugin"},
      {"runtime", [](KeyInputs& k) { k.runtime = "python3.13"; }, "runtime"},
      {"arch", [](KeyInputs& k) { k.arch = "x86_64"; }, "arch"},
      {"toolchain", [](KeyInputs& k) { k.toolchain = "cpython 3.12.2"; }, "toolchain"},
      {"field", [](KeyInputs& k) { k.field = "handler app.main"; }, "field"},
      {"command", [](KeyInputs& k) { k.command += " --no-deps"; }, "command"},
      {"env", [](KeyInputs& k) { k.env = "PIP_INDEX_URL=https://other/simple"; }, "env"},
      {"input path", [](KeyInputs& k) { k.inputs[0].path = "main.py"; }, "main.py"},
      {"input mode", [](KeyInputs& k) { k.inputs[0].executable = true; }, "mode"},
      {"input content", [](KeyInputs& k) { k.inputs[1].hash.low = 99; }, "requirements.txt"},
      {"input added",
       [](KeyInputs& k) {
         k.inputs.push_back({"new.py", false, 1, Hash128{7, 7}});
       },
       "added"},
      {"input removed", [](KeyInputs& k) { k.inputs.pop_back(); }, "removed"},
  };
  const KeyInputs base;
  const ActionKey base_key = build_key(base);
  for (const Change& change : changes) {
    KeyInputs changed = base;
    change.apply(changed);
    ActionKey key = build_key(changed);
    EXPECT_NE(key.hex(), base_key.hex()) << change.name;
    auto explanation = explain_difference(base_key.canonical_text(), key.canonical_text());
    ASSERT_FALSE(explanation.empty()) << change.name;
    std::string joined;
    for (const auto& line : explanation) joined += line + "\n";
    EXPECT_NE(joined.find(change.explained), std::string::npos) << change.name << ": " << joined;
  }
}

TEST(CacheActionKey, IdenticalRebuildHasTheSameKey) {
  KeyInputs a;
  KeyInputs b;
  std::reverse(b.inputs.begin(), b.inputs.end());  // input order does not matter
  EXPECT_EQ(build_key(a).hex(), build_key(b).hex());
  EXPECT_EQ(build_key(a).canonical_text(), build_key(b).canonical_text());
  EXPECT_TRUE(
      explain_difference(build_key(a).canonical_text(), build_key(b).canonical_text()).empty());
  EXPECT_EQ(build_key(a).hex().size(), 64u);
}

TEST(CacheActionKey, ExplainNamesContentVersusModeChanges) {
  KeyInputs a;
  KeyInputs b;
  b.inputs[1].hash.high = 5;
  auto lines = explain_difference(build_key(a).canonical_text(), build_key(b).canonical_text());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "input requirements.txt: content changed");
  KeyInputs c;
  c.runtime = "python3.13";
  lines = explain_difference(build_key(a).canonical_text(), build_key(c).canonical_text());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "runtime: python3.12 -> python3.13");
}

TEST(CacheActionKey, NewlinesCannotForgeFieldsOrCollide) {
  ActionKey a;
  a.add("command", "echo x\ninput 644 00 forged");
  EXPECT_EQ(a.canonical_text(), "lpack-action-key 1\ncommand echo x\\ninput 644 00 forged\n");
  ActionKey b;
  b.add("command", "echo x input 644 00 forged");
  EXPECT_NE(a.hex(), b.hex());
  ActionKey c;
  c.add("command", "echo x\\ninput 644 00 forged");  // a literal backslash-n
  EXPECT_NE(a.hex(), c.hex());
}

// The text is exactly the documented grammar, values escaped, inputs sorted by path.
TEST(ActionKey, CanonicalTextFollowsTheGrammar) {
  ActionKey key;
  key.add("field", "a\\b\nc");
  key.add_inputs({{"z/last", false, 1, Hash128{0, 15}}, {"first\nline", true, 1, Hash128{1, 0}}});
  EXPECT_EQ(key.canonical_text(),
            "lpack-action-key 1\n"
            "field a\\\\b\\nc\n"
            "input 755 00000000000000010000000000000000 first\\nline\n"
            "input 644 0000000000000000000000000000000f z/last\n");
}

// hex() is computed once and kept; adding a field must not leave the old hash behind.
TEST(ActionKey, HexFollowsLaterAdditions) {
  ActionKey key;
  key.add("runtime", "python3.12");
  std::string before = key.hex();
  EXPECT_EQ(before, key.hex());
  key.add("arch", "arm64");
  EXPECT_NE(before, key.hex());
  ActionKey same;
  same.add("runtime", "python3.12");
  same.add("arch", "arm64");
  EXPECT_EQ(same.hex(), key.hex());
  key.add_inputs({{"a", false, 1, Hash128{1, 2}}});
  EXPECT_NE(same.hex(), key.hex());
}

}  // namespace
}  // namespace lpack::cache

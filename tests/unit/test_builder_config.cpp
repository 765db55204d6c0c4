#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/fs.hpp"
#include "builder/config/config.hpp"
#include "builder/config/config_rules.hpp"

namespace lpack::builder {
namespace {

using StringMap = std::map<std::string, std::string>;
using Strings = std::vector<std::string>;

// ---- lpack.toml: valid files ------------------------------------------------------------

constexpr std::string_view k_full_toml = R"(# every key lpack.toml knows
[metadata]
name = "orders-api"
runtime = "python3.12"
handler = "app.lambda_handler"
description = "Takes orders"

[build]
source_path = "src"
layer_auto = false
requirements_file = "requirements/prod.txt"
exclude = ["tests/**", "*.md"]

[function]
memory_mb = 512
timeout_seconds = 30
layers = ["arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"]
tags = { team = "payments", "cost center" = "42" }

[function.environment]
LOG_LEVEL = "debug"
TABLE_NAME = "orders"

[deployment]
architecture = "arm64"
function_url = true
cors_enabled = true
auth_type = "AWS_IAM"

[iam]
role_arn = "arn:aws:iam::123456789012:role/service/orders-api"
policies = ["arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
            "arn:aws:iam::123456789012:policy/orders-write"]

[layer]
name = "orders-api-deps"
description = "Dependencies of orders-api"
compatible_runtimes = ["python3.12", "python3.13"]

[python]
interpreter = "python3.12"
index_url = "https://pypi.example.com/simple"
extra_index_urls = ["https://mirror.example.com/simple"]
find_links = ["wheels"]
no_index = true

[node]
build_script = "build"
output_dir = "dist"
)";

TEST(ConfigToml, ParsesEveryField) {
  Result<Config> parsed = parse_lpack_toml(k_full_toml, "lpack.toml");
  ASSERT_TRUE(parsed) << parsed.error().message();
  const Config& c = *parsed;
  EXPECT_EQ(c.origin, "lpack.toml");
  EXPECT_EQ(c.name, "orders-api");
  EXPECT_EQ(c.runtime, "python3.12");
  EXPECT_EQ(c.handler, "app.lambda_handler");
  EXPECT_EQ(c.description, "Takes orders");
  EXPECT_EQ(c.source_path, "src");
  EXPECT_FALSE(c.layer_auto);
  EXPECT_EQ(c.requirements_file, "requirements/prod.txt");
  EXPECT_EQ(c.exclude, (Strings{"tests/**", "*.md"}));
  EXPECT_EQ(c.memory_mb, 512);
  EXPECT_EQ(c.timeout_seconds, 30);
  EXPECT_EQ(c.environment, (StringMap{{"LOG_LEVEL", "debug"}, {"TABLE_NAME", "orders"}}));
  EXPECT_EQ(c.layers, (Strings{"arn:aws:lambda:eu-west-1:123456789012:layer:shared:3"}));
  EXPECT_EQ(c.tags, (StringMap{{"cost center", "42"}, {"team", "payments"}}));
  EXPECT_EQ(c.architecture, "arm64");
  EXPECT_TRUE(c.function_url);
  EXPECT_TRUE(c.cors_enabled);
  EXPECT_EQ(c.auth_type, "AWS_IAM");
  EXPECT_EQ(c.role_arn, "arn:aws:iam::123456789012:role/service/orders-api");
  EXPECT_EQ(c.policies, (Strings{"arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
                                 "arn:aws:iam::123456789012:policy/orders-write"}));
  EXPECT_EQ(c.layer_name, "orders-api-deps");
  EXPECT_EQ(c.layer_description, "Dependencies of orders-api");
  EXPECT_EQ(c.compatible_runtimes, (Strings{"python3.12", "python3.13"}));
  EXPECT_EQ(c.python_interpreter, "python3.12");
  EXPECT_EQ(c.python_index_url, "https://pypi.example.com/simple");
  EXPECT_EQ(c.python_extra_index_urls, (Strings{"https://mirror.example.com/simple"}));
  EXPECT_EQ(c.python_find_links, (Strings{"wheels"}));
  EXPECT_TRUE(c.python_no_index);
  EXPECT_EQ(c.node_build_script, "build");
  EXPECT_EQ(c.node_output_dir, "dist");
}

TEST(ConfigToml, EmptyFileKeepsDefaults) {
  Result<Config> parsed = parse_lpack_toml("# nothing yet\n", "lpack.toml");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->origin, "lpack.toml");
  EXPECT_TRUE(parsed->layer_auto);
  EXPECT_EQ(parsed->memory_mb, 0);
  EXPECT_EQ(parsed->timeout_seconds, 0);
  EXPECT_EQ(parsed->architecture, "");
  EXPECT_FALSE(parsed->function_url);
  EXPECT_FALSE(parsed->python_no_index);
  EXPECT_TRUE(parsed->environment.empty());
}

struct ValidCase {
  const char* what;
  const char* text;
  std::function<void(const Config&)> check;
};

TEST(ConfigToml, AcceptsEquivalentSpellings) {
  const std::vector<ValidCase> cases = {
      {"dotted keys at the top", "function.memory_mb = 256\nmetadata.handler = \"h.x\"\n",
       [](const Config& c) {
         EXPECT_EQ(c.memory_mb, 256);
         EXPECT_EQ(c.handler, "h.x");
       }},
      {"inline environment table", "[function]\nenvironment = { A_1 = \"x\" }\n",
       [](const Config& c) {
         EXPECT_EQ(c.environment, (StringMap{{"A_1", "x"}}));
       }},
      {"aarch64 is arm64", "[deployment]\narchitecture = \"aarch64\"\n",
       [](const Config& c) { EXPECT_EQ(c.architecture, "arm64"); }},
      {"amd64 is x86_64", "[deployment]\narchitecture = \"amd64\"\n",
       [](const Config& c) { EXPECT_EQ(c.architecture, "x86_64"); }},
      {"range limits are inclusive", "[function]\nmemory_mb = 10240\ntimeout_seconds = 900\n",
       [](const Config& c) {
         EXPECT_EQ(c.memory_mb, 10240);
         EXPECT_EQ(c.timeout_seconds, 900);
       }},
      {"source_path may leave the folder", "[build]\nsource_path = \"../src\"\n",
       [](const Config& c) { EXPECT_EQ(c.source_path, "../src"); }},
      {"layer_auto true", "[build]\nlayer_auto = true\n",
       [](const Config& c) { EXPECT_TRUE(c.layer_auto); }},
      {"auth NONE", "[deployment]\nauth_type = \"NONE\"\n",
       [](const Config& c) { EXPECT_EQ(c.auth_type, "NONE"); }},
      {"empty arrays", "[build]\nexclude = []\n",
       [](const Config& c) { EXPECT_TRUE(c.exclude.empty()); }},
      {"China partition", "[iam]\nrole_arn = \"arn:aws-cn:iam::123456789012:role/r\"\n",
       [](const Config& c) { EXPECT_EQ(c.role_arn, "arn:aws-cn:iam::123456789012:role/r"); }},
  };
  for (const ValidCase& test : cases) {
    SCOPED_TRACE(test.what);
    Result<Config> parsed = parse_lpack_toml(test.text, "lpack.toml");
    ASSERT_TRUE(parsed) << parsed.error().message();
    test.check(*parsed);
  }
}

// ---- lpack.toml: errors -----------------------------------------------------------------

struct ErrorCase {
  const char* what;
  const char* text;
  const char* message;
};

TEST(ConfigTomlErrors, NameTheLineTheKeyAndTheFix) {
  const std::vector<ErrorCase> cases = {
      {"wrong type",
       "[metadata]\nname = \"f\"\n\n[build]\nexclude = []\n\n[function]\nmemory_mb = \"512\"\n",
       "lpack.toml:8: [function] memory_mb must be an integer (got string)"},
      {"float for an integer", "[function]\ntimeout_seconds = 2.5\n",
       "lpack.toml:2: [function] timeout_seconds must be an integer (got float)"},
      {"boolean as string", "[build]\nlayer_auto = \"yes\"\n",
       "lpack.toml:2: [build] layer_auto must be a boolean (got string)"},
      {"unknown key with suggestion", "[metadata]\nname = \"f\"\nhandlr = \"app.h\"\n",
       "lpack.toml:3: unknown key \"handlr\" in [metadata]; did you mean \"handler\"?"},
      {"suggestion by first word", "[function]\ntimeout = 3\n",
       "lpack.toml:2: unknown key \"timeout\" in [function]; did you mean \"timeout_seconds\"?"},
      {"suggestion ignoring case and dashes", "[function]\nMemory-MB = 3\n",
       "lpack.toml:2: unknown key \"Memory-MB\" in [function]; did you mean \"memory_mb\"?"},
      {"key of another section", "[metadata]\narchitecture = \"arm64\"\n",
       "lpack.toml:2: unknown key \"architecture\" in [metadata]; it belongs in [deployment]"},
      {"unknown key without suggestion", "[node]\nzzz = 1\n",
       "lpack.toml:2: unknown key \"zzz\" in [node]"},
      {"unknown sub-table", "[metadata.extra]\nx = 1\n",
       "lpack.toml:1: unknown key \"extra\" in [metadata]"},
      {"unknown section with suggestion", "[metadata]\n\n[fucntion]\nmemory_mb = 256\n",
       "lpack.toml:3: unknown section [fucntion]; did you mean [function]?"},
      {"unknown section", "[tool]\nx = 1\n",
       "lpack.toml:1: unknown section [tool]; the sections are [metadata], [build], [function], "
       "[deployment], [iam], [layer], [python], [node]"},
      {"key above every section", "handler = \"app.h\"\n[metadata]\n",
       "lpack.toml:1: key \"handler\" must be inside a section; put it under [metadata]"},
      {"section that is not a table", "metadata = \"x\"\n",
       "lpack.toml:1: metadata must be a table, a [metadata] section (got string)"},
      {"array of tables", "[[build]]\nexclude = []\n",
       "lpack.toml:1: build must be a table, a [build] section (got array)"},
      {"memory below range", "[function]\nmemory_mb = 64\n",
       "lpack.toml:2: [function] memory_mb must be between 128 and 10240 (got 64)"},
      {"memory above range", "[function]\nmemory_mb = 20480\n",
       "lpack.toml:2: [function] memory_mb must be between 128 and 10240 (got 20480)"},
      {"timeout zero", "[function]\ntimeout_seconds = 0\n",
       "lpack.toml:2: [function] timeout_seconds must be between 1 and 900 (got 0)"},
      {"timeout huge", "[function]\ntimeout_seconds = 9223372036854775807\n",
       "lpack.toml:2: [function] timeout_seconds must be between 1 and 900 "
       "(got 9223372036854775807)"},
      {"array element", "[build]\nexclude = [\n  \"a\",\n  3,\n]\n",
       "lpack.toml:4: [build] exclude[1] must be a string (got integer)"},
      {"array wanted", "[build]\nexclude = \"tests/**\"\n",
       "lpack.toml:2: [build] exclude must be an array of strings (got string)"},
      {"empty glob", "[build]\nexclude = [\"\"]\n",
       "lpack.toml:2: [build] exclude[0] must not be empty"},
      {"environment value", "[function.environment]\nDEBUG = 1\n",
       "lpack.toml:2: [function] environment.DEBUG must be a string (got integer)"},
      {"environment not a table", "[function]\nenvironment = [\"A=1\"]\n",
       "lpack.toml:2: [function] environment must be a table of strings (got array)"},
      {"environment name", "[function.environment]\n\"1ABC\" = \"x\"\n",
       "lpack.toml:2: [function] environment.1ABC is not a valid variable name: Lambda wants a "
       "letter followed by letters, digits or underscores, at least 2 characters"},
      {"reserved environment name", "[function.environment]\nAWS_REGION = \"x\"\n",
       "lpack.toml:2: [function] environment.AWS_REGION is reserved: Lambda sets it itself"},
      {"architecture", "[deployment]\narchitecture = \"sparc\"\n",
       "lpack.toml:2: [deployment] architecture must be \"x86_64\" or \"arm64\" (got \"sparc\")"},
      {"auth type", "[deployment]\nauth_type = \"iam\"\n",
       "lpack.toml:2: [deployment] auth_type must be \"NONE\" or \"AWS_IAM\" (got \"iam\")"},
      {"role arn", "[iam]\nrole_arn = \"orders-role\"\n",
       "lpack.toml:2: [iam] role_arn must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME "
       "(got \"orders-role\")"},
      {"policy arn", "[iam]\npolicies = [\"arn:aws:iam::aws:role/x\"]\n",
       "lpack.toml:2: [iam] policies[0] must be an IAM policy ARN, "
       "arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME "
       "(got \"arn:aws:iam::aws:role/x\")"},
      {"function name", "[metadata]\nname = \"my function\"\n",
       "lpack.toml:2: [metadata] name must be 1-64 letters, digits, hyphens or underscores "
       "(got \"my function\")"},
      {"empty runtime", "[metadata]\nruntime = \"\"\n",
       "lpack.toml:2: [metadata] runtime must not be empty"},
      {"absolute requirements file", "[build]\nrequirements_file = \"/etc/req.txt\"\n",
       "lpack.toml:2: [build] requirements_file must be a path relative to the source folder "
       "(got \"/etc/req.txt\")"},
      {"requirements file outside", "[build]\nrequirements_file = \"a/../../req.txt\"\n",
       "lpack.toml:2: [build] requirements_file must stay inside the source folder "
       "(got \"a/../../req.txt\")"},
      {"absolute source path", "[build]\nsource_path = \"/srv/app\"\n",
       "lpack.toml:2: [build] source_path must be a path relative to the folder of the "
       "configuration file (got \"/srv/app\")"},
      {"output dir outside", "[node]\noutput_dir = \"..\"\n",
       "lpack.toml:2: [node] output_dir must stay inside the source folder (got \"..\")"},
      {"index url", "[python]\nindex_url = \"pypi.example.com/simple\"\n",
       "lpack.toml:2: [python] index_url must be an http://, https:// or file:// URL"},
      {"too many layers",
       "[function]\nlayers = [\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:1\",\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:2\",\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:3\",\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:4\",\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:5\",\n"
       "\"arn:aws:lambda:us-east-1:123456789012:layer:a:6\"]\n",
       "lpack.toml:2: [function] layers must hold at most 5 items (got 6)"},
      {"layer arn without version",
       "[function]\nlayers = [\"arn:aws:lambda:us-east-1:123456789012:layer:a\"]\n",
       "lpack.toml:2: [function] layers[0] must be a layer version ARN, "
       "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION "
       "(got \"arn:aws:lambda:us-east-1:123456789012:layer:a\")"},
      {"reserved tag", "[function.tags]\n\"aws:owner\" = \"x\"\n",
       "lpack.toml:2: [function] tags.\"aws:owner\" uses the prefix \"aws:\", which AWS reserves"},
      {"earliest of several problems", "[node]\nzzz = 1\n[metadata]\nhandlr = 1\n",
       "lpack.toml:2: unknown key \"zzz\" in [node]"},
  };
  for (const ErrorCase& test : cases) {
    SCOPED_TRACE(test.what);
    Result<Config> parsed = parse_lpack_toml(test.text, "lpack.toml");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::bad_input);
    EXPECT_EQ(parsed.error().message(), test.message);
  }
}

TEST(ConfigTomlErrors, SyntaxErrorsCarryTheirLine) {
  struct SyntaxCase {
    const char* text;
    int line;
  };
  const std::vector<SyntaxCase> cases = {
      {"[metadata]\nname = \"f\"\nhandler = \n[build]\n", 3},
      {"[metadata]\nname = \"f\"\n\n\nname = \"g\"\n", 5},  // redefined key
      {"[metadata]\n[metadata]\n", 2},                      // redefined table
      {"[metadata\nname = \"f\"\n", 1},
      {"[python]\nindex_url = \"https://u:secret@h/simple\n", 2},  // unterminated string
  };
  for (const SyntaxCase& test : cases) {
    SCOPED_TRACE(test.text);
    Result<Config> parsed = parse_lpack_toml(test.text, "lpack.toml");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::bad_input);
    std::string prefix = "lpack.toml:" + std::to_string(test.line) + ": ";
    EXPECT_EQ(parsed.error().message().substr(0, prefix.size()), prefix)
        << parsed.error().message();
    EXPECT_GT(parsed.error().message().size(), prefix.size());
    EXPECT_EQ(parsed.error().message().find("secret"), std::string::npos);
  }
}

TEST(ConfigTomlErrors, NeverQuoteSecretValues) {
  const char* texts[] = {
      "[python]\nindex_url = \"ftp://user:hunter2@host/simple\"\n",
      "[python]\nextra_index_urls = [\"user:hunter2@host\"]\n",
      "[function.environment]\nDB_PASSWORD = [\"hunter2\"]\n",
      "[function.tags]\n\"aws:x\" = \"hunter2\"\n",
  };
  for (const char* text : texts) {
    Result<Config> parsed = parse_lpack_toml(text, "lpack.toml");
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().message().find("hunter2"), std::string::npos)
        << parsed.error().message();
  }
}

// ---- function.json ----------------------------------------------------------------------

constexpr std::string_view k_full_json = R"({
  "name": "orders-api",
  "description": "Takes orders",
  "runtime": "nodejs20.x",
  "handler": "index.handler",
  "timeout": 15,
  "memory_size": 1024,
  "layers": ["arn:aws:lambda:us-east-1:123456789012:layer:shared:7"],
  "environment_variables": {"STAGE": "prod", "TABLE": "orders"},
  "tags": {"team": "payments", "cost center": "42"},
  "architecture": "x86_64",
  "role": "arn:aws:iam::123456789012:role/orders",
  "requirements_file": "requirements.txt",
  "exclude": ["test/**"]
})";

TEST(ConfigJson, ParsesEveryField) {
  Result<Config> parsed = parse_function_json(k_full_json, "function.json");
  ASSERT_TRUE(parsed) << parsed.error().message();
  const Config& c = *parsed;
  EXPECT_EQ(c.origin, "function.json");
  EXPECT_EQ(c.name, "orders-api");
  EXPECT_EQ(c.description, "Takes orders");
  EXPECT_EQ(c.runtime, "nodejs20.x");
  EXPECT_EQ(c.handler, "index.handler");
  EXPECT_EQ(c.timeout_seconds, 15);
  EXPECT_EQ(c.memory_mb, 1024);
  EXPECT_EQ(c.layers, (Strings{"arn:aws:lambda:us-east-1:123456789012:layer:shared:7"}));
  EXPECT_EQ(c.environment, (StringMap{{"STAGE", "prod"}, {"TABLE", "orders"}}));
  EXPECT_EQ(c.tags, (StringMap{{"cost center", "42"}, {"team", "payments"}}));
  EXPECT_EQ(c.architecture, "x86_64");
  EXPECT_EQ(c.role_arn, "arn:aws:iam::123456789012:role/orders");
  EXPECT_EQ(c.requirements_file, "requirements.txt");
  EXPECT_EQ(c.exclude, (Strings{"test/**"}));
  // What function.json cannot say keeps its default.
  EXPECT_TRUE(c.layer_auto);
  EXPECT_EQ(c.source_path, "");
}

TEST(ConfigJson, AcceptsLambdasArchitecturesList) {
  Result<Config> parsed = parse_function_json(R"({"architectures": ["arm64"]})", "function.json");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->architecture, "arm64");
  parsed = parse_function_json(R"({"architecture": "aarch64"})", "function.json");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->architecture, "arm64");
  parsed = parse_function_json("{}", "function.json");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->origin, "function.json");
}

TEST(ConfigJsonErrors, NameTheJsonPath) {
  const std::vector<ErrorCase> cases = {
      {"wrong type", R"({"memory_size": "512"})",
       "function.json: $.memory_size must be an integer (got string)"},
      {"float", R"({"timeout": 3.5})", "function.json: $.timeout must be an integer (got float)"},
      {"null", R"({"handler": null})", "function.json: $.handler must be a string (got null)"},
      {"out of range", R"({"memory_size": 64})",
       "function.json: $.memory_size must be between 128 and 10240 (got 64)"},
      {"negative", R"({"timeout": -1})",
       "function.json: $.timeout must be between 1 and 900 (got -1)"},
      {"huge unsigned", R"({"timeout": 18446744073709551615})",
       "function.json: $.timeout must be between 1 and 900 (got 18446744073709551615)"},
      {"unknown key with suggestion", R"({"memroy_size": 256})",
       "function.json: unknown key $.memroy_size; did you mean \"memory_size\"?"},
      {"Lambda API spelling", R"({"MemorySize": 256})",
       "function.json: unknown key $.MemorySize; did you mean \"memory_size\"?"},
      {"Lambda FunctionName", R"({"FunctionName": "f"})",
       "function.json: unknown key $.FunctionName; did you mean \"name\"?"},
      {"environment by first word", R"({"environment": {}})",
       "function.json: unknown key $.environment; did you mean \"environment_variables\"?"},
      {"unknown key", R"({"zzz": 1})", "function.json: unknown key $.zzz"},
      {"odd key is quoted", R"({"my key": 1})", "function.json: unknown key $[\"my key\"]"},
      {"nested value", R"({"environment_variables": {"FOO": 1}})",
       "function.json: $.environment_variables.FOO must be a string (got integer)"},
      {"nested odd key", R"({"tags": {"cost center": true}})",
       "function.json: $.tags[\"cost center\"] must be a string (got boolean)"},
      {"object wanted", R"({"tags": ["a"]})",
       "function.json: $.tags must be an object of strings (got array)"},
      {"array element", R"({"layers": ["arn:aws:lambda:us-east-1:123456789012:layer:a:1", 2]})",
       "function.json: $.layers[1] must be a string (got integer)"},
      {"env name", R"({"environment_variables": {"LAMBDA_TASK_ROOT": "x"}})",
       "function.json: $.environment_variables.LAMBDA_TASK_ROOT is reserved: Lambda sets it "
       "itself"},
      {"role", R"({"role": "admin"})",
       "function.json: $.role must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME "
       "(got \"admin\")"},
      {"architecture", R"({"architecture": "ppc"})",
       "function.json: $.architecture must be \"x86_64\" or \"arm64\" (got \"ppc\")"},
      {"architectures element", R"({"architectures": ["ppc"]})",
       "function.json: $.architectures[0] must be \"x86_64\" or \"arm64\" (got \"ppc\")"},
      {"two architectures", R"({"architectures": ["arm64", "x86_64"]})",
       "function.json: $.architectures must hold exactly one architecture, as Lambda allows "
       "(got 2)"},
      {"architectures not a list", R"({"architectures": "arm64"})",
       "function.json: $.architectures must be an array of strings (got string)"},
      {"both spellings", R"({"architectures": ["arm64"], "architecture": "arm64"})",
       "function.json: $.architecture and $.architectures are both set; keep one"},
      {"requirements outside", R"({"requirements_file": "../r.txt"})",
       "function.json: $.requirements_file must stay inside the source folder (got \"../r.txt\")"},
      {"not an object", R"(["name"])", "function.json: $ must be an object (got array)"},
      {"a string", R"("x")", "function.json: $ must be an object (got string)"},
      {"duplicate key", "{\"timeout\": 3,\n \"timeout\": 4}",
       "function.json: duplicate key $.timeout; keep one"},
      {"nested duplicate key",
       R"({"layers": [], "tags": {"a": "1"}, "environment_variables": {"AB": "1", "AB": "2"}})",
       "function.json: duplicate key $.environment_variables.AB; keep one"},
      {"first problem in document order", R"({"zzz": 1, "memory_size": "x"})",
       "function.json: unknown key $.zzz"},
  };
  for (const ErrorCase& test : cases) {
    SCOPED_TRACE(test.what);
    Result<Config> parsed = parse_function_json(test.text, "function.json");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::bad_input);
    EXPECT_EQ(parsed.error().message(), test.message);
  }
}

TEST(ConfigJsonErrors, SyntaxErrorsCarryTheirLine) {
  struct SyntaxCase {
    const char* text;
    int line;
  };
  const std::vector<SyntaxCase> cases = {
      {"{\n  \"name\": \"f\",\n  \"timeout\": 3,\n}\n", 4},  // trailing comma
      {"{\n  \"name\": \"f\"\n  \"timeout\": 3\n}\n", 3},    // missing comma
      {"", 1},
      {"{\n\n  \"environment_variables\": {\"TOKEN\": \"s3cr3t\n\"}}", 3},  // raw newline
      {"{\n  \"name\": tru\n}", 2},
      // An excerpt that looks like the end of nlohmann's quote must not survive either.
      {"{\"environment_variables\": {\"T\": \"s3'; cr3t\u0001\"}}", 1},
  };
  for (const SyntaxCase& test : cases) {
    SCOPED_TRACE(test.text);
    Result<Config> parsed = parse_function_json(test.text, "function.json");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), ErrorCode::bad_input);
    const std::string& message = parsed.error().message();
    std::string prefix = "function.json:" + std::to_string(test.line) + ": ";
    EXPECT_EQ(message.substr(0, prefix.size()), prefix) << message;
    EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
    EXPECT_EQ(message.find("last read"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
    EXPECT_EQ(message.find("cr3t"), std::string::npos) << message;
  }
}

// ---- load_config ------------------------------------------------------------------------

class ConfigLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("lpack-config-test-");
    ASSERT_TRUE(dir) << dir.error().message();
    m_dir.emplace(std::move(*dir));
  }
  const fs::path& dir() const { return m_dir->path(); }
  void write(std::string_view name, std::string_view text) {
    Result<void> written = write_file_atomic(dir() / name, text);
    ASSERT_TRUE(written) << written.error().message();
  }

 private:
  std::optional<TempDir> m_dir;
};

TEST_F(ConfigLoad, NoFileGivesDefaults) {
  Result<Config> loaded = load_config(dir());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->origin, "");
  EXPECT_TRUE(loaded->layer_auto);
  EXPECT_EQ(loaded->memory_mb, 0);
  EXPECT_EQ(loaded->runtime, "");
}

TEST_F(ConfigLoad, ReadsLpackToml) {
  write("lpack.toml", "[metadata]\nruntime = \"python3.11\"\n");
  Result<Config> loaded = load_config(dir());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->origin, "lpack.toml");
  EXPECT_EQ(loaded->runtime, "python3.11");
}

TEST_F(ConfigLoad, ReadsFunctionJson) {
  write("function.json", R"({"runtime": "nodejs20.x", "architectures": ["arm64"]})");
  Result<Config> loaded = load_config(dir());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->origin, "function.json");
  EXPECT_EQ(loaded->runtime, "nodejs20.x");
  EXPECT_EQ(loaded->architecture, "arm64");
}

TEST_F(ConfigLoad, BothFilesIsAnError) {
  write("lpack.toml", "");
  write("function.json", "{}");
  Result<Config> loaded = load_config(dir());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::bad_input);
  EXPECT_EQ(loaded.error().message(),
            "both lpack.toml and function.json in " + dir().string() + "; keep one");
}

TEST_F(ConfigLoad, ErrorsNameTheFileNotItsFolder) {
  write("lpack.toml", "[function]\nmemory_mb = \"1\"\n");
  Result<Config> loaded = load_config(dir());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message(),
            "lpack.toml:2: [function] memory_mb must be an integer (got string)");
}

TEST_F(ConfigLoad, UnreadableFileIsAnIoError) {
  fs::create_directory(dir() / "function.json");
  Result<Config> loaded = load_config(dir());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::io);
}

// ---- suggestions ------------------------------------------------------------------------

TEST(ConfigSuggest, PicksTheClosePlausibleKey) {
  using config_detail::suggest;
  const std::vector<std::string_view> keys = {"name", "runtime", "handler", "description"};
  EXPECT_EQ(suggest("handlr", keys), std::optional<std::string_view>("handler"));
  EXPECT_EQ(suggest("hnadler", keys), std::optional<std::string_view>("handler"));
  EXPECT_EQ(suggest("Runtime", keys), std::optional<std::string_view>("runtime"));
  EXPECT_EQ(suggest("nme", keys), std::optional<std::string_view>("name"));
  EXPECT_EQ(suggest("xyz", keys), std::nullopt);
  EXPECT_EQ(suggest("hand", keys), std::nullopt);
}

}  // namespace
}  // namespace lpack::builder

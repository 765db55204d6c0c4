// The function's configuration, read from SRC/lpack.toml or, as an alternative,
// SRC/function.json. Both map onto one model. Every field the build uses is parsed now; the
// deployment fields are kept for the uploader. docs/configuration.md lists every key.
//
// Errors: every problem is a bad_input Error whose message starts with the file's name (never
// its folder; the caller adds that if it wants): "lpack.toml:7: [function] memory_mb must be
// an integer (got string)", "function.json: $.memory_size must be between 128 and 10240
// (got 64)". Unknown keys and sections are errors too, with a "did you mean" when a known
// key is close. A file that cannot be read is an io Error naming its path.
//
// Secrets: environment values, tags and Python index URLs may carry credentials. The parser
// never quotes them in messages; whoever logs, hashes or writes a Config must redact them
// (base/redact.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::builder {

struct Config {
  std::string origin;  // "lpack.toml" | "function.json" | "" (no file)

  // [metadata]
  std::string name;
  std::string runtime;  // Lambda runtime id: "python3.12"
  std::string handler;  // "app.lambda_handler"
  std::string description;

  // [build]
  // Paths are relative: source_path to SRC (it may be "../src"), the others to the folder
  // that is built (SRC/source_path) and inside it.
  std::string source_path;  // "" : SRC itself
  bool layer_auto = true;   // build a layer from the dependencies
  std::string requirements_file;
  std::vector<std::string> exclude;  // globs (base/glob.hpp) left out of the function zip

  // [function]
  int memory_mb = 0;  // 0 : not set
  int timeout_seconds = 0;
  std::map<std::string, std::string> environment;

  // [deployment]
  std::string architecture;  // "x86_64" | "arm64" | "" ("amd64"/"aarch64" are normalised)
  bool function_url = false;
  bool cors_enabled = false;
  std::string auth_type;  // "NONE" | "AWS_IAM" | ""

  // [iam]
  std::string role_arn;
  std::vector<std::string> policies;  // managed policy ARNs to attach to the role

  // [layer]
  std::string layer_name;
  std::string layer_description;
  std::vector<std::string> compatible_runtimes;

  // [function] layers / tags in lpack.toml; layers / tags in function.json
  std::vector<std::string> layers;  // existing layer version ARNs to attach (<= 5)
  std::map<std::string, std::string> tags;

  // [python]
  std::string python_interpreter;
  std::string python_index_url;
  std::vector<std::string> python_extra_index_urls;
  std::vector<std::string> python_find_links;
  bool python_no_index = false;

  // [node]
  std::string node_build_script;
  std::string node_output_dir;
};

// Reads SRC/lpack.toml, else SRC/function.json, else returns a default Config (origin "").
// Both files present is a bad_input Error. Values are checked (ranges, names, ARNs, enums);
// whether the runtime id is one lpack builds is left to the runtime plugins.
Result<Config> load_config(const fs::path& src);

// Parsers over text, for tests; `file_name` starts every error message. The first problem
// in the file is the one reported.
Result<Config> parse_lpack_toml(std::string_view text, std::string_view file_name);
Result<Config> parse_function_json(std::string_view text, std::string_view file_name);

}  // namespace lpack::builder

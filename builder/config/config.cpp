// Finding the configuration file of a source folder. The two formats are read by
// toml_config.cpp and json_config.cpp; the rules they share are in config_rules.cpp.
#include "builder/config/config.hpp"

#include <system_error>

namespace lpack::builder {

namespace {

constexpr std::string_view k_toml_name = "lpack.toml";
constexpr std::string_view k_json_name = "function.json";

bool file_present(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

}  // namespace

Result<Config> load_config(const fs::path& src) {
  fs::path toml_path = src / k_toml_name;
  fs::path json_path = src / k_json_name;
  bool has_toml = file_present(toml_path);
  bool has_json = file_present(json_path);
  if (has_toml && has_json) {
    return bad_input("both " + std::string(k_toml_name) + " and " + std::string(k_json_name) +
                     " in " + src.string() + "; keep one");
  }
  if (has_toml) {
    std::string text = LPACK_TRY(read_file(toml_path));
    return parse_lpack_toml(text, k_toml_name);
  }
  if (has_json) {
    std::string text = LPACK_TRY(read_file(json_path));
    return parse_function_json(text, k_json_name);
  }
  return Config{};
}

}  // namespace lpack::builder

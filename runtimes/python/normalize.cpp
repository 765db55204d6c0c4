#include "runtimes/python/normalize.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace lpack::runtimes::python {
namespace {

Result<void> remove_path(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return io_error(path.string() + ": cannot remove: " + ec.message());
  return ok();
}

Result<void> rewrite_record(const fs::path& root, const fs::path& record) {
  std::string text = LPACK_TRY(read_file(record));
  std::string kept;
  bool changed = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string_view line(text.data() + pos, end - pos);
    pos = end;
    std::string_view content = line;
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
      content.remove_suffix(1);
    }
    if (content.empty()) {
      kept.append(line);
      continue;
    }
    fs::path relative = fs::path(record_path(content)).lexically_normal();
    std::string rel = relative.generic_string();
    std::error_code ec;
    bool keep = !relative.is_absolute() && !rel.empty() && rel != ".." &&
                rel.rfind("../", 0) != 0 &&
                fs::symlink_status(root / relative, ec).type() != fs::file_type::not_found && !ec;
    if (keep) {
      kept.append(line);
    } else {
      changed = true;
    }
  }
  if (!changed) return ok();
  return write_file_atomic(record, kept);
}

}  // namespace

std::string record_path(std::string_view line) {
  if (line.empty() || line[0] != '"') return std::string(line.substr(0, line.find(',')));
  std::string out;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        break;
      }
    } else {
      out += line[i];
    }
  }
  return out;
}

Result<void> normalize_site_packages(const fs::path& root) {
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(root / "bin", ec))) {
    LPACK_TRY(remove_path(root / "bin"));
  }
  std::vector<fs::path> doomed;
  std::vector<fs::path> dist_infos;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) return io_error(root.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return io_error(root.string() + ": " + ec.message());
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    bool is_dir = it->is_directory(ec) && !it->is_symlink(ec);
    if (is_dir && name == "__pycache__") {
      doomed.push_back(path);
      it.disable_recursion_pending();
    } else if (!is_dir && path.extension() == ".pyc") {
      doomed.push_back(path);
    } else if (is_dir && it.depth() == 0 && path.extension() == ".dist-info") {
      dist_infos.push_back(path);
    }
  }
  for (const auto& path : doomed) LPACK_TRY(remove_path(path));
  std::sort(dist_infos.begin(), dist_infos.end());
  for (const auto& info : dist_infos) {
    LPACK_TRY(remove_path(info / "direct_url.json"));
    if (fs::is_regular_file(info / "RECORD", ec)) LPACK_TRY(rewrite_record(root, info / "RECORD"));
  }
  return ok();
}

}  // namespace lpack::runtimes::python

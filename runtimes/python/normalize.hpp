// Cleans what `pip install --target` leaves behind into a layer folder, so that the same
// wheels always give the same bytes and nothing of the build machine leaks into the zip:
//   - bin/ at the top: console scripts whose shebang is the build host's interpreter path;
//     a layer's bin/ is not on Lambda's PATH anyway (only /opt/bin is, not /opt/python/bin);
//   - __pycache__/ folders and *.pyc files: bytecode of the host interpreter;
//   - *.dist-info/direct_url.json: the absolute file:// URL of a wheel installed from a
//     local folder;
//   - the lines of each *.dist-info/RECORD that name a file that is no longer there (the
//     above) or that lies outside the folder ("../../bin/tool"), keeping the others in order.
#pragma once

#include "base/error.hpp"
#include "base/fs.hpp"

namespace lpack::runtimes::python {

// Edits `root` in place. io Errors name the file that could not be read, written or removed.
Result<void> normalize_site_packages(const fs::path& root);

// The first field of a RECORD line (CSV: a path with a comma is quoted, "" is a quote).
std::string record_path(std::string_view line);

}  // namespace lpack::runtimes::python

// Progress on stderr: one live, rewritten line on a terminal; plain lines otherwise (CI logs).
#pragma once

#include <string>
#include <string_view>

namespace lpack::cli {

class Progress {
 public:
  explicit Progress(bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void line(std::string_view text);
  // Ends the live line so that what follows starts on a clean one.
  void finish();

 private:
  bool m_tty = false;
  bool m_quiet = false;
  bool m_live = false;
  int m_width = 80;
};

}  // namespace lpack::cli

#include "util/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/atomic_file_writer.h"
#include "util/config_error.h"

namespace automoe {

void writeFileAtomically(const std::string& path, const std::string& content) {
  AtomicFileWriter w(path);
  w.write(content.data(), content.size());
  w.commit();
}

void copyFileAtomically(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw ConfigError(from + ": cannot open file (" + std::strerror(errno) + ")");
  AtomicFileWriter w(to);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    w.write(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw ConfigError(from + ": read error");
  w.commit();
}

std::string readTextFile(const std::string& path) {
  std::error_code ec;
  // An ifstream opens a folder and reads nothing, which would pass for an empty file.
  if (std::filesystem::is_directory(path, ec)) throw ConfigError(path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open file (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": read error");
  return ss.str();
}

std::vector<std::string> readTextLines(const std::string& path) { return splitTextLines(readTextFile(path)); }

std::vector<std::string> splitTextLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace automoe

#include "pipeline/file_stamp.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "data/fingerprint.h"

namespace automoe {

namespace fs = std::filesystem;

namespace {

// Nanoseconds since the Unix epoch (std::filesystem's clock has another epoch in libstdc++).
int64_t mtimeNs(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string FileStamp::contentHash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> block(1 << 20);
  uint64_t h = fnv1a64({});
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    h = fnv1a64(std::string_view(block.data(), static_cast<size_t>(in.gcount())), h);
  }
  if (in.bad()) throw std::runtime_error("error reading " + path);
  return hex64(h);
}

nlohmann::json FileStamp::of(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw std::runtime_error("cannot read " + path + ": " + ec.message());
  return {{"size", size}, {"mtime_ns", mtimeNs(path)}, {"fnv1a64", contentHash(path)}};
}

bool FileStamp::unchanged(nlohmann::json& stamp, const std::string& path) {
  // A stamp edited into another shape counts as a changed file: the stage runs again.
  if (!stamp.is_object() || !stamp.contains("size") || !stamp["size"].is_number_unsigned() ||
      !stamp.contains("mtime_ns") || !stamp["mtime_ns"].is_number_integer() || !stamp.contains("fnv1a64") ||
      !stamp["fnv1a64"].is_string())
    return false;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || stamp["size"].get<uint64_t>() != size) return false;
  const int64_t t = mtimeNs(path);
  if (stamp["mtime_ns"].get<int64_t>() == t) return true;
  if (stamp["fnv1a64"].get<std::string>() != contentHash(path)) return false;
  stamp["mtime_ns"] = t;
  return true;
}

}  // namespace automoe

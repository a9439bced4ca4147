#pragma once
// A fresh run folder for a benchmark's Trainer under $TMPDIR (or /tmp), removed with everything in
// it when the benchmark is done with it.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <stdlib.h>

namespace automoe::bench {

class BenchRunDir {
 public:
  explicit BenchRunDir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "_XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("cannot create a run folder like " + pattern);
    m_path = buf.data();
  }
  ~BenchRunDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  BenchRunDir(const BenchRunDir&) = delete;
  BenchRunDir& operator=(const BenchRunDir&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace automoe::bench

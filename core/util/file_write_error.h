#pragma once
// The file system refused an output: disk full, a file-size limit, a read-only or missing folder,
// permissions. The message names the file and the system's reason. Outputs are written to a
// temporary and renamed only when complete, so the file that was there before is unchanged. Front
// ends report it as such (the CLI's exit code 4), not as an internal error.
#include <stdexcept>
#include <string>

namespace automoe {

class FileWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace automoe

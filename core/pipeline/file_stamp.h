#pragma once
// What a file was when a pipeline stage wrote it or read it: size, modification time (ns since the
// Unix epoch) and a content hash, as JSON ({"size", "mtime_ns", "fnv1a64"}). A file counts as unchanged when its
// size and time match; when only the time moved (a copy, a touch) its content decides, so moving
// a project folder costs one hash per file instead of re-running its stages.
#include <string>

#include <nlohmann/json.hpp>

namespace automoe {

class FileStamp {
 public:
  // Throws std::runtime_error naming the file when it cannot be read.
  static nlohmann::json of(const std::string& path);

  // Whether `path` still holds what `stamp` recorded (false when it is missing). When the content
  // matches but the time moved, `stamp` takes the new time, so the next check is cheap again.
  static bool unchanged(nlohmann::json& stamp, const std::string& path);

  // FNV-1a 64 of the file's bytes, read in blocks, as 16 hex digits.
  static std::string contentHash(const std::string& path);
};

}  // namespace automoe

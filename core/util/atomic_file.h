#pragma once
// Crash-safe file output: content goes to a temporary file in the same directory, is flushed to
// disk, then renamed over the target, so readers see either the old or the new file, never half.
#include <string>
#include <vector>

namespace automoe {

// Throws FileWriteError (util/file_write_error.h) naming the path and the system's reason when
// the file cannot be written; the file there before is then unchanged.
void writeFileAtomically(const std::string& path, const std::string& content);

// Copies `from` to `to` the same way, streamed (a checkpoint may be gigabytes); ConfigError when
// `from` cannot be read.
void copyFileAtomically(const std::string& from, const std::string& to);

// Reads a whole file; throws ConfigError naming the path when it cannot be read.
std::string readTextFile(const std::string& path);
// The file's lines without their '\n' (a final line without one included).
std::vector<std::string> readTextLines(const std::string& path);
// The same split of text already in memory.
std::vector<std::string> splitTextLines(const std::string& text);

}  // namespace automoe

#pragma once
// Minimal argument parser for the CLI subcommands: positional arguments plus --flag VALUE,
// --flag=VALUE and boolean --switch. Unknown flags, malformed or empty values, and a value that
// is itself an option (`--run-dir --fresh`; `--run-dir=--fresh` is taken as written) are UsageError.
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace automoe::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ArgParser {
 public:
  // valueFlags take a value; switches do not. Names without the leading "--".
  ArgParser(std::vector<std::string> args, std::set<std::string> valueFlags,
            std::set<std::string> switches);

  const std::vector<std::string>& positional() const { return m_positional; }
  // Requires exactly `n` positional arguments named in `names` (for the error message).
  void expectPositional(const std::vector<std::string>& names) const;

  bool has(const std::string& flag) const;
  std::string value(const std::string& flag, const std::string& fallback) const;
  long long intValue(const std::string& flag, long long fallback, long long min, long long max) const;
  double doubleValue(const std::string& flag, double fallback, double min, double max) const;

 private:
  std::vector<std::string> m_positional;
  std::map<std::string, std::string> m_values;
  std::set<std::string> m_switches;
};

}  // namespace automoe::cli

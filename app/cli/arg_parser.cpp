#include "arg_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace automoe::cli {

ArgParser::ArgParser(std::vector<std::string> args, std::set<std::string> valueFlags,
                     std::set<std::string> switches) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a.size() > 1 && a[0] == '-' && a != "-") throw UsageError("unknown option '" + a + "'");
      m_positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), val;
    const auto eq = name.find('=');
    const bool inlineValue = eq != std::string::npos;
    if (inlineValue) {
      val = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (valueFlags.count(name)) {
      if (!inlineValue) {
        if (i + 1 >= args.size()) throw UsageError("option --" + name + " needs a value");
        val = args[++i];
        if (val.size() > 2 && val.compare(0, 2, "--") == 0)  // `--run-dir --fresh`: a value forgotten
          throw UsageError("option --" + name + " needs a value, got the option '" + val + "' (write --" + name +
                           "=" + val + " for a value that begins with --)");
      }
      if (val.empty()) throw UsageError("option --" + name + ": the value is empty");
      m_values[name] = val;
    } else if (switches.count(name)) {
      if (inlineValue) throw UsageError("option --" + name + " takes no value");
      m_switches.insert(name);
    } else {
      throw UsageError("unknown option '--" + name + "'");
    }
  }
}

void ArgParser::expectPositional(const std::vector<std::string>& names) const {
  if (m_positional.size() == names.size()) return;
  std::string want;
  for (const auto& n : names) want += " " + n;
  throw UsageError("expected" + want + " (" + std::to_string(names.size()) + " argument(s)), got " +
                   std::to_string(m_positional.size()));
}

bool ArgParser::has(const std::string& flag) const {
  return m_switches.count(flag) > 0 || m_values.count(flag) > 0;
}

std::string ArgParser::value(const std::string& flag, const std::string& fallback) const {
  auto it = m_values.find(flag);
  return it == m_values.end() ? fallback : it->second;
}

long long ArgParser::intValue(const std::string& flag, long long fallback, long long min,
                              long long max) const {
  auto it = m_values.find(flag);
  if (it == m_values.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || (errno != 0 && errno != ERANGE))
    throw UsageError("option --" + flag + ": '" + it->second + "' is not an integer");
  if (errno == ERANGE)  // an integer, but beyond long long: outside any range below
    throw UsageError("option --" + flag + ": " + it->second + " is outside [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
  if (v < min || v > max)
    throw UsageError("option --" + flag + ": " + it->second + " is outside [" +
                     std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

double ArgParser::doubleValue(const std::string& flag, double fallback, double min,
                              double max) const {
  auto it = m_values.find(flag);
  if (it == m_values.end()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end != '\0' || std::isnan(v))  // "nan" would pass any range test
    throw UsageError("option --" + flag + ": '" + it->second + "' is not a number");
  if (!(v >= min && v <= max)) {
    std::ostringstream range;
    range << "[" << min << ", " << max << "]";
    throw UsageError("option --" + flag + ": " + it->second + " is outside " + range.str());
  }
  return v;
}

}  // namespace automoe::cli

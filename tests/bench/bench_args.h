#pragma once
// Command-line checking shared by the benchmarks: `--help` prints the usage, and an unknown flag,
// a flag without its value or a number that does not parse stops the benchmark with a message and
// exit code 2, before minutes of measuring with a setting the user did not ask for.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>

namespace automoe::bench {

struct BenchFlag {
  const char* name;          // "--updates"
  const char* usage;         // "N: updates to run (10)"
  bool takesValue = true;    // false for a switch such as "--skip-a"
};

// The value after `name` on the command line, or `fallback`.
inline std::string argOf(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

// Exits (0 after printing `usage` for --help, 2 on bad input) or returns when every argument is a
// known flag with its value.
inline void checkBenchArgs(int argc, char** argv, const char* program, const char* about,
                           std::initializer_list<BenchFlag> flags) {
  auto printUsage = [&](FILE* out) {
    std::fprintf(out, "usage: %s [flags]\n%s\n", program, about);
    for (const BenchFlag& f : flags) std::fprintf(out, "  %-18s %s\n", f.name, f.usage);
  };
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      printUsage(stdout);
      std::exit(0);
    }
    const BenchFlag* known = nullptr;
    for (const BenchFlag& f : flags)
      if (std::strcmp(argv[i], f.name) == 0) known = &f;
    if (known == nullptr) {
      std::fprintf(stderr, "%s: unknown argument '%s' (--help lists the flags)\n", program, argv[i]);
      std::exit(2);
    }
    if (!known->takesValue) continue;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value (%s)\n", program, known->name, known->usage);
      std::exit(2);
    }
    ++i;
  }
}

// The integer after `name`, `fallback` when absent; exits 2 when it is not an integer >= `min`.
inline long benchIntArg(int argc, char** argv, const char* program, const char* name, long fallback,
                        long min = 0) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) != 0) continue;
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(argv[i + 1], &end, 10);
    if (errno != 0 || end == argv[i + 1] || *end != '\0' || v < min) {
      std::fprintf(stderr, "%s: %s: expected an integer of at least %ld, got '%s'\n", program, name, min,
                   argv[i + 1]);
      std::exit(2);
    }
    return v;
  }
  return fallback;
}

}  // namespace automoe::bench

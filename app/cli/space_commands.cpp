// automoe space sample | describe
#include <cstdio>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "arg_parser.h"
#include "commands.h"
#include "project/project.h"
#include "util/rng.h"

namespace automoe::cli {

namespace {

void printStatsRow(const char* label, const ArchConfig& a, const Project& p, int src, int tgt) {
  const ArchStats s = computeArchStats(a, p.space.qkvDim, p.model.vocabSize, src, tgt, p.model.costOptions(a));
  std::printf("  %-10s %9.2fM total  %9.2fM active  %8.3f GFLOPs  %s\n", label,
              s.totalParams / 1e6, s.activeParams / 1e6, s.flops / 1e9, a.summary().c_str());
}

}  // namespace

int spaceSample(const Args& args) {
  ArgParser ap(args, {"seed", "count"}, {});
  ap.expectPositional({"PROJECT"});
  const Project p = Project::load(ap.positional()[0]);
  const auto seed = static_cast<uint64_t>(ap.intValue("seed", static_cast<long long>(p.seed), 0,
                                                      INT64_MAX));
  const long long count = ap.intValue("count", 1, 1, 1000000);
  Rng rng(seed);
  for (long long i = 0; i < count; ++i)
    std::printf("%s\n", p.space.sample(rng).toJson().dump().c_str());
  return 0;
}

int spaceDescribe(const Args& args) {
  ArgParser ap(args, {"samples", "seed", "src-len", "tgt-len"}, {});
  ap.expectPositional({"PROJECT"});
  const Project p = Project::load(ap.positional()[0]);
  const long long samples = ap.intValue("samples", 3, 0, 10000);
  const auto seed = static_cast<uint64_t>(ap.intValue("seed", static_cast<long long>(p.seed), 0,
                                                      INT64_MAX));
  const int src = static_cast<int>(ap.intValue("src-len", 30, 1, 100000));
  const int tgt = static_cast<int>(ap.intValue("tgt-len", 30, 1, 100000));
  const SearchSpace& s = p.space;
  std::printf("project   %s (%s)\n", p.name.c_str(), ap.positional()[0].c_str());
  std::printf("space     ~10^%.1f subnets, qkv_dim %d, fractional experts %s\n", s.log10Size(),
              s.qkvDim, s.fractionalExperts ? "yes" : "no");
  std::printf("encoder   %s\n", s.encoder.embedDim.size() ? s.toJson()["encoder"].dump().c_str() : "");
  std::printf("decoder   %s\n", s.toJson()["decoder"].dump().c_str());
  std::printf("costs for a %d-token source and %d-token target (FLOPs of one forward pass):\n", src,
              tgt);
  printStatsRow("largest", s.largest(), p, src, tgt);
  printStatsRow("smallest", s.smallest(), p, src, tgt);
  Rng rng(seed);
  for (long long i = 0; i < samples; ++i) {
    const std::string label = "sample " + std::to_string(i + 1);
    printStatsRow(label.c_str(), s.sample(rng), p, src, tgt);
  }
  return 0;
}

}  // namespace automoe::cli

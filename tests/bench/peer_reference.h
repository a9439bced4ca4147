#pragma once
// What the benchmarks that compare with AutoMoE's own code share: its wmt14.en-de search space
// (space0.yml with up to 6 fractional experts), the three reference subnets of peer_baseline.md
// ("The three subnet configs"), and a list helper (arguments: bench_args.h).
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "util/blas_info.h"

#include "bench_args.h"

namespace automoe::bench {

// "a,b,,c" -> {"a", "b", "c"}
inline std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) out.push_back(x);
  return out;
}

// Re-runs this benchmark as a child per BLAS setting of `settings` ("unset" clears
// OPENBLAS_CORETYPE, "tuned" sets the fastest kernel this CPU can run (BlasInfo::fastestCore: a
// named kernel the CPU lacks, e.g. SkylakeX without AVX-512, dies of SIGILL), any other value sets
// it as given: the library reads it when it loads) with
// "--child SETTING" + `pass`, and collects the JSON after "RESULT " of the children's stdout lines.
inline std::vector<nlohmann::json> runPerBlasSetting(const std::string& settings, const std::string& pass) {
  std::vector<nlohmann::json> rows;
  for (std::string setting : splitList(settings)) {
    if (setting == "tuned") setting = detectBlas().fastestCore();
    if (setting.empty()) continue;  // not OpenBLAS: nothing to choose
    const std::string env = setting == "unset" ? "env -u OPENBLAS_CORETYPE" : "env OPENBLAS_CORETYPE=" + setting;
    const std::string cmd = env + " /proc/" + std::to_string(getpid()) + "/exe --child " + setting + pass;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) continue;
    char line[4096];
    while (std::fgets(line, sizeof line, p))
      if (std::strncmp(line, "RESULT ", 7) == 0) rows.push_back(nlohmann::json::parse(line + 7));
    if (pclose(p) != 0) std::fprintf(stderr, "setting %s: child failed\n", setting.c_str());
  }
  return rows;
}

inline SearchSpace wmtSpace() {
  const nlohmann::json stack = {{"embed_dim", {640, 512}}, {"ffn_dim", {3072, 2048, 1024}},
                                {"heads", {8, 4}},         {"experts", {1, 2, 3, 4, 5, 6}},
                                {"top_k", {1}},            {"routers", {"softmax_topk"}}};
  nlohmann::json enc = stack, dec = stack;
  enc["layers"] = {6};
  dec["layers"] = {6, 5, 4, 3, 2, 1};
  dec["ende_heads"] = {8, 4};
  dec["arbitrary_ende_attn"] = {-1, 1, 2};
  return SearchSpace::fromJson({{"format_version", 1}, {"qkv_dim", 512}, {"fractional_experts", true},
                                {"encoder", enc}, {"decoder", dec}},
                               "wmt14.en-de space");
}

// "largest", "middle" or "smallest" of peer_baseline.md.
inline ArchConfig peerSubnet(const std::string& name) {
  struct P { int d, le, ld, ffn, encHeads, decHeads, endeHeads, experts; };
  const P p = name == "largest" ? P{640, 6, 6, 3072, 8, 8, 8, 6}
            : name == "middle"  ? P{640, 6, 3, 2048, 8, 4, 8, 3}
                                : P{512, 6, 1, 1024, 4, 4, 4, 1};
  ArchConfig a;
  a.encoder.embedDim = a.decoder.embedDim = p.d;
  for (int i = 0; i < p.le; ++i) {
    LayerArch l;
    l.heads = p.encHeads;
    l.expertFfnDims.assign(p.experts, p.ffn);
    a.encoder.layers.push_back(l);
  }
  for (int i = 0; i < p.ld; ++i) {
    LayerArch l;
    l.heads = p.decHeads;
    l.endeHeads = p.endeHeads;
    l.arbitraryEndeAttn = -1;
    l.expertFfnDims.assign(p.experts, p.ffn);
    a.decoder.layers.push_back(l);
  }
  return a;
}

}  // namespace automoe::bench

// automoe arch stats | validate
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "arg_parser.h"
#include "commands.h"
#include "project/project.h"
#include "util/config_error.h"

namespace automoe::cli {

int archStats(const Args& args) {
  ArgParser ap(args, {"src-len", "tgt-len"}, {"json"});
  ap.expectPositional({"PROJECT", "ARCH.json"});
  const Project p = Project::load(ap.positional()[0]);
  const ArchConfig a = ArchConfig::loadValidated(ap.positional()[1], p.space);
  const int src = static_cast<int>(ap.intValue("src-len", 30, 1, 100000));
  const int tgt = static_cast<int>(ap.intValue("tgt-len", 30, 1, 100000));
  const ArchStats s = computeArchStats(a, p.space.qkvDim, p.model.vocabSize, src, tgt, p.model.costOptions(a));
  if (ap.has("json")) {
    std::printf("%s\n", s.toJson().dump(2).c_str());
    return 0;
  }
  std::printf("architecture     %s\n", a.summary().c_str());
  std::printf("total params     %lld (%.2fM; %.2fM without embeddings)\n",
              static_cast<long long>(s.totalParams), s.totalParams / 1e6,
              s.nonEmbeddingParams() / 1e6);
  std::printf("active params    %.0f per token (%.2fM; sparsity %.1f%%)\n", s.activeParams,
              s.activeParams / 1e6, 100.0 * s.sparsity());
  std::printf("FLOPs            %.0f (%.3f GFLOPs) for %d source / %d target tokens\n", s.flops,
              s.flops / 1e9, src, tgt);
  std::printf("  of which output projection %.3f GFLOPs\n", s.outputProjectionFlops / 1e9);
  auto layers = [&](bool decoder, const std::vector<LayerCost>& v) {
    const StackArch& stack = decoder ? a.decoder : a.encoder;
    for (size_t i = 0; i < v.size(); ++i) {
      const LayerArch& l = stack.layers[i];
      std::string kind = "dense FFN";
      if (l.numExperts() > 1) {
        kind = std::to_string(l.numExperts()) + " experts, top-" + std::to_string(l.effectiveTopK()) + ", " + l.router;
        const std::string note = p.model.routingNote(decoder, static_cast<int>(i));
        if (!note.empty()) kind += " \u00b7 " + note;
      }
      std::printf("  %s layer %zu: %lld params, %.0f active, %.4f GFLOPs (%s)\n", decoder ? "decoder" : "encoder", i,
                  static_cast<long long>(v[i].params), v[i].activeParams, v[i].flops / 1e9, kind.c_str());
    }
  };
  layers(false, s.encoderLayers);
  layers(true, s.decoderLayers);
  return 0;
}

int archValidate(const Args& args) {
  ArgParser ap(args, {}, {});
  ap.expectPositional({"PROJECT", "ARCH.json"});
  const Project p = Project::load(ap.positional()[0]);
  ArchConfig::loadValidated(ap.positional()[1], p.space);
  std::printf("%s: valid\n", ap.positional()[1].c_str());
  return 0;
}

}  // namespace automoe::cli

#pragma once
// Corpus BLEU exactly as sacreBLEU 2.x computes it by default (sacrebleu.corpus_bleu with one
// reference stream): 13a tokenisation (tokenizer_13a.h), case-sensitive, n-grams up to 4 with
// counts clipped by the reference, smoothing 'exp' (the k-th order without any match gets
// precision 100 / (2^k x total), k counting such orders), no effective order, brevity penalty
// exp(1 - ref_len / sys_len) when the system is shorter, and 0 when nothing matches. An order
// with no n-grams at all ends the precisions there (they stay 0, so the score is 0). Torch-free.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct BleuScore {
  static constexpr int kMaxOrder = 4;
  double score = 0;                              // 0..100
  std::array<int64_t, kMaxOrder> correct{};      // clipped matching n-grams per order
  std::array<int64_t, kMaxOrder> total{};        // system n-grams per order
  std::array<double, kMaxOrder> precisions{};    // percent
  double bp = 0;                                 // brevity penalty
  int64_t sysLen = 0;
  int64_t refLen = 0;
  std::string signature;  // "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:..."

  double ratio() const { return refLen > 0 ? static_cast<double>(sysLen) / static_cast<double>(refLen) : 0; }
  // sacreBLEU's line: "BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)".
  std::string format() const;
  nlohmann::json toJson() const;
};

class Bleu {
 public:
  // One hypothesis per reference. Throws std::invalid_argument when the counts differ.
  static BleuScore corpus(const std::vector<std::string>& hypotheses,
                          const std::vector<std::string>& references);
  // The statistics-to-score step of sacreBLEU (compute_bleu) for given counts.
  static BleuScore fromCounts(const std::array<int64_t, BleuScore::kMaxOrder>& correct,
                              const std::array<int64_t, BleuScore::kMaxOrder>& total, int64_t sysLen,
                              int64_t refLen);
  static std::string signature();
};

}  // namespace automoe

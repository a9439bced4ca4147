#include "eval/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "eval/tokenizer_13a.h"

namespace automoe {

namespace {

std::vector<std::string> splitSpaces(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(' ', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Every n-gram of order n as its tokens joined by ' ' (tokens contain no spaces) -> count.
std::unordered_map<std::string, int64_t> ngrams(const std::vector<std::string>& tokens, size_t n) {
  std::unordered_map<std::string, int64_t> counts;
  for (size_t i = 0; i + n <= tokens.size(); ++i) {
    std::string key = tokens[i];
    for (size_t k = 1; k < n; ++k) key.append(" ").append(tokens[i + k]);
    ++counts[key];
  }
  return counts;
}

// sacreBLEU's my_log: log(0) is a large negative number instead of -inf.
double myLog(double x) { return x == 0 ? -9999999999.0 : std::log(x); }

}  // namespace

std::string Bleu::signature() {
  return std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x-compatible(automoe ") +
         AUTOMOE_VERSION + ")";
}

BleuScore Bleu::fromCounts(const std::array<int64_t, BleuScore::kMaxOrder>& correct,
                           const std::array<int64_t, BleuScore::kMaxOrder>& total, int64_t sysLen,
                           int64_t refLen) {
  BleuScore s;
  s.correct = correct;
  s.total = total;
  s.sysLen = sysLen;
  s.refLen = refLen;
  s.signature = signature();
  if (sysLen < refLen)
    s.bp = sysLen > 0 ? std::exp(1.0 - static_cast<double>(refLen) / static_cast<double>(sysLen)) : 0.0;
  else
    s.bp = 1.0;
  if (std::all_of(correct.begin(), correct.end(), [](int64_t c) { return c == 0; })) return s;
  double smoothMteval = 1.0;
  for (int n = 0; n < BleuScore::kMaxOrder; ++n) {
    if (total[n] == 0) break;
    if (correct[n] == 0) {
      smoothMteval *= 2;
      s.precisions[n] = 100.0 / (smoothMteval * static_cast<double>(total[n]));
    } else {
      s.precisions[n] = 100.0 * static_cast<double>(correct[n]) / static_cast<double>(total[n]);
    }
  }
  double logSum = 0;
  for (double p : s.precisions) logSum += myLog(p);
  s.score = s.bp * std::exp(logSum / BleuScore::kMaxOrder);
  return s;
}

BleuScore Bleu::corpus(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                                std::to_string(references.size()) + " references");
  std::array<int64_t, BleuScore::kMaxOrder> correct{}, total{};
  int64_t sysLen = 0, refLen = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const auto hyp = splitSpaces(Tokenizer13a::tokenize(hypotheses[i]));
    const auto ref = splitSpaces(Tokenizer13a::tokenize(references[i]));
    sysLen += static_cast<int64_t>(hyp.size());
    refLen += static_cast<int64_t>(ref.size());
    for (size_t n = 1; n <= BleuScore::kMaxOrder; ++n) {
      const auto h = ngrams(hyp, n);
      const auto r = ngrams(ref, n);
      for (const auto& [gram, count] : h) {
        const auto it = r.find(gram);
        if (it != r.end()) correct[n - 1] += std::min(count, it->second);
      }
      total[n - 1] += hyp.size() >= n ? static_cast<int64_t>(hyp.size() - n + 1) : 0;
    }
  }
  return fromCounts(correct, total, sysLen, refLen);
}

std::string BleuScore::format() const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld ref_len = %lld)",
                score, precisions[0], precisions[1], precisions[2], precisions[3], bp, ratio(),
                static_cast<long long>(sysLen), static_cast<long long>(refLen));
  return buf;
}

nlohmann::json BleuScore::toJson() const {
  return {{"score", score},      {"precisions", precisions}, {"bp", bp},
          {"ratio", ratio()},    {"sys_len", sysLen},        {"ref_len", refLen},
          {"counts", correct},   {"totals", total},          {"signature", signature},
          {"text", format()}};
}

}  // namespace automoe

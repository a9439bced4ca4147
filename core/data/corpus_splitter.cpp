#include "data/corpus_splitter.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "data/fingerprint.h"
#include "data/sentence_splitter.h"
#include "data/text_normalizer.h"
#include "util/config_error.h"
#include "util/rng.h"

namespace automoe {

namespace {

// Signature hashes of normalised English text; lines sharing one are near-duplicates.
class Signatures {
 public:
  void addDocument(const std::string& normalised) {
    if (!m_docs.insert(normalised).second) return;
    auto words = splitWords(normalised);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (const auto& w : words) ++m_df[w];
  }

  std::vector<uint64_t> of(const std::string& normalised) const {
    const auto words = splitWords(normalised);
    std::vector<uint64_t> sigs{fnv1a64(normalised)};
    std::string masked;
    size_t rare = 0;
    for (std::string w : words) {
      auto it = m_df.find(w);
      if (it == m_df.end() || it->second < CorpusSplitter::kRareWordDocs) w = "<x>", ++rare;
      for (char& c : w)
        if (c >= '1' && c <= '9') c = '0';
      masked += masked.empty() ? w : " " + w;
    }
    if (rare * 2 <= words.size()) sigs.push_back(fnv1a64(masked, 1));  // mostly names: no key
    if (words.size() >= 2 && words.size() <= CorpusSplitter::kMaxWildcardWords)
      for (size_t i = 0; i < words.size(); ++i) {
        uint64_t h = fnv1a64("*", 2 + i);
        for (size_t j = 0; j < words.size(); ++j) h = fnv1a64(j == i ? "*" : " " + words[j], h);
        sigs.push_back(h);
      }
    return sigs;
  }

 private:
  std::unordered_set<std::string> m_docs;
  std::unordered_map<std::string, int64_t> m_df;
};

size_t findRoot(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

CorpusSplit CorpusSplitter::split(std::vector<SentencePair> pairs) const {
  const size_t n = pairs.size();
  std::vector<std::string> norm(n);
  Signatures signatures;
  for (size_t i = 0; i < n; ++i) {
    norm[i] = normaliseForMatch(pairs[i].src);
    signatures.addDocument(norm[i]);
  }
  // Union-find: pairs sharing any signature form one family.
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t{0});
  std::unordered_map<uint64_t, size_t> owner;
  for (size_t i = 0; i < n; ++i)
    for (uint64_t s : signatures.of(norm[i])) {
      auto [it, fresh] = owner.emplace(s, i);
      if (!fresh) parent[findRoot(parent, i)] = findRoot(parent, it->second);
    }
  std::unordered_map<size_t, std::vector<size_t>> families;
  for (size_t i = 0; i < n; ++i) families[findRoot(parent, i)].push_back(i);

  // Seeded order over families, keyed by their first member's normalised English.
  const uint64_t salt = mixSeed(m_seed, /*stream=*/0x5eed);
  std::vector<std::pair<uint64_t, size_t>> ranked;  // (hash, root)
  for (const auto& [root, members] : families)
    ranked.emplace_back(fnv1a64(norm[members.front()], salt), root);
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return families.at(a.second).front() < families.at(b.second).front();
  });

  enum Part : char { kTrain, kValid, kTest };
  std::vector<char> part(n, kTrain);
  int64_t testLeft = m_testSize, validLeft = m_validSize;
  CorpusSplit result;
  std::unordered_set<uint64_t> held;  // signatures of valid/test lines and their sentences
  const auto sentenceSignatures = [&](const SentencePair& p, const std::string& normalised) {
    std::vector<uint64_t> sigs = signatures.of(normalised);
    const auto sentences = splitSentences(p.src);
    if (sentences.size() > 1)
      for (const auto& s : sentences)
        for (uint64_t h : signatures.of(normaliseForMatch(s))) sigs.push_back(h);
    return sigs;
  };
  for (const auto& [hash, root] : ranked) {
    if (testLeft == 0 && validLeft == 0) break;
    const auto& members = families.at(root);
    if (members.size() != 1 || !pairs[members[0]].prose) continue;
    const size_t i = members[0];
    if (testLeft > 0)
      part[i] = kTest, --testLeft, result.test.push_back(pairs[i]);
    else
      part[i] = kValid, --validLeft, result.valid.push_back(pairs[i]);
    for (uint64_t h : sentenceSignatures(pairs[i], norm[i])) held.insert(h);
  }
  if (testLeft > 0 || validLeft > 0)
    throw ConfigError("corpus: not enough distinct prose pairs for valid_size " +
                      std::to_string(m_validSize) + " + test_size " + std::to_string(m_testSize) +
                      " (" + std::to_string(n) + " pairs in all)");
  for (size_t i = 0; i < n; ++i) {
    if (part[i] != kTrain) continue;
    const auto sigs = sentenceSignatures(pairs[i], norm[i]);
    if (std::any_of(sigs.begin(), sigs.end(), [&](uint64_t h) { return held.count(h) > 0; }))
      ++result.trainDroppedOverlap;
    else
      result.train.push_back(std::move(pairs[i]));
  }
  result.families = static_cast<int64_t>(families.size());
  return result;
}

}  // namespace automoe

#pragma once
// Synthetic DDTP Translation-en / Translation-<lang> indexes for the data tests: a few hand-made
// descriptions with known alignments (multi-paragraph, bullets, mismatched paragraph counts,
// untranslated, boilerplate family, German-only record), plus `random` filler descriptions made of
// random words so that there are enough distinct sentences for valid/test. The "translation" of
// an English word is the word reversed with an "e" appended: no English word survives, and the
// length ratio stays near 1.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace automoe::testing {

struct DdtpFixture {
  std::string english;
  std::string translated;
};

inline std::string fakeTranslateWord(const std::string& w) {
  std::string r(w.rbegin(), w.rend());
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (w[0] >= 'A' && w[0] <= 'Z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
  return r + "e";
}

// Word-by-word fake translation of a sentence, keeping punctuation at the end.
inline std::string fakeTranslate(const std::string& sentence) {
  std::string out, word;
  for (char c : sentence) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      word += c;
      continue;
    }
    if (!word.empty()) out += fakeTranslateWord(word), word.clear();
    out += c;
  }
  if (!word.empty()) out += fakeTranslateWord(word);
  return out;
}

inline std::string record(const std::string& package, const std::string& md5,
                          const std::string& lang, const std::string& synopsis,
                          const std::vector<std::string>& longLines) {
  std::string r = "Package: " + package + "\nDescription-md5: " + md5 + "\nDescription-" + lang +
                  ": " + synopsis + "\n";
  for (const auto& l : longLines) r += " " + l + "\n";
  return r + "\n";
}

inline std::string randomSentence(uint64_t& state, int words) {
  static const char* kWords[] = {
      "alpha",   "bravo",   "charlie", "delta",  "echo",    "foxtrot",  "golf",    "hotel",
      "india",   "juliet",  "kilo",    "lima",   "mike",    "november", "oscar",   "papa",
      "quebec",  "romeo",   "sierra",  "tango",  "uniform", "victor",   "whiskey", "xray",
      "yankee",  "zulu",    "amber",   "basalt", "cobalt",  "dune",     "ember",   "fjord",
      "glacier", "harbor",  "island",  "jungle", "krypton", "lagoon",   "meadow",  "nebula",
      "orchid",  "prairie", "quartz",  "river",  "summit",  "tundra",   "upland",  "valley",
      "willow",  "zephyr",  "anchor",  "beacon", "canyon",  "delta2",   "estuary"};
  const size_t n = sizeof kWords / sizeof kWords[0];
  std::string s;
  for (int i = 0; i < words; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string w = kWords[(state >> 33) % n];
    if (i == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
    s += (i ? " " : "") + w;
  }
  return s + ".";
}

inline DdtpFixture makeDdtpFixture(int random, const std::string& lang = "de") {
  DdtpFixture f;
  auto both = [&](const std::string& pkg, const std::string& md5, const std::string& syn,
                  const std::vector<std::string>& lines) {
    f.english += record(pkg, md5, "en", syn, lines);
    std::vector<std::string> tr;
    for (const auto& l : lines) tr.push_back(l == "." ? l : fakeTranslate(l));
    f.translated += record(pkg, md5, lang, fakeTranslate(syn), tr);
  };
  // Two paragraphs; the second has a lead-in and two bullet items (one wrapped).
  both("multi", "00000000000000000000000000000001", "multi paragraph demonstration package here",
       {"First sentence of the first paragraph is here. Second sentence follows",
        "on a continuation line.", ".",
        "Notable features are the following:", "  * first bullet item with enough words",
        "  * second bullet item that wraps", "    onto a second line"});
  // Paragraph counts differ: only the synopsis pairs.
  f.english += record("mismatch", "00000000000000000000000000000002", "en",
                      "paragraph count mismatch shows here",
                      {"One paragraph in English only here.", ".", "And another paragraph here."});
  f.translated += record("mismatch", "00000000000000000000000000000002", lang,
                         fakeTranslate("paragraph count mismatch shows here"),
                         {fakeTranslate("One paragraph in English only here.")});
  // Untranslated: the translation repeats the English.
  f.english += record("untranslated", "00000000000000000000000000000003", "en",
                      "package left untranslated by the team", {});
  f.translated += record("untranslated", "00000000000000000000000000000003", lang,
                         "package left untranslated by the team", {});
  // Boilerplate family: identical up to the library name.
  for (int i = 0; i < 6; ++i) {
    const std::string name = "libboiler" + std::string(1, static_cast<char>('a' + i));
    both(name + "-dev", "0000000000000000000000000000010" + std::to_string(i),
         "development files for " + name,
         {"This package contains the development files for " + name + "."});
  }
  // A translated record whose English text is gone (md5 not in Translation-en).
  f.translated += record("orphan", "0000000000000000000000000000ffff", lang,
                         fakeTranslate("orphan record without english text"), {});
  uint64_t state = 12345;
  for (int i = 0; i < random; ++i) {
    char md5[33];
    std::snprintf(md5, sizeof md5, "%032x", 0x1000 + i);
    const std::string a = randomSentence(state, 6 + i % 5), b = randomSentence(state, 7 + i % 4);
    const std::string syn = randomSentence(state, 5);
    both("random" + std::to_string(i), md5, syn.substr(0, syn.size() - 1), {a + " " + b});
  }
  return f;
}

}  // namespace automoe::testing

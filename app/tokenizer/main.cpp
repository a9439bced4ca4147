// automoe-tokenizer: the SentencePiece side of the AutoMoE Workbench, in its own process.
// Debian's libsentencepiece embeds and exports protobuf-lite 3.14 while LibTorch needs protobuf
// 3.21; one process cannot load both (crash at start-up). So this program links SentencePiece
// and nothing of torch, and core's TokenizerClient talks to it through pipes.
//
//   automoe-tokenizer train --input F[,F...] --model-prefix P --vocab-size N
//                           [--model-type unigram|bpe] [--seed S] [--threads T] [--sample N]
//   automoe-tokenizer encode --model M     stdin: text lines   -> stdout: space-separated ids
//   automoe-tokenizer decode --model M     stdin: id lines     -> stdout: text lines
//   automoe-tokenizer info --model M       stdout: {"vocab_size": N, "bos_id": 0, ...,
//                                                   "sentencepiece": library version}
//
// Special ids are fixed to the model's: <s>=0, <pad>=1, </s>=2, <unk>=3. encode adds neither BOS
// nor EOS; decode drops control ids. Exit codes: 0 ok, 1 internal error, 2 bad input, 4 an output
// file could not be written (disk full, permissions), 5 the model file is missing or cannot be loaded.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace sentencepiece::logging {
void SetMinLogLevel(int v);  // exported by libsentencepiece (common.h is not installed)
}

namespace {

constexpr int kBos = 0, kPad = 1, kEos = 2, kUnk = 3;

struct BadInput {
  std::string message;
};

std::map<std::string, std::string> parseFlags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) throw BadInput{"unexpected argument '" + a + "'"};
    a = a.substr(2);
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      flags[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (a == "verbose") {
      flags[a] = "1";
    } else {
      if (i + 1 >= argc) throw BadInput{"option --" + a + " needs a value"};
      flags[a] = argv[++i];
    }
  }
  return flags;
}

std::string need(const std::map<std::string, std::string>& f, const std::string& key) {
  auto it = f.find(key);
  if (it == f.end() || it->second.empty()) throw BadInput{"missing --" + key};
  return it->second;
}

long long intFlag(const std::map<std::string, std::string>& f, const std::string& key,
                  long long fallback, long long min, long long max) {
  auto it = f.find(key);
  if (it == f.end()) return fallback;
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v < min || v > max)
    throw BadInput{"--" + key + ": '" + it->second + "' is not an integer in [" +
                   std::to_string(min) + ", " + std::to_string(max) + "]"};
  return v;
}

void checkFlags(const std::map<std::string, std::string>& f, std::vector<std::string> known) {
  known.push_back("verbose");
  for (const auto& [k, v] : f) {
    bool ok = false;
    for (const auto& n : known) ok = ok || n == k;
    if (!ok) throw BadInput{"unknown option --" + k};
  }
}

// The model file is missing or not a model SentencePiece can load (exit 5).
struct BadModel {
  std::string message;
};

void load(sentencepiece::SentencePieceProcessor& sp, const std::string& model) {
  const auto st = sp.Load(model);
  if (!st.ok()) throw BadModel{"cannot load model '" + model + "': " + st.ToString()};
}

// The file system refused an output (exit 4): disk full, a file-size limit, permissions.
struct WriteFailed {
  std::string message;
};

// Writes `bytes` to `path`, checking every step; a partial file is removed.
void writeWhole(const std::string& path, const std::string& bytes) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (!out) throw WriteFailed{path + ": cannot write: " + std::strerror(errno)};
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size() && std::fflush(out) == 0 &&
            ::fsync(::fileno(out)) == 0;
  int err = errno;
  if (std::fclose(out) != 0 && ok) ok = false, err = errno;
  if (ok) return;
  std::remove(path.c_str());
  throw WriteFailed{path + ": cannot write: " + std::strerror(err)};
}

// The .vocab file SentencePiece writes next to a model: "piece<TAB>score" per id.
std::string vocabText(const sentencepiece::SentencePieceProcessor& sp) {
  std::ostringstream out;
  for (int i = 0; i < sp.GetPieceSize(); ++i) out << sp.IdToPiece(i) << '\t' << sp.GetScore(i) << '\n';
  return out.str();
}

int train(const std::map<std::string, std::string>& f) {
  checkFlags(f, {"input", "model-prefix", "vocab-size", "model-type", "seed", "threads", "sample"});
  const std::string type = f.count("model-type") ? f.at("model-type") : "unigram";
  if (type != "unigram" && type != "bpe") throw BadInput{"--model-type must be unigram or bpe"};
  const long long vocab = intFlag(f, "vocab-size", 0, 5, 1 << 20);
  if (vocab == 0) throw BadInput{"missing --vocab-size"};
  const long long seed = intFlag(f, "seed", 1, 0, 0xffffffffLL);
  sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(seed));
  const std::string prefix = need(f, "model-prefix");
  const std::unordered_map<std::string, std::string> kwargs{
      {"input", need(f, "input")},
      {"vocab_size", std::to_string(vocab)},
      {"model_type", type},
      {"character_coverage", "1.0"},
      {"bos_id", std::to_string(kBos)},
      {"pad_id", std::to_string(kPad)},
      {"eos_id", std::to_string(kEos)},
      {"unk_id", std::to_string(kUnk)},
      {"num_threads", std::to_string(intFlag(f, "threads", 1, 1, 128))},
      {"input_sentence_size", std::to_string(intFlag(f, "sample", 0, 0, 1LL << 40))},
      {"shuffle_input_sentence", "true"},
      {"hard_vocab_limit", "true"}};
  // Trained into memory and written here: SentencePiece's own file output does not check its
  // writes, so on a full disk it left a truncated model and reported success.
  std::string proto;
  const auto st = sentencepiece::SentencePieceTrainer::Train(kwargs, nullptr, &proto);
  if (!st.ok()) throw BadInput{"training failed: " + st.ToString()};
  sentencepiece::SentencePieceProcessor sp;
  const auto loaded = sp.LoadFromSerializedProto(proto);
  if (!loaded.ok()) throw std::runtime_error("the trained model does not load: " + loaded.ToString());
  if (sp.bos_id() != kBos || sp.pad_id() != kPad || sp.eos_id() != kEos || sp.unk_id() != kUnk)
    throw BadInput{"trained model has unexpected special ids"};
  writeWhole(prefix + ".model", proto);
  writeWhole(prefix + ".vocab", vocabText(sp));
  std::printf("{\"vocab_size\": %d}\n", sp.GetPieceSize());
  return 0;
}

// Output is collected and written in blocks of at least `threshold` bytes (0: everything now).
void flushIfLarge(std::string& out, size_t threshold = 1 << 16) {
  if (out.size() < threshold || out.empty()) return;
  std::fwrite(out.data(), 1, out.size(), stdout);
  out.clear();
}

int encode(const std::map<std::string, std::string>& f) {
  checkFlags(f, {"model"});
  sentencepiece::SentencePieceProcessor sp;
  load(sp, need(f, "model"));
  std::string line, out;
  std::vector<int> ids;
  while (std::getline(std::cin, line)) {
    ids.clear();
    const auto st = sp.Encode(line, &ids);
    if (!st.ok()) throw BadInput{"cannot encode: " + st.ToString()};
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) out += ' ';
      out += std::to_string(ids[i]);
    }
    out += '\n';
    flushIfLarge(out);
  }
  flushIfLarge(out, 0);
  return 0;
}

int decode(const std::map<std::string, std::string>& f) {
  checkFlags(f, {"model"});
  sentencepiece::SentencePieceProcessor sp;
  load(sp, need(f, "model"));
  const int size = sp.GetPieceSize();
  std::string line, text, out;
  std::vector<int> ids;
  long long lineNo = 0;
  while (std::getline(std::cin, line)) {
    ++lineNo;
    ids.clear();
    const char* p = line.c_str();
    while (*p) {
      char* end = nullptr;
      const long v = std::strtol(p, &end, 10);
      if (end == p) {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
          ++p;
          continue;
        }
        throw BadInput{"line " + std::to_string(lineNo) + ": not an id list"};
      }
      if (v < 0 || v >= size)
        throw BadInput{"line " + std::to_string(lineNo) + ": id " + std::to_string(v) +
                       " outside the vocabulary [0, " + std::to_string(size) + ")"};
      ids.push_back(static_cast<int>(v));
      p = end;
    }
    text.clear();
    const auto st = sp.Decode(ids, &text);
    if (!st.ok()) throw BadInput{"line " + std::to_string(lineNo) + ": " + st.ToString()};
    out += text;
    out += '\n';
    flushIfLarge(out);
  }
  flushIfLarge(out, 0);
  return 0;
}

int info(const std::map<std::string, std::string>& f) {
  checkFlags(f, {"model"});
  sentencepiece::SentencePieceProcessor sp;
  load(sp, need(f, "model"));
  std::printf(
      "{\"vocab_size\": %d, \"bos_id\": %d, \"pad_id\": %d, \"eos_id\": %d, "
      "\"unk_id\": %d, \"sentencepiece\": \"%s\"}\n",
      sp.GetPieceSize(), sp.bos_id(), sp.pad_id(), sp.eos_id(), sp.unk_id(), AUTOMOE_SPM_VERSION);
  return 0;
}

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: automoe-tokenizer train --input F[,F...] --model-prefix P --vocab-size N\n"
               "                         [--model-type unigram|bpe] [--seed S] [--threads T] "
               "[--sample N]\n"
               "       automoe-tokenizer encode --model M   (text lines -> id lines)\n"
               "       automoe-tokenizer decode --model M   (id lines -> text lines)\n"
               "       automoe-tokenizer info --model M\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::signal(SIGXFSZ, SIG_IGN);  // a file-size limit fails the write (exit 4) instead of killing
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("automoe-tokenizer (sentencepiece %s)\n", AUTOMOE_SPM_VERSION);
    return 0;
  }
  try {
    const auto flags = parseFlags(argc, argv, 2);
    sentencepiece::logging::SetMinLogLevel(flags.count("verbose") ? 0 : 1);
    if (cmd == "train") return train(flags);
    if (cmd == "encode") return encode(flags);
    if (cmd == "decode") return decode(flags);
    if (cmd == "info") return info(flags);
    throw BadInput{"unknown command '" + cmd + "'"};
  } catch (const BadInput& e) {
    std::fprintf(stderr, "automoe-tokenizer: %s\n", e.message.c_str());
    return 2;
  } catch (const WriteFailed& e) {
    std::fprintf(stderr, "automoe-tokenizer: %s\n", e.message.c_str());
    return 4;
  } catch (const BadModel& e) {
    std::fprintf(stderr, "automoe-tokenizer: %s\n", e.message.c_str());
    return 5;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "automoe-tokenizer: internal error: %s\n", e.what());
    return 1;
  }
}

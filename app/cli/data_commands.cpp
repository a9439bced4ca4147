// automoe data build | prepare | all | stats | encode | decode
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "data/batch_planner.h"
#include "data/corpus_builder.h"
#include "data/corpus_manifest.h"
#include "data/data_preparer.h"
#include "data/token_dataset.h"
#include "data/data_job.h"
#include "data/tokenizer_client.h"
#include "project/project.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/stop_signal_scope.h"
#include "util/stop_token.h"

namespace automoe::cli {

namespace {

StopToken g_stop;

void logLine(const std::string& line) { std::fprintf(stderr, "[data] %s\n", line.c_str()); }

struct Loaded {
  Project project;
  std::string dataDir;
};

Loaded load(const std::string& path) {
  Loaded l{Project::load(path), {}};
  l.dataDir = l.project.resolvePath(l.project.data.dir);
  l.project.data = resolvedDataOptions(l.project);
  return l;
}

std::string secondsSince(std::chrono::steady_clock::time_point t0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return buf;
}

// Runs a long job; a failure after SIGINT/SIGTERM becomes exit code 130.
template <typename F>
int guarded(F&& job) {
  StopSignalScope handler(g_stop);
  g_stop.reset();
  try {
    return job();
  } catch (const std::exception& e) {
    if (!g_stop.stopRequested()) throw;
    std::fprintf(stderr, "automoe: stopped (%s)\n", e.what());
    return kExitInterrupted;
  }
}

void printCorpus(const nlohmann::json& m, bool upToDate, const std::string& took) {
  std::printf("corpus    %s\n",
              upToDate ? "up to date, nothing rebuilt" : ("built in " + took).c_str());
  std::printf("%-8s %11s %9s %9s %7s %7s  %s\n", "pair", "candidates", "kept", "train", "valid",
              "test", "train by source");
  for (const auto& [pair, s] : m.at("pairs").items())
    std::printf("%-8s %11lld %9lld %9lld %7lld %7lld  %s\n", pair.c_str(),
                s.at("candidates").get<long long>(), s.at("kept").get<long long>(),
                s.at("train").get<long long>(), s.at("valid").get<long long>(),
                s.at("test").get<long long>(), s.at("train_by_source").dump().c_str());
  const auto& src = m.at("sources");
  if (src.contains("ddtp")) {
    const auto& r = src["ddtp"]["release"];
    std::printf("ddtp      %s %s %s (%s)\n", r.value("origin", "local").c_str(),
                r.value("codename", "").c_str(), r.value("version", "").c_str(),
                r.value("date", r.value("local_dir", "")).c_str());
  }
  if (src.contains("gettext"))
    std::printf("gettext   %zu packages, %lld catalogs\n", src["gettext"]["packages"].size(),
                src["gettext"].value("catalogs", 0LL));
  if (src.contains("libreoffice-help")) {
    const auto& h = src["libreoffice-help"];
    std::string where = h.value("local_dir", "");
    if (h.contains("packages"))
      for (const auto& [package, version] : h["packages"].items())
        where += (where.empty() ? "" : ", ") + package + " " + version.get<std::string>();
    std::printf("help      %s\n", where.c_str());
  }
}

void printPrepared(const nlohmann::json& meta, bool upToDate, const std::string& took) {
  std::printf(
      "prepared  %s, %s, vocabulary %lld (%s)\n", meta.at("pair").get<std::string>().c_str(),
      upToDate ? "up to date" : ("done in " + took).c_str(), meta.at("vocab_size").get<long long>(),
      meta.at("tokenizer").at("type").get<std::string>().c_str());
  std::printf("%-6s %10s %11s %11s %8s %8s\n", "split", "sentences", "src tokens", "tgt tokens",
              "max src", "max tgt");
  for (const char* split : {"train", "valid", "test"}) {
    const auto& s = meta.at("splits").at(split);
    std::printf("%-6s %10lld %11lld %11lld %8lld %8lld\n", split,
                s.at("sentences").get<long long>(), s.at("src_tokens").get<long long>(),
                s.at("tgt_tokens").get<long long>(), s.at("max_src_len").get<long long>(),
                s.at("max_tgt_len").get<long long>());
  }
}

int build(const Loaded& l, bool refresh, bool force) {
  const auto t0 = std::chrono::steady_clock::now();
  CorpusBuilder builder(l.project.data, l.dataDir, logLine);
  const CorpusReport r = builder.build(refresh, force, g_stop);
  printCorpus(r.manifest, r.upToDate, secondsSince(t0));
  return kExitOk;
}

int prepare(const Loaded& l, bool force) {
  const auto t0 = std::chrono::steady_clock::now();
  DataPreparer preparer(l.project.data, l.dataDir, {}, logLine);
  const PrepareReport r = preparer.prepare(force, g_stop);
  printPrepared(r.meta, r.upToDate, secondsSince(t0));
  return kExitOk;
}

}  // namespace

int dataBuild(const Args& args) {
  ArgParser ap(args, {}, {"refresh", "force"});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  return guarded([&] { return build(l, ap.has("refresh"), ap.has("force")); });
}

int dataPrepare(const Args& args) {
  ArgParser ap(args, {}, {"force"});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  return guarded([&] { return prepare(l, ap.has("force")); });
}

int dataAll(const Args& args) {
  ArgParser ap(args, {}, {"refresh", "force"});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  return guarded([&] {
    build(l, ap.has("refresh"), ap.has("force"));
    return prepare(l, ap.has("force"));
  });
}

int dataStats(const Args& args) {
  ArgParser ap(args, {"samples"}, {"json"});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  const long long samples = ap.intValue("samples", 0, 0, 1000);
  const std::string corpusFile = CorpusBuilder::manifestPath(l.dataDir);
  const nlohmann::json corpus = parseJsonText(readTextFile(corpusFile), corpusFile);
  try {
    checkCorpusManifest(corpus, corpusFile);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string(e.what()) + " ('automoe data build " + l.project.path + "' writes it again)");
  }
  const nlohmann::json meta = DataPreparer::loadMeta(l.dataDir, l.project.data);
  const TokenDataset train = TokenDataset::open(DataPreparer::binDir(l.dataDir), "train");
  const std::vector<int64_t> lengths = train.lengths();
  const BatchPlanner planner(lengths, l.project.data.maxTokens, l.project.data.maxPositions);
  const auto plan = planner.epoch(l.project.data.seed, 0);
  int64_t padded = 0, real = 0;
  for (const auto& b : plan) {
    int64_t longest = 0;
    for (size_t i : b) longest = std::max(longest, lengths[i]), real += lengths[i];
    padded += longest * static_cast<int64_t>(b.size());
  }
  nlohmann::json batches = {{"max_tokens", l.project.data.maxTokens},
                            {"max_positions", l.project.data.maxPositions},
                            {"batches_per_epoch", plan.size()},
                            {"skipped", planner.skipped()},
                            {"fill", padded ? static_cast<double>(real) / padded : 0.0}};
  if (ap.has("json")) {
    std::printf("%s\n", nlohmann::json{{"corpus", corpus}, {"prepared", meta}, {"batches", batches}}
                            .dump(2)
                            .c_str());
    return kExitOk;
  }
  printCorpus(corpus, true, {});
  printPrepared(meta, true, {});
  std::printf(
      "batches   %zu per epoch at max_tokens %lld (%.1f%% of batch slots are real tokens), "
      "%lld sentences skipped (longer than max_positions %lld or max_tokens)\n",
      plan.size(), static_cast<long long>(l.project.data.maxTokens),
      100.0 * batches["fill"].get<double>(), static_cast<long long>(planner.skipped()),
      static_cast<long long>(l.project.data.maxPositions));
  if (samples > 0) {
    const std::string& pair = l.project.data.pair;
    const auto readLines = [&](const std::string& lang) {
      const std::string text =
          readTextFile(CorpusBuilder::textPath(l.dataDir, pair, "valid", lang));
      std::vector<std::string> lines;
      for (size_t s = 0, e; s < text.size() && lines.size() < static_cast<size_t>(samples);
           s = e + 1) {
        e = text.find('\n', s);
        if (e == std::string::npos) e = text.size();
        lines.push_back(text.substr(s, e - s));
      }
      return lines;
    };
    const auto en = readLines(l.project.data.sourceLang());
    const auto tr = readLines(l.project.data.targetLang());
    std::printf("\nvalid samples:\n");
    for (size_t i = 0; i < en.size() && i < tr.size(); ++i)
      std::printf("  %s\n  %s\n\n", en[i].c_str(), tr[i].c_str());
  }
  return kExitOk;
}

int dataEncode(const Args& args) {
  ArgParser ap(args, {}, {});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  DataPreparer::loadMeta(l.dataDir, l.project.data, /*tokenizerOnly=*/true);
  const TokenizerClient tok(DataPreparer::tokenizerModel(l.dataDir));
  std::vector<std::string> lines;
  for (std::string line; std::getline(std::cin, line);) lines.push_back(line);
  for (const auto& ids : tok.encode(lines)) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? " " : "") + std::to_string(ids[i]);
    std::printf("%s\n", out.c_str());
  }
  return kExitOk;
}

int dataDecode(const Args& args) {
  ArgParser ap(args, {}, {});
  ap.expectPositional({"PROJECT"});
  const Loaded l = load(ap.positional()[0]);
  const nlohmann::json meta = DataPreparer::loadMeta(l.dataDir, l.project.data, /*tokenizerOnly=*/true);
  const TokenizerClient tok(DataPreparer::tokenizerModel(l.dataDir));
  std::vector<std::vector<int32_t>> ids;
  for (std::string line; std::getline(std::cin, line);) {
    ids.emplace_back();
    const char* p = line.c_str();
    char* end = nullptr;
    for (long v = std::strtol(p, &end, 10); end != p; v = std::strtol(p, &end, 10)) {
      if (v < 0 || v >= meta.at("vocab_size").get<long>())
        throw UsageError("line " + std::to_string(ids.size()) + ": id " + std::to_string(v) +
                         " is outside the vocabulary");
      ids.back().push_back(static_cast<int32_t>(v));
      p = end;
    }
  }
  for (const auto& text : tok.decode(ids)) std::printf("%s\n", text.c_str());
  return kExitOk;
}

}  // namespace automoe::cli

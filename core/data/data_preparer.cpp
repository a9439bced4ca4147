#include "data/data_preparer.h"

#include <filesystem>
#include <stdexcept>

#include "data/binarizer.h"
#include "data/corpus_builder.h"
#include "data/fingerprint.h"
#include "data/special_ids.h"
#include "data/tokenizer_client.h"
#include "pipeline/file_stamp.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/stop_token.h"

namespace fs = std::filesystem;

namespace automoe {

namespace {
// The files `prepare` writes and meta.json hashes, relative to the bin folder.
std::vector<std::string> preparedFiles() {
  std::vector<std::string> files = {"spm.model"};
  for (const auto& split : CorpusBuilder::splits())
    for (const char* f : {".src.bin", ".src.idx", ".tgt.bin", ".tgt.idx"}) files.push_back(split + f);
  return files;
}
}  // namespace

DataPreparer::DataPreparer(DataOptions options, std::string dataDir,
                           std::string tokenizerExecutable, Log log)
    : m_options(std::move(options)),
      m_dataDir(std::move(dataDir)),
      m_tokenizer(tokenizerExecutable.empty() ? TokenizerClient::locate()
                                              : std::move(tokenizerExecutable)),
      m_log(std::move(log)) {}

std::string DataPreparer::fingerprint() const {
  uint64_t h = fnv1a64(nlohmann::json{
      {"format_version", kFormatVersion},
      {"pair", m_options.pair},
      {"vocab_size", m_options.vocabSize},
      {"tokenizer", m_options.tokenizer},
      {"seed", m_options.seed},
      {"sample",
       kTokenizerSample}}.dump());
  for (const auto& split : CorpusBuilder::splits())
    for (const auto& lang : {m_options.sourceLang(), m_options.targetLang()}) {
      const std::string path = CorpusBuilder::textPath(m_dataDir, m_options.pair, split, lang);
      if (!fs::exists(path))
        throw ConfigError(path + ": missing; run 'automoe data build PROJECT' first");
      h = fnv1a64(readTextFile(path), h);
    }
  return hex64(h);
}

PrepareReport DataPreparer::prepare(bool force, const StopToken& stop) {
  PrepareReport report;
  const std::string fp = fingerprint();
  const std::string bin = binDir(m_dataDir), metaFile = metaPath(m_dataDir);
  if (!force && fs::exists(metaFile)) {
    nlohmann::json old = parseJsonText(readTextFile(metaFile), metaFile);
    bool complete = valueOr(old, "fingerprint", "") == fp && fs::exists(tokenizerModel(m_dataDir));
    for (const auto& split : CorpusBuilder::splits())
      for (const char* f : {".src.bin", ".src.idx", ".tgt.bin", ".tgt.idx"})
        complete = complete && fs::exists(bin + "/" + split + f);
    if (complete)
      if (const std::string why = contentProblem(m_dataDir, old); !why.empty()) {
        log("prepare: " + why.substr(0, why.find(';')) + "; preparing again");
        complete = false;
      }
    if (complete) {
      log("prepare: up to date (" + metaFile + ")");
      report.upToDate = true;
      report.meta = std::move(old);
      return report;
    }
  }
  fs::create_directories(bin);
  const std::string src = m_options.sourceLang(), tgt = m_options.targetLang();
  TokenizerTrainOptions t;
  t.inputs = {CorpusBuilder::textPath(m_dataDir, m_options.pair, "train", src),
              CorpusBuilder::textPath(m_dataDir, m_options.pair, "train", tgt)};
  t.modelPrefix = bin + "/spm.tmp";
  t.vocabSize = m_options.vocabSize;
  t.modelType = m_options.tokenizer;
  t.seed = m_options.seed;
  t.sampleSentences = kTokenizerSample;
  log("prepare: training a " + t.modelType + " SentencePiece model, vocabulary " +
      std::to_string(t.vocabSize) + ", on " + t.inputs[0] + " + " + t.inputs[1]);
  int64_t vocab = 0;
  try {
    vocab = TokenizerClient::train(t, m_tokenizer);
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("Vocabulary size") == std::string::npos) throw;
    throw ConfigError("data.vocab_size: " + std::to_string(t.vocabSize) +
                      " pieces cannot be learnt from this corpus (" + e.what() + ")");
  }
  if (stop.stopRequested()) throw std::runtime_error("stopped");
  fs::rename(bin + "/spm.tmp.model", tokenizerModel(m_dataDir));
  fs::rename(bin + "/spm.tmp.vocab", bin + "/spm.vocab");
  const TokenizerClient client(tokenizerModel(m_dataDir), m_tokenizer);
  const nlohmann::json info = client.info();

  nlohmann::json splits = nlohmann::json::object();
  for (const auto& split : CorpusBuilder::splits()) {
    const ShardStats s = Binarizer::binarizeFile(
        client, CorpusBuilder::textPath(m_dataDir, m_options.pair, split, src),
        bin + "/" + split + ".src", stop);
    const ShardStats g = Binarizer::binarizeFile(
        client, CorpusBuilder::textPath(m_dataDir, m_options.pair, split, tgt),
        bin + "/" + split + ".tgt", stop);
    if (s.sentences != g.sentences)
      throw std::runtime_error(split + ": source and target line counts differ (" +
                               std::to_string(s.sentences) + " vs " + std::to_string(g.sentences) +
                               ")");
    splits[split] = {{"sentences", s.sentences},   {"src_tokens", s.tokens},
                     {"tgt_tokens", g.tokens},     {"max_src_len", s.maxLength},
                     {"max_tgt_len", g.maxLength}, {"src_unk", s.unknown},
                     {"tgt_unk", g.unknown}};
    log("prepare: " + split + ": " + std::to_string(s.sentences) + " sentences, " +
        std::to_string(s.tokens) + " source and " + std::to_string(g.tokens) + " target tokens");
  }
  std::string corpusFingerprint;
  const std::string corpusManifest = CorpusBuilder::manifestPath(m_dataDir);
  if (fs::exists(corpusManifest))
    corpusFingerprint =
        valueOr(parseJsonText(readTextFile(corpusManifest), corpusManifest), "fingerprint", "");
  nlohmann::json hashes = nlohmann::json::object();
  for (const std::string& f : preparedFiles()) hashes[f] = FileStamp::contentHash(bin + "/" + f);
  report.meta = {{"format_version", kFormatVersion},
                 {"created", utcTimestamp()},
                 {"automoe_version", AUTOMOE_VERSION},
                 {"fingerprint", fp},
                 {"pair", m_options.pair},
                 {"src_lang", src},
                 {"tgt_lang", tgt},
                 {"vocab_size", vocab},
                 {"tokenizer",
                  {{"model", "spm.model"},
                   {"type", m_options.tokenizer},
                   {"seed", m_options.seed},
                   {"sample", kTokenizerSample},
                   {"bos_id", special_ids::kBos},
                   {"pad_id", special_ids::kPad},
                   {"eos_id", special_ids::kEos},
                   {"unk_id", special_ids::kUnk},
                   {"sentencepiece", info.value("sentencepiece", "")}}},
                 {"corpus_fingerprint", corpusFingerprint},
                 {"splits", splits},
                 {"content_hashes", hashes}};
  writeFileAtomically(metaFile, report.meta.dump(2) + "\n");
  log("prepare: wrote " + metaFile);
  return report;
}

nlohmann::json DataPreparer::loadMeta(const std::string& dataDir, const DataOptions& options, bool tokenizerOnly) {
  const std::string path = metaPath(dataDir);
  if (!fs::exists(path))
    throw ConfigError(path + ": missing; run 'automoe data prepare PROJECT' first");
  nlohmann::json meta = parseJsonText(readTextFile(path), path);
  JsonReader r(meta, path);
  if (r.getString("pair") != options.pair)
    r.fail("pair", "the data was prepared for " + r.getString("pair") + " but the project uses " +
                       options.pair + "; run 'automoe data prepare PROJECT'");
  if (r.getInt("vocab_size") != options.vocabSize)
    r.fail("vocab_size", "the tokenizer has " + std::to_string(r.getInt("vocab_size")) +
                             " pieces but the project's vocabulary is " +
                             std::to_string(options.vocabSize) +
                             "; run 'automoe data prepare PROJECT'");
  // The fields the commands read back: refused here by name rather than failing where they are used.
  r.child("tokenizer").getString("type");
  const JsonReader splits = r.child("splits");
  for (const char* split : {"train", "valid", "test"}) {
    const JsonReader s = splits.child(split);
    for (const char* field : {"sentences", "src_tokens", "tgt_tokens", "max_src_len", "max_tgt_len"})
      if (s.getInt(field) < 0) s.fail(field, "negative; run 'automoe data prepare PROJECT --force'");
  }
  if (meta.contains("content_hashes"))
    for (const std::string& f : preparedFiles()) r.child("content_hashes").getString(f);
  if (const std::string why = contentProblem(dataDir, meta, tokenizerOnly); !why.empty()) throw ConfigError(why);
  return meta;
}

std::string DataPreparer::contentProblem(const std::string& dataDir, const nlohmann::json& meta, bool tokenizerOnly) {
  const nlohmann::json hashes = valueOr(meta, "content_hashes", nlohmann::json());
  if (!hashes.is_object()) return "";
  const std::vector<std::string> files = tokenizerOnly ? std::vector<std::string>{"spm.model"} : preparedFiles();
  for (const std::string& f : files) {
    const std::string path = binDir(dataDir) + "/" + f;
    if (!fs::is_regular_file(path)) return path + ": missing; 'automoe data prepare PROJECT --force' writes it again";
    if (FileStamp::contentHash(path) != valueOr(hashes, f.c_str(), std::string()))
      return path + ": its content changed since 'automoe data prepare' wrote it (the hash in " + metaPath(dataDir) +
             " differs); 'automoe data prepare PROJECT --force' writes it again";
  }
  return "";
}

}  // namespace automoe

// Safetensors writer and reader: exact bytes against a buffer built by hand from the format's
// description, round trips of every dtype through at::Tensor, refusal of corrupt or truncated
// files with the file and tensor named, and (when python3 is there) an independent reader.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <ATen/ATen.h>

#include "export/safetensors_reader.h"
#include "export/safetensors_writer.h"
#include "export/tensor_codec.h"
#include "util/atomic_file.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

std::string le64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

// Two tensors and one metadata entry, laid out by hand:
//   a: F32 [2] = {1.0f, -2.0f} -> 00 00 80 3f  00 00 00 c0   (data bytes 0..8)
//   b: I64 []  = 5             -> 05 00 00 00 00 00 00 00    (data bytes 8..16)
// Header JSON (132 characters, counted) padded with 4 spaces to 136 = 17 x 8.
const std::string kHeader =
    "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2]},"
    "\"b\":{\"data_offsets\":[8,16],\"dtype\":\"I64\",\"shape\":[]}}";
const std::string kData("\x00\x00\x80\x3f\x00\x00\x00\xc0\x05\x00\x00\x00\x00\x00\x00\x00", 16);

std::string handBuilt() { return le64(136) + kHeader + "    " + kData; }

SafetensorsFile handFile() {
  SafetensorsFile f;
  f.metadata["k"] = "v";
  f.tensors["a"] = {"F32", {2}, kData.substr(0, 8)};
  f.tensors["b"] = {"I64", {}, kData.substr(8, 8)};
  return f;
}

void expectRefused(const std::string& bytes, const QString& needle) {
  try {
    SafetensorsReader::parse(bytes, "bad.safetensors");
    QFAIL(qPrintable("accepted; expected an error containing " + needle));
  } catch (const ConfigError& e) {
    QVERIFY2(QString(e.what()).contains("bad.safetensors") && QString(e.what()).contains(needle), e.what());
  }
}

// Replaces the header of the hand-built file (keeping the data) and fixes the length prefix.
std::string withHeader(std::string header, const std::string& data = kData) {
  while (header.size() % 8) header += ' ';
  return le64(header.size()) + header + data;
}

}  // namespace

class TestSafetensors final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

 private Q_SLOTS:
  void headerHasTheCountedLength() { QCOMPARE(kHeader.size(), size_t{132}); }

  void writerProducesTheHandBuiltBytes() {
    const std::string bytes = SafetensorsWriter::serialize(handFile());
    QCOMPARE(bytes.size(), handBuilt().size());
    QVERIFY(bytes == handBuilt());
  }

  void readerParsesTheHandBuiltBytes() {
    const SafetensorsFile f = SafetensorsReader::parse(handBuilt(), "hand");
    QCOMPARE(f.metadata.at("k"), std::string("v"));
    QCOMPARE(f.tensors.size(), size_t{2});
    QVERIFY(f.tensors.at("a") == handFile().tensors.at("a"));
    const at::Tensor a = decodeTensor(f.tensors.at("a"), "a");
    QCOMPARE(a[0].item<float>(), 1.0f);
    QCOMPARE(a[1].item<float>(), -2.0f);
    const at::Tensor b = decodeTensor(f.tensors.at("b"), "b");
    QCOMPARE(b.dim(), int64_t{0});
    QCOMPARE(b.item<int64_t>(), int64_t{5});
  }

  void readerAcceptsOtherKeyOrderAndSpacing() {
    // Another writer may order tensors by offset and keys differently, without metadata.
    const std::string h =
        "{ \"b\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [8, 16]},\n"
        "  \"a\": {\"shape\": [2], \"dtype\": \"F32\", \"data_offsets\": [0, 8]} }";
    const SafetensorsFile f = SafetensorsReader::parse(withHeader(h), "other");
    QVERIFY(f.metadata.empty());
    QVERIFY(f.tensors.at("b") == handFile().tensors.at("b"));
  }

  void everyDtypeRoundTrips() {
    at::manual_seed(3);
    SafetensorsFile f;
    f.metadata["format_version"] = "1";
    const at::Tensor base = at::randn({3, 5});
    const std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"f32", base},
        {"f64", base.to(at::kDouble)},
        {"f16", base.to(at::kHalf)},
        {"bf16", base.to(at::kBFloat16)},
        {"i64", at::randint(-1000000, 1000000, {4, 2}, at::kLong)},
        {"i32", at::randint(-1000, 1000, {7}, at::kInt)},
        {"u8", at::randint(0, 255, {2, 2, 2}, at::kByte)},
        {"bool", base > 0},
        {"empty", at::zeros({0, 4})},
        {"strided", base.t()},  // non-contiguous view: written in logical order
    };
    for (const auto& [n, t] : tensors) f.tensors[n] = encodeTensor(t);
    const std::string path = m_dir.filePath("all.safetensors").toStdString();
    SafetensorsWriter::write(path, f);
    const SafetensorsFile back = SafetensorsReader::read(path);
    QCOMPARE(back.metadata, f.metadata);
    for (const auto& [n, t] : tensors) {
      const at::Tensor r = decodeTensor(back.tensors.at(n), n);
      QCOMPARE(r.scalar_type(), t.scalar_type());
      QCOMPARE(r.sizes().vec(), t.sizes().vec());
      QVERIFY2(at::equal(r, t), n.c_str());
    }
    // Data starts 8-byte aligned and tensors lie in name order.
    const std::string bytes = readTextFile(path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    QCOMPARE(n % 8, uint64_t{0});
    QVERIFY(bytes.find("\"bf16\"") < bytes.find("\"bool\""));
  }

  void writerRefusesInconsistentTensors() {
    SafetensorsFile f;
    f.tensors["x"] = {"F32", {3}, std::string(8, '\0')};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SafetensorsWriter::serialize(f));
    f.tensors["x"] = {"F31", {2}, std::string(8, '\0')};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SafetensorsWriter::serialize(f));
    f.tensors.clear();
    f.tensors["__metadata__"] = {"F32", {2}, std::string(8, '\0')};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SafetensorsWriter::serialize(f));
  }

  void refusesCorruptAndTruncatedFiles() {
    const std::string good = handBuilt();
    expectRefused(good.substr(0, 5), "shorter than the 8-byte header length");
    expectRefused(good.substr(0, 100), "truncated");
    expectRefused(good.substr(0, good.size() - 1), "tensor 'b'");  // data cut short
    expectRefused(good + "xx", "bytes after the last tensor");
    expectRefused(le64(uint64_t{1} << 40) + kHeader, "too large");
    std::string broken = good;
    broken[8 + 20] = '#';  // inside the JSON
    expectRefused(broken, "not valid JSON");
    // A corrupt byte inside a long string: the message quotes a little of it, printably.
    std::string flipped = withHeader("{\"__metadata__\":{\"card\":\"" + std::string(3000, 'x') + "\"}}", "");
    flipped[8 + 2000] = '\xdd';
    try {
      SafetensorsReader::parse(flipped, "bad.safetensors");
      QFAIL("a header with a byte that is not UTF-8 was accepted");
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("header is not valid JSON") != std::string::npos && m.find("\\xdd") != std::string::npos, e.what());
      QVERIFY2(m.size() < 300, e.what());
      for (const unsigned char c : m) QVERIFY2(c >= 0x20 && c < 0x7F, e.what());
    }
    expectRefused(withHeader("[1,2]", ""), "not a JSON object");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}"),
                  "tensor 'a': data_offsets span 8 bytes but F32 x [3] needs 12");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]}}"),
                  "data overlaps");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]}}",
                             kData + std::string(8, '\0')),
                  "gap of 8 bytes");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,24]}}"),
                  "tensor 'b'");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", kData.substr(0, 8)),
                  "unknown dtype 'Q4'");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", kData.substr(0, 8)),
                  "non-negative");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", kData.substr(0, 8)),
                  "end before begin");
    expectRefused(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", kData.substr(0, 8)), "data_offsets");
    expectRefused(withHeader("{\"__metadata__\":{\"k\":1}}", ""), "__metadata__.k");
    try {
      SafetensorsReader::read(m_dir.filePath("missing.safetensors").toStdString());
      QFAIL("missing file accepted");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).contains("missing.safetensors"));
    }
  }

  // An independent reader of the format in plain Python (struct + json): the header it decodes and
  // the float values it unpacks must equal ours.
  void pythonReadsOurFile() {
    QProcess probe;
    probe.start("python3", {"-c", "print(1)"});
    if (!probe.waitForFinished(20000) || probe.exitCode() != 0) QSKIP("python3 is not available");
    SafetensorsFile f;
    f.metadata["model_shape"] = "{\"x\": 1}";
    f.tensors["w"] = encodeTensor(at::arange(6, at::kFloat).reshape({2, 3}) * 0.5);
    f.tensors["z"] = encodeTensor(at::tensor(std::vector<int64_t>{-7, 9}));
    const QString path = m_dir.filePath("py.safetensors");
    SafetensorsWriter::write(path.toStdString(), f);
    const char* script =
        "import json,struct,sys\n"
        "b=open(sys.argv[1],'rb').read()\n"
        "n=struct.unpack('<Q',b[:8])[0]\n"
        "h=json.loads(b[8:8+n])\n"
        "d=b[8+n:]\n"
        "w=h['w'];s,e=w['data_offsets']\n"
        "z=h['z'];zs,ze=z['data_offsets']\n"
        "print(n%8, w['dtype'], w['shape'], list(struct.unpack('<6f',d[s:e])), "
        "z['dtype'], list(struct.unpack('<2q',d[zs:ze])), h['__metadata__']['model_shape'])\n";
    QProcess py;
    py.start("python3", {"-c", script, path});
    QVERIFY(py.waitForFinished(20000));
    QCOMPARE(py.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(py.readAllStandardOutput()).trimmed(),
             QString("0 F32 [2, 3] [0.0, 0.5, 1.0, 1.5, 2.0, 2.5] I64 [-7, 9] {\"x\": 1}"));
  }

  // The reference implementation (Hugging Face's safetensors package with numpy), when installed.
  void safetensorsPackageReadsOurFile() {
    QProcess probe;
    probe.start("python3", {"-c", "import safetensors.numpy, numpy"});
    if (!probe.waitForFinished(20000) || probe.exitCode() != 0)
      QSKIP("python3 with the safetensors and numpy packages is not available");
    SafetensorsFile f;
    f.metadata["k"] = "v";
    f.tensors["w"] = encodeTensor(at::arange(6, at::kFloat).reshape({2, 3}) * 0.5);
    f.tensors["h"] = encodeTensor(at::arange(4, at::kFloat).to(at::kHalf));
    const QString path = m_dir.filePath("hf.safetensors");
    SafetensorsWriter::write(path.toStdString(), f);
    const char* script =
        "import sys\nfrom safetensors.numpy import load_file\nfrom safetensors import safe_open\n"
        "t=load_file(sys.argv[1])\n"
        "m=safe_open(sys.argv[1],'np').metadata()\n"
        "print(t['w'].tolist(), t['h'].tolist(), t['h'].dtype, m['k'])\n";
    QProcess py;
    py.start("python3", {"-c", script, path});
    QVERIFY(py.waitForFinished(60000));
    QCOMPARE(py.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(py.readAllStandardOutput()).trimmed(),
             QString("[[0.0, 0.5, 1.0], [1.5, 2.0, 2.5]] [0.0, 1.0, 2.0, 3.0] float16 v"));
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"

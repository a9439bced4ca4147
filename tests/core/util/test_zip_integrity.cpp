// zipIntegrityProblem: LibTorch's archives pass; a changed data byte, a truncation, a damaged
// directory are each named; ZIP64 archives (checkpoints over 4 GiB) are read.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <zlib.h>

#include <cstring>
#include <fstream>

#include <ATen/ATen.h>
#include <torch/serialize/output-archive.h>

#include "support/zip_member_span.h"
#include "util/zip_integrity.h"

using namespace automoe;

namespace {

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void put(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Raw deflate (zip method 8) of `data`.
std::string deflated(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A zip archive in its ZIP64 form, as a writer makes it for more than 4 GiB or 65535 members:
// every 32-bit size and offset of the central directory set to 0xFFFFFFFF with the values in
// ZIP64 extra fields, and the ZIP64 end record and locator before the classic end record.
// Members are stored (method 0), deflated (8), or marked with another method and stored.
std::string zip64Archive(const std::vector<std::pair<std::string, std::string>>& members, int method = 0) {
  std::string out, central;
  for (const auto& [name, data] : members) {
    const std::string packed = method == 8 ? deflated(data) : data;
    const uint64_t offset = out.size();
    const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    put(out, 0x04034b50, 4);
    put(out, 45, 2);                   // version needed (ZIP64)
    put(out, 0, 2);                    // flags
    put(out, method, 2);
    put(out, 0, 4);                    // time, date
    put(out, crc, 4);
    put(out, 0xFFFFFFFF, 4);           // sizes: in the extra field
    put(out, 0xFFFFFFFF, 4);
    put(out, name.size(), 2);
    put(out, 20, 2);                   // extra: tag 1 with both sizes
    out += name;
    put(out, 1, 2);
    put(out, 16, 2);
    put(out, data.size(), 8);
    put(out, packed.size(), 8);
    out += packed;
    put(central, 0x02014b50, 4);
    put(central, 45, 2);               // version made by
    put(central, 45, 2);               // version needed
    put(central, 0, 2);
    put(central, method, 2);
    put(central, 0, 4);
    put(central, crc, 4);
    put(central, 0xFFFFFFFF, 4);       // compressed size
    put(central, 0xFFFFFFFF, 4);       // uncompressed size
    put(central, name.size(), 2);
    put(central, 28, 2);               // extra: tag 1 with both sizes and the offset
    put(central, 0, 2);                // comment
    put(central, 0, 2);                // disk
    put(central, 0, 2);                // internal attributes
    put(central, 0, 4);                // external attributes
    put(central, 0xFFFFFFFF, 4);       // local header offset
    central += name;
    put(central, 1, 2);
    put(central, 24, 2);
    put(central, data.size(), 8);      // uncompressed, compressed, offset: the APPNOTE's order
    put(central, packed.size(), 8);
    put(central, offset, 8);
  }
  const uint64_t cdOffset = out.size(), zip64End = cdOffset + central.size();
  out += central;
  put(out, 0x06064b50, 4);
  put(out, 44, 8);                     // size of the rest of this record
  put(out, 45, 2);
  put(out, 45, 2);
  put(out, 0, 4);
  put(out, 0, 4);
  put(out, members.size(), 8);
  put(out, members.size(), 8);
  put(out, central.size(), 8);
  put(out, cdOffset, 8);
  put(out, 0x07064b50, 4);             // locator
  put(out, 0, 4);
  put(out, zip64End, 8);
  put(out, 1, 4);
  put(out, 0x06054b50, 4);             // classic end record, its fields saturated
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, 0xFFFF, 2);
  put(out, 0xFFFF, 2);
  put(out, 0xFFFFFFFF, 4);
  put(out, 0xFFFFFFFF, 4);
  put(out, 0, 2);
  return out;
}

}  // namespace

class TestZipIntegrity final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

  // An archive as LibTorch writes checkpoints; `mark` fills one tensor, so its data can be found.
  std::string libtorchArchive(float mark) const {
    torch::serialize::OutputArchive out;
    out.write("a", at::arange(24, at::kFloat).view({4, 6}));
    out.write("b", at::full({16}, mark));
    out.write("c", at::ones({3}, at::kLong));
    // A string and enough named entries make LibTorch write a code record it deflates (miniz stores
    // a record that would not shrink).
    for (int i = 0; i < 8; ++i) out.write("layers." + std::to_string(i) + ".weight", at::zeros({2}));
    out.write("meta", c10::IValue(std::string("{\"step\": 3}")));
    const std::string p = path("libtorch.pt");
    out.save_to(p);
    return readBytes(p);
  }

 private Q_SLOTS:
  void libtorchArchivesPass() {
    writeBytes(path("ok.pt"), libtorchArchive(1234.5f));
    QCOMPARE(QString::fromStdString(zipIntegrityProblem(path("ok.pt"))), QString());
  }

  // Every byte of a tensor's data, changed alone, is found and the member named.
  void everyChangedDataByteIsFound() {
    const float mark = 1234.5f;
    const std::string bytes = libtorchArchive(mark);
    std::string block(16 * sizeof(float), '\0');
    for (int i = 0; i < 16; ++i) std::memcpy(&block[i * sizeof(float)], &mark, sizeof(float));
    const size_t at = bytes.find(block);
    QVERIFY(at != std::string::npos);
    for (size_t i = at; i < at + block.size(); ++i) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
      writeBytes(path("flip.pt"), damaged);
      const QString why = QString::fromStdString(zipIntegrityProblem(path("flip.pt")));
      QVERIFY2(why.contains("member 'libtorch/data/1' does not match its CRC-32"), qPrintable(why));
    }
  }

  // LibTorch deflates its TorchScript code record: a changed byte there is found as well.
  void aChangedDeflatedByteIsFound() {
    const std::string bytes = libtorchArchive(7.0f);
    const std::string name = "libtorch/code/__torch__.py";
    const testing::ZipMemberSpan span = testing::zipMemberSpan(bytes, name);
    QCOMPARE(span.method, 8);
    QVERIFY(span.size > 16);
    writeBytes(path("plain.pt"), bytes);
    QCOMPARE(QString::fromStdString(zipIntegrityProblem(path("plain.pt"))), QString());
    for (size_t i = span.offset; i < span.offset + span.size; i += 7) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x04);
      writeBytes(path("code.pt"), damaged);
      const QString why = QString::fromStdString(zipIntegrityProblem(path("code.pt")));
      QVERIFY2(why.contains("'" + QString::fromStdString(name) + "'"), qPrintable(why));
    }
  }

  // Cut anywhere, the archive is refused (its end record is what goes first).
  void everyTruncationIsFound() {
    const std::string bytes = libtorchArchive(7.0f);
    for (size_t n = 0; n < bytes.size(); ++n) {
      writeBytes(path("cut.pt"), bytes.substr(0, n));
      QVERIFY2(!zipIntegrityProblem(path("cut.pt")).empty(), qPrintable(QString::number(n)));
    }
  }

  void damagedStructureIsNamed() {
    const std::string bytes = libtorchArchive(7.0f);
    // The central directory's first entry signature.
    const size_t cd = bytes.find(std::string("PK\x01\x02", 4));
    QVERIFY(cd != std::string::npos);
    std::string damaged = bytes;
    damaged[cd + 1] = 'X';
    writeBytes(path("cd.pt"), damaged);
    QVERIFY(QString::fromStdString(zipIntegrityProblem(path("cd.pt"))).contains("central directory entry 1 is damaged"));
    writeBytes(path("text.pt"), "not a zip archive at all, just some text that is long enough");
    QVERIFY(QString::fromStdString(zipIntegrityProblem(path("text.pt"))).contains("no zip end-of-directory record"));
    QCOMPARE(QString::fromStdString(zipIntegrityProblem(path("missing.pt"))), QString("cannot open the file"));
  }

  void zip64ArchivesAreRead() {
    const std::vector<std::pair<std::string, std::string>> members = {
        {"archive/data.pkl", "pickled structure"}, {"archive/data/0", std::string(1000, 'x')}, {"archive/version", "3\n"}};
    const std::string bytes = zip64Archive(members);
    writeBytes(path("z64.pt"), bytes);
    QCOMPARE(QString::fromStdString(zipIntegrityProblem(path("z64.pt"))), QString());
    std::string damaged = bytes;
    damaged[bytes.find(std::string(1000, 'x')) + 500] = 'y';
    writeBytes(path("z64-flip.pt"), damaged);
    const QString why = QString::fromStdString(zipIntegrityProblem(path("z64-flip.pt")));
    QVERIFY2(why.contains("'archive/data/0' does not match its CRC-32"), qPrintable(why));
    // Deflated members are inflated and checked.
    const std::string packed = zip64Archive(members, 8);
    QVERIFY(packed.size() < bytes.size());
    writeBytes(path("z64-deflate.pt"), packed);
    QCOMPARE(QString::fromStdString(zipIntegrityProblem(path("z64-deflate.pt"))), QString());
    writeBytes(path("z64-deflate9.pt"), zip64Archive(members, 9));
    QVERIFY(QString::fromStdString(zipIntegrityProblem(path("z64-deflate9.pt"))).contains("is compressed by method 9"));
  }
};

QTEST_APPLESS_MAIN(TestZipIntegrity)
#include "test_zip_integrity.moc"

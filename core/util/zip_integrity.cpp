#include "util/zip_integrity.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

namespace automoe {

namespace {

// Signatures and fixed record sizes of the zip format (PKWARE APPNOTE 6.3, sections 4.3.7-4.3.16).
constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEnd = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30, kCentralHeaderSize = 46, kEndSize = 22, kZip64LocatorSize = 20;
constexpr size_t kZip64EndSize = 56;

uint64_t le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

class Reader {
 public:
  explicit Reader(const std::string& path) : m_in(path, std::ios::binary) {
    if (m_in) {
      m_in.seekg(0, std::ios::end);
      m_size = static_cast<uint64_t>(m_in.tellg());
    }
  }
  bool ok() const { return static_cast<bool>(m_in); }
  uint64_t size() const { return m_size; }
  // `n` bytes at `offset`, or false when they lie past the end or cannot be read.
  bool read(uint64_t offset, size_t n, std::vector<unsigned char>& out) {
    if (offset > m_size || n > m_size - offset) return false;
    out.resize(n);
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(offset));
    m_in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
    return static_cast<size_t>(m_in.gcount()) == n;
  }
  // CRC-32 and length of a member's data: `n` bytes at `offset` (checked to lie within the file by
  // the caller), stored or, `deflated`, raw deflate (zip method 8) that is inflated on the way.
  bool crc(uint64_t offset, uint64_t n, bool deflated, uint32_t& out, uint64_t& length) {
    std::vector<unsigned char> in(std::min<uint64_t>(n, uint64_t{1} << 20) + 1), plain(deflated ? 1 << 18 : 0);
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(offset));
    uLong c = crc32(0L, Z_NULL, 0);
    length = 0;
    z_stream z{};
    if (deflated && inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
    int status = Z_OK;
    while (n > 0) {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(n, in.size() - 1));
      m_in.read(reinterpret_cast<char*>(in.data()), static_cast<std::streamsize>(k));
      if (static_cast<size_t>(m_in.gcount()) != k) break;
      n -= k;
      if (!deflated) {
        c = crc32_z(c, in.data(), k);
        length += k;
        continue;
      }
      z.next_in = in.data();
      z.avail_in = static_cast<uInt>(k);
      do {
        z.next_out = plain.data();
        z.avail_out = static_cast<uInt>(plain.size());
        status = inflate(&z, Z_NO_FLUSH);
        const size_t got = plain.size() - z.avail_out;
        c = crc32_z(c, plain.data(), got);
        length += got;
      } while (status == Z_OK && z.avail_out == 0);
      if (status != Z_OK && status != Z_BUF_ERROR) break;  // BUF_ERROR: wants the next block
    }
    if (deflated) inflateEnd(&z);
    out = static_cast<uint32_t>(c);
    return n == 0 && (!deflated || status == Z_STREAM_END);
  }

 private:
  std::ifstream m_in;
  uint64_t m_size = 0;
};

std::string hex32(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

struct Directory {
  uint64_t entries = 0, size = 0, offset = 0;
};

// The central directory's place, from the end record (and its ZIP64 form where one is written).
std::string findDirectory(Reader& r, Directory& dir) {
  if (r.size() < kEndSize) return "too short for a zip archive (" + std::to_string(r.size()) + " bytes)";
  const uint64_t tail = std::min<uint64_t>(r.size(), kEndSize + 0xFFFF);  // the end record, then a comment
  std::vector<unsigned char> b;
  if (!r.read(r.size() - tail, static_cast<size_t>(tail), b)) return "cannot read the end of the file";
  int64_t at = -1;
  for (int64_t i = static_cast<int64_t>(tail - kEndSize); i >= 0 && at < 0; --i)
    if (le(&b[static_cast<size_t>(i)], 4) == kEnd) at = i;
  if (at < 0) return "no zip end-of-directory record (truncated?)";
  const unsigned char* e = &b[static_cast<size_t>(at)];
  dir = {le(e + 10, 2), le(e + 12, 4), le(e + 16, 4)};
  const uint64_t endOffset = r.size() - tail + static_cast<uint64_t>(at);
  if (endOffset >= kZip64LocatorSize) {
    std::vector<unsigned char> loc;
    if (r.read(endOffset - kZip64LocatorSize, kZip64LocatorSize, loc) && le(loc.data(), 4) == kZip64Locator) {
      std::vector<unsigned char> z;
      if (!r.read(le(loc.data() + 8, 8), kZip64EndSize, z) || le(z.data(), 4) != kZip64End)
        return "the ZIP64 end-of-directory record is missing or damaged";
      dir = {le(z.data() + 32, 8), le(z.data() + 40, 8), le(z.data() + 48, 8)};
    }
  }
  if (dir.offset > r.size() || dir.size > r.size() - dir.offset)
    return "the central directory lies past the end of the file (truncated?)";
  return "";
}

}  // namespace

std::string zipIntegrityProblem(const std::string& path) {
  Reader r(path);
  if (!r.ok()) return "cannot open the file";
  Directory dir;
  if (std::string why = findDirectory(r, dir); !why.empty()) return why;
  std::vector<unsigned char> cd, local;
  if (!r.read(dir.offset, static_cast<size_t>(dir.size), cd)) return "cannot read the central directory";
  size_t pos = 0;
  for (uint64_t i = 0; i < dir.entries; ++i) {
    const std::string nth = "central directory entry " + std::to_string(i + 1);
    if (pos + kCentralHeaderSize > cd.size() || le(&cd[pos], 4) != kCentralHeader) return nth + " is damaged";
    const unsigned char* h = &cd[pos];
    const uint64_t method = le(h + 10, 2), nameLen = le(h + 28, 2), extraLen = le(h + 30, 2);
    const uint64_t commentLen = le(h + 32, 2);
    const auto crc = static_cast<uint32_t>(le(h + 16, 4));
    uint64_t packed = le(h + 20, 4), unpacked = le(h + 24, 4), offset = le(h + 42, 4);
    if (pos + kCentralHeaderSize + nameLen + extraLen + commentLen > cd.size()) return nth + " is damaged";
    const std::string name(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLen);
    // ZIP64 extended information (tag 1): the 64-bit values of the fields set to 0xFFFFFFFF, in order.
    for (size_t x = 0; x + 4 <= extraLen;) {
      const unsigned char* f = h + kCentralHeaderSize + nameLen + x;
      const uint64_t tag = le(f, 2), len = le(f + 2, 2);
      if (x + 4 + len > extraLen) return "member '" + name + "': damaged extra field";
      if (tag == 1) {
        size_t k = 4;
        for (uint64_t* v : {&unpacked, &packed, &offset})
          if (*v == 0xFFFFFFFFu) {
            if (k + 8 > 4 + len) return "member '" + name + "': damaged ZIP64 field";
            *v = le(f + k, 8);
            k += 8;
          }
      }
      x += 4 + len;
    }
    pos += kCentralHeaderSize + nameLen + extraLen + commentLen;
    if (method != 0 && method != 8)
      return "member '" + name + "' is compressed by method " + std::to_string(method) + ", not stored or deflated";
    if (method == 0 && packed != unpacked) return "member '" + name + "' has two different sizes";
    if (!r.read(offset, kLocalHeaderSize, local) || le(local.data(), 4) != kLocalHeader)
      return "member '" + name + "': its header is missing or damaged";
    const uint64_t start = offset + kLocalHeaderSize + le(local.data() + 26, 2) + le(local.data() + 28, 2);
    if (start > dir.offset || packed > dir.offset - start)
      return "member '" + name + "' runs past the start of the central directory";
    uint32_t actual = 0;
    uint64_t length = 0;
    if (!r.crc(start, packed, method == 8, actual, length))
      return "cannot read member '" + name + "'" + (method == 8 ? " (its compressed data is damaged)" : "");
    if (length != unpacked)
      return "member '" + name + "' holds " + std::to_string(length) + " bytes, its directory entry says " +
             std::to_string(unpacked);
    if (actual != crc)
      return "the data of member '" + name + "' does not match its CRC-32 (recorded " + hex32(crc) + ", now " +
             hex32(actual) + "): the file was changed after it was written";
  }
  if (pos != cd.size()) return "the central directory has " + std::to_string(cd.size() - pos) + " bytes past its entries";
  return "";
}

}  // namespace automoe

#pragma once
// CRC-32 check of the zip archives LibTorch writes (torch::save, OutputArchive::save_to: every
// tensor's bytes and the pickled structure are stored, uncompressed, as members of a zip file).
//
// LibTorch records each member's CRC-32 when writing but does not check it when reading (1.13,
// Debian's; seen in a byte-flip fuzz), so a damaged byte in a tensor's data loads as another value. Measured on a supernet checkpoint: of 100 random byte changes,
// truncations and 16-byte block overwrites, 76 loaded without complaint, and a resumed retraining
// from one of them met a NaN weight and stopped with "the loss was not finite". Checking the
// CRCs first refuses such a file, and also keeps a damaged pickle from reaching LibTorch's parser.
#include <string>

namespace automoe {

// Why the zip archive at `path` is damaged, or "" when its structure reads and every member's
// data matches its recorded CRC-32. Reads the whole file once (zlib's crc32, ~2.4 GB/s on this
// machine kind). ZIP64 archives (over 4 GiB or 65535 members) are read too. Members are stored
// (tensors, pickles) or deflated (LibTorch's TorchScript code records); other methods are refused.
std::string zipIntegrityProblem(const std::string& path);

}  // namespace automoe

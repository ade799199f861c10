// gzip.cpp - zlib deflate/inflate with the gzip wrapper (windowBits 15 + 16).
#include "report/gzip.h"

#include <zlib.h>

namespace authmilter::report {

namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib: +16 selects the gzip header and trailer
constexpr std::size_t kChunk = std::size_t{64} * 1024;

}  // namespace

Result<std::string> gzip(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return Error{"gzip: deflateInit2 failed"};
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buffer[kChunk];
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = deflate(&stream, Z_FINISH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Error{"gzip: deflate failed"};
  return out;
}

Result<std::string> gunzip(std::string_view data, std::size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) return Error{"gunzip: inflateInit2 failed"};
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buffer[kChunk];
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&stream);
      return Error{"gunzip: output exceeds the bound"};
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) rc = Z_BUF_ERROR;
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return Error{"gunzip: corrupt or truncated data"};
  return out;
}

}  // namespace authmilter::report

// Reply parser throughput on realistic EHLO replies, whole and split into small TCP chunks.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "smtp/reply_parser.hpp"

namespace {

std::string make_stream(int replies) {
  const std::string one =
      "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
      "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 CHUNKING\r\n"
      "554 5.7.1 <probe@relayaudit-external.invalid>: Relay access denied\r\n";
  std::string stream;
  for (int i = 0; i < replies; ++i) stream += one;
  return stream;
}

void parse_in_chunks(benchmark::State& state) {
  const std::string stream = make_stream(1000);
  const auto chunk = static_cast<std::size_t>(state.range(0));
  std::vector<relayaudit::Reply> replies;
  for (auto _ : state) {
    relayaudit::ReplyParser parser;
    replies.clear();
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      parser.feed(std::string_view(stream).substr(at, chunk), replies);
    }
    benchmark::DoNotOptimize(replies.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["replies"] = static_cast<double>(replies.size());
}
BENCHMARK(parse_in_chunks)->Arg(16)->Arg(512)->Arg(16384);

}  // namespace

BENCHMARK_MAIN();

#include "pipewright/http/sse.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::http {
namespace {

// Feeds `chunks` in order and returns the events, "id|event|data" each.
std::vector<std::string> parse(const std::vector<std::string>& chunks, SseParser& parser) {
  std::vector<std::string> out;
  for (const std::string& chunk : chunks) {
    auto flow = parser.feed(chunk, [&](const SseEvent& e) {
      out.push_back(e.id + "|" + e.event + "|" + e.data);
      return true;
    });
    EXPECT_TRUE(flow.has_value());
  }
  return out;
}

std::vector<std::string> parse(const std::vector<std::string>& chunks) {
  SseParser parser;
  return parse(chunks, parser);
}

// The same text fed whole and one byte at a time gives the same events.
std::vector<std::string> parse_both_ways(const std::string& text) {
  auto whole = parse({text});
  std::vector<std::string> bytes;
  for (char c : text)
    bytes.emplace_back(1, c);
  EXPECT_EQ(parse(bytes), whole) << "byte by byte differs for: " << text;
  return whole;
}

TEST(SseParserTest, ParsesDataIdAndEventFields) {
  EXPECT_EQ(parse_both_ways("id: 7\nevent: log\ndata: {\"line\":\"hi\"}\n\n"),
            (std::vector<std::string>{"7|log|{\"line\":\"hi\"}"}));
}

TEST(SseParserTest, JoinsMultiLineDataWithNewlines) {
  EXPECT_EQ(parse_both_ways("data: one\ndata:two\ndata:  three\n\n"),
            (std::vector<std::string>{"|message|one\ntwo\n three"}));
}

TEST(SseParserTest, AcceptsCrLfLfAndCrLineEndsMixed) {
  EXPECT_EQ(parse_both_ways("data: a\r\ndata: b\rdata: c\n\r\nid: 2\r\rdata: d\r\n\r\n"),
            (std::vector<std::string>{"|message|a\nb\nc", "2|message|d"}));
}

TEST(SseParserTest, CrAtTheEndOfAChunkThenLfIsOneLineEnd) {
  // Split between the CR and the LF of "\r\n": no extra blank line, so no early dispatch.
  EXPECT_EQ(parse({"data: a\r", "\ndata: b\r\n\r\n"}), (std::vector<std::string>{"|message|a\nb"}));
}

TEST(SseParserTest, IgnoresCommentsAndUnknownFields) {
  EXPECT_EQ(parse_both_ways(": keep-alive\n\nfoo: bar\ndata: x\n:comment\n\n"),
            (std::vector<std::string>{"|message|x"}));
}

TEST(SseParserTest, AnEventWithoutDataIsNotDispatchedButEmptyDataIs) {
  EXPECT_EQ(parse_both_ways("event: job\n\ndata\n\ndata:\n\n"),
            (std::vector<std::string>{"|message|", "|message|"}));
}

TEST(SseParserTest, TheEventTypeResetsAfterEachEventButTheIdStays) {
  EXPECT_EQ(parse_both_ways("id: 1\nevent: run\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"),
            (std::vector<std::string>{"1|run|a", "1|message|b", "|message|c"}));
}

TEST(SseParserTest, AnIdWithANulIsIgnored) {
  std::string text = "id: 5\ndata: a\n\nid: x";
  text += '\0';
  text += "y\ndata: b\n\n";
  EXPECT_EQ(parse_both_ways(text), (std::vector<std::string>{"5|message|a", "5|message|b"}));
}

TEST(SseParserTest, RetryTakesOnlyDigits) {
  SseParser parser;
  parse({"retry: 250\n\n"}, parser);
  ASSERT_TRUE(parser.retry().has_value());
  EXPECT_EQ(parser.retry()->count(), 250);
  parse({"retry: 1s\nretry: -5\nretry:\n\n"}, parser);
  EXPECT_EQ(parser.retry()->count(), 250);
}

TEST(SseParserTest, SkipsAByteOrderMarkAtTheStartOnly) {
  EXPECT_EQ(parse_both_ways("\xEF\xBB\xBF"
                            "data: a\n\n"),
            (std::vector<std::string>{"|message|a"}));
  // A second BOM is not a BOM: it becomes part of the field name, which is unknown.
  EXPECT_EQ(parse_both_ways("\xEF\xBB\xBF\xEF\xBB\xBF"
                            "data: a\n\ndata: b\n\n"),
            (std::vector<std::string>{"|message|b"}));
}

TEST(SseParserTest, AnUnfinishedEventIsDroppedOnRestartAndTheIdKept) {
  SseParser parser;
  auto events = parse({"id: 3\ndata: done\n\ndata: half"}, parser);
  EXPECT_EQ(events, (std::vector<std::string>{"3|message|done"}));
  parser.restart();
  EXPECT_EQ(parser.last_event_id(), "3");
  EXPECT_EQ(parse({"data: next\n\n"}, parser), (std::vector<std::string>{"3|message|next"}));
}

TEST(SseParserTest, StopsWhenTheConsumerSaysSo) {
  SseParser parser;
  int seen = 0;
  auto flow = parser.feed("data: a\n\ndata: b\n\n", [&](const SseEvent&) {
    ++seen;
    return false;
  });
  ASSERT_TRUE(flow.has_value());
  EXPECT_EQ(*flow, SseFlow::stop);
  EXPECT_EQ(seen, 1);
}

TEST(SseParserTest, FailsOnALineThatNeverEnds) {
  SseParser parser;
  std::string chunk(1024 * 1024, 'x');
  util::Expected<SseFlow> flow = SseFlow::more;
  for (int i = 0; i < 20 && flow; ++i)
    flow = parser.feed(chunk, [](const SseEvent&) { return true; });
  ASSERT_FALSE(flow.has_value());
  EXPECT_NE(flow.error().message.find("larger than 16 MiB"), std::string::npos);
}

}  // namespace
}  // namespace pipewright::http
